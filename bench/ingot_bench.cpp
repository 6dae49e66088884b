// ingot-bench: ingot against llama.cpp on the same model, encoding, tokens and threads, in one
// run: prefill tok/s, decode tok/s, time to first token and peak RSS, with ratios, plus the
// decode roofline from this machine's measured memory bandwidth.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "bench/serve_sim.h"
#include "runtime/device/cpu/thread_pool.h"
#include "runtime/generate/engine.h"
#include "tools/cli_support.h"

namespace {

constexpr const char* kTool = "ingot-bench";
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Read bandwidth in bytes/s: `threads` threads summing a 1 GiB buffer, best of 5.
double memory_bandwidth(int threads) {
  const size_t floats = size_t{1} << 28;
  std::vector<float> buffer(floats, 1.0f);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    std::vector<double> sums(static_cast<size_t>(threads));
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const size_t begin = floats * t / threads, end = floats * (t + 1) / threads;
        float acc[16] = {};
        for (size_t i = begin; i < end; i += 16)
          for (int k = 0; k < 16; ++k) acc[k] += buffer[i + k];
        double s = 0;
        for (float a : acc) s += a;
        sums[static_cast<size_t>(t)] = s;
      });
    }
    for (auto& th : pool) th.join();
    best = std::max(best, floats * 4.0 / seconds_since(start));
  }
  return best;
}

/// ingot's numbers, measured in this (child) process.
json measure_ingot(const std::string& artifact, ingot::device::ExecutorOptions options,
                   const std::vector<int32_t>& prompt, int decode, int reps) {
  options.max_sequences = 1;
  options.max_context = static_cast<int64_t>(prompt.size()) + decode + 16;
  auto engine = ingot::generate::Engine::open(artifact, options);
  if (!engine.ok()) {
    ingot::cli::report_error(kTool, engine.status());
    std::exit(2);
  }
  auto& executor = (*engine)->executor();
  std::vector<float> logits(static_cast<size_t>(executor.vocab_size()));
  std::vector<double> prefill, ttft, dec;
  for (int rep = 0; rep <= reps; ++rep) {  // the first round warms up
    ingot::device::KvSequence sequence;
    const auto start = Clock::now();
    for (size_t begin = 0; begin < prompt.size(); begin += executor.max_tokens()) {
      const size_t n = std::min<size_t>(executor.max_tokens(), prompt.size() - begin);
      const int32_t last = static_cast<int32_t>(n - 1);
      const bool final_chunk = begin + n == prompt.size();
      const auto status = executor.step(
          {std::span<const int32_t>(prompt).subspan(begin, n), &sequence,
           final_chunk ? std::span<const int32_t>(&last, 1) : std::span<const int32_t>(),
           logits.data()});
      if (!status.ok()) std::exit(ingot::cli::report_error(kTool, status));
    }
    int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) -
                                        logits.begin());
    const double first = seconds_since(start);
    const auto decode_start = Clock::now();
    const int32_t row = 0;
    for (int step = 0; step < decode; ++step) {
      const auto status = executor.step({std::span<const int32_t>(&next, 1), &sequence,
                                         std::span<const int32_t>(&row, 1), logits.data()});
      if (!status.ok()) std::exit(ingot::cli::report_error(kTool, status));
      next = 1 + step % 1000;  // the decode cost does not depend on the token
    }
    const double decode_s = seconds_since(decode_start);
    executor.cache().release(sequence);
    if (rep == 0) continue;
    prefill.push_back(prompt.size() / first);
    ttft.push_back(first * 1000);
    dec.push_back(decode / decode_s);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {{"prefill_tok_s", median(prefill)}, {"decode_tok_s", median(dec)},
          {"ttft_ms", median(ttft)}, {"peak_rss_bytes", usage.ru_maxrss * 1024L},
          {"weight_bytes", (*engine)->artifact().model().weight_segment_size()},
          {"describe", executor.describe()}};
}

/// Runs fn in a child process (so peak RSS is its own) and returns the JSON it writes.
json in_child(const std::function<json()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(ingot::cli::report_error(kTool, "pipe failed"));
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string out = fn().dump();
    if (write(fds[1], out.data(), out.size()) < 0) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  // A child that exits 2 has printed its one-line error already.
  if (WIFEXITED(status) && WEXITSTATUS(status) == ingot::cli::kExitBadInput)
    std::exit(ingot::cli::kExitBadInput);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::exit(ingot::cli::report_error(kTool, "the ingot measurement failed"));
  return json::parse(out);
}

