// The pre-tokenizer table: llama.cpp's regexes per `tokenizer.ggml.pre` value
// (src/llama-vocab.cpp, llm_tokenizer_bpe and llama_vocab::impl::load).
// Left out, because llama.cpp handles them with code that is not a regex or
// does not byte-encode: tiny_aya, cohere2moe, kimi-k2, superbpe, afmoe, gemma4,
// granite-embed-multi-311m, sarvam-moe, whitespace.
#include "runtime/tokenizer/pre_tokenizer.h"

namespace ingot::tokenizer {

namespace {

// Contractions, case-insensitive, as llama.cpp adapts "(?i:'s|'t|...)".
#define INGOT_CONTRACTIONS R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]))"

constexpr std::string_view kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr std::string_view kLlama3 = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kJais2 = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+)"
    R"(|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S))"
    R"(|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1})";
constexpr std::string_view kQwen2 = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen35 = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kDeepseek3Main =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+)"
    R"(| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kSpark25Main =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+)"
    R"(| ?[\p{P}\p{S}]+|[\r\n]|\s+(?!\S)|\s+)";
constexpr std::string_view kCjkKana = R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)";
constexpr std::string_view kDeepseekCjk =
    R"([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";
constexpr std::string_view kDeepseekLlmLetters =
    R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293})"
    R"(\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A})"
    R"(\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-)"
    R"(\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-)"
    R"(\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-)"
    R"(\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-)"
    R"(\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6})"
    R"(-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-)"
    R"(\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134})"
    R"(\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-)"
    R"(\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F})"
    R"(\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})"
    R"(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB})"
    R"(\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)";
constexpr std::string_view kDeepseekLlmPunct =
    R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)";
constexpr std::string_view kYoutuCjk =
    R"([\x{AC00}-\x{D7A3}\x{3131}-\x{318E}]+|[\x{FF01}\x{2026}\x{201C}\x{201D}\x{2018}\x{2019})"
    R"(\x{2014}\x{FF1A}\x{FF1B}\x{FF0C}\x{3001}-\x{303F}\x{FE30}-\x{FE4F}]+|[\x{3105}-\x{312F}]+|[)"
    R"(\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)";
constexpr std::string_view kYoutuMain =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)" INGOT_CONTRACTIONS
    R"(?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)" INGOT_CONTRACTIONS
    R"(?|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kBloom =
    R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)";
constexpr std::string_view kTekken =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+)"
    R"(|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*)"
    R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kGpt4o =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+)" INGOT_CONTRACTIONS
    R"(?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*)" INGOT_CONTRACTIONS
    R"(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kGraniteEmbMulti =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}\p{M}])([^a-z]))*((?=[\p{L}\p{M}])([^A-Z]))+)" INGOT_CONTRACTIONS
    R"(?|[^\r\n\p{L}\p{N}]?((?=[\p{L}\p{M}])([^a-z]))+((?=[\p{L}\p{M}])([^A-Z]))*)" INGOT_CONTRACTIONS
    R"(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kBailing =
    R"('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N})"
    R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
constexpr std::string_view kSeedCoder = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kUfakzeka =
    R"([^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kExaoneMoe = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?)"
    R"(|\s*[\r\n]|\s+(?!\S)|\s+)";
constexpr std::string_view kMinicpm5Main = INGOT_CONTRACTIONS
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

#undef INGOT_CONTRACTIONS

