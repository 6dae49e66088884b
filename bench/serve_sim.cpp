// ingot-bench serve-sim: replays seeded requests (Poisson arrivals, uniform prompt and output
// lengths, an optional shared prefix) through the pipeline's scheduler in real time and prints
// throughput, time to first token, per-token latency, KV pages used and the prefix-cache hits.
#include "bench/serve_sim.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>

#include "runtime/device/cpu/thread_pool.h"
#include "runtime/generate/engine.h"
#include "runtime/pipeline/scheduler.h"
#include "tools/cli_support.h"

namespace ingot::bench {
namespace {

constexpr const char* kTool = "ingot-bench serve-sim";
using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

/// The q-quantile (0..1) of `values` (nearest rank), or 0 when empty.
double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1, static_cast<size_t>(q * values.size()));
  return values[i];
}

struct Simulated {
  pipeline::TextRequest request;
  double arrival = 0;  // seconds from the start
  double first_token = -1;
  std::vector<double> token_times;
};

}  // namespace

int serve_sim_main(int argc, char** argv) {
  cxxopts::Options cli(kTool, "Replays seeded requests through the serving pipeline in real time.");
  cli.add_options()
      ("artifact", "The .ingot artifact", cxxopts::value<std::string>())
      ("requests", "Requests to replay", cxxopts::value<int>()->default_value("16"))
      ("rate", "Arrivals per second (Poisson); 0: all at once",
       cxxopts::value<double>()->default_value("0"))
      ("prompt-tokens", "Mean prompt length (uniform over 0.5x..1.5x)",
       cxxopts::value<int>()->default_value("128"))
      ("output-tokens", "Mean output length (uniform over 0.5x..1.5x)",
       cxxopts::value<int>()->default_value("64"))
      ("shared-prefix", "Leading prompt tokens every request shares",
       cxxopts::value<int>()->default_value("0"))
      ("max-batch-size", "PipelineConfig.max_batch_size", cxxopts::value<int>()->default_value("16"))
      ("target-num-new-tokens", "PipelineConfig.target_num_new_tokens (default: the plan's)",
       cxxopts::value<int>())
      ("max-num-steps", "PipelineConfig.max_num_steps", cxxopts::value<int>()->default_value("-1"))
      ("in-flight-batching", "PipelineConfig.enable_in_flight_batching")
      ("prefix-caching", "PipelineConfig.enable_prefix_caching")
      ("device", "The device: cpu or cuda", cxxopts::value<std::string>()->default_value("cpu"))
      ("t,threads", "Threads (default: physical cores)", cxxopts::value<int>())
      ("cpu-matmul", "CPU matmul path: amx, avx512vnni, avx2, scalar (default: the fastest)",
       cxxopts::value<std::string>())
      ("cache-dtype", "KV cache type: float32, float16 or bfloat16 (default: the artifact's)",
       cxxopts::value<std::string>())
      ("seed", "Seed of the request stream", cxxopts::value<uint32_t>()->default_value("1"))
      ("h,help", "Show this help");
  pipeline::PipelineConfig config;
  device::ExecutorOptions options;
  int requests = 0, prompt_tokens = 0, output_tokens = 0, shared = 0;
  double rate = 0;
  uint32_t seed = 1;
  std::string artifact;
  try {
    auto a = ingot::cli::parse(cli, argc, argv);
    if (a.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!a.count("artifact")) return cli::report_error(kTool, "--artifact is required");
    artifact = a["artifact"].as<std::string>();
    requests = a["requests"].as<int>();
    rate = a["rate"].as<double>();
    prompt_tokens = a["prompt-tokens"].as<int>();
    output_tokens = a["output-tokens"].as<int>();
    shared = a["shared-prefix"].as<int>();
    config.max_batch_size = a["max-batch-size"].as<int>();
    if (a.count("target-num-new-tokens"))
      config.target_num_new_tokens = a["target-num-new-tokens"].as<int>();
    config.max_num_steps = a["max-num-steps"].as<int>();
    config.enable_in_flight_batching = a.count("in-flight-batching") > 0;
    config.enable_prefix_caching = a.count("prefix-caching") > 0;
    if (a.count("threads")) options.threads = a["threads"].as<int>();
    options.device = a["device"].as<std::string>();
    if (a.count("cpu-matmul")) options.cpu_matmul = a["cpu-matmul"].as<std::string>();
    if (a.count("cache-dtype")) options.cache_dtype = a["cache-dtype"].as<std::string>();
    seed = a["seed"].as<uint32_t>();
    if (requests <= 0 || prompt_tokens <= 1 || output_tokens <= 1 || rate < 0 || shared < 0 ||
        shared > prompt_tokens / 2)
      return cli::report_error(kTool, "counts must be positive, the shared prefix at most half "
                                      "the mean prompt");
  } catch (const cxxopts::exceptions::exception& e) {
    return cli::report_error(kTool, e.what());
  }

  // The request stream: ordinary token ids (past the first 1000 specials and bytes).
  std::mt19937 rng(seed);
  const auto uniform = [&](int mean) {
    return std::uniform_int_distribution<int>(mean / 2, mean + mean / 2)(rng);
  };
  std::vector<int32_t> prefix(static_cast<size_t>(shared));
  for (int32_t& id : prefix) id = 1000 + static_cast<int32_t>(rng() % 40000);
  std::vector<Simulated> sims(static_cast<size_t>(requests));
  double at = 0;
  int64_t longest = 0;
  for (int i = 0; i < requests; ++i) {
    Simulated& s = sims[static_cast<size_t>(i)];
    s.request.request_id = std::to_string(i);
    s.request.prompt = prefix;
    const int length = std::max(uniform(prompt_tokens), shared + 1);
    while (static_cast<int>(s.request.prompt.size()) < length)
      s.request.prompt.push_back(1000 + static_cast<int32_t>(rng() % 40000));
    s.request.sampling.temperature = 0.0f;
    s.request.sampling.ignore_eos = true;
    s.request.sampling.max_new_tokens = uniform(output_tokens);
    longest = std::max<int64_t>(longest, length + *s.request.sampling.max_new_tokens);
    if (rate > 0) at += std::exponential_distribution<double>(rate)(rng);
    s.arrival = at;
  }
  options.max_context = longest + 1;
  options.max_sequences = config.max_batch_size;
  auto engine = generate::Engine::open(artifact, options);
  if (!engine.ok()) return cli::report_error(kTool, engine.status());
  auto pipe = pipeline::TextGenerationPipeline::create(**engine, config);
  if (!pipe.ok()) return cli::report_error(kTool, pipe.status());
  pipeline::Scheduler scheduler(**pipe);
  device::PagedKvCache& cache = (*engine)->executor().cache();

  const auto start = Clock::now();
  size_t next = 0;
  int64_t most_pages = 0, generated = 0;
  while (next < sims.size() || !scheduler.idle()) {
    const double now = seconds(Clock::now() - start);
    for (; next < sims.size() && sims[next].arrival <= now; ++next) {
      const Status submitted = scheduler.submit(sims[next].request);
      if (!submitted.ok()) return cli::report_error(kTool, submitted);
    }
    if (scheduler.idle()) {
      std::this_thread::sleep_for(std::chrono::duration<double>(sims[next].arrival - now));
      continue;
    }
    auto responses = scheduler.run_once();
    if (!responses.ok()) return cli::report_error(kTool, responses.status());
    const double done = seconds(Clock::now() - start);
    most_pages = std::max(most_pages, cache.shape().pages - cache.free_pages());
    for (auto& [id, r] : *responses) {
      Simulated& s = sims[std::stoul(id)];
      for (size_t t = 0; t < r.tokens.size(); ++t) {
        if (s.first_token < 0) s.first_token = done;
        s.token_times.push_back(done);
        ++generated;
      }
    }
  }
  const double total = seconds(Clock::now() - start);

  std::vector<double> ttft, per_token;
  int64_t prompt_total = 0;
  for (const Simulated& s : sims) {
    ttft.push_back((s.first_token - s.arrival) * 1000);
    for (size_t t = 1; t < s.token_times.size(); ++t)
      per_token.push_back((s.token_times[t] - s.token_times[t - 1]) * 1000);
    prompt_total += static_cast<int64_t>(s.request.prompt.size());
  }
  const pipeline::PipelineStats& stats = (*pipe)->stats();
  std::printf("ingot: %s\n", (*engine)->executor().describe().c_str());
  std::printf("%d requests, rate %s, prompts ~%d tokens (%d shared), outputs ~%d tokens, "
              "max_batch_size %lld%s%s\n\n",
              requests, rate > 0 ? std::to_string(rate).c_str() : "all at once", prompt_tokens,
              shared, output_tokens, static_cast<long long>(config.max_batch_size),
              config.enable_in_flight_batching ? ", in-flight batching" : "",
              config.enable_prefix_caching ? ", prefix caching" : "");
  std::printf("| metric | value |\n|---|---|\n");
  std::printf("| wall time | %.2f s |\n", total);
  std::printf("| output throughput | %.1f tok/s |\n", generated / total);
  std::printf("| total throughput (prompt + output) | %.1f tok/s |\n", (generated + prompt_total) / total);
  std::printf("| decode-only steps: throughput | %.1f tok/s |\n",
              static_cast<double>(stats.decode_only_tokens) / std::max(1e-9, stats.decode_only_seconds));
  std::printf("| time to first token p50 / p99 | %.1f / %.1f ms |\n", quantile(ttft, 0.5),
              quantile(ttft, 0.99));
  std::printf("| per-token latency p50 / p99 | %.1f / %.1f ms |\n", quantile(per_token, 0.5),
              quantile(per_token, 0.99));
  std::printf("| KV pages used (most) | %lld of %lld |\n", static_cast<long long>(most_pages),
              static_cast<long long>(cache.shape().pages));
  std::printf("| prefix-cache hit rate | %.1f%% of prompt tokens |\n",
              100.0 * static_cast<double>(stats.prefix_hit_tokens) / static_cast<double>(prompt_total));
  std::printf("| steps / preemptions | %lld / %lld |\n", static_cast<long long>(stats.steps),
              static_cast<long long>(stats.preemptions));
  // The decode-only steps against their roofline: each reads every weight once and every
  // token's cache positions (keys and values of every layer), at the measured bandwidth.
  if (stats.decode_only_steps > 0) {
    const kv_cache::KvCacheShape& kv = cache.shape();
    const double position_bytes = 2.0 * static_cast<double>(kv.layers * kv.row_elements) *
                                  static_cast<double>(cpu::kv_element_bytes(kv.dtype));
    const double bytes =
        static_cast<double>(stats.decode_only_steps) *
            static_cast<double>((*engine)->artifact().model().weight_segment_size()) +
        static_cast<double>(stats.decode_only_positions) * position_bytes;
    const int threads = options.threads > 0 ? options.threads : cpu::physical_cores();
    const double bandwidth = roofline_bandwidth(options.device, threads);
    const double roofline = static_cast<double>(stats.decode_only_tokens) / (bytes / bandwidth);
    std::printf("| decode-only roofline (weights once a step, plus KV reads, at %.0f GB/s) | "
                "%.1f tok/s; ingot at %.0f%% |\n",
                bandwidth / 1e9, roofline,
                100.0 * static_cast<double>(stats.decode_only_tokens) /
                    std::max(1e-9, stats.decode_only_seconds) / roofline);
  }
  return 0;
}

}  // namespace ingot::bench
