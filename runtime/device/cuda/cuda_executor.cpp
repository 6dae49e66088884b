// CudaExecutor: the CPU device's plan binding (cpu::bind_plan) with device memory behind every
// operand, and one launch (or two) per plan kernel.
#include "runtime/device/cuda/cuda_executor.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "kernels/cpu/rope.h"
#include "kernels/cuda/attention_schedule.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/quant/dequantize.h"
#include "runtime/artifact/dummy_fill.h"
#include "runtime/device/cpu/plan_binding.h"
#include "runtime/device/cuda/device_buffer.h"

namespace ingot::cuda {
namespace {

using cpu::detail::BoundKernel;
using cpu::detail::WeightRef;

/// The plan kernels the CUDA device runs.
enum class Op {
  kEmbedding,
  kRmsNorm,
  kAddRmsNorm,
  kAdd,
  kSwiglu,
  kSplit,
  kMatmul,
  kGateUpSwiglu,
  kLogits,
  kFusedAttention
};

std::optional<Op> op_of(const std::string& name) {
  static const std::map<std::string, Op> ops = {
      {"embedding", Op::kEmbedding},     {"rms_norm", Op::kRmsNorm},
      {"add_rms_norm", Op::kAddRmsNorm}, {"add", Op::kAdd},
      {"swiglu", Op::kSwiglu},           {"split", Op::kSplit},
      {"matmul", Op::kMatmul},           {"gate_up_swiglu", Op::kGateUpSwiglu},
      {"logits", Op::kLogits},           {"fused_attention", Op::kFusedAttention}};
  const auto it = ops.find(name.substr(0, name.find('.')));
  if (it == ops.end()) return std::nullopt;
  return it->second;
}

KvType kv_type_of(cpu::KvDType dtype) {
  switch (dtype) {
    case cpu::KvDType::kF32: return KvType::kF32;
    case cpu::KvDType::kF16: return KvType::kF16;
    case cpu::KvDType::kBF16: return KvType::kBF16;
  }
  return KvType::kF32;
}

bool same_rope(const cpu::RopeSpec& a, const cpu::RopeSpec& b) {
  return a.neox == b.neox && a.dims == b.dims && a.base == b.base && a.freq_scale == b.freq_scale &&
         a.ext_factor == b.ext_factor && a.attn_factor == b.attn_factor &&
         a.beta_fast == b.beta_fast && a.beta_slow == b.beta_slow &&
         a.original_context == b.original_context && a.freq_factors == b.freq_factors;
}

Status cuda_error(cudaError_t status, const std::string& what) {
  return make_error(StatusCode::kInternal, what + ": " + cudaGetErrorString(status));
}

}  // namespace

struct CudaExecutor::Impl {
  cpu::BoundPlan plan;  // activation operands point into `arena`, on the device
  std::vector<Op> ops;  // one per plan kernel
  int64_t max_context = 0;
  std::unique_ptr<device::PagedKvCache> pages;  // bookkeeping; the rows live in `kv`
  KvType kv_type = KvType::kF32;
  std::map<const uint8_t*, DeviceBuffer> weights;  // by the weight's bytes in the artifact
  DeviceBuffer arena, kv, ids, rows, slot_table, slot_positions, cos_sin, queries, up,
      gemm_scratch, attention_scratch, gathered, logits, sampled, sample_scratch, query_tiles,
      decode_tokens;
  // The step's tokens (chunk after chunk), their slots, the sequences' row tables, the rows
  // whose logits are wanted, and the rope angles of each token, on the host.
  std::vector<int32_t> step_ids, step_table, step_positions, step_rows, step_output_rows;
  std::vector<float> cos_sin_host;
  // Which tokens' attention the prefill kernel takes (when it runs this plan), and the others.
  bool prefill_kernel = false;
  AttentionSchedule schedule;
  cudaStream_t stream = nullptr;
  Blas* blas = nullptr;
  std::string device_name;

  bool capture_graphs = true;
  bool capture_products = true;  // false once capturing a step with cuBLAS in it has failed
  cudaGraphExec_t graph = nullptr;  // the last captured step's, updated in place
  const cpu::RopeSpec* rope = nullptr;  // the plan's one rope (angles computed on the host)

