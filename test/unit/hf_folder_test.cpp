// compiler/import/hf: safetensors files and Hugging Face folders, read as GGUF views.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/gguf/llama_params.h"
#include "compiler/import/hf/hf_folder.h"
#include "compiler/import/hf/safetensors_file.h"
#include "test/support/expect_same_tokenizer.h"
#include "test/support/hf_folder_writer.h"
#include "test/support/tiny_llama.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::SafetensorsEntry;

std::vector<uint8_t> filled(size_t count, uint8_t first) {
  std::vector<uint8_t> bytes(count);
  for (size_t i = 0; i < count; ++i) bytes[i] = static_cast<uint8_t>(first + 3 * i);
  return bytes;
}

std::vector<SafetensorsEntry> two_tensors() {
  return {{"a", "F32", {2, 3}, filled(24, 1)}, {"b", "BF16", {4}, filled(8, 100)}};
}

Result<hf::SafetensorsFile> parse(const std::vector<uint8_t>& bytes) {
  return hf::SafetensorsFile::parse(MappedFile::borrow(bytes, "t.safetensors"));
}

TEST(Safetensors, ReadsTensorsWithTheirBytes) {
  const std::vector<uint8_t> bytes = testing::safetensors_bytes(two_tensors());
  auto file = parse(bytes);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->tensors().size(), 2u);  // __metadata__ is not a tensor
  const hf::SafetensorsTensor& a = file->tensors()[0];
  const hf::SafetensorsTensor& b = file->tensors()[1];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.dtype, "F32");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a.bytes, 24u);
  EXPECT_EQ(b.offset, a.offset + 24);
  EXPECT_EQ(b.element_bytes, 2u);
  EXPECT_EQ(0, std::memcmp(bytes.data() + b.offset, filled(8, 100).data(), 8));
}

TEST(Safetensors, RefusesMalformedFiles) {
  const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> out = filled(24, 1);
    std::vector<uint8_t> b = filled(8, 100);
    out.insert(out.end(), b.begin(), b.end());
    return out;
  }();
  const json good = testing::safetensors_header(two_tensors());
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& h) { h["a"].erase("dtype"); }, "tensor 'a' has no dtype"},
      {[](json& h) { h["a"]["dtype"] = "F128"; }, "unknown dtype 'F128'"},
      {[](json& h) { h["a"]["shape"] = {-2, 3}; }, "not a non-negative integer"},
      {[](json& h) { h["a"]["shape"] = {3, 3}; }, "holds 24 bytes"},
      {[](json& h) { h["a"]["shape"] = {1ull << 40, 1ull << 40}; }, "overflows"},
      {[](json& h) { h["b"]["data_offsets"] = {24, 40}; }, "outside the 32-byte data section"},
      {[](json& h) { h["b"]["data_offsets"] = {30, 22}; }, "outside"},
      {[](json& h) { h["b"]["data_offsets"] = {16, 24}; }, "overlap"},
      {[](json& h) { h["a"].erase("data_offsets"); }, "no data_offsets"},
      {[](json& h) { h["a"] = "x"; }, "is not an object"},
      {[](json& h) { h = json::array(); }, "not a JSON object"},
  };
  for (const auto& [edit, message] : cases) {
    json header = good;
    edit(header);
    auto file = parse(testing::serialize_safetensors(header, data));
    ASSERT_FALSE(file.ok()) << message;
    EXPECT_NE(file.status().message().find(message), std::string::npos) << file.status().message();
    EXPECT_EQ(file.status().message().rfind("t.safetensors: ", 0), 0u);
  }
  EXPECT_FALSE(parse({1, 2, 3}).ok());
  std::vector<uint8_t> huge = testing::safetensors_bytes(two_tensors());
  huge[5] = 0x7f;  // a header length far past the file
  auto file = parse(huge);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("runs past the file"), std::string::npos);
  std::vector<uint8_t> text = testing::safetensors_bytes(two_tensors());
  text[8] = '[';
  EXPECT_FALSE(parse(text).ok());
}

