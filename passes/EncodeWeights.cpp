// ingot-encode-weights: picks each weight's storage encoding (the requantization
// target); the emitter converts the bytes from `source_encoding`.
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/GlobPattern.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_ENCODEWEIGHTS
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

struct Override {
  llvm::GlobPattern pattern;
  Encoding encoding;
};

// The encoding used instead when `encoding`'s block does not divide `row`
// (llama.cpp's fallbacks: K-quants to 32-wide blocks, those to f16).
std::optional<Encoding> fitEncoding(Encoding encoding, int64_t row) {
  while (row % encodingBlockSize(encoding) != 0) {
    switch (encoding) {
      case Encoding::q4_k: encoding = Encoding::q4_0; break;
      case Encoding::q6_k: encoding = Encoding::q8_0; break;
      case Encoding::q4_0:
      case Encoding::q4_1:
      case Encoding::q8_0:
      case Encoding::gptq: encoding = Encoding::f16; break;
      default: return std::nullopt;
    }
  }
  return encoding;
}

// Whether requantizing to `encoding` keeps the logits weight at 6 bits or more, as
// llama-quantize does for every 4-bit type: the output projection is where a 4-bit error
// costs the most perplexity.
bool keepsLogitsPrecision(Encoding encoding) {
  return encoding == Encoding::q4_0 || encoding == Encoding::q4_1 || encoding == Encoding::q4_k;
}

// The weights that an ingot.logits projects with (the embedding table when tied).
llvm::SmallPtrSet<mlir::Operation*, 2> logitsWeights(mlir::ModuleOp module) {
  llvm::SmallPtrSet<mlir::Operation*, 2> weights;
  module.walk([&](LogitsOp logits) {
    if (mlir::Operation* weight = logits.getWeight().getDefiningOp<WeightOp>())
      weights.insert(weight);
  });
  return weights;
}

struct EncodeWeightsPass : impl::EncodeWeightsBase<EncodeWeightsPass> {
  using EncodeWeightsBase::EncodeWeightsBase;

  // Whether the module's architecture can store weights as `encoding`.
  bool supports(Encoding encoding) {
    auto supported = getOperation()->getAttrOfType<mlir::ArrayAttr>("ingot.supported_encodings");
    return !supported ||
           llvm::is_contained(supported.getValue(), EncodingAttr::get(&getContext(), encoding));
  }

  // Parses an encoding name and checks the architecture supports it.
  std::optional<Encoding> parseSupported(llvm::StringRef name, llvm::StringRef what) {
    std::optional<Encoding> parsed = symbolizeEncoding(name);
    mlir::ModuleOp module = getOperation();
    if (!parsed) {
      module.emitError() << what << ": unknown encoding '" << name << "'";
      return std::nullopt;
    }
    if (!supports(*parsed)) {
      auto arch = module->getAttrOfType<mlir::StringAttr>("ingot.architecture");
      module.emitError() << what << ": encoding '" << name << "' is not supported by "
                         << (arch ? arch.getValue() : "this architecture");
      return std::nullopt;
    }
    return parsed;
  }

  mlir::FailureOr<llvm::SmallVector<Override>> parseOverrides() {
    llvm::SmallVector<Override> parsed;
    for (const std::string& entry : overrides) {
      auto [glob, name] = llvm::StringRef(entry).split('=');
      llvm::Expected<llvm::GlobPattern> pattern = llvm::GlobPattern::create(glob);
      if (name.empty() || !pattern) {
        if (!pattern) llvm::consumeError(pattern.takeError());
        getOperation().emitError() << "override '" << entry << "': expected NAME_GLOB=ENCODING";
        return mlir::failure();
      }
      std::optional<Encoding> encoding = parseSupported(name, "override '" + entry + "'");
      if (!encoding) return mlir::failure();
      parsed.push_back({std::move(*pattern), *encoding});
    }
    return parsed;
  }

