// The architecture registry: each architecture's MAX-style description and the
// builder that turns a GGUF model into an ingot MLIR module.
#pragma once

#include <functional>
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
};

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

}  // namespace ingot::arch