  ~Impl() {
    if (graph) cudaGraphExecDestroy(graph);
    blas_destroy(blas);
    if (stream) cudaStreamDestroy(stream);
  }

  const void* weight(const WeightRef& w) const { return weights.at(w.data).get(); }

  /// Free GPU memory now plus what the weights and the arena took, which kv_cache_shape
  /// subtracts; the step's other buffers, allocated before, stay taken.
  uint64_t memory_for_model_and_cache() const {
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess) return 0;
    uint64_t uploaded = 0;
    for (const auto& [data, buffer] : weights) uploaded += buffer.bytes();
    return free + uploaded + arena.bytes();
  }

  KvLayer layer(int64_t index) const {
    const uint64_t plane = pages->plane_bytes();
    uint8_t* base = kv.get<uint8_t>() + plane * 2 * static_cast<uint64_t>(index);
    return {base, base + plane, kv_type, rows.get<int32_t>()};
  }

  /// y = x * W^T for `tokens` rows of x: warp-per-row products, kMaxGemvTokens tokens a launch,
  /// up to gemv_token_limit (a few sequences decoding together over quantized weights), cuBLAS
  /// above.
  cudaError_t product(const WeightRef& w, const float* x, int64_t tokens, float* y) {
    if (tokens > gemv_token_limit(w.type))
      return gemm(*blas, w.type, weight(w), w.rows, w.row_length, x, tokens, y, w.rows,
                  gemm_scratch.get(), stream);
    cudaError_t status = cudaSuccess;
    for (int64_t t = 0; t < tokens && status == cudaSuccess; t += kMaxGemvTokens)
      status = gemv(w.type, weight(w), w.rows, w.row_length, x + t * w.row_length,
                    std::min(kMaxGemvTokens, tokens - t), y + t * w.rows, w.rows, stream);
    return status;
  }

  /// Launches plan kernel `index` for a step of `tokens` tokens.
  cudaError_t run(size_t index, int64_t tokens, const TokenSlots& slots,
                  std::span<const int32_t> output_rows);

  /// Gathers the chunks' tokens, slots, row tables and output rows (reserving cache pages), and
  /// returns the most positions any token attends over.
  Result<int64_t> gather(const device::BatchRequest& batch);
  /// Copies the gathered step inputs and the rope angles to the device (asynchronously).
  Status upload();
  /// Gathers and uploads `batch` (checked already), then launches the plan: the output rows'
  /// logits end up in `logits` once the stream is synchronized.
  Status launch(const device::BatchRequest& batch);
  /// Launches the captured step `captured` (consumed): by updating the executable graph of the
  /// last step in place when the launches match it, else by instantiating a new one.
  Status replay(cudaGraph_t captured);
  /// Waits for the stream, then moves the batch's sequences past their chunks.
  Status finish(const device::BatchRequest& batch);
};

