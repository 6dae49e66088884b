// GgufViewBuilder: a GgufFile made in memory for a model stored in another format, so
// that every reader of GGUF keys and tensors (the builders, the weight encoder, the
// tokenizer reader, ingot-inspect) takes it as it is.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "compiler/import/gguf/gguf_file.h"

namespace ingot::gguf {

/// Collects metadata and a tensor table whose bytes lie in other mapped files, then
/// finishes them into a GgufFile view. Keys are stored with the value types llama.cpp's
/// converter writes (UINT32, FLOAT32, BOOL, STRING, arrays of STRING and INT32); setting
/// a key twice keeps the last value.
class GgufViewBuilder {
 public:
  /// `path` names the model in the view's errors (a folder, for a Hugging Face model).
  explicit GgufViewBuilder(std::string path);

  void set_uint32(const std::string& key, uint32_t value);
  void set_float32(const std::string& key, float value);
  void set_bool(const std::string& key, bool value);
  void set_string(const std::string& key, std::string value);
  void set_strings(const std::string& key, const std::vector<std::string>& values);
  void set_int32s(const std::string& key, const std::vector<int32_t>& values);

  /// True when `key` has been set.
  bool has(const std::string& key) const { return view_.find(key) != nullptr; }

  /// Takes a file that tensors lie in; returns its index for add_tensor.
  uint32_t add_file(MappedFile file);
  /// Adds tensor `name` (ggml-order dims) at byte `offset` of file `file`; an error when
  /// the dims are not whole blocks of `type` or the bytes run past the file's end.
  Status add_tensor(const std::string& name, quant::GgmlType type, std::vector<uint64_t> dims,
                    uint32_t file, uint64_t offset);

  /// Adds a 1-D float32 tensor `name` whose values the view owns (as a converter computes
  /// Llama 3's rope_freqs.weight); `origin` names where they came from in errors.
  Status add_float32_tensor(const std::string& name, const std::vector<float>& values,
                            std::string origin);

  /// The view; the builder is spent.
  GgufFile finish() &&;

 private:
  // Strings and packed arrays the metadata points into; a GgufFile keeps it alive.
  struct Storage {
    std::deque<std::string> strings;
    std::deque<std::vector<uint8_t>> blobs;
  };

  std::string_view keep(std::string text);
  MetadataValue& entry(const std::string& key, ValueType type);

  std::shared_ptr<Storage> storage_ = std::make_shared<Storage>();
  GgufFile view_;
};

}  // namespace ingot::gguf
