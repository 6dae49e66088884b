// The llama builder: LlamaParams read from a GGUF become an ingot module. It builds Qwen 3
// too, which is llama plus a per-head RMS norm of the queries and keys (QK-norm), and Gemma 3:
// QK-norm, scaled embeddings, norms after attention and FFN, a GELU-gated FFN, and layers that
// attend within a sliding window with a rope of their own.
#include <cmath>

#include "compiler/arch/llama/llama_presets.h"
#include "compiler/arch/registry.h"
#include "compiler/import/gguf/llama_params.h"
#include "ir/IngotDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace ingot::arch {
namespace {

using namespace ingot::ir;
using mlir::Value;

// The IR spelling of a configuration encoding.
ir::Encoding ir_encoding(arch::Encoding encoding) {
  switch (encoding) {
    case arch::Encoding::kFloat32: return ir::Encoding::float32;
    case arch::Encoding::kBfloat16: return ir::Encoding::bfloat16;
    case arch::Encoding::kFloat16: return ir::Encoding::f16;
    case arch::Encoding::kQ4_K: return ir::Encoding::q4_k;
    case arch::Encoding::kQ4_0: return ir::Encoding::q4_0;
    case arch::Encoding::kQ4_1: return ir::Encoding::q4_1;
    case arch::Encoding::kQ6_K: return ir::Encoding::q6_k;
    case arch::Encoding::kQ8_0: return ir::Encoding::q8_0;
    case arch::Encoding::kFloat8E4M3FN: return ir::Encoding::float8_e4m3fn;
    case arch::Encoding::kFloat4E2M1FNx2: return ir::Encoding::float4_e2m1fnx2;
    case arch::Encoding::kGptq: return ir::Encoding::gptq;
  }
  return ir::Encoding::float32;
}

ir::RopeType rope_kind(RopeType type) {
  switch (type) {
    case RopeType::kNone: return ir::RopeType::none;
    case RopeType::kNormal: return ir::RopeType::normal;
    case RopeType::kNeox: return ir::RopeType::neox;
    case RopeType::kLongrope: return ir::RopeType::longrope;
    case RopeType::kYarn: return ir::RopeType::yarn;
  }
  return ir::RopeType::normal;
}

// Emits the ops of one model into `builder`'s current block.
class LlamaEmitter {
 public:
  LlamaEmitter(const gguf::LlamaParams& params, const BuildOptions& options,
               mlir::OpBuilder& builder, Value tokens, Value positions)
      : p_(params), options_(options), b_(builder), tokens_(tokens), positions_(positions) {}

  mlir::FailureOr<Value> emit() {
    auto embedding = weight(p_.token_embd);
    if (mlir::failed(embedding)) return mlir::failure();
    Value x = b_.create<EmbeddingOp>(
        loc("token_embd"), activation(p_.embedding_length), tokens_, *embedding,
        p_.gemma3 ? b_.getF32FloatAttr(p_.gemma3->embedding_scale) : mlir::FloatAttr());
    for (size_t layer = 0; layer < p_.layers.size(); ++layer) {
      auto next = block(layer, x);
      if (mlir::failed(next)) return mlir::failure();
      x = *next;
    }
    auto norm = weight(p_.output_norm);
    auto head = weight(p_.output ? *p_.output : p_.token_embd);
    if (mlir::failed(norm) || mlir::failed(head)) return mlir::failure();
    // With --encoding, that encoding is what every weight gets, whatever its type.
    if (options_.keep_source_encodings) {
      for (const auto& [type, read_as] : requantized_types_) {
        mlir::emitRemark(loc("weights"))
            << read_as.second << " weights of type " << quant::type_traits(type).name
            << " are requantized to " << stringifyEncoding(read_as.first)
            << ": the runtime has no " << quant::type_traits(type).name << " kernels";
      }
    }
    Value normed = rms_norm(x, *norm, "output_norm");
    auto logits = b_.create<LogitsOp>(loc("output"), activation(p_.vocab_size), normed, *head);
    logits.setLastTokenOnly(true);
    return logits.getResult();
  }

 private:
  mlir::Location loc(llvm::StringRef name) { return mlir::NameLoc::get(b_.getStringAttr(name)); }
  mlir::RankedTensorType activation(uint64_t features) {
    return getActivationType(static_cast<int64_t>(features), b_.getContext());
  }

