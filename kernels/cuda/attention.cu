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
  const int64_t n = max(int64_t{1}, min(kMaxSplits, (count + kSplit - 1) / kSplit));
  return {n, (count + n - 1) / n};
}

/// Floats of one partial result: max, sum, then head_dim outputs.
__host__ __device__ int64_t partial_floats(int64_t head_dim) { return 2 + head_dim; }

/// Folds one position's key and value (this lane's kPerLane elements of each) into the warp's
/// online softmax: running maximum m, sum l and output acc.
template <int kPerLane>
__device__ __forceinline__ void online_softmax_step(const float* qv, const float* key,
                                                    const float* value, float scale, float& m,
                                                    float& l, float* acc) {
  float s = 0.0f;
#pragma unroll
  for (int i = 0; i < kPerLane; ++i) s += qv[i] * key[i];
  s = detail::warp_sum(s) * scale;
  const float m_new = fmaxf(m, s);
  const float correction = expf(m - m_new), p = expf(s - m_new);
  l = l * correction + p;
#pragma unroll
  for (int i = 0; i < kPerLane; ++i) acc[i] = acc[i] * correction + p * value[i];
  m = m_new;
}

/// A decode step's unrotated queries, keys and values with their rope, when attention also does
/// rope_kv_write's work (rope_attention_decode).
struct Fresh {
  QkvRows qkv;
  const float* cos_sin = nullptr;
  int64_t rope_dims = 0;
  bool neox = false;
};

