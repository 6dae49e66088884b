// tiny-llama-gguf: writes a tiny random llama GGUF (see test/support/tiny_llama.h).
// Usage: tiny-llama-gguf OUT [--layers N] [--hidden N] [--heads N] [--kv-heads N] [--ffn N]
//        [--context N] [--type
//        f32|f16|q8_0|q4_0|q4_1|q5_0|q5_1|q2_k|q3_k|q4_k|q5_k|q6_k|iq4_nl|iq4_xs] [--untied]
//        [--rope-base F] [--rope-scaling TYPE] [--sentencepiece] [--qwen3 [--head-dim N]] [--seed
//        N]
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "test/support/tiny_llama.h"

namespace {

using ingot::quant::GgmlType;

constexpr const char* kUsage =
    "usage: tiny-llama-gguf OUT [--layers N] [--hidden N] [--heads N] [--kv-heads N] [--ffn N]\n"
    "       [--context N] [--type "
    "f32|f16|q8_0|q4_0|q4_1|q5_0|q5_1|q2_k|q3_k|q4_k|q5_k|q6_k|iq4_nl|iq4_xs] [--untied] "
    "[--rope-base F]\n"
    "       [--qwen3 [--head-dim N]]\n"
    "       [--rope-scaling TYPE] [--sentencepiece] [--seed N]\n";

bool parse_uint(std::string_view text, uint64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool parse_type(std::string_view text, GgmlType& out) {
  for (GgmlType type : ingot::testing::tiny_llama_weight_types()) {
    std::string_view name = ingot::quant::type_traits(type).name;
    bool same = name.size() == text.size();
    for (size_t i = 0; same && i < name.size(); ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) ==
             std::tolower(static_cast<unsigned char>(text[i]));
    }
    if (same) {
      out = type;
      return true;
    }
  }
  return false;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "tiny-llama-gguf: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]).starts_with("-")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  ingot::testing::TinyLlamaOptions options;
  const std::pair<std::string_view, uint32_t*> counts[] = {
      {"--layers", &options.layers},    {"--hidden", &options.hidden},
      {"--heads", &options.heads},      {"--kv-heads", &options.kv_heads},
      {"--ffn", &options.ffn},          {"--context", &options.context},
      {"--head-dim", &options.head_dim}};
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--untied") {
      options.tied_embeddings = false;
      continue;
    }
    if (flag == "--sentencepiece") {
      options.sentencepiece = true;
      continue;
    }
    if (flag == "--qwen3") {
      options.qwen3 = true;
      continue;
    }
    if (i + 1 >= argc) return fail("option " + std::string(flag) + " needs a value");
    std::string_view value = argv[++i];
    uint64_t number = 0;
    bool known = false;
    for (auto [name, field] : counts) {
      if (flag != name) continue;
      known = true;
      if (!parse_uint(value, number) || number > UINT32_MAX) {
        return fail(std::string(flag) + " '" + std::string(value) + "' is not a count");
      }
      *field = static_cast<uint32_t>(number);
    }
    if (known) continue;
    if (flag == "--type") {
      if (!parse_type(value, options.weight_type)) {
        std::string names = ingot::testing::tiny_llama_weight_type_names();
        for (char& c : names) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return fail("--type '" + std::string(value) + "' is not one of " + names);
      }
    } else if (flag == "--seed") {
      if (!parse_uint(value, options.seed)) {
        return fail("--seed '" + std::string(value) + "' is not a number");
      }
    } else if (flag == "--rope-scaling") {
      options.rope_scaling_type = std::string(value);
    } else if (flag == "--rope-base") {
      char* end = nullptr;
      std::string text(value);
      options.rope_freq_base = std::strtof(text.c_str(), &end);
      if (end != text.c_str() + text.size() || text.empty()) {
        return fail("--rope-base '" + text + "' is not a number");
      }
    } else {
      return fail("unknown option " + std::string(flag));
    }
  }
  ingot::Status status = ingot::testing::write_tiny_llama_gguf(argv[1], options);
  if (!status.ok()) return fail(status.message());
  return 0;
}