  // An ingot.weight for a GGUF tensor, typed [rows, row length] like ggml's layout.
  mlir::FailureOr<Value> weight(const gguf::LlamaTensor& tensor) {
    if (auto it = weights_.find(tensor.name); it != weights_.end()) return it->second;
    std::optional<ReadEncoding> read = gguf_read_encoding(tensor.type);
    if (!read) {
      return mlir::emitError(loc(tensor.name))
             << "tensor '" << tensor.name << "' has type " << quant::type_traits(tensor.type).name
             << ", which ingot cannot read yet";
    }
    const ir::Encoding encoding = ir_encoding(read->encoding);
    if (read->requantized) {
      auto& [read_as, count] = requantized_types_[tensor.type];
      read_as = encoding;
      ++count;
    }
    llvm::SmallVector<int64_t> shape(tensor.dims.rbegin(), tensor.dims.rend());
    while (shape.size() > 1 && shape.front() == 1) shape.erase(shape.begin());
    Value value =
        b_.create<WeightOp>(loc(tensor.name), getWeightType(shape, encoding, b_.getContext()),
                            b_.getStringAttr(tensor.name), nullptr);
    weights_[tensor.name] = value;
    return value;
  }

  Value rms_norm(Value x, Value w, llvm::StringRef name) {
    return b_.create<RmsNormOp>(loc(name), x.getType(), x, w,
                                b_.getF32FloatAttr(static_cast<float>(p_.rms_norm_eps)));
  }
  Value matmul(Value x, Value w, uint64_t out, llvm::StringRef name) {
    return b_.create<MatmulOp>(loc(name), activation(out), x, w);
  }

  // The rope of a layer: the model's, or for Gemma 3's local layers their own base with no
  // scaling and no per-pair factors.
  RopeAttr rope(bool local) {
    static const gguf::RopeScaling kNoScaling;
    const gguf::RopeScaling& s = local ? kNoScaling : p_.rope_scaling;
    const double theta = local ? p_.gemma3->local_rope_freq_base : p_.rope_freq_base;
    return RopeAttr::get(b_.getContext(), rope_kind(options_.rope_type), llvm::APFloat(theta),
                         static_cast<int64_t>(p_.rope_dimension_count), llvm::APFloat(s.factor),
                         static_cast<int64_t>(s.original_context_length.value_or(0)),
                         llvm::APFloat(s.yarn_ext_factor.value_or(0.0)),
                         llvm::APFloat(s.yarn_attn_factor.value_or(s.attn_factor.value_or(1.0))),
                         llvm::APFloat(s.yarn_beta_fast.value_or(32.0)),
                         llvm::APFloat(s.yarn_beta_slow.value_or(1.0)),
                         local || p_.rope_freq_factors.empty()
                             ? mlir::DenseF32ArrayAttr()
                             : mlir::DenseF32ArrayAttr::get(b_.getContext(), p_.rope_freq_factors));
  }