/// One split of one (token, head). With kFresh, the token is its sequence's only one in the step
/// and its keys and values are not cached yet: the warp rotates its query and its KV head's key
/// itself, takes its own position from those registers rather than the cache, and the first head
/// of each KV group stores the key and value as the cache row (no warp reads that row).
template <KvType K, int kPerLane, bool kFresh>
__global__ void __launch_bounds__(kWarpsPerBlock* kWarp)
    attention_split_kernel(AttentionDims dims, const float* __restrict__ q, void* keys,
                           void* values, const int32_t* __restrict__ rows, int64_t tokens,
                           const int32_t* __restrict__ token_ids, TokenSlots slots, Splits splits,
                           Fresh fresh, float* __restrict__ partial) {
  detail::wait_for_inputs();
  using E = detail::KvElement<K>;
  using T = typename E::type;
  constexpr int kDim = kPerLane * kWarp;
  __shared__ float staged[kFresh ? kWarpsPerBlock : 1][2][kFresh ? kDim : 1];  // query, key
  const int warp = static_cast<int>(threadIdx.x) / kWarp;
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + warp;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  if (item >= tokens * dims.num_heads) return;
  const int64_t entry = item / dims.num_heads, h = item % dims.num_heads;
  const int64_t t = token_ids ? token_ids[entry] : entry;
  const int64_t split = blockIdx.y;
  const int64_t count = slots.positions[t] + 1;
  const int32_t* __restrict__ table = rows + slots.table[t];
  const int64_t begin = split * splits.length, end = min(count, begin + splits.length);
  float* out = partial + (item * splits.count + split) * partial_floats(kDim);
  const int64_t dim_offset = static_cast<int64_t>(lane) * kPerLane;
  float m = -INFINITY, l = 0.0f, acc[kPerLane] = {};
  if (begin < end) {
    const int64_t group = dims.num_heads / dims.num_kv_heads;
    const int64_t kv_features = dims.num_kv_heads * kDim;
    const int64_t kv_offset = h / group * kDim + dim_offset;
    float qv[kPerLane], fresh_key[kPerLane], fresh_value[kPerLane];
    if constexpr (kFresh) {
      // The rotation pairs elements that other lanes hold: stage both heads in shared memory.
      float* staged_q = staged[warp][0];
      float* staged_k = staged[warp][1];
      const float* raw_q = fresh.qkv.q + t * fresh.qkv.q_stride + h * kDim;
      const float* raw_k = fresh.qkv.k + t * fresh.qkv.kv_stride + kv_offset - dim_offset;
      const float* raw_v = fresh.qkv.v + t * fresh.qkv.kv_stride + kv_offset;
#pragma unroll
      for (int i = 0; i < kPerLane; ++i) {
        staged_q[dim_offset + i] = raw_q[dim_offset + i];
        staged_k[dim_offset + i] = raw_k[dim_offset + i];
      }
      __syncwarp();
      const float* cs = fresh.cos_sin + t * fresh.rope_dims;
      const bool store = h % group == 0 && end == count;  // the split holding the position
      T* key_row = static_cast<T*>(keys) + table[count - 1] * kv_features + kv_offset;
      T* value_row = static_cast<T*>(values) + table[count - 1] * kv_features + kv_offset;
#pragma unroll
      for (int i = 0; i < kPerLane; ++i) {
        const int64_t d = dim_offset + i;
        qv[i] = detail::rope_element(staged_q, cs, d, fresh.rope_dims, fresh.neox);
        // As the cache will hold them, so the result is rope_kv_write's then attention's.
        const T key = E::store(detail::rope_element(staged_k, cs, d, fresh.rope_dims, fresh.neox));
        const T value = E::store(raw_v[i]);
        fresh_key[i] = E::load(&key);
        fresh_value[i] = E::load(&value);
        if (store) key_row[i] = key, value_row[i] = value;
      }
    } else {
      const float* qh = q + (t * dims.num_heads + h) * kDim + dim_offset;
#pragma unroll
      for (int i = 0; i < kPerLane; ++i) qv[i] = qh[i];
    }
    const T* key_base = static_cast<const T*>(keys) + kv_offset;
    const T* value_base = static_cast<const T*>(values) + kv_offset;
    const int64_t cached_end = kFresh ? min(end, count - 1) : end;
    for (int64_t j = begin; j < cached_end; ++j) {
      const int64_t row = table[j] * kv_features;
      float key[kPerLane], value[kPerLane];
#pragma unroll
      for (int i = 0; i < kPerLane; ++i) {
        key[i] = E::load(key_base + row + i);
        value[i] = E::load(value_base + row + i);
      }
      online_softmax_step<kPerLane>(qv, key, value, dims.scale, m, l, acc);
    }
    if (kFresh && end == count)
      online_softmax_step<kPerLane>(qv, fresh_key, fresh_value, dims.scale, m, l, acc);
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

namespace {

/// Launches the split kernel (kFresh as rope_attention_decode) and the merge of the splits.
template <bool kFresh>
cudaError_t launch_attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                             int64_t tokens, const int32_t* token_ids, const TokenSlots& slots,
                             const Fresh& fresh, float* out, void* scratch, cudaStream_t stream) {
  if (!valid(dims) || tokens < 0 || scratch == nullptr) return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  if (slots.table == nullptr || slots.positions == nullptr || slots.longest <= 0 ||
      !layer.keys || !layer.values || !layer.rows)
    return cudaErrorInvalidValue;
  const Splits splits = splits_for(slots.longest);
  const unsigned blocks =
      static_cast<unsigned>((tokens * dims.num_heads + kWarpsPerBlock - 1) / kWarpsPerBlock);
  auto* partial = static_cast<float*>(scratch);
  dispatch_per_lane(dims.head_dim, [&]<int kPerLane>() {
    detail::dispatch_kv(layer.type, [&]<KvType K>() {
      detail::launch_kernel(attention_split_kernel<K, kPerLane, kFresh>,
                            dim3(blocks, static_cast<unsigned>(splits.count)),
                            kWarpsPerBlock * kWarp, stream, dims, q, layer.keys, layer.values,
                            layer.rows, tokens, token_ids, slots, splits, fresh, partial);
    });
    detail::launch_kernel(attention_merge_kernel<kPerLane>, blocks, kWarpsPerBlock * kWarp, stream,
                          dims, tokens, token_ids, splits.count, partial, out);
  });
  return detail::launched();
}

}  // namespace

cudaError_t attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                      int64_t tokens, const TokenSlots& slots, float* out, void* scratch,
                      cudaStream_t stream, const int32_t* token_ids) {
  return launch_attention<false>(dims, q, layer, tokens, token_ids, slots, {}, out, scratch,
                                 stream);
}

cudaError_t rope_attention_decode(const AttentionDims& dims, int64_t rope_dims, bool neox,
                                  const float* cos_sin, const QkvRows& qkv, const KvLayer& layer,
                                  int64_t tokens, const TokenSlots& slots, float* out,
                                  void* scratch, cudaStream_t stream) {
  if (rope_dims < 0 || rope_dims % 2 != 0 || rope_dims > dims.head_dim ||
      (rope_dims > 0 && cos_sin == nullptr) ||
      (tokens > 0 && (!qkv.q || !qkv.k || !qkv.v ||
                      qkv.q_stride < dims.num_heads * dims.head_dim ||
                      qkv.kv_stride < dims.num_kv_heads * dims.head_dim)))
    return cudaErrorInvalidValue;
  return launch_attention<true>(dims, nullptr, layer, tokens, nullptr, slots,
                                {qkv, cos_sin, rope_dims, neox}, out, scratch, stream);
}

}  // namespace ingot::cuda