cudaError_t CudaExecutor::Impl::run(size_t index, int64_t tokens, const TokenSlots& slots,
                                    std::span<const int32_t> output_rows) {
  const BoundKernel& k = plan.kernels[index];
  const Op op = ops[index];
  if (k.skipped) return cudaSuccess;  // its results are read in place
  const auto& in = k.inputs;
  const auto& out = k.outputs;
  switch (op) {
    case Op::kEmbedding: {
      const WeightRef& table = k.weights[0];
      return embedding(table.type, weight(table), table.row_length, ids.get<int32_t>(), tokens,
                       out[0].data, stream);
    }
    case Op::kRmsNorm: {  // rows of the weight's width: whole tokens, or heads (QK-norm)
      const int64_t n = k.weights[0].row_length;
      return rms_norm(in[0].data, nullptr, static_cast<const float*>(weight(k.weights[0])),
                      k.epsilon, tokens * (out[0].features / n), n, nullptr, out[0].data, stream);
    }
    case Op::kAddRmsNorm:  // outputs: the sum (residual stream), then its norm
      return rms_norm(in[0].data, in[1].data, static_cast<const float*>(weight(k.weights[0])),
                      k.epsilon, tokens, out[0].features, out[0].data, out[1].data, stream);
    case Op::kAdd:
      return add(in[0].data, in[1].data, tokens * out[0].features, out[0].data, stream);
    case Op::kSwiglu:
      return swiglu(in[0].data, in[1].data, tokens * out[0].features, out[0].data, stream);
    case Op::kSplit: {
      const int64_t width = in[0].features;
      int64_t column = 0;
      for (const auto& part : out) {
        const cudaError_t status = cudaMemcpy2DAsync(
            part.data, static_cast<size_t>(part.features) * 4, in[0].data + column,
            static_cast<size_t>(width) * 4, static_cast<size_t>(part.features) * 4,
            static_cast<size_t>(tokens), cudaMemcpyDeviceToDevice, stream);
        if (status != cudaSuccess) return status;
        column += part.features;
      }
      return cudaSuccess;
    }
    case Op::kMatmul: return product(k.weights[0], in[0].data, tokens, out[0].data);
    case Op::kGateUpSwiglu: {
      const WeightRef& gate = k.weights[0];
      cudaError_t status = product(gate, in[0].data, tokens, out[0].data);
      if (status == cudaSuccess)
        status = product(k.weights[1], in[0].data, tokens, up.get<float>());
      if (status == cudaSuccess)
        status = swiglu(out[0].data, up.get<float>(), tokens * gate.rows, out[0].data, stream);
      return status;
    }
    case Op::kLogits: {
      const int64_t n = in[0].features;
      for (size_t i = 0; i < output_rows.size(); ++i) {
        const cudaError_t status =
            cudaMemcpyAsync(gathered.get<float>() + i * n, in[0].data + output_rows[i] * n,
                            static_cast<size_t>(n) * 4, cudaMemcpyDeviceToDevice, stream);
        if (status != cudaSuccess) return status;
      }
      if (output_rows.empty()) return cudaSuccess;
      return product(k.weights[0], gathered.get<float>(), static_cast<int64_t>(output_rows.size()),
                     logits.get<float>());
    }
    case Op::kFusedAttention: {
      const AttentionDims dims{k.attention.num_heads, k.attention.num_kv_heads,
                               k.attention.head_dim, k.attention.scale};
      const KvLayer kv_layer = layer(k.layer);
      const int64_t rope_dims = k.has_rope ? k.rope.dims : 0;
      const int64_t q_features = dims.num_heads * dims.head_dim;
      const int64_t kv_features = dims.num_kv_heads * dims.head_dim;
      const QkvRows qkv{in[0].data, in[1].data, in[2].data,
                        k.qkv_stride ? k.qkv_stride : q_features,
                        k.qkv_stride ? k.qkv_stride : kv_features};
      if (schedule.one_token_per_sequence)  // decode: one kernel (and its merge)
        return rope_attention_decode(dims, rope_dims, k.rope.neox, cos_sin.get<float>(),
                                     qkv, kv_layer, tokens, slots, out[0].data,
                                     attention_scratch.get(), stream);
      cudaError_t status = rope_kv_write(dims, rope_dims, k.rope.neox, cos_sin.get<float>(),
                                         tokens, slots, qkv, queries.get<float>(),
                                         kv_layer, stream);
      if (status == cudaSuccess && !schedule.tiles.empty())
        status = prefill_attention(dims, queries.get<float>(), kv_layer,
                                   query_tiles.get<QueryTile>(),
                                   static_cast<int64_t>(schedule.tiles.size()), slots,
                                   out[0].data, stream);
      if (status == cudaSuccess && !schedule.decode_tokens.empty()) {
        // All of a decode step's tokens need no index list (and capture as before).
        const bool all = schedule.tiles.empty();
        const TokenSlots decode_slots{slots.table, slots.positions, schedule.decode_longest};
        status = attention(dims, queries.get<float>(), kv_layer,
                           static_cast<int64_t>(schedule.decode_tokens.size()), decode_slots,
                           out[0].data, attention_scratch.get(), stream,
                           all ? nullptr : decode_tokens.get<int32_t>());
      }
      return status;
    }
  }
  return cudaErrorInvalidValue;
}