// A fresh tiny folder per test, removed after it.
class HfFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("ingot_hf_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    testing::write_tiny_hf_llama(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  json read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    return json::parse(in);
  }
  void write(const std::string& name, const json& value) const {
    testing::write_text_file(dir_ + "/" + name, value.dump());
  }
  // open_hf_folder's error, which must name a file of the folder.
  std::string error() const {
    auto view = hf::open_hf_folder(dir_);
    if (view.ok()) return "";
    EXPECT_EQ(view.status().message().rfind(dir_, 0), 0u) << view.status().message();
    return view.status().message();
  }

  std::string dir_;
};

TEST_F(HfFolder, OpensAsTheKeysAndTensorsOfAGguf) {
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  EXPECT_EQ(*view->get_string("general.architecture"), "llama");
  EXPECT_EQ(*view->get_uint("llama.block_count"), 2u);
  EXPECT_EQ(*view->get_uint("llama.attention.head_count_kv"), 2u);
  EXPECT_EQ(*view->get_uint("llama.context_length"), 256u);
  EXPECT_FLOAT_EQ(static_cast<float>(*view->get_float("llama.attention.layer_norm_rms_epsilon")),
                  1e-5f);
  EXPECT_EQ(*view->get_string("tokenizer.ggml.pre"), "smollm");
  EXPECT_EQ(*view->get_uint("tokenizer.ggml.bos_token_id"), uint64_t{testing::kTinyImStart});
  EXPECT_EQ(*view->get_string("tokenizer.chat_template"), "{{ messages }}");

  const gguf::TensorInfo* q = view->find_tensor("blk.1.attn_q.weight");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->type, quant::GgmlType::BF16);
  EXPECT_EQ(q->dims, (std::vector<uint64_t>{64, 64}));  // ggml order: input dimension first
  const gguf::TensorInfo* k = view->find_tensor("blk.1.attn_k.weight");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->dims, (std::vector<uint64_t>{64, 32}));
  // The bytes are the safetensors file's own, in place.
  const json config = testing::tiny_hf_llama_config();
  const std::vector<SafetensorsEntry> written =
      testing::tiny_hf_llama_tensors(2, 64, 4, 2, 128, config["vocab_size"], 7);
  const auto source = std::find_if(written.begin(), written.end(), [](const SafetensorsEntry& e) {
    return e.name == "model.layers.1.self_attn.k_proj.weight";
  });
  ASSERT_NE(source, written.end());
  std::span<const uint8_t> bytes = view->tensor_bytes(*k);
  ASSERT_EQ(bytes.size(), source->data.size());
  EXPECT_EQ(0, std::memcmp(bytes.data(), source->data.data(), bytes.size()));

  auto params = gguf::read_llama_params(*view);
  ASSERT_TRUE(params.ok()) << params.status().message();
  EXPECT_TRUE(params->tied_embeddings);
  EXPECT_EQ(params->vocab_size, testing::tiny_llama_tokens().size());
}

TEST_F(HfFolder, TokenizerIsTheTinyGgufsTokenizer) {
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  auto from_hf = gguf::tokenizer_spec_from_gguf(*view);
  ASSERT_TRUE(from_hf.ok()) << from_hf.status().message();
  auto gguf_bytes = testing::make_tiny_llama_gguf({});
  ASSERT_TRUE(gguf_bytes.ok());
  auto gguf_file = gguf::GgufFile::parse(MappedFile::borrow(*gguf_bytes, "tiny.gguf"));
  ASSERT_TRUE(gguf_file.ok());
  auto from_gguf = gguf::tokenizer_spec_from_gguf(*gguf_file);
  ASSERT_TRUE(from_gguf.ok());
  testing::expect_same_tokenizer(*from_hf, *from_gguf);
}