  // One transformer block: attention and a gated FFN, each with a residual add.
  mlir::FailureOr<Value> block(size_t layer, Value x) {
    const gguf::LlamaLayerTensors& t = p_.layers[layer];
    std::string prefix = "blk." + std::to_string(layer);
    // In order, stopping at the first that fails, so that a bad type is reported once.
    llvm::SmallVector<mlir::FailureOr<Value>> w;
    for (const gguf::LlamaTensor* tensor :
         {&t.attn_norm, &t.attn_q, &t.attn_k, &t.attn_v, &t.attn_output, &t.ffn_norm, &t.ffn_gate,
          &t.ffn_up, &t.ffn_down}) {
      w.push_back(weight(*tensor));
      if (mlir::failed(w.back())) return mlir::failure();
    }
    uint64_t q_features = p_.head_count * p_.head_dim;
    uint64_t kv_features = p_.head_count_kv * p_.head_dim;
    auto head_dim = b_.getI64IntegerAttr(static_cast<int64_t>(p_.head_dim));
    auto layer_attr = b_.getI64IntegerAttr(static_cast<int64_t>(layer));

    Value n = rms_norm(x, *w[0], prefix + ".attn_norm");
    Value q = matmul(n, *w[1], q_features, prefix + ".attn_q");
    Value k = matmul(n, *w[2], kv_features, prefix + ".attn_k");
    Value v = matmul(n, *w[3], kv_features, prefix + ".attn_v");
    if (t.attn_q_norm && t.attn_k_norm) {  // QK-norm: each head on its own, before rope
      auto q_norm = weight(*t.attn_q_norm);
      auto k_norm = weight(*t.attn_k_norm);
      if (mlir::failed(q_norm) || mlir::failed(k_norm)) return mlir::failure();
      q = rms_norm(q, *q_norm, prefix + ".attn_q_norm");
      k = rms_norm(k, *k_norm, prefix + ".attn_k_norm");
    }
    const bool local = p_.gemma3 && p_.gemma3->is_local(layer);
    Value qr = b_.create<RopeOp>(loc(prefix + ".rope_q"), q.getType(), q, positions_, rope(local),
                                 head_dim);
    Value kr = b_.create<RopeOp>(loc(prefix + ".rope_k"), k.getType(), k, positions_, rope(local),
                                 head_dim);
    b_.create<KVCacheWriteOp>(loc(prefix + ".kv_write"), kr, v, positions_, layer_attr);
    auto cached = b_.create<KVCacheReadOp>(loc(prefix + ".kv_read"), activation(kv_features),
                                           activation(kv_features), positions_, layer_attr);
    float scale = static_cast<float>(p_.gemma3 ? p_.gemma3->attention_scale
                                               : 1.0 / std::sqrt(static_cast<double>(p_.head_dim)));
    auto attention = b_.create<AttentionOp>(
        loc(prefix + ".attention"), q.getType(), qr, cached.getKeys(), cached.getValues(),
        positions_, b_.getI64IntegerAttr(static_cast<int64_t>(p_.head_count)),
        b_.getI64IntegerAttr(static_cast<int64_t>(p_.head_count_kv)), head_dim,
        b_.getF32FloatAttr(scale), nullptr);
    if (local)
      attention.setWindowAttr(
          b_.getI64IntegerAttr(static_cast<int64_t>(p_.gemma3->sliding_window)));
    Value o = matmul(attention, *w[4], p_.embedding_length, prefix + ".attn_output");
    if (t.post_attention_norm) {
      auto norm = weight(*t.post_attention_norm);
      if (mlir::failed(norm)) return mlir::failure();
      o = rms_norm(o, *norm, prefix + ".post_attention_norm");
    }
    Value h = b_.create<AddOp>(loc(prefix + ".attn_residual"), x, o);

    Value m = rms_norm(h, *w[5], prefix + ".ffn_norm");
    Value g = matmul(m, *w[6], p_.feed_forward_length, prefix + ".ffn_gate");
    Value u = matmul(m, *w[7], p_.feed_forward_length, prefix + ".ffn_up");
    Value s = p_.gemma3 ? Value(b_.create<GegluOp>(loc(prefix + ".geglu"), g, u))
                        : Value(b_.create<SwigluOp>(loc(prefix + ".swiglu"), g, u));
    Value d = matmul(s, *w[8], p_.embedding_length, prefix + ".ffn_down");
    if (t.post_ffw_norm) {
      auto norm = weight(*t.post_ffw_norm);
      if (mlir::failed(norm)) return mlir::failure();
      d = rms_norm(d, *norm, prefix + ".post_ffw_norm");
    }
    return Value(b_.create<AddOp>(loc(prefix + ".ffn_residual"), h, d));
  }