json run_peer(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) std::exit(ingot::cli::report_error(kTool, "cannot run the peer"));
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  if (pclose(pipe) != 0) std::exit(ingot::cli::report_error(kTool, "the peer failed: " + command));
  return json::parse(out.substr(out.find('{')));
}

/// The table of ingot alone: rates, and decode against its roofline.
int report_alone(const json& ours, const std::string& device, int threads, int prompt_tokens,
                 int decode) {
  const double bandwidth = ingot::bench::roofline_bandwidth(device, threads);
  const double bytes_per_token = ours["weight_bytes"].get<double>();
  const double roofline = bandwidth / bytes_per_token;
  std::printf("ingot: %s\n\n", ours["describe"].get<std::string>().c_str());
  std::printf("| %s | ingot |\n|---|---|\n", device.c_str());
  std::printf("| prefill, %d tokens | %.1f tok/s |\n", prompt_tokens,
              ours["prefill_tok_s"].get<double>());
  std::printf("| decode, %d tokens | %.1f tok/s |\n", decode, ours["decode_tok_s"].get<double>());
  std::printf("| time to first token | %.1f ms |\n", ours["ttft_ms"].get<double>());
  std::printf("| decode roofline fraction | %.0f%% of %.0f tok/s |\n",
              100.0 * ours["decode_tok_s"].get<double>() / roofline, roofline);
  std::printf("\ndecode roofline: %.1f MB of weights per token / %.1f GB/s measured %s "
              "bandwidth = %.0f tok/s\n",
              bytes_per_token / 1e6, bandwidth / 1e9,
              device == "cpu" ? "read" : "device-to-device copy (read + write)", roofline);
  return 0;
}

}  // namespace