// Llama 3's rope scaling becomes rope_freqs.weight, as convert_hf_to_gguf.py writes it; the
// values are Python's, from Meta's formula at head_dim 16 and theta 500000.
TEST_F(HfFolder, Llama3RopeScalingBecomesFrequencyFactors) {
  json config = read("config.json");
  config.erase("rope_theta");
  config["rope_parameters"] = {{"rope_type", "llama3"},
                               {"rope_theta", 500000.0},
                               {"factor", 8.0},
                               {"low_freq_factor", 1.0},
                               {"high_freq_factor", 4.0},
                               {"original_max_position_embeddings", 8192}};
  write("config.json", config);
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  EXPECT_EQ(*view->get_float("llama.rope.freq_base"), 500000.0);
  EXPECT_EQ(view->find("llama.rope.scaling.type"), nullptr);  // no scaling besides the factors
  auto params = gguf::read_llama_params(*view);
  ASSERT_TRUE(params.ok()) << params.status().message();
  const std::vector<double> expected = {1, 1, 1, 1, 2.6945296878947333, 8, 8, 8};
  ASSERT_EQ(params->rope_freq_factors.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(params->rope_freq_factors[i], expected[i], 1e-6) << i;
}

TEST_F(HfFolder, ReadsShardsThroughTheIndex) {
  const json config = testing::tiny_hf_llama_config();
  std::vector<SafetensorsEntry> tensors =
      testing::tiny_hf_llama_tensors(2, 64, 4, 2, 128, config["vocab_size"], 7);
  const size_t half = tensors.size() / 2;
  std::vector<SafetensorsEntry> first(tensors.begin(), tensors.begin() + half);
  std::vector<SafetensorsEntry> second(tensors.begin() + half, tensors.end());
  fs::remove(dir_ + "/model.safetensors");
  testing::write_binary_file(dir_ + "/model-00001-of-00002.safetensors",
                             testing::safetensors_bytes(first));
  testing::write_binary_file(dir_ + "/model-00002-of-00002.safetensors",
                             testing::safetensors_bytes(second));
  json map = json::object();
  for (size_t i = 0; i < tensors.size(); ++i)
    map[tensors[i].name] = i < half ? "model-00001-of-00002.safetensors"
                                    : "model-00002-of-00002.safetensors";
  write("model.safetensors.index.json", {{"metadata", json::object()}, {"weight_map", map}});
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  EXPECT_EQ(view->tensors().size(), tensors.size());
  for (const SafetensorsEntry& entry : {first.back(), second.front()}) {
    SCOPED_TRACE(entry.name);
    const auto found = std::find_if(view->tensors().begin(), view->tensors().end(),
                                    [&](const gguf::TensorInfo& t) {
                                      return view->tensor_bytes(t).size() == entry.data.size() &&
                                             0 == std::memcmp(view->tensor_bytes(t).data(),
                                                              entry.data.data(), entry.data.size());
                                    });
    EXPECT_NE(found, view->tensors().end());
  }
  EXPECT_TRUE(gguf::read_llama_params(*view).ok());
  map["model.norm.weight"] = "../elsewhere.safetensors";
  write("model.safetensors.index.json", {{"weight_map", map}});
  EXPECT_NE(error().find("a file outside the folder"), std::string::npos);
}

TEST_F(HfFolder, RefusesWhatItCannotImport) {
  const json config = read("config.json");
  const json tokenizer = read("tokenizer.json");
  const std::vector<std::tuple<std::string, std::function<void(json&)>, std::string>> cases = {
      {"config.json", [](json& c) { c["architectures"] = {"GPT2LMHeadModel"}; },
       "'GPT2LMHeadModel', which ingot does not import"},
      {"config.json", [](json& c) { c.erase("architectures"); }, "'architectures'"},
      {"config.json", [](json& c) { c["hidden_act"] = "gelu"; }, "'hidden_act'"},
      {"config.json", [](json& c) { c["num_attention_heads"] = 5; }, "does not divide"},
      {"config.json", [](json& c) { c["num_hidden_layers"] = "2"; }, "non-negative integer"},
      {"config.json", [](json& c) { c.erase("hidden_size"); }, "'hidden_size' is missing"},
      {"config.json", [](json& c) { c["rope_scaling"] = {{"rope_type", "longrope"}}; },
       "rope type 'longrope'"},
      {"config.json",
       [](json& c) {
         c["rope_scaling"] = {
             {"rope_type", "llama3"}, {"low_freq_factor", 4}, {"high_freq_factor", 4}};
       },
       "must exceed low_freq_factor"},
      {"config.json",
       [](json& c) { c["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", -8}}; },
       "'rope_scaling.factor' must be a positive number"},
      {"config.json", [](json& c) { c["rope_theta"] = -1.0; }, "'rope_theta' must be a positive"},
      {"config.json",
       [](json& c) {
         c["head_dim"] = 2000000000;  // computing rope factors for it would take 4 GB
         c["rope_scaling"] = {{"rope_type", "llama3"}};
       },
       "'head_dim' gives a head dimension of 2000000000, more than 65536"},
      {"config.json", [](json& c) { c["rope_scaling"] = {{"type", "linear"}, {"factor", 0.5}}; },
       "at least 1"},
      {"config.json", [](json& c) { c["vocab_size"] = 1000000000; }, "far more than the"},
      {"config.json", [](json& c) { c["attention_bias"] = true; }, "no biases"},
      {"tokenizer.json", [](json& t) { t["model"]["type"] = "Unigram"; }, "is not a BPE model"},
      {"tokenizer.json", [](json& t) { t["model"]["byte_fallback"] = "yes"; }, "not a boolean"},
      {"tokenizer.json", [](json& t) { t["model"]["dropout"] = 0.1; }, "BPE dropout"},
      {"tokenizer.json", [](json& t) { t["model"]["dropout"] = 1.0; }, "BPE dropout"},
      {"tokenizer.json", [](json& t) { t["model"]["end_of_word_suffix"] = "</w>"; },
       "'model.end_of_word_suffix' is set"},
      // A byte-fallback BPE is SentencePiece-style, which SmolLM's ByteLevel pre-tokenizer is not.
      {"tokenizer.json", [](json& t) { t["model"]["byte_fallback"] = true; },
       "'pre_tokenizer' is not a Metaspace"},
      {"tokenizer.json", [](json& t) { t["pre_tokenizer"] = {{"type", "Whitespace"}}; },
       "'pre_tokenizer' is not one ingot knows"},
      {"tokenizer.json", [](json& t) { t["normalizer"] = {{"type", "NFC"}}; }, "'normalizer'"},
      {"tokenizer.json", [](json& t) { t["model"]["merges"] = {1, 2}; }, "not a token pair"},
      {"tokenizer.json",
       [](json& t) {
         ASSERT_FALSE(t["added_tokens"].empty());
         t["added_tokens"][0]["special"] = "yes";
       },
       "an entry whose 'special' is not a boolean"},
      {"tokenizer.json", [](json& t) { t["pre_tokenizer"] = {{"type", 7}}; },
       "'pre_tokenizer' is not one ingot knows"},
      {"tokenizer.json", [](json& t) { t["model"]["vocab"]["zzz"] = 99999; },
       "an id outside the model's"},
  };
  for (const auto& [file, edit, message] : cases) {
    SCOPED_TRACE(message);
    json value = file == "config.json" ? config : tokenizer;
    edit(value);
    write(file, value);
    const std::string got = error();
    EXPECT_NE(got.find(dir_ + "/" + file), std::string::npos) << got;
    EXPECT_NE(got.find(message), std::string::npos) << got;
    write("config.json", config);
    write("tokenizer.json", tokenizer);
  }
  json untied = config;
  untied["tie_word_embeddings"] = false;
  write("config.json", untied);
  EXPECT_NE(error().find("no lm_head.weight, and config.json's tie_word_embeddings is false"),
            std::string::npos);
  testing::write_text_file(dir_ + "/config.json", "{\"architectures\": [");
  EXPECT_NE(error().find("config.json: not valid JSON"), std::string::npos);
  fs::remove(dir_ + "/config.json");
  EXPECT_NE(error().find("no config.json"), std::string::npos);
}