CudaExecutor::CudaExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudaExecutor::~CudaExecutor() = default;

Result<std::unique_ptr<CudaExecutor>> CudaExecutor::create(const artifact::Artifact& artifact,
                                                           const device::ExecutorOptions& options) {
  const std::string& file = artifact.path();
  std::string why;
  if (!device_available(&why))
    return make_error(StatusCode::kUnimplemented, file + ": no CUDA device: " + why);
  auto impl = std::make_unique<Impl>();
  INGOT_ASSIGN_OR_RETURN(impl->plan, cpu::bind_plan(artifact));
  cpu::BoundPlan& plan = impl->plan;
  INGOT_ASSIGN_OR_RETURN(impl->max_context, device::context_length(artifact, options));
  impl->capture_graphs = options.cuda_graphs;

  // Every kernel must be one the device runs, over weights it can read.
  int64_t widest_q = 0, widest_gate = 0, rope_dims = 0, hidden = 0;
  uint64_t gemm_bytes = 0, attention_bytes = 0;
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const BoundKernel& k = plan.kernels[i];
    const auto fail = [&](const std::string& problem) {
      return make_error(StatusCode::kUnimplemented, file + ": plan kernel " + std::to_string(i) +
                                                        " (" + k.name + "): " + problem);
    };
    const auto op = op_of(k.name);
    const std::string base = k.name.substr(0, k.name.find('.'));
    if (!op && (base == "attention" || base == "rope" || base.starts_with("kv_cache")))
      return fail(
          "the CUDA device runs attention fused (fused_attention) only; compile without "
          "--disable-fusion for it");
    if (!op) return fail("the CUDA device has no " + base + " kernel yet");
    // Gemma's pieces the CUDA kernels lack so far: they run on the CPU device.
    if (k.embedding_scale != 1.0f) return fail("the CUDA device does not scale embeddings yet");
    if (k.window != 0) return fail("the CUDA device has no sliding-window attention yet");
    for (const WeightRef& w : k.weights)
      if (!supports_weight_type(w.type))
        return fail(std::string("no CUDA kernel reads ") +
                    std::string(quant::type_traits(w.type).name) + " weights");
    if (*op == Op::kMatmul || *op == Op::kGateUpSwiglu || *op == Op::kLogits) {
      for (const WeightRef& w : k.weights)
        gemm_bytes =
            std::max(gemm_bytes, gemm_scratch_bytes(w.rows, w.row_length, plan.max_tokens));
      if (*op == Op::kGateUpSwiglu) widest_gate = std::max(widest_gate, k.weights[0].rows);
      if (*op == Op::kLogits) hidden = k.inputs[0].features;
    }
    if (*op == Op::kFusedAttention) {
      const AttentionDims dims{k.attention.num_heads, k.attention.num_kv_heads,
                               k.attention.head_dim, k.attention.scale};
      if (dims.head_dim % 32 != 0 || dims.head_dim > 256)
        return fail("head_dim " + std::to_string(dims.head_dim) +
                    " is not a multiple of 32 up to 256");
      widest_q = std::max(widest_q, dims.num_heads * dims.head_dim);
      if (k.has_rope) {
        // One table of angles per step serves every layer: their ropes must be alike.
        if (impl->rope && !same_rope(*impl->rope, k.rope))
          return fail("layers with different ropes");
        impl->rope = &k.rope;
        rope_dims = std::max(rope_dims, k.rope.dims);
      }
      attention_bytes = std::max(attention_bytes,
                                 attention_scratch_bytes(dims, plan.max_tokens, impl->max_context));
    }
    impl->ops.push_back(*op);
  }

  // Weights, once each (a tied embedding serves the embedding and the logits). Dummy weights
  // the host has not made are made here, from the seed, by the host fill's code.
  const bool fill_here = artifact.has_dummy_weights() && !artifact.dummy_weights_filled();
  std::map<uint64_t, uint32_t> weight_at;  // segment offset -> weight index
  for (uint32_t i = 0; fill_here && i < artifact.weight_count(); ++i)
    weight_at[artifact.model().weights()->Get(i)->offset()] = i;
  for (const BoundKernel& k : plan.kernels)
    for (const WeightRef& w : k.weights) {
      if (impl->weights.count(w.data)) continue;
      const uint64_t bytes = *quant::row_bytes(w.type, static_cast<uint64_t>(w.row_length)) *
                             static_cast<uint64_t>(w.rows);
      INGOT_ASSIGN_OR_RETURN(DeviceBuffer buffer, DeviceBuffer::allocate(bytes, file + " weights"));
      if (fill_here) {
        const uint64_t offset = static_cast<uint64_t>(w.data - artifact.segment().data());
        INGOT_ASSIGN_OR_RETURN(quant::dummy::FillParams params,
                               artifact::dummy_fill_params(artifact.model(), weight_at.at(offset),
                                                           file));
        const cudaError_t filled = fill_dummy(params, bytes / params.block_bytes, buffer.get(),
                                              nullptr);  // it has taken the error already
        if (filled != cudaSuccess) return cuda_error(filled, file + ": making dummy weights");
      } else if (cudaMemcpy(buffer.get(), w.data, bytes, cudaMemcpyHostToDevice) != cudaSuccess) {
        return cuda_error(cudaGetLastError(), file + ": uploading weights");
      }
      impl->weights.emplace(w.data, std::move(buffer));
    }
  // The steps run on a non-blocking stream, which does not wait for the legacy stream's copies
  // (a pageable cudaMemcpy may return before its DMA lands) or the fills.
  if (cudaDeviceSynchronize() != cudaSuccess)
    return cuda_error(cudaGetLastError(),
                      file + (fill_here ? ": making dummy weights" : ": uploading weights"));

  INGOT_ASSIGN_OR_RETURN(cpu::KvDType dtype, device::cache_dtype(artifact, options));
  impl->kv_type = kv_type_of(dtype);
  impl->prefill_kernel = true;
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const cpu::AttentionShape& shape = plan.kernels[i].attention;
    if (impl->ops[i] == Op::kFusedAttention)
      impl->prefill_kernel &= prefill_attention_supports(
          {shape.num_heads, shape.num_kv_heads, shape.head_dim, shape.scale}, impl->kv_type);
  }
  const auto allocate = [&](DeviceBuffer& buffer, uint64_t bytes, const char* what) -> Status {
    INGOT_ASSIGN_OR_RETURN(buffer, DeviceBuffer::allocate(bytes, what));
    return Status::ok_status();
  };
  const uint64_t tokens = static_cast<uint64_t>(plan.max_tokens);
  INGOT_RETURN_IF_ERROR(allocate(impl->arena, plan.arena_floats * 4, "the activation arena"));
  INGOT_RETURN_IF_ERROR(allocate(impl->ids, tokens * 4, "token ids"));
  INGOT_RETURN_IF_ERROR(allocate(impl->sampled, tokens * 4, "sampled ids"));
  INGOT_RETURN_IF_ERROR(allocate(impl->slot_table, tokens * 4, "token slots"));
  INGOT_RETURN_IF_ERROR(allocate(impl->slot_positions, tokens * 4, "token positions"));
  INGOT_RETURN_IF_ERROR(allocate(impl->query_tiles, tokens * sizeof(QueryTile), "query tiles"));
  INGOT_RETURN_IF_ERROR(allocate(impl->decode_tokens, tokens * 4, "decode tokens"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->rows, static_cast<uint64_t>(impl->max_context) * 4, "KV rows"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->cos_sin, tokens * static_cast<uint64_t>(rope_dims) * 4, "rope"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->queries, tokens * static_cast<uint64_t>(widest_q) * 4, "queries"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->up, tokens * static_cast<uint64_t>(widest_gate) * 4, "swiglu"));
  INGOT_RETURN_IF_ERROR(allocate(impl->gemm_scratch, gemm_bytes, "matmul scratch"));
  INGOT_RETURN_IF_ERROR(allocate(impl->attention_scratch, attention_bytes, "attention scratch"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->gathered, tokens * static_cast<uint64_t>(hidden) * 4, "logits rows"));
  INGOT_RETURN_IF_ERROR(
      allocate(impl->logits, tokens * static_cast<uint64_t>(plan.vocab_size) * 4, "logits"));
  // The cache last, so that the fraction of memory it may take leaves room for the step's
  // buffers above (the widened logits weight, attention splits, logits) as well.
  if (plan.cache_layers > 0) {
    const kv_cache::KvCacheShape shape =
        device::kv_cache_shape(artifact, options, plan.cache_layers, plan.cache_row_elements,
                               impl->max_context, dtype, impl->memory_for_model_and_cache());
    auto pages = device::PagedKvCache::create(shape, /*host_storage=*/false);
    if (!pages.ok())
      return make_error(pages.status().code(), file + ": " + pages.status().message());
    impl->pages = std::move(*pages);
    INGOT_ASSIGN_OR_RETURN(impl->kv, DeviceBuffer::allocate(impl->pages->bytes(), "the KV cache"));
  }
  cpu::read_qkv_in_place(plan);
  plan.resolve_arena(impl->arena.get<float>());

  if (cudaStreamCreateWithFlags(&impl->stream, cudaStreamNonBlocking) != cudaSuccess)
    return cuda_error(cudaGetLastError(), file + ": creating a stream");
  std::string blas_problem;
  impl->blas = blas_create(&blas_problem);
  if (!impl->blas) return make_error(StatusCode::kUnimplemented, file + ": " + blas_problem);
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, 0) == cudaSuccess) impl->device_name = properties.name;
  // Kernels that run from sm_90 code or later imply a device of compute capability 9.0 or up.
  set_programmatic_launch(options.pdl_level > 0 && programmatic_launch_compiled());
  return std::unique_ptr<CudaExecutor>(new CudaExecutor(std::move(impl)));
}