  const gguf::LlamaParams& p_;
  const BuildOptions& options_;
  mlir::OpBuilder& b_;
  Value tokens_;
  Value positions_;
  std::map<std::string, Value> weights_;
  // The types read requantized (gguf_read_encoding): the encoding of each, and how many weights.
  std::map<quant::GgmlType, std::pair<ir::Encoding, int>> requantized_types_;
};

// The module of a model described by `params`, an `info` architecture; `source` names it in
// diagnostics.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> build_llama_module(
    const gguf::LlamaParams& params, const SupportedArchitecture& info, llvm::StringRef source,
    const BuildOptions& options, mlir::MLIRContext& context) {
  context.loadDialect<IngotDialect, mlir::func::FuncDialect>();
  auto file_loc = mlir::FileLineColLoc::get(&context, source, 0, 0);
  if (params.rope_scaling.type == gguf::RopeScalingType::kLongRope)
    return mlir::emitError(file_loc) << "rope scaling longrope is not supported";

  mlir::OpBuilder builder(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(file_loc);
  llvm::SmallVector<mlir::Attribute> supported;
  for (const auto& [encoding, strategies] : info.supported_encodings) {
    supported.push_back(EncodingAttr::get(&context, ir_encoding(encoding)));
  }
  (*module)->setAttr("ingot.architecture", builder.getStringAttr(info.name));
  (*module)->setAttr("ingot.supported_encodings", builder.getArrayAttr(supported));
  (*module)->setAttr("ingot.max_tokens", builder.getI64IntegerAttr(options.max_tokens_per_step));
  (*module)->setAttr("ingot.max_length", builder.getI64IntegerAttr(options.max_length));
  // The hyper-parameters the artifact records (schema HyperParameters, by name).
  auto u64 = [&](uint64_t v) { return builder.getI64IntegerAttr(static_cast<int64_t>(v)); };
  (*module)->setAttr(
      "ingot.hyper_parameters",
      builder.getDictionaryAttr({
          builder.getNamedAttr("block_count", u64(params.block_count)),
          builder.getNamedAttr("context_length", u64(params.context_length)),
          builder.getNamedAttr("embedding_length", u64(params.embedding_length)),
          builder.getNamedAttr("feed_forward_length", u64(params.feed_forward_length)),
          builder.getNamedAttr("head_count", u64(params.head_count)),
          builder.getNamedAttr("head_count_kv", u64(params.head_count_kv)),
          builder.getNamedAttr("head_dim", u64(params.head_dim)),
          builder.getNamedAttr("vocab_size", u64(params.vocab_size)),
          builder.getNamedAttr("rms_norm_eps", builder.getF64FloatAttr(params.rms_norm_eps)),
          builder.getNamedAttr("rope_freq_base", builder.getF64FloatAttr(params.rope_freq_base)),
          builder.getNamedAttr("tied_embeddings", builder.getBoolAttr(params.tied_embeddings)),
      }));

  auto ids = mlir::RankedTensorType::get({mlir::ShapedType::kDynamic}, builder.getI32Type());
  auto logits = getActivationType(static_cast<int64_t>(params.vocab_size), &context);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<mlir::func::FuncOp>(file_loc, "forward",
                                                 builder.getFunctionType({ids, ids}, {logits}));
  mlir::Block* entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  LlamaEmitter emitter(params, options, builder, entry->getArgument(0), entry->getArgument(1));
  mlir::FailureOr<Value> result = emitter.emit();
  if (mlir::failed(result)) return mlir::failure();
  builder.create<mlir::func::ReturnOp>(file_loc, *result);
  return module;
}

// The info shared by the llama-family architectures: the encodings ingot can requantize to
// and read back (kernels/quant), with both cache strategies.
SupportedArchitecture llama_family_info(std::string name, std::vector<std::string> gguf_names,
                                        std::vector<std::string> example_repo_ids,
                                        RopeType rope_type) {
  SupportedArchitecture info;
  info.name = std::move(name);
  info.gguf_names = std::move(gguf_names);
  info.example_repo_ids = std::move(example_repo_ids);
  info.default_encoding = Encoding::kQ4_K;
  for (Encoding encoding :
       {Encoding::kFloat32, Encoding::kBfloat16, Encoding::kFloat16, Encoding::kQ4_0,
        Encoding::kQ4_1, Encoding::kQ8_0, Encoding::kQ4_K, Encoding::kQ6_K}) {
    info.supported_encodings[encoding] = {CacheStrategy::kPaged, CacheStrategy::kContinuous};
  }
  info.rope_type = rope_type;
  info.default_weights_format = WeightsFormat::kGguf;
  info.multi_gpu_supported = false;
  return info;
}

// The build function of a llama-family architecture described by `info`.
BuildFunction llama_family_build(const SupportedArchitecture& info) {
  return [info](const gguf::GgufFile& file, const BuildOptions& options,
                mlir::MLIRContext& context) -> mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> {
    Result<gguf::LlamaParams> params = gguf::read_llama_params(file);
    if (!params.ok())
      return mlir::emitError(mlir::FileLineColLoc::get(&context, file.path(), 0, 0))
             << params.status().message();
    return build_llama_module(*params, info, file.path(), options, context);
  };
}

}  // namespace

Architecture llama_architecture() {
  Architecture arch;
  arch.info =
      llama_family_info("LlamaForCausalLM", {"llama", "mistral"},
                        {"HuggingFaceTB/SmolLM2-135M-Instruct", "meta-llama/Llama-3.2-1B-Instruct",
                         "meta-llama/Llama-3.1-8B-Instruct"},
                        RopeType::kNormal);
  arch.build = llama_family_build(arch.info);
  for (const std::string& name : llama_preset_names()) {
    gguf::LlamaParams params = *llama_preset(name);
    const auto context_length = static_cast<int64_t>(params.context_length);
    arch.presets.push_back({name, context_length,
                            [params = std::move(params), name, info = arch.info](
                                const BuildOptions& options, mlir::MLIRContext& context) {
                              return build_llama_module(params, info, "dummy:" + name, options,
                                                        context);
                            }});
  }
  return arch;
}

Architecture gemma3_architecture() {
  Architecture arch;
  // llama.cpp reads gemma3 with NeoX rope, as Qwen 3.
  arch.info =
      llama_family_info("Gemma3ForCausalLM", {"gemma3"},
                        {"google/gemma-3-270m-it", "google/gemma-3-1b-it"}, RopeType::kNeox);
  arch.build = llama_family_build(arch.info);
  return arch;
}

Architecture qwen3_architecture() {
  Architecture arch;
  // llama.cpp reads qwen3 with NeoX rope (halves of each head rotate together).
  arch.info = llama_family_info("Qwen3ForCausalLM", {"qwen3"},
                                {"Qwen/Qwen3-0.6B", "Qwen/Qwen3-1.7B"}, RopeType::kNeox);
  arch.build = llama_family_build(arch.info);
  return arch;
}

}  // namespace ingot::arch