// The SentencePiece-style tokenizer.json forms ingot imports, and the variations it refuses.
TEST_F(HfFolder, ReadsSentencePieceTokenizersAndRefusesOtherForms) {
  fs::remove_all(dir_);
  testing::write_tiny_hf_llama(dir_, "first");
  ASSERT_EQ(error(), "");
  const json tokenizer = read("tokenizer.json");
  json never = tokenizer;
  never["pre_tokenizer"]["prepend_scheme"] = "never";
  write("tokenizer.json", never);
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  auto spec = gguf::tokenizer_spec_from_gguf(*view);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->model, "llama");
  EXPECT_FALSE(spec->add_space_prefix);
  EXPECT_FALSE(spec->split_at_spaces);
  json legacy = tokenizer;  // tokenizers before 0.14: it split, and said add_prefix_space
  legacy["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\u2581"},
                             {"add_prefix_space", true}};
  write("tokenizer.json", legacy);
  auto legacy_view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(legacy_view.ok()) << legacy_view.status().message();
  auto legacy_spec = gguf::tokenizer_spec_from_gguf(*legacy_view);
  ASSERT_TRUE(legacy_spec.ok()) << legacy_spec.status().message();
  EXPECT_TRUE(legacy_spec->add_space_prefix);
  EXPECT_TRUE(legacy_spec->split_at_spaces);
  EXPECT_EQ(legacy_spec->space_prefix, tokenizer::SpacePrefix::kMetaspaceAlways);
  json no_dropout = tokenizer;
  no_dropout["model"]["dropout"] = 0.0;  // skips no merge: plain BPE
  write("tokenizer.json", no_dropout);
  EXPECT_EQ(error(), "");
  const json prepend = {{"type", "Prepend"}, {"prepend", "\u2581"}};
  const json replace = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}};
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& t) { t["pre_tokenizer"]["split"] = "yes"; }, "not a boolean"},
      {[](json& t) { t["pre_tokenizer"]["prepend_scheme"] = "sometimes"; }, "prepend_scheme"},
      {[](json& t) { t["pre_tokenizer"]["replacement"] = "_"; }, "is not a Metaspace"},
      {[&](json& t) { t["normalizer"] = replace; }, "is set beside a normalizer"},
      {[&](json& t) {
         t["pre_tokenizer"] = nullptr;
         t["normalizer"] = {{"type", "Sequence"}, {"normalizers", {replace, prepend}}};
       },
       "'normalizer' is not SentencePiece's"},
      {[](json& t) {
         t["pre_tokenizer"] = nullptr;
         t["normalizer"] = {{"type", "NFKC"}};
       },
       "'normalizer' is not SentencePiece's"},
      {[](json& t) { t["model"]["unk_token"] = "<nope>"; }, "'model.unk_token' names '<nope>'"},
      {[](json& t) { t["model"]["ignore_merges"] = true; }, "'model.ignore_merges' is set"},
  };
  for (const auto& [edit, message] : cases) {
    SCOPED_TRACE(message);
    json value = tokenizer;
    edit(value);
    write("tokenizer.json", value);
    const std::string got = error();
    EXPECT_NE(got.find(dir_ + "/tokenizer.json"), std::string::npos) << got;
    EXPECT_NE(got.find(message), std::string::npos) << got;
  }
}