namespace {

Status checked(cudaError_t status, const std::string& what) {
  return status == cudaSuccess ? Status::ok_status() : cuda_error(status, "step: " + what);
}

}  // namespace

Result<int64_t> CudaExecutor::Impl::gather(const device::BatchRequest& batch) {
  step_ids.clear();
  step_table.clear();
  step_positions.clear();
  step_rows.clear();
  step_output_rows.clear();
  int64_t longest = 0;
  for (const device::SequenceChunk& chunk : batch.chunks) {
    device::KvSequence& sequence = *chunk.sequence;
    const int64_t first = sequence.length;
    const int64_t end = first + static_cast<int64_t>(chunk.tokens.size());
    if (pages) INGOT_RETURN_IF_ERROR(pages->reserve(sequence, end));
    const auto table = static_cast<int32_t>(step_rows.size());
    if (pages)
      step_rows.insert(step_rows.end(), sequence.rows.begin(), sequence.rows.begin() + end);
    const auto base = static_cast<int32_t>(step_ids.size());
    for (size_t i = 0; i < chunk.tokens.size(); ++i) {
      step_ids.push_back(chunk.tokens[i]);
      step_table.push_back(table);
      step_positions.push_back(static_cast<int32_t>(first + static_cast<int64_t>(i)));
    }
    for (int32_t row : chunk.output_rows) step_output_rows.push_back(base + row);
    longest = std::max(longest, end);
  }
  return longest;
}