  void runOnOperation() override {
    std::optional<Encoding> target;
    if (!encoding.empty() && !(target = parseSupported(encoding, "--encoding"))) {
      return signalPassFailure();
    }
    mlir::FailureOr<llvm::SmallVector<Override>> parsed = parseOverrides();
    if (mlir::failed(parsed)) return signalPassFailure();

    const llvm::SmallPtrSet<mlir::Operation*, 2> logits = logitsWeights(getOperation());
    int fallbacks = 0;
    mlir::WalkResult result = getOperation().walk([&](WeightOp weight) {
      mlir::RankedTensorType type = weight.getType();
      Encoding source = getEncoding(type).getValue();
      if (type.getRank() != 2) {
        // Norm weights run in float32, as GGUF stores them; a safetensors model's may be
        // bfloat16 or float16.
        if (source != Encoding::float32) retype(weight, source, Encoding::float32);
        return mlir::WalkResult::advance();
      }
      std::optional<Encoding> wanted = target;
      const Override* named = llvm::find_if(
          *parsed, [&](const Override& entry) { return entry.pattern.match(weight.getName()); });
      if (named != parsed->end()) {
        wanted = named->encoding;
      } else if (logits.contains(weight)) {
        if (std::optional<Encoding> kept = keptLogitsEncoding(weight, wanted)) {
          if (*kept != source) retype(weight, source, *kept);
          return mlir::WalkResult::advance();
        }
      }
      if (!wanted || *wanted == source) return mlir::WalkResult::advance();
      std::optional<Encoding> chosen = fitEncoding(*wanted, type.getDimSize(1));
      if (!chosen) {
        weight.emitError() << "cannot encode '" << weight.getName() << "' as "
                           << stringifyEncoding(*wanted);
        return mlir::WalkResult::interrupt();
      }
      fallbacks += *chosen != *wanted;
      retype(weight, source, *chosen);
      return mlir::WalkResult::advance();
    });
    if (result.wasInterrupted()) return signalPassFailure();
    if (fallbacks > 0) {
      getOperation().emitRemark() << fallbacks
                                  << " weights use a fallback encoding: their rows are not a "
                                     "multiple of the requested block size";
    }
    refreshConcatTypes();
  }

  // The logits weight's encoding when `wanted` is a 4-bit one and no override names it: q6_k,
  // or q8_0 where 256 does not divide a row (the rule, so not counted as a fallback).
  std::optional<Encoding> keptLogitsEncoding(WeightOp weight, std::optional<Encoding> wanted) {
    if (!wanted || !keepsLogitsPrecision(*wanted) || !supports(Encoding::q6_k) ||
        !supports(Encoding::q8_0))
      return std::nullopt;
    const Encoding kept = *fitEncoding(Encoding::q6_k, weight.getType().getDimSize(1));
    weight.emitRemark() << "the logits weight is encoded as " << stringifyEncoding(kept)
                        << " rather than " << stringifyEncoding(*wanted)
                        << ", as llama-quantize does";
    return kept;
  }

  // Gives `weight` the encoding `target`, remembering the one its source tensor has.
  void retype(WeightOp weight, Encoding source, Encoding target) {
    if (!weight.getSourceEncodingAttr()) {
      weight.setSourceEncodingAttr(EncodingAttr::get(&getContext(), source));
    }
    weight.getResult().setType(getWeightType(weight.getType().getShape(), target, &getContext()));
  }

  // Weights feeding concat_weights changed type: recompute the stacked types.
  void refreshConcatTypes() {
    getOperation().walk([&](ConcatWeightsOp concat) {
      auto front = mlir::cast<mlir::RankedTensorType>(concat.getWeights().front().getType());
      mlir::RankedTensorType type = concat.getType();
      concat.getResult().setType(
          getWeightType(type.getShape(), getEncoding(front).getValue(), &getContext()));
      if (mlir::failed(mlir::verify(concat))) signalPassFailure();
    });
  }
};

}  // namespace
}  // namespace ingot::passes
