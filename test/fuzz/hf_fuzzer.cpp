// libFuzzer harness: the Hugging Face folder loader. The first byte picks the part:
// even, the rest is a .safetensors file (parsed, then its tensors put in a GGUF view and
// read end to end); odd, the rest is config.json, tokenizer.json, tokenizer_config.json and
// generation_config.json separated by NUL bytes, imported as GGUF keys that the GGUF readers then
// take; a tokenizer they accept is built and encodes a text with special tokens (ids in range).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "compiler/import/gguf/gguf_dump.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/gguf/gguf_view.h"
#include "compiler/import/gguf/llama_params.h"
#include "compiler/import/gguf/sampling_defaults.h"
#include "compiler/import/hf/hf_import.h"
#include "compiler/import/hf/safetensors_file.h"
#include "runtime/tokenizer/bpe_tokenizer.h"

namespace {

using namespace ingot;

void fuzz_safetensors(std::span<const uint8_t> bytes) {
  Result<hf::SafetensorsFile> file =
      hf::SafetensorsFile::parse(MappedFile::borrow(bytes, "fuzz.safetensors"));
  if (!file.ok()) return;
  std::vector<hf::SafetensorsTensor> tensors = file->tensors();
  gguf::GgufViewBuilder view("fuzz");
  uint32_t index = view.add_file(std::move(*file).take_file());
  for (const hf::SafetensorsTensor& tensor : tensors) {
    if (tensor.dtype != "F32" && tensor.dtype != "BF16") continue;
    std::vector<uint64_t> dims(tensor.shape.rbegin(), tensor.shape.rend());
    (void)view.add_tensor(tensor.name, tensor.dtype == "F32" ? quant::GgmlType::F32
                                                             : quant::GgmlType::BF16,
                          dims, index, tensor.offset);
  }
  gguf::GgufFile finished = std::move(view).finish();
  volatile uint8_t sink = 0;
  for (const gguf::TensorInfo& tensor : finished.tensors()) {
    std::span<const uint8_t> data = finished.tensor_bytes(tensor);
    if (!data.empty()) sink = sink ^ data.front() ^ data.back();
  }
}

void fuzz_json(std::string_view text) {
  std::string_view parts[4];
  for (std::string_view& part : parts) {
    size_t end = text.find('\0');
    part = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  Result<hf::JsonFile> config = hf::parse_json("config.json", parts[0]);
  if (!config.ok()) return;
  gguf::GgufViewBuilder view("fuzz");
  Result<hf::HfModelConfig> model = hf::add_config_keys(*config, view);
  if (!model.ok()) return;
  Result<hf::JsonFile> tokenizer = hf::parse_json("tokenizer.json", parts[1]);
  if (tokenizer.ok()) {
    hf::HfTokenizerFiles files{std::move(*tokenizer), std::nullopt, std::nullopt};
    if (Result<hf::JsonFile> extra = hf::parse_json("tokenizer_config.json", parts[2]); extra.ok())
      files.tokenizer_config = std::move(*extra);
    (void)hf::add_tokenizer_keys(files, *config, model->vocab_size, view);
  }
  if (Result<hf::JsonFile> generation = hf::parse_json("generation_config.json", parts[3]);
      generation.ok())
    (void)hf::add_generation_config_keys(*generation, view);
  gguf::GgufFile finished = std::move(view).finish();
  (void)gguf::read_llama_params(finished);
  (void)gguf::read_sampling_defaults(finished);
  if (Result<tokenizer::TokenizerSpec> spec = gguf::tokenizer_spec_from_gguf(finished); spec.ok()) {
    if (Result<tokenizer::BpeTokenizer> tok = tokenizer::BpeTokenizer::create(std::move(*spec));
        tok.ok()) {
      for (int32_t id : tok->encode(" hello</s> w\xC3\xA9rld <s>\n", true, true)) {
        if (id < 0 || id >= tok->vocab_size()) __builtin_trap();
      }
    }
  }
  (void)gguf::gguf_to_text(finished, gguf::DumpOptions{});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    fuzz_safetensors({data + 1, size - 1});
  } else {
    fuzz_json({reinterpret_cast<const char*>(data + 1), size - 1});
  }
  return 0;
}
