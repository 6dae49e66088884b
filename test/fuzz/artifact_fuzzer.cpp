// libFuzzer harness: Artifact::parse, then every view and id a loaded artifact exposes.
#include <cstddef>
#include <cstdint>

#include "runtime/artifact/artifact.h"

namespace {

// A loaded artifact must be safe to read everywhere it claims to have data.
void walk(const ingot::artifact::Artifact& artifact) {
  using namespace ingot;
  volatile uint64_t sink = 0;
  for (size_t i = 0; i < artifact.weight_count(); ++i) {
    std::span<const uint8_t> bytes = artifact.weight_bytes(i);
    if (bytes.empty()) __builtin_trap();  // verified weights are never empty
    sink = sink + bytes.front() + bytes.back();
  }
  const schema::Plan& plan = *artifact.model().plan();
  const auto* values = plan.values();
  auto value = [&](uint32_t id) {
    const schema::Value& v = *values->Get(id);  // ids were checked against values
    if (v.kind() == schema::ValueKind::weight) {
      std::span<const uint8_t> bytes = artifact.weight_bytes(v.weight());
      sink = sink + bytes.front();
    } else if (v.kind() == schema::ValueKind::activation) {
      uint64_t rows = v.rows() == 0 ? plan.max_tokens() : v.rows();
      if (v.arena_offset() + rows * v.features() * 4 > plan.arena_bytes()) __builtin_trap();
    }
  };
  if (const auto* kernels = plan.kernels()) {
    for (const schema::Kernel* kernel : *kernels) {
      sink = sink + kernel->name()->size();
      if (kernel->inputs()) for (uint32_t id : *kernel->inputs()) value(id);
      if (kernel->outputs()) for (uint32_t id : *kernel->outputs()) value(id);
      if (kernel->params()) {
        for (const schema::Param* param : *kernel->params()) {
          sink = sink + param->name()->size();
          if (param->kind() == schema::ParamKind::rope) sink = sink + param->rope()->dim();
          if (param->kind() == schema::ParamKind::text) sink = sink + param->text()->size();
          if (param->kind() == schema::ParamKind::integers) sink = sink + param->integers()->size();
        }
      }
    }
  }
  if (plan.inputs()) for (uint32_t id : *plan.inputs()) value(id);
  if (plan.outputs()) for (uint32_t id : *plan.outputs()) value(id);
  // Only dummy-weight artifacts may lack a tokenizer (they run on token ids).
  const schema::Tokenizer* tokenizer = artifact.model().tokenizer();
  if (tokenizer == nullptr) {
    if (!artifact.has_dummy_weights()) __builtin_trap();
    return;
  }
  for (const flatbuffers::String* token : *tokenizer->tokens()) sink = sink + token->size();
  if (tokenizer->bos_id() >= 0) sink = sink + tokenizer->tokens()->Get(tokenizer->bos_id())->size();
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingot;
  // Without checksums the mutated FlatBuffer reaches every structural check; with
  // them the segment and weight hashes run too. Dummy weights are reserved, never filled: a
  // mutated table may describe gigabytes (the unit tests check the fill).
  for (bool checksums : {false, true}) {
    Result<artifact::Artifact> artifact = artifact::Artifact::parse(
        MappedFile::borrow({data, size}, "fuzz.ingot"),
        {.verify_checksums = checksums, .fill_dummy_weights = false});
    if (!artifact.ok()) {
      if (artifact.status().message().rfind("fuzz.ingot: ", 0) != 0) __builtin_trap();
      return 0;
    }
    walk(*artifact);
  }
  return 0;
}