Status CudaExecutor::Impl::upload() {
  const auto copy = [&](const DeviceBuffer& to, const void* from, size_t bytes, const char* what) {
    return checked(cudaMemcpyAsync(to.get(), from, bytes, cudaMemcpyHostToDevice, stream), what);
  };
  const size_t tokens = step_ids.size();
  INGOT_RETURN_IF_ERROR(copy(ids, step_ids.data(), tokens * 4, "uploading token ids"));
  INGOT_RETURN_IF_ERROR(copy(slot_table, step_table.data(), tokens * 4, "uploading token slots"));
  INGOT_RETURN_IF_ERROR(
      copy(slot_positions, step_positions.data(), tokens * 4, "uploading token positions"));
  schedule = schedule_attention(step_table, step_positions, prefill_kernel);
  if (!schedule.tiles.empty()) {  // else every token is a decode token: no lists needed
    INGOT_RETURN_IF_ERROR(copy(query_tiles, schedule.tiles.data(),
                               schedule.tiles.size() * sizeof(QueryTile), "uploading query tiles"));
    INGOT_RETURN_IF_ERROR(copy(decode_tokens, schedule.decode_tokens.data(),
                               schedule.decode_tokens.size() * 4, "uploading decode tokens"));
  }
  if (step_rows.size() * 4 > rows.bytes()) {  // several sequences' tables: grow, keeping 2x room
    INGOT_RETURN_IF_ERROR(checked(cudaStreamSynchronize(stream), "growing the KV row tables"));
    INGOT_ASSIGN_OR_RETURN(rows, DeviceBuffer::allocate(step_rows.size() * 8, "KV rows"));
  }
  if (!step_rows.empty())
    INGOT_RETURN_IF_ERROR(copy(rows, step_rows.data(), step_rows.size() * 4, "uploading KV rows"));
  // Rope angles on the host with cpu::rope_angles (one table: the plan's ropes are alike).
  if (rope) {
    cos_sin_host.resize(tokens * static_cast<size_t>(rope->dims));
    for (size_t t = 0; t < tokens; ++t)
      cpu::rope_angles(*rope, step_positions[t],
                       {cos_sin_host.data() + t * static_cast<size_t>(rope->dims),
                        static_cast<size_t>(rope->dims)});
    INGOT_RETURN_IF_ERROR(
        copy(cos_sin, cos_sin_host.data(), cos_sin_host.size() * 4, "uploading rope angles"));
  }
  return Status::ok_status();
}

