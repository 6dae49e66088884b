// The architecture registry: each architecture's MAX-style description and the
// builder that turns a GGUF model into an ingot MLIR module.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/arch/supported_architecture.h"
#include "compiler/import/gguf/gguf_file.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ingot::arch {

/// What a builder needs besides the file: the resolved compile settings.
struct BuildOptions {
  RopeType rope_type = RopeType::kNormal;  ///< Resolved (MAX's rope_type).
  int64_t max_length = 0;                  ///< Resolved context length.
  int64_t max_tokens_per_step = 512;       ///< Largest prefill chunk; sizes the arena.
  bool keep_source_encodings = true;       ///< No --encoding: weights keep the file's own.
};

/// How a GGUF tensor's ggml type is read: as its own encoding where the runtime has kernels for
/// it, or requantized from its dequantized values.
struct ReadEncoding {
  Encoding encoding = Encoding::kFloat32;
  bool requantized = false;
};

/// F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q4_K and Q6_K as themselves; Q5_0, Q5_1, IQ4_NL and IQ4_XS
/// as q8_0, and Q2_K, Q3_K and Q5_K as q6_k (grids fine enough to keep the source's perplexity);
/// nullopt for the types ingot cannot dequantize (IQ2*, IQ3*, TQ*, ...).
std::optional<ReadEncoding> gguf_read_encoding(quant::GgmlType type);

/// Builds the module for one model, or fails with a one-line diagnostic.
using BuildFunction = std::function<mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>(
    const gguf::GgufFile&, const BuildOptions&, mlir::MLIRContext&)>;

/// A named model shape an architecture builds with no weights behind it (--load-format dummy).
struct Preset {
  std::string name;            ///< e.g. "llama-3.1-8b"
  int64_t context_length = 0;  ///< The model's own, as a GGUF's {arch}.context_length.
  std::function<mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>(const BuildOptions&,
                                                                   mlir::MLIRContext&)>
      build;
};

/// One registered architecture.
struct Architecture {
  SupportedArchitecture info;
  BuildFunction build;
  std::vector<Preset> presets;
};

/// The preset of `architecture` named `name`, or nullptr.
const Preset* find_preset(const Architecture& architecture, std::string_view name);

/// Every registered architecture (one line per architecture in registry.cpp).
const std::vector<Architecture>& registered_architectures();

/// The architecture whose gguf_names include `general_architecture`, or nullptr.
const Architecture* find_architecture(std::string_view general_architecture);

/// The llama family (compiler/arch/llama).
Architecture llama_architecture();
/// Qwen 3 (GGUF `qwen3`): the llama builder with QK-norm.
Architecture qwen3_architecture();
/// Gemma 3 (GGUF `gemma3`): the llama builder with QK-norm, post-norms, GELU and sliding windows.
Architecture gemma3_architecture();

}  // namespace ingot::arch