std::vector<PreTokenizerRules> build_table() {
  using R = PreTokenizerRules;
  return {
      R{.kind = "default",
        .names = {"default", ""},
        .regexes = {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", "[0-9][0-9][0-9]"}},
      R{.kind = "llama3",
        .names = {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                  "lfm2", "jina-v5-nano"},
        .regexes = {kLlama3},
        .ignore_merges = true,
        .add_bos_default = true},
      R{.kind = "jais2", .names = {"jais-2"}, .regexes = {kJais2}},
      R{.kind = "dbrx", .names = {"dbrx", "smaug-bpe"}, .regexes = {kLlama3}},
      R{.kind = "deepseek-llm",
        .names = {"deepseek-llm"},
        .regexes = {"[\r\n]", kDeepseekLlmLetters, kDeepseekLlmPunct, R"(\s+$)", kDeepseekCjk,
                    R"(\p{N}+)"},
        .clean_spaces = false},
      R{.kind = "deepseek3-llm",
        .names = {"deepseek-v3", "hunyuan-dense", "hy_v4", "joyai-llm"},
        .regexes = {R"(\p{N}{1,3})", kCjkKana, kDeepseek3Main},
        .clean_spaces = false},
      R{.kind = "spark2_5",
        .names = {"spark2_5"},
        .regexes = {R"(\p{N}{1,3})", kCjkKana, kSpark25Main, R"(\p{N})"},
        .clean_spaces = false},
      R{.kind = "youtu",
        .names = {"youtu"},
        .regexes = {kYoutuCjk, kYoutuMain},
        .ignore_merges = true,
        .clean_spaces = false},
      R{.kind = "deepseek-coder",
        .names = {"deepseek-coder"},
        .regexes = {"[\r\n]", R"(\s?\p{L}+)", R"(\s?\p{P}+)", kDeepseekCjk, R"(\p{N})"},
        .clean_spaces = false},
      R{.kind = "falcon",
        .names = {"falcon"},
        .regexes = {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, "[0-9][0-9][0-9]"}},
      R{.kind = "starcoder",
        .names = {"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"},
        .regexes = {R"(\p{N})", kGpt2}},
      R{.kind = "smollm",
        .names = {"smollm", "command-r"},
        .regexes = {R"(\p{N})", kGpt2},
        .clean_spaces = false},
      R{.kind = "gpt2",
        .names = {"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
                  "a.x-4.0", "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe",
                  "mpt", "olmo", "jais", "exaone4"},
        .regexes = {kGpt2}},
      R{.kind = "trillion",
        .names = {"trillion", "granite-docling"},
        .regexes = {kGpt2},
        .clean_spaces = false},
      R{.kind = "qwen2",
        .names = {"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"},
        .regexes = {kQwen2},
        .clean_spaces = false},
      R{.kind = "stablelm2", .names = {"stablelm2", "megrez"}, .regexes = {kQwen2}},
      R{.kind = "qwen35", .names = {"qwen35"}, .regexes = {kQwen35}, .clean_spaces = false},
      R{.kind = "bloom", .names = {"bloom", "gpt3-finnish"}, .regexes = {kBloom}},
      R{.kind = "poro", .names = {"poro-chat"}, .regexes = {kBloom}, .clean_spaces = false},
      R{.kind = "viking",
        .names = {"viking"},
        .regexes = {kBloom, R"(\p{N})"},
        .clean_spaces = false},
      R{.kind = "chatglm4", .names = {"chatglm-bpe"}, .regexes = {kLlama3}},
      R{.kind = "glm4", .names = {"glm4", "glm5"}, .regexes = {kLlama3}, .ignore_merges = true},
      R{.kind = "tekken",
        .names = {"tekken"},
        .regexes = {kTekken},
        .ignore_merges = true,
        .clean_spaces = false,
        .add_bos_default = true},
      R{.kind = "chameleon",
        .names = {"chameleon"},
        .regexes = {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
                    R"(([\t\n]|    |  ))", R"(\p{N})", R"([\p{P}!-/:-@\[-`{-~])", kGpt2},
        .clean_spaces = false,
        .add_bos_default = true},
      R{.kind = "gpt4o",
        .names = {"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"},
        .regexes = {kGpt4o},
        .clean_spaces = false},
      R{.kind = "granite-emb-multi",
        .names = {"granite-embed-multi-97m"},
        .regexes = {kGraniteEmbMulti},
        .ignore_merges = true,
        .clean_spaces = false},
      R{.kind = "bailingmoe",
        .names = {"bailingmoe", "bailingmoe2", "llada-moe"},
        .regexes = {kBailing},
        .clean_spaces = false},
      R{.kind = "seed-coder",
        .names = {"seed-coder"},
        .regexes = {kSeedCoder},
        .clean_spaces = false},
      R{.kind = "ufakzeka", .names = {"ufakzeka"}, .regexes = {kUfakzeka}, .clean_spaces = false},
      R{.kind = "grok-2", .names = {"grok-2"}, .regexes = {kQwen2}, .clean_spaces = false},
      R{.kind = "laguna",
        .names = {"laguna"},
        .regexes = {R"([^\n]+|[\n]+)", kQwen2},
        .clean_spaces = false},
      R{.kind = "exaone-moe", .names = {"exaone-moe"}, .regexes = {kExaoneMoe}},
      R{.kind = "minicpm5",
        .names = {"minicpm5"},
        .regexes = {R"(\p{N}{1,3})", kMinicpm5Main},
        .ignore_merges = true},
  };
}

}  // namespace

const std::vector<PreTokenizerRules>& all_pre_tokenizer_rules() {
  static const std::vector<PreTokenizerRules> table = build_table();
  return table;
}

const PreTokenizerRules* find_pre_tokenizer_rules(std::string_view pre) {
  for (const PreTokenizerRules& rules : all_pre_tokenizer_rules()) {
    for (std::string_view name : rules.names) {
      if (name == pre) return &rules;
    }
  }
  return nullptr;
}

}  // namespace ingot::tokenizer