Status CudaExecutor::Impl::launch(const device::BatchRequest& batch) {
  INGOT_ASSIGN_OR_RETURN(const int64_t longest, gather(batch));
  INGOT_RETURN_IF_ERROR(upload());
  const int64_t tokens = static_cast<int64_t>(step_ids.size());
  const TokenSlots slots{slot_table.get<int32_t>(), slot_positions.get<int32_t>(), longest};
  const auto run_plan = [&] {
    Status status;
    for (size_t i = 0; i < plan.kernels.size() && status.ok(); ++i)
      status = checked(run(i, tokens, slots, step_output_rows), plan.kernels[i].name);
    return status;
  };
  // Decode steps are captured, then replayed as one graph: no launch gaps between their hundreds
  // of kernels. Up to kMaxGemvTokens tokens they take matrix-vector products only; wider ones
  // (many sequences decoding together) take cuBLAS, whose steady batch sizes the graph update
  // in place just the same. Other steps change shape from one to the next: launched directly.
  const bool wide = tokens > kMaxGemvTokens;
  const bool capture = capture_graphs && (wide ? capture_products && schedule.one_token_per_sequence
                                               : true);
  if (!capture) return run_plan();
  INGOT_RETURN_IF_ERROR(checked(
      cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "capturing the step"));
  const Status status = run_plan();
  cudaGraph_t captured = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream, &captured);
  if (status.ok() && ended == cudaSuccess) return replay(captured);
  if (captured) cudaGraphDestroy(captured);
  cudaGetLastError();
  // Nothing ran: run the step directly, and from now on wide steps (cuBLAS may refuse capture)
  // or, where a narrow step would not capture either, every step; describe() then says so.
  (wide ? capture_products : capture_graphs) = false;
  return run_plan();
}

Status CudaExecutor::Impl::replay(cudaGraph_t captured) {
  if (graph) {
    cudaGraphExecUpdateResultInfo info{};
    if (cudaGraphExecUpdate(graph, captured, &info) != cudaSuccess) {
      cudaGetLastError();  // another shape of step: instantiate afresh
      cudaGraphExecDestroy(graph);
      graph = nullptr;
    }
  }
  cudaError_t status = cudaSuccess;
  if (!graph) status = cudaGraphInstantiate(&graph, captured, 0);
  cudaGraphDestroy(captured);
  if (status != cudaSuccess) {
    graph = nullptr;
    return checked(status, "instantiating the step's graph");
  }
  return checked(cudaGraphLaunch(graph, stream), "launching the step's graph");
}

