// Rope on the queries (into the attention's query buffer, or in place) and the keys, fused with
// the KV cache page write: one block per token; query pairs are rotated by one thread each, key
// elements written straight to the cache.
#include "kernels/cuda/kv_types.cuh"

namespace ingot::cuda {
namespace {

constexpr int kThreads = 128;

template <KvType K>
__global__ void __launch_bounds__(kThreads)
    rope_kv_kernel(AttentionDims dims, int64_t rope_dims, bool neox,
                   const float* __restrict__ cos_sin, TokenSlots slots, QkvRows qkv,
                   float* q_out, void* __restrict__ keys, void* __restrict__ values,
                   const int32_t* __restrict__ rows) {
  detail::wait_for_inputs();
  using E = detail::KvElement<K>;
  const int64_t t = blockIdx.x;
  const int64_t dim = dims.head_dim, half = rope_dims / 2;
  const float* cs = cos_sin + t * rope_dims;
  // Queries: each rotated pair by one thread (it reads both halves before writing them, so the
  // queries may be rotated in place), then the dimensions past rope_dims as they are.
  const float* qt = qkv.q + t * qkv.q_stride;
  float* out = q_out + t * dims.num_heads * dim;
  for (int64_t i = threadIdx.x; i < dims.num_heads * half; i += kThreads) {
    const int64_t h = i / half, p = i % half;
    const int64_t a = h * dim + (neox ? p : 2 * p), b = h * dim + (neox ? p + half : 2 * p + 1);
    const float c = cs[2 * p], s = cs[2 * p + 1], x0 = qt[a], x1 = qt[b];
    out[a] = x0 * c - x1 * s;
    out[b] = x0 * s + x1 * c;
  }
  const int64_t kept = dim - rope_dims;
  for (int64_t i = threadIdx.x; i < dims.num_heads * kept; i += kThreads) {
    const int64_t at = i / kept * dim + rope_dims + i % kept;
    out[at] = qt[at];
  }
  // Keys and values: element by element into cache row rows[position].
  const int64_t kv_features = dims.num_kv_heads * dim;
  const float* kt = qkv.k + t * qkv.kv_stride;
  const float* vt = qkv.v + t * qkv.kv_stride;
  const int64_t row = rows[slots.table[t] + slots.positions[t]];
  auto* key_row = static_cast<typename E::type*>(keys) + row * kv_features;
  auto* value_row = static_cast<typename E::type*>(values) + row * kv_features;
  for (int64_t i = threadIdx.x; i < kv_features; i += kThreads) {
    key_row[i] = E::store(detail::rope_element(kt + i - i % dim, cs, i % dim, rope_dims, neox));
    value_row[i] = E::store(vt[i]);
  }
}

}  // namespace

cudaError_t rope_kv_write(const AttentionDims& dims, int64_t rope_dims, bool neox,
                          const float* cos_sin, int64_t tokens, const TokenSlots& slots,
                          const QkvRows& qkv, float* q_out, const KvLayer& layer,
                          cudaStream_t stream) {
  if (tokens < 0 || dims.head_dim <= 0 || rope_dims < 0 ||
      rope_dims % 2 != 0 || rope_dims > dims.head_dim || dims.num_kv_heads <= 0 ||
      dims.num_heads % dims.num_kv_heads != 0 || (rope_dims > 0 && cos_sin == nullptr))
    return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  if (slots.table == nullptr || slots.positions == nullptr || !qkv.q || !qkv.k || !qkv.v ||
      !q_out || !layer.keys || !layer.values || !layer.rows ||
      qkv.q_stride < dims.num_heads * dims.head_dim ||
      qkv.kv_stride < dims.num_kv_heads * dims.head_dim)
    return cudaErrorInvalidValue;
  // Rotated in place, the queries' rows must be dense: token t's would land on t - 1's keys.
  if (q_out == qkv.q && qkv.q_stride != dims.num_heads * dims.head_dim)
    return cudaErrorInvalidValue;
  detail::dispatch_kv(layer.type, [&]<KvType K>() {
    detail::launch_kernel(rope_kv_kernel<K>, static_cast<unsigned>(tokens), kThreads, stream, dims,
                          rope_dims, neox, cos_sin, slots, qkv, q_out, layer.keys, layer.values,
                          layer.rows);
  });
  return detail::launched();
}

}  // namespace ingot::cuda