double ingot::bench::roofline_bandwidth(const std::string& device, int threads) {
  if (device == "cpu") return memory_bandwidth(threads);
  auto bandwidth = ingot::device::gpu_copy_bandwidth();
  if (!bandwidth.ok()) std::exit(ingot::cli::report_error(kTool, bandwidth.status()));
  return *bandwidth;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "serve-sim")
    return ingot::bench::serve_sim_main(argc - 1, argv + 1);
  cxxopts::Options cli(kTool,
                       "Benchmark ingot against llama.cpp (llama-cpp-python) on the same model,\n"
                       "encoding, prompt tokens and thread count; prints a Markdown table.\n"
                       "Without --gguf, ingot alone (dummy-weight artifacts, GPUs) against its\n"
                       "decode roofline.\n"
                       "`ingot-bench serve-sim --help`: the serving pipeline under a request "
                       "stream.");
  cli.add_options()
      ("artifact", "The .ingot artifact", cxxopts::value<std::string>())
      ("device", "The device ingot runs on: cpu or cuda",
       cxxopts::value<std::string>()->default_value("cpu"))
      ("cuda-graphs", "CUDA: replay decode steps as captured graphs",
       cxxopts::value<bool>()->default_value("true"))
      ("pdl-level", "CUDA: MAX's pdl_level (0: no programmatic dependent launch)",
       cxxopts::value<int>()->default_value("1"))
      ("cpu-matmul", "CPU matmul path: amx, avx512vnni, avx2, scalar (default: the fastest)",
       cxxopts::value<std::string>())
      ("cache-dtype", "KV cache type: float32, float16 or bfloat16 (default: the artifact's)",
       cxxopts::value<std::string>())
      ("gguf", "The GGUF llama.cpp runs (same weights and encoding); without it, no peer",
       cxxopts::value<std::string>())
      ("peer-python", "Python with llama-cpp-python (scripts/goldens/peer-env.sh)",
       cxxopts::value<std::string>())
      ("peer-quantize", "Have llama.cpp requantize --gguf to this type first (q4_0, q8_0, ...)",
       cxxopts::value<std::string>())
      ("t,threads", "Threads for both (default: physical cores)", cxxopts::value<int>())
      ("prompt-tokens", "Prefill length", cxxopts::value<int>()->default_value("512"))
      ("decode-tokens", "Decode length", cxxopts::value<int>()->default_value("128"))
      ("reps", "Timed repetitions (median)", cxxopts::value<int>()->default_value("3"))
      ("h,help", "Show this help");
  std::string artifact, device, gguf, python, quantize;
  int threads = 0, prompt_tokens = 512, decode = 128, reps = 3;
  ingot::device::ExecutorOptions options;
  try {
    auto a = ingot::cli::parse(cli, argc, argv);
    if (a.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!a.count("artifact")) return ingot::cli::report_error(kTool, "--artifact is required");
    if (a.count("gguf") && !a.count("peer-python"))
      return ingot::cli::report_error(kTool, "--gguf needs --peer-python");
    artifact = a["artifact"].as<std::string>();
    device = a["device"].as<std::string>();
    if (a.count("gguf")) gguf = a["gguf"].as<std::string>();
    if (a.count("peer-python")) python = a["peer-python"].as<std::string>();
    if (a.count("peer-quantize")) quantize = a["peer-quantize"].as<std::string>();
    threads = a.count("threads") ? a["threads"].as<int>() : ingot::cpu::physical_cores();
    prompt_tokens = a["prompt-tokens"].as<int>();
    decode = a["decode-tokens"].as<int>();
    reps = a["reps"].as<int>();
    if (threads <= 0 || prompt_tokens <= 0 || decode <= 0 || reps <= 0)
      return ingot::cli::report_error(kTool, "counts must be positive");
    options.device = device;
    options.threads = threads;
    options.cuda_graphs = a["cuda-graphs"].as<bool>();
    options.pdl_level = a["pdl-level"].as<int>();
    if (a.count("cache-dtype")) options.cache_dtype = a["cache-dtype"].as<std::string>();
    if (a.count("cpu-matmul")) options.cpu_matmul = a["cpu-matmul"].as<std::string>();
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }
  // The same seeded prompt for both: ordinary tokens (ids past the first 1000 specials/bytes).
  std::mt19937 rng(1234);
  std::vector<int32_t> prompt(static_cast<size_t>(prompt_tokens));
  for (int32_t& id : prompt) id = 1000 + static_cast<int32_t>(rng() % 40000);
  const std::string tokens_path = "/tmp/ingot_bench_tokens_" + std::to_string(getpid()) + ".json";
  std::ofstream(tokens_path) << json(prompt).dump();

  const json ours =
      in_child([&] { return measure_ingot(artifact, options, prompt, decode, reps); });
  if (gguf.empty()) {
    std::remove(tokens_path.c_str());
    return report_alone(ours, device, threads, prompt_tokens, decode);
  }
  std::string command = python + " " + INGOT_SOURCE_DIR "/bench/llama_cpp_peer.py --model '" +
                        gguf + "' --tokens " + tokens_path + " --threads " +
                        std::to_string(threads) + " --decode " + std::to_string(decode) +
                        " --reps " + std::to_string(reps);
  if (!quantize.empty())
    command += " --quantize-to " + quantize + " --out /tmp/ingot_bench_peer_" +
               std::to_string(getpid()) + "." + quantize + ".gguf";
  const json peer = run_peer(command);
  std::remove(tokens_path.c_str());
  if (!quantize.empty())
    std::remove(("/tmp/ingot_bench_peer_" + std::to_string(getpid()) + "." + quantize + ".gguf").c_str());

  const double bandwidth = ingot::bench::roofline_bandwidth(device, threads);
  const double bytes_per_token = ours["weight_bytes"].get<double>();
  std::printf("ingot: %s\n", ours["describe"].get<std::string>().c_str());
  std::printf("llama.cpp: %s\n\n", peer["system_info"].get<std::string>().c_str());
  std::printf("| %d threads | ingot | llama.cpp | ratio (> 1: ingot better) |\n|---|---|---|---|\n", threads);
  const auto row = [&](const char* name, const char* key, const char* unit, bool higher_better) {
    const double a = ours[key].get<double>(), b = peer[key].get<double>();
    std::printf("| %s | %.1f %s | %.1f %s | %.2fx |\n", name, a, unit, b, unit,
                higher_better ? a / b : b / a);
  };
  row(("prefill, " + std::to_string(prompt_tokens) + " tokens").c_str(), "prefill_tok_s", "tok/s", true);
  row(("decode, " + std::to_string(decode) + " tokens").c_str(), "decode_tok_s", "tok/s", true);
  row("time to first token", "ttft_ms", "ms", false);
  std::printf("| peak RSS | %.0f MiB | %.0f MiB | %.2fx |\n",
              ours["peak_rss_bytes"].get<double>() / (1 << 20),
              peer["peak_rss_bytes"].get<double>() / (1 << 20),
              peer["peak_rss_bytes"].get<double>() / ours["peak_rss_bytes"].get<double>());
  std::printf("\ndecode roofline: %.1f MB of weights per token / %.1f GB/s measured read "
              "bandwidth = %.0f tok/s; ingot reaches %.0f%% of it\n",
              bytes_per_token / 1e6, bandwidth / 1e9, bandwidth / bytes_per_token,
              100.0 * ours["decode_tok_s"].get<double>() / (bandwidth / bytes_per_token));
  return 0;
}