Status CudaExecutor::Impl::finish(const device::BatchRequest& batch) {
  INGOT_RETURN_IF_ERROR(checked(cudaStreamSynchronize(stream), "running the plan"));
  for (const device::SequenceChunk& chunk : batch.chunks)
    chunk.sequence->length += static_cast<int64_t>(chunk.tokens.size());
  return Status::ok_status();
}

Status CudaExecutor::step_batch(const device::BatchRequest& batch) {
  Impl& impl = *impl_;
  INGOT_RETURN_IF_ERROR(
      device::check_batch(batch, impl.plan.max_tokens, impl.plan.vocab_size, impl.max_context));
  INGOT_RETURN_IF_ERROR(impl.launch(batch));
  if (!impl.step_output_rows.empty())
    INGOT_RETURN_IF_ERROR(checked(cudaMemcpyAsync(batch.logits, impl.logits.get(),
                                                  impl.step_output_rows.size() *
                                                      static_cast<size_t>(impl.plan.vocab_size) * 4,
                                                  cudaMemcpyDeviceToHost, impl.stream),
                                  "downloading logits"));
  return impl.finish(batch);
}

Status CudaExecutor::step_and_sample(const device::BatchRequest& batch,
                                     std::span<const sampling::RowSampling> sampling,
                                     std::span<int32_t> ids) {
  Impl& impl = *impl_;
  // The logits stay on the device: no host buffer to check, one sampling and id per row.
  INGOT_RETURN_IF_ERROR(
      device::check_chunks(batch, impl.plan.max_tokens, impl.plan.vocab_size, impl.max_context));
  INGOT_RETURN_IF_ERROR(device::check_sampling(batch, sampling, ids));
  const size_t rows = ids.size();
  const int64_t vocab = impl.plan.vocab_size;
  const uint64_t scratch = sample_scratch_bytes(static_cast<int64_t>(rows), vocab);
  if (scratch > impl.sample_scratch.bytes()) {
    INGOT_ASSIGN_OR_RETURN(impl.sample_scratch,
                           DeviceBuffer::allocate(scratch, "sampling scratch"));
  }
  INGOT_RETURN_IF_ERROR(impl.launch(batch));
  if (rows > 0) {
    INGOT_RETURN_IF_ERROR(checked(
        sample(impl.logits.get<float>(), static_cast<int64_t>(rows), vocab, sampling,
               impl.sampled.get<int32_t>(), impl.sample_scratch.get(), impl.sample_scratch.bytes(),
               impl.stream),
        "sampling"));
    INGOT_RETURN_IF_ERROR(checked(cudaMemcpyAsync(ids.data(), impl.sampled.get(), rows * 4,
                                                  cudaMemcpyDeviceToHost, impl.stream),
                                  "downloading token ids"));
  }
  return impl.finish(batch);
}

int64_t CudaExecutor::vocab_size() const { return impl_->plan.vocab_size; }
int64_t CudaExecutor::max_tokens() const { return impl_->plan.max_tokens; }
int64_t CudaExecutor::max_context() const { return impl_->max_context; }
device::PagedKvCache& CudaExecutor::cache() { return *impl_->pages; }

std::string CudaExecutor::describe() const {
  uint64_t weight_bytes = 0;
  for (const auto& [data, buffer] : impl_->weights) weight_bytes += buffer.bytes();
  return "cuda " + impl_->device_name + ", " + std::to_string(impl_->plan.kernels.size()) +
         " kernels, weights " + std::to_string(weight_bytes >> 20) + " MiB, kv cache " +
         std::to_string(impl_->kv.bytes() >> 20) + " MiB, decode graphs " +
         (impl_->capture_graphs ? "on" : "off") + ", programmatic launch " +
         (programmatic_launch() ? "on" : "off");
}

}  // namespace ingot::cuda
