// ingot-run: generate text from a compiled .ingot artifact on the CPU, streaming it to stdout.
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "runtime/generate/chat_template.h"
#include "runtime/generate/engine.h"
#include "runtime/io/read_file.h"
#include "runtime/tokenizer/utf8.h"
#include "tools/cli_support.h"

namespace {

using ingot::generate::ChatMessage;
using ingot::generate::Conversation;
using ingot::generate::Engine;
using ingot::generate::Generation;

constexpr const char* kTool = "ingot-run";

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

struct Options {
  std::string model;
  std::string prompt;
  bool has_prompt = false;
  bool chat = false;
  bool interactive = false;
  bool echo = false;
  std::string system;
  bool has_system = false;
  std::optional<std::string> chat_template;  ///< a format name or template text, over the artifact's
  ingot::device::ExecutorOptions executor;
  ingot::artifact::LoadOptions load;
  // Sampling overrides; unset fields keep the artifact's generation defaults.
  cxxopts::ParseResult args;
};

/// The artifact's sampling defaults with every flag the user gave applied.
ingot::Result<ingot::sampling::SamplingParams> sampling_params(const Engine& engine,
                                                               const cxxopts::ParseResult& a) {
  ingot::sampling::SamplingParams p = engine.default_sampling();
  for (const char* name : {"temp", "temperature"})
    if (a.count(name)) p.temperature = a[name].as<float>();
  if (a.count("top-k")) {
    // llama.cpp's --top-k 0 disables the filter, which MAX spells -1.
    const int32_t k = a["top-k"].as<int32_t>();
    p.top_k = k == 0 ? -1 : k;
  }
  if (a.count("top-p")) p.top_p = a["top-p"].as<float>();
  if (a.count("min-p")) p.min_p = a["min-p"].as<float>();
  for (const char* name : {"repeat-penalty", "repetition-penalty"})
    if (a.count(name)) p.repetition_penalty = a[name].as<float>();
  if (a.count("frequency-penalty")) p.frequency_penalty = a["frequency-penalty"].as<float>();
  if (a.count("presence-penalty")) p.presence_penalty = a["presence-penalty"].as<float>();
  for (const char* name : {"max-new-tokens", "n-predict"}) {
    if (!a.count(name)) continue;
    const int32_t n = a[name].as<int32_t>();
    if (n < -1)
      return ingot::make_error(ingot::StatusCode::kInvalidArgument,
                               std::string("--") + name +
                                   " must be -1 (until EOS or the context is full) or >= 0, got " +
                                   std::to_string(n));
    if (n >= 0) p.max_new_tokens = n;
    else p.max_new_tokens.reset();
  }
  if (a.count("min-new-tokens")) p.min_new_tokens = a["min-new-tokens"].as<int32_t>();
  if (a.count("ignore-eos")) p.ignore_eos = true;
  if (a.count("seed")) p.seed = a["seed"].as<uint64_t>();
  if (a.count("stop")) {
    std::stringstream list(a["stop"].as<std::string>());
    for (std::string stop; std::getline(list, stop, '|');) p.stop.push_back(stop);
  }
  if (a.count("stop-token-ids")) {
    std::stringstream list(a["stop-token-ids"].as<std::string>());
    for (std::string id; std::getline(list, id, ',');) {
      int32_t value = 0;
      const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
      if (id.empty() || error != std::errc() || end != id.data() + id.size())
        return ingot::make_error(ingot::StatusCode::kInvalidArgument,
                                 "--stop-token-ids: '" + id + "' is not a token id");
      p.stop_token_ids.push_back(value);
    }
  }
  INGOT_RETURN_IF_ERROR(p.validate());
  return p;
}

void print_timings(const Engine& engine, const Generation& g) {
  const auto& t = g.timings;
  const double prefill_rate = t.prefill_ms > 0 ? 1000.0 * t.prompt_tokens / t.prefill_ms : 0;
  const double decode_rate =
      t.generated_tokens > 1 && t.decode_ms > 0 ? 1000.0 * (t.generated_tokens - 1) / t.decode_ms
                                                : 0;
  std::fprintf(stderr,
               "\n%s: load %.1f ms | prompt %lld tokens, first token %.1f ms, prefill %.1f tok/s "
               "| generated %lld tokens, decode %.1f tok/s | stop: %s\n",
               kTool, engine.load_ms(), static_cast<long long>(t.prompt_tokens), t.first_token_ms,
               prefill_rate, static_cast<long long>(t.generated_tokens), decode_rate,
               ingot::generate::finish_reason_name(g.finish));
}

/// Streams one generation to stdout.
ingot::Result<Generation> stream(Conversation& conversation, const std::vector<int32_t>& prompt,
                                 const ingot::sampling::SamplingParams& params) {
  g_interrupted.store(false);
  return conversation.generate(
      prompt, params,
      [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
      },
      &g_interrupted);
}

int run(Options& o) {
  auto engine_or = Engine::open(o.model, o.executor, o.load);
  if (!engine_or.ok()) return ingot::cli::report_error(kTool, engine_or.status());
  Engine& engine = **engine_or;
  if (auto status = engine.require_tokenizer(); !status.ok())
    return ingot::cli::report_error(kTool, status);
  auto params = sampling_params(engine, o.args);
  if (!params.ok()) return ingot::cli::report_error(kTool, params.status());
  const auto& tok = engine.tokenizer();
  std::fprintf(stderr, "%s: %s: %s\n", kTool, o.model.c_str(),
               engine.executor().describe().c_str());

  std::optional<ingot::generate::ChatFormat> format;
  std::string system = o.system;
  if (o.chat || o.interactive) {
    const std::string& text = o.chat_template ? *o.chat_template : engine.chat_template();
    format = ingot::generate::detect_chat_format(text);
    if (!format && o.chat_template)
      return ingot::cli::report_error(
          kTool, "--chat-template: '" + text.substr(0, 40) +
                     "' is neither the name of a format ingot renders (" +
                     ingot::generate::chat_format_names() + ") nor a template of one");
    if (!format)
      return ingot::cli::report_error(
          kTool, o.model + ": the artifact's chat template is not one of the formats ingot "
                           "renders (llama.cpp's built-in ones: ChatML, Llama 2 and 3, Mistral, "
                           "Gemma, Phi-3, Zephyr, Vicuna, ...); name one with --chat-template");
    if (!o.has_system) system = ingot::generate::default_system_prompt(text);
  }
  Conversation conversation(engine);
  // The messages whose tokens are in the KV cache, assistant replies included.
  std::vector<ChatMessage> history;
  const auto turn = [&](const std::string& user) {
    const ChatMessage message{"user", user};
    if (!history.empty()) {
      // The rest of the conversation follows the last reply and its end-of-turn token.
      return tok.encode(ingot::generate::chat_continuation(*format, history, message),
                        /*add_special=*/false, /*parse_special=*/true);
    }
    std::vector<ChatMessage> messages;
    if (!system.empty()) messages.push_back({"system", system});
    messages.push_back(message);
    return tok.encode(ingot::generate::apply_chat_format(*format, messages, true),
                      /*add_special=*/true, /*parse_special=*/true);
  };

  if (!o.interactive) {
    if (!o.has_prompt) return ingot::cli::report_error(kTool, "no prompt given (-p or -f)");
    if (o.prompt.empty()) return ingot::cli::report_error(kTool, "the prompt is empty");
    if (!ingot::tokenizer::is_valid_utf8(o.prompt))
      return ingot::cli::report_error(kTool, "the prompt is not valid UTF-8");
    const std::vector<int32_t> ids =
        format ? turn(o.prompt) : tok.encode(o.prompt, true, /*parse_special=*/false);
    if (o.echo) std::fwrite(o.prompt.data(), 1, o.prompt.size(), stdout);
    auto generation = stream(conversation, ids, *params);
    if (!generation.ok()) return ingot::cli::report_error(kTool, generation.status());
    std::fputc('\n', stdout);
    std::fflush(stdout);
    print_timings(engine, *generation);
    return 0;
  }

  // Interactive chat: the conversation's KV cache carries over from turn to turn.
  std::string line;
  std::fprintf(stderr, "%s: interactive chat (%s); Ctrl-C stops a reply, Ctrl-D ends\n", kTool,
               ingot::generate::chat_format_name(*format));
  std::string pending = o.has_prompt ? o.prompt : "";
  for (;;) {
    if (pending.empty()) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
      g_interrupted.store(false);
      if (!std::getline(std::cin, line)) break;
      pending = line;
    }
    if (pending.empty()) continue;
    if (!ingot::tokenizer::is_valid_utf8(pending)) {
      ingot::cli::report_error(kTool, "the message is not valid UTF-8");
      pending.clear();
      continue;
    }
    const std::vector<int32_t> ids = turn(pending);
    const std::string message = std::move(pending);
    pending.clear();
    // A message too long for what is left of the context is refused; the chat goes on.
    if (const ingot::Status room = conversation.fits(ids.size()); !room.ok()) {
      ingot::cli::report_error(kTool, room.message() + "; write less, or end the chat (Ctrl-D)");
      continue;
    }
    auto generation = stream(conversation, ids, *params);
    if (!generation.ok()) return ingot::cli::report_error(kTool, generation.status());
    if (history.empty() && !system.empty()) history.push_back({"system", system});
    history.push_back({"user", message});
    history.push_back({"assistant", generation->text});
    std::fputc('\n', stdout);
    print_timings(engine, *generation);
    // A reply cut short gets its end-of-turn so the history stays well formed.
    if (generation->finish != ingot::generate::FinishReason::kEndOfText) {
      std::vector<int32_t> close =
          tok.encode(ingot::generate::chat_end_of_turn(*format), false, true);
      if (!close.empty()) {
        // Past a full context nothing more fits: every later message says so.
        if (auto closed = conversation.evaluate(close, {}); !closed.ok())
          ingot::cli::report_error(kTool, closed.status());
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool,
                       "Generate text from a compiled .ingot artifact, streaming it to stdout.\n"
                       "Timings go to stderr at the end. Ctrl-C stops generation cleanly.");
  cli.positional_help("MODEL.ingot");
  cli.add_options()
      ("p,prompt", "Prompt text", cxxopts::value<std::string>())
      ("f,file", "Read the prompt from FILE", cxxopts::value<std::string>())
      ("chat", "Apply the model's chat template to the prompt (llama.cpp's built-in formats: "
       "ChatML, Llama 2 and 3, Mistral, Gemma, Phi-3, Zephyr, Vicuna, ...)")
      ("i,interactive", "Interactive chat; the KV cache is kept between turns")
      ("system", "System message for --chat / -i (default: the template's own, if any)",
       cxxopts::value<std::string>())
      ("chat-template", "For --chat / -i: a format's name (chatml, llama2, llama3, mistral-v7, "
       "zephyr, ...) or a template's text, in place of the artifact's template",
       cxxopts::value<std::string>())
      ("echo", "Print the prompt before the generated text (MAX's echo)")
      ("n,max-new-tokens", "Tokens to generate; -1: until EOS or the context is full "
       "(alias --n-predict)", cxxopts::value<int32_t>())
      ("n-predict", "llama.cpp's name for --max-new-tokens", cxxopts::value<int32_t>())
      ("min-new-tokens", "Tokens to generate before EOS or a stop may end it",
       cxxopts::value<int32_t>())
      ("temp", "Temperature; 0 is greedy (alias --temperature)", cxxopts::value<float>())
      ("temperature", "MAX's name for --temp", cxxopts::value<float>())
      ("top-k", "Keep the K most likely tokens; -1 or 0 keeps all", cxxopts::value<int32_t>())
      ("top-p", "Nucleus sampling mass in (0, 1]", cxxopts::value<float>())
      ("min-p", "Drop tokens below min-p times the top probability", cxxopts::value<float>())
      ("repeat-penalty", "Repetition penalty, 1 disables (alias --repetition-penalty)",
       cxxopts::value<float>())
      ("repetition-penalty", "MAX's name for --repeat-penalty", cxxopts::value<float>())
      ("frequency-penalty", "Subtracted per earlier occurrence", cxxopts::value<float>())
      ("presence-penalty", "Subtracted once if the token occurred", cxxopts::value<float>())
      ("seed", "Sampling seed", cxxopts::value<uint64_t>())
      ("ignore-eos", "Keep generating past the end-of-text token")
      ("stop", "Stop strings, separated by '|'", cxxopts::value<std::string>())
      ("stop-token-ids", "Token ids that stop generation, comma-separated",
       cxxopts::value<std::string>())
      ("t,threads", "Threads (default: physical cores)", cxxopts::value<int>())
      ("c,ctx-size", "Context length in tokens (default: the artifact's max_length; alias "
       "--max-length)", cxxopts::value<int64_t>())
      ("max-length", "MAX's name for --ctx-size", cxxopts::value<int64_t>())
      ("cache-dtype", "KV cache type: float32, float16 or bfloat16 (default: the artifact's)",
       cxxopts::value<std::string>())
      ("device", "Where to run: cpu or cuda (GPU 0; builds with nvcc only)",
       cxxopts::value<std::string>()->default_value("cpu"))
      ("skip-checksum", "Do not hash the weights when loading")
      ("h,help", "Show this help")
      ("model", "The .ingot artifact", cxxopts::value<std::string>());
  cli.parse_positional({"model"});
  Options o;
  try {
    o.args = ingot::cli::parse(cli, argc, argv);
    const auto& a = o.args;
    if (a.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!a.count("model")) return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    o.model = a["model"].as<std::string>();
    if (a.count("prompt") && a.count("file"))
      return ingot::cli::report_error(kTool, "give -p or -f, not both");
    if (a.count("prompt")) {
      o.prompt = a["prompt"].as<std::string>();
      o.has_prompt = true;
    } else if (a.count("file")) {
      const std::string path = a["file"].as<std::string>();
      auto text = ingot::read_whole_file(path, ingot::cli::kMaxTextFileBytes);
      if (!text.ok()) return ingot::cli::report_error(kTool, text.status());
      o.prompt = std::move(*text);
      o.has_prompt = true;
    }
    o.chat = a.count("chat") > 0;
    o.interactive = a.count("interactive") > 0;
    o.echo = a.count("echo") > 0;
    if (a.count("system")) {
      o.system = a["system"].as<std::string>();
      o.has_system = true;
    }
    if (a.count("chat-template")) o.chat_template = a["chat-template"].as<std::string>();
    if (a.count("threads")) o.executor.threads = a["threads"].as<int>();
    for (const char* name : {"ctx-size", "max-length"})
      if (a.count(name)) o.executor.max_context = a[name].as<int64_t>();
    if (o.executor.max_context < 0)
      return ingot::cli::report_error(
          kTool, "--ctx-size must be 0 (the artifact's max_length) or positive");
    if (a.count("cache-dtype")) o.executor.cache_dtype = a["cache-dtype"].as<std::string>();
    o.executor.device = a["device"].as<std::string>();
    o.load.verify_checksums = a.count("skip-checksum") == 0;
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }
  std::signal(SIGINT, on_interrupt);
  return run(o);
}
