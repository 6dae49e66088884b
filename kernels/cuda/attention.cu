// Paged causal attention, flash-decoding style: each warp takes one (token, head) over one split
// of the cache positions (at least kSplit, at most kMaxSplits splits) with an online softmax (each
// lane holds head_dim / 32 elements of the query and the output), writing (max, sum, output); a
// second kernel merges the splits. Prefill chunks take the tensor-core kernel of
// prefill_attention.cu instead (see attention_schedule.h).
#include <algorithm>

#include "kernels/cuda/kv_types.cuh"

namespace ingot::cuda {
namespace {

using detail::kWarp;

constexpr int64_t kSplit = 128;     // cache positions per split, at least
constexpr int64_t kMaxSplits = 32;  // so the partial results stay small at long contexts
constexpr int kWarpsPerBlock = 4;

/// Splits of the longest query's `count` positions, and the positions each covers (a shorter
/// query leaves its last splits empty).
struct Splits {
  int64_t count;
  int64_t length;
};
__host__ __device__ Splits splits_for(int64_t count) {
  const int64_t n = min(kMaxSplits, (count + kSplit - 1) / kSplit);
  return {n, (count + n - 1) / n};
}

/// Floats of one partial result: max, sum, then head_dim outputs.
__host__ __device__ int64_t partial_floats(int64_t head_dim) { return 2 + head_dim; }

template <KvType K, int kPerLane>
__global__ void __launch_bounds__(kWarpsPerBlock* kWarp)
    attention_split_kernel(AttentionDims dims, const float* __restrict__ q,
                           const void* __restrict__ keys, const void* __restrict__ values,
                           const int32_t* __restrict__ rows, int64_t tokens,
                           const int32_t* __restrict__ token_ids, TokenSlots slots, Splits splits,
                           float* __restrict__ partial) {
  detail::wait_for_inputs();
  using E = detail::KvElement<K>;
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  if (item >= tokens * dims.num_heads) return;
  const int64_t entry = item / dims.num_heads, h = item % dims.num_heads;
  const int64_t t = token_ids ? token_ids[entry] : entry;
  const int64_t split = blockIdx.y;
  const int64_t count = slots.positions[t] + 1;
  const int32_t* __restrict__ table = rows + slots.table[t];
  const int64_t begin = split * splits.length, end = min(count, begin + splits.length);
  float* out = partial + (item * splits.count + split) * partial_floats(dims.head_dim);
  const int64_t dim_offset = static_cast<int64_t>(lane) * kPerLane;
  float m = -INFINITY, l = 0.0f, acc[kPerLane] = {};
  if (begin < end) {
    float qv[kPerLane];
    const float* qh = q + (t * dims.num_heads + h) * dims.head_dim + dim_offset;
#pragma unroll
    for (int i = 0; i < kPerLane; ++i) qv[i] = qh[i];
    const int64_t kv_features = dims.num_kv_heads * dims.head_dim;
    const int64_t kv_offset = h / (dims.num_heads / dims.num_kv_heads) * dims.head_dim + dim_offset;
    const auto* key_base = static_cast<const typename E::type*>(keys) + kv_offset;
    const auto* value_base = static_cast<const typename E::type*>(values) + kv_offset;
    for (int64_t j = begin; j < end; ++j) {
      const int64_t row = table[j] * kv_features;
      float s = 0.0f;
#pragma unroll
      for (int i = 0; i < kPerLane; ++i) s += qv[i] * E::load(key_base + row + i);
      s = detail::warp_sum(s) * dims.scale;
      const float m_new = fmaxf(m, s);
      const float correction = expf(m - m_new), p = expf(s - m_new);
      l = l * correction + p;
#pragma unroll
      for (int i = 0; i < kPerLane; ++i)
        acc[i] = acc[i] * correction + p * E::load(value_base + row + i);
      m = m_new;
    }
  }
  if (lane == 0) out[0] = m, out[1] = l;
#pragma unroll
  for (int i = 0; i < kPerLane; ++i) out[2 + dim_offset + i] = acc[i];
}

template <int kPerLane>
__global__ void __launch_bounds__(kWarpsPerBlock* kWarp)
    attention_merge_kernel(AttentionDims dims, int64_t tokens,
                           const int32_t* __restrict__ token_ids, int64_t splits,
                           const float* __restrict__ partial, float* __restrict__ out) {
  detail::wait_for_inputs();
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  if (item >= tokens * dims.num_heads) return;
  const int64_t stride = partial_floats(dims.head_dim);
  const float* p = partial + item * splits * stride;
  float m = -INFINITY;
  for (int64_t s = 0; s < splits; ++s) m = fmaxf(m, p[s * stride]);
  float l = 0.0f, acc[kPerLane] = {};
  for (int64_t s = 0; s < splits; ++s) {
    const float w = p[s * stride] == -INFINITY ? 0.0f : expf(p[s * stride] - m);
    l += w * p[s * stride + 1];
#pragma unroll
    for (int i = 0; i < kPerLane; ++i) acc[i] += w * p[s * stride + 2 + lane * kPerLane + i];
  }
  const int64_t entry = item / dims.num_heads, h = item % dims.num_heads;
  const int64_t t = token_ids ? token_ids[entry] : entry;
  float* o = out + (t * dims.num_heads + h) * dims.head_dim + lane * kPerLane;
#pragma unroll
  for (int i = 0; i < kPerLane; ++i) o[i] = acc[i] / l;
}

template <typename F>
bool dispatch_per_lane(int64_t head_dim, F&& f) {
  switch (head_dim / kWarp) {
    case 1: f.template operator()<1>(); return true;
    case 2: f.template operator()<2>(); return true;
    case 3: f.template operator()<3>(); return true;
    case 4: f.template operator()<4>(); return true;
    case 5: f.template operator()<5>(); return true;
    case 6: f.template operator()<6>(); return true;
    case 7: f.template operator()<7>(); return true;
    case 8: f.template operator()<8>(); return true;
    default: return false;
  }
}

bool valid(const AttentionDims& dims) {
  return dims.head_dim > 0 && dims.head_dim % kWarp == 0 && dims.head_dim <= 8 * kWarp &&
         dims.num_kv_heads > 0 && dims.num_heads > 0 && dims.num_heads % dims.num_kv_heads == 0;
}

}  // namespace

uint64_t attention_scratch_bytes(const AttentionDims& dims, int64_t tokens, int64_t count) {
  const int64_t splits = splits_for(count).count;
  return static_cast<uint64_t>(tokens * dims.num_heads * splits * partial_floats(dims.head_dim)) *
         sizeof(float);
}

cudaError_t attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                      int64_t tokens, const TokenSlots& slots, float* out, void* scratch,
                      cudaStream_t stream, const int32_t* token_ids) {
  if (!valid(dims) || tokens < 0 || scratch == nullptr) return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  if (slots.table == nullptr || slots.positions == nullptr || slots.longest <= 0)
    return cudaErrorInvalidValue;
  const Splits splits = splits_for(slots.longest);
  const unsigned blocks =
      static_cast<unsigned>((tokens * dims.num_heads + kWarpsPerBlock - 1) / kWarpsPerBlock);
  auto* partial = static_cast<float*>(scratch);
  dispatch_per_lane(dims.head_dim, [&]<int kPerLane>() {
    detail::dispatch_kv(layer.type, [&]<KvType K>() {
      detail::launch_kernel(attention_split_kernel<K, kPerLane>,
                            dim3(blocks, static_cast<unsigned>(splits.count)),
                            kWarpsPerBlock * kWarp, stream, dims, q, layer.keys, layer.values,
                            layer.rows, tokens, token_ids, slots, splits, partial);
    });
    detail::launch_kernel(attention_merge_kernel<kPerLane>, blocks, kWarpsPerBlock * kWarp, stream,
                          dims, tokens, token_ids, splits.count, partial, out);
  });
  return detail::launched();
}

}  // namespace ingot::cuda