TEST_F(HfFolder, RefusesTensorsItCannotRun) {
  const json config = testing::tiny_hf_llama_config();
  std::vector<SafetensorsEntry> tensors =
      testing::tiny_hf_llama_tensors(2, 64, 4, 2, 128, config["vocab_size"], 7);
  tensors.push_back({"model.layers.0.self_attn.q_proj.bias", "BF16", {64}, filled(128, 9)});
  testing::write_binary_file(dir_ + "/model.safetensors", testing::safetensors_bytes(tensors));
  auto view = hf::open_hf_folder(dir_);
  ASSERT_TRUE(view.ok()) << view.status().message();
  auto params = gguf::read_llama_params(*view);
  ASSERT_FALSE(params.ok());
  EXPECT_NE(params.status().message().find("'model.layers.0.self_attn.q_proj.bias'"),
            std::string::npos)
      << params.status().message();

  tensors.back() = {"model.layers.0.scales", "I8", {64}, filled(64, 9)};
  testing::write_binary_file(dir_ + "/model.safetensors", testing::safetensors_bytes(tensors));
  EXPECT_NE(error().find("has dtype I8"), std::string::npos);
  tensors.pop_back();
  fs::remove(dir_ + "/model.safetensors");  // without it or an index, every *.safetensors is read
  testing::write_binary_file(dir_ + "/a.safetensors", testing::safetensors_bytes(tensors));
  testing::write_binary_file(dir_ + "/b.safetensors", testing::safetensors_bytes({tensors[0]}));
  EXPECT_NE(error().find("b.safetensors: tensor 'model.embed_tokens.weight' is stored twice"),
            std::string::npos);
  fs::remove(dir_ + "/a.safetensors");
  fs::remove(dir_ + "/b.safetensors");
  EXPECT_NE(error().find("no .safetensors weights"), std::string::npos);
  fs::remove(dir_ + "/tokenizer.json");
  EXPECT_NE(error().find("no tokenizer.json"), std::string::npos);
}

}  // namespace
}  // namespace ingot
