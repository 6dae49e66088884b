// Causal prefill attention on the tensor cores, flash-attention style. A block takes one query
// tile (up to 64 tokens of one sequence at consecutive positions) for one head; each of its four
// warps owns 16 of the queries. For every 64 cache positions the block stages the keys and values
// (gathered through the sequence's row table, zero past the tile's last position) in shared
// memory; each warp then computes its 16 x 64 scores with WMMA, runs the online softmax over them
// one row at a time, and adds probabilities x values to its output rows, which stay in shared
// memory as floats. Queries and probabilities are rounded to the cache's 16-bit type; every
// product accumulates in float.
#include <mma.h>

#include "kernels/cuda/kv_types.cuh"

namespace ingot::cuda {
namespace {

using detail::kWarp;
namespace wmma = nvcuda::wmma;

constexpr int kTileQueries = static_cast<int>(kPrefillTileQueries);
constexpr int kTilePositions = 64;  // cache positions per staged tile
constexpr int kWarps = 4;
constexpr int kRowsPerWarp = kTileQueries / kWarps;
constexpr int kFragment = 16;  // WMMA's 16 x 16 x 16 shape
static_assert(kRowsPerWarp == kFragment, "a warp owns one fragment row of queries");
static_assert(kTilePositions == kTileQueries, "the queries are staged in the key buffer");
static_assert(kTilePositions == 2 * kWarp, "softmax lanes take two columns each");

/// Shared memory of a block for head_dim D, in bytes from its start. Strides are padded (against
/// bank conflicts) to multiples of 8 16-bit or 4 float elements, as WMMA requires, and every
/// fragment starts 32-byte aligned.
template <int D>
struct Layout {
  static constexpr int kKvStride = D + 8;                  // 16-bit elements
  static constexpr int kScoreStride = kTilePositions + 4;  // floats
  static constexpr int kProbStride = kTilePositions + 8;   // 16-bit elements
  static constexpr int kOutStride = D + 4;                 // floats
  static constexpr size_t kKeys = 0;
  static constexpr size_t kValues = kKeys + 2 * kTilePositions * kKvStride;
  static constexpr size_t kScores = kValues + 2 * kTilePositions * kKvStride;
  static constexpr size_t kProbs = kScores + 4 * kTileQueries * kScoreStride;
  static constexpr size_t kOut = kProbs + 2 * kTileQueries * kProbStride;
  static constexpr size_t kMax = kOut + 4 * kTileQueries * kOutStride;
  static constexpr size_t kSum = kMax + 4 * kTileQueries;
  static constexpr size_t kBytes = kSum + 4 * kTileQueries;
  static_assert(kValues % 32 == 0 && kScores % 32 == 0 && kProbs % 32 == 0 && kOut % 32 == 0);
};

template <KvType K>
using Element = typename detail::KvElement<K>::type;

/// Stages the keys and values of positions [base, base + kTilePositions) as rows of the shared
/// buffers, 16 bytes at a time; positions at or past `end` are zero (their probabilities are zero,
/// and zero values keep the products finite).
template <KvType K, int D>
__device__ void stage_kv(const Element<K>* __restrict__ keys, const Element<K>* __restrict__ values,
                         const int32_t* __restrict__ table, int64_t kv_features, int64_t kv_offset,
                         int64_t base, int64_t end, Element<K>* key_s, Element<K>* value_s) {
  constexpr int kChunks = D / 8;  // 16-byte chunks of a row of one head
  for (int i = static_cast<int>(threadIdx.x); i < kTilePositions * kChunks; i += kWarps * kWarp) {
    const int j = i / kChunks, chunk = i % kChunks;
    uint4 key = {0, 0, 0, 0}, value = {0, 0, 0, 0};
    if (base + j < end) {
      const int64_t at = table[base + j] * kv_features + kv_offset + chunk * 8;
      key = *reinterpret_cast<const uint4*>(keys + at);
      value = *reinterpret_cast<const uint4*>(values + at);
    }
    const int slot = j * Layout<D>::kKvStride + chunk * 8;
    *reinterpret_cast<uint4*>(key_s + slot) = key;
    *reinterpret_cast<uint4*>(value_s + slot) = value;
  }
}

template <KvType K, int D>
__global__ void __launch_bounds__(kWarps* kWarp)
    prefill_attention_kernel(AttentionDims dims, const float* __restrict__ q,
                             const void* __restrict__ keys, const void* __restrict__ values,
                             const int32_t* __restrict__ rows, const QueryTile* __restrict__ tiles,
                             int64_t tile_count, TokenSlots slots, float* __restrict__ out) {
  detail::wait_for_inputs();
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
  using E = Element<K>;
  using L = Layout<D>;
  using detail::KvElement;
  extern __shared__ __align__(128) unsigned char shared[];
  E* key_s = reinterpret_cast<E*>(shared + L::kKeys);
  E* value_s = reinterpret_cast<E*>(shared + L::kValues);
  float* score_s = reinterpret_cast<float*>(shared + L::kScores);
  E* prob_s = reinterpret_cast<E*>(shared + L::kProbs);
  float* out_s = reinterpret_cast<float*>(shared + L::kOut);
  float* max_s = reinterpret_cast<float*>(shared + L::kMax);
  float* sum_s = reinterpret_cast<float*>(shared + L::kSum);

  // The longest tiles (the last ones of a chunk) first, so they do not finish the grid alone.
  const QueryTile tile = tiles[tile_count - 1 - static_cast<int64_t>(blockIdx.x)];
  const int64_t head = blockIdx.y;
  const int warp = static_cast<int>(threadIdx.x) / kWarp;
  const int lane = static_cast<int>(threadIdx.x) % kWarp;
  const int row0 = warp * kRowsPerWarp;
  const int32_t* table = rows + slots.table[tile.first];
  const int64_t first_position = slots.positions[tile.first];
  const int64_t end = first_position + tile.count;  // the tile reads positions [0, end)
  const int64_t q_stride = dims.num_heads * D;
  const int64_t kv_features = dims.num_kv_heads * D;
  const int64_t kv_offset = head / (dims.num_heads / dims.num_kv_heads) * D;

  // The queries, rounded, go through the key buffer into each warp's fragments.
  for (int i = static_cast<int>(threadIdx.x); i < kTileQueries * D; i += kWarps * kWarp) {
    const int r = i / D, d = i % D;
    const float value = r < tile.count ? q[(tile.first + r) * q_stride + head * D + d] : 0.0f;
    key_s[r * L::kKvStride + d] = KvElement<K>::store(value);
  }
  for (int i = static_cast<int>(threadIdx.x); i < kTileQueries * L::kOutStride; i += kWarps * kWarp)
    out_s[i] = 0.0f;
  if (threadIdx.x < kTileQueries) max_s[threadIdx.x] = -INFINITY, sum_s[threadIdx.x] = 0.0f;
  __syncthreads();
  wmma::fragment<wmma::matrix_a, kFragment, kFragment, kFragment, E, wmma::row_major>
      q_frag[D / kFragment];
#pragma unroll
  for (int c = 0; c < D / kFragment; ++c)
    wmma::load_matrix_sync(q_frag[c], key_s + row0 * L::kKvStride + c * kFragment, L::kKvStride);

  for (int64_t base = 0; base < end; base += kTilePositions) {
    __syncthreads();  // every warp is done with the previous tile (and the staged queries)
    stage_kv<K, D>(static_cast<const E*>(keys), static_cast<const E*>(values), table, kv_features,
                   kv_offset, base, end, key_s, value_s);
    __syncthreads();

    // Scores: this warp's 16 queries against the 64 positions.
#pragma unroll
    for (int c = 0; c < kTilePositions / kFragment; ++c) {
      wmma::fragment<wmma::accumulator, kFragment, kFragment, kFragment, float> s;
      wmma::fill_fragment(s, 0.0f);
#pragma unroll
      for (int k = 0; k < D / kFragment; ++k) {
        wmma::fragment<wmma::matrix_b, kFragment, kFragment, kFragment, E, wmma::col_major> kf;
        wmma::load_matrix_sync(kf, key_s + c * kFragment * L::kKvStride + k * kFragment,
                               L::kKvStride);
        wmma::mma_sync(s, q_frag[k], kf, s);
      }
      wmma::store_matrix_sync(score_s + row0 * L::kScoreStride + c * kFragment, s, L::kScoreStride,
                              wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax, row by row; lane l takes columns l and l + 32. A query at position p sees
    // positions up to p; rows past the tile's count see none (position -1).
    for (int r = row0; r < row0 + kRowsPerWarp; ++r) {
      const int64_t position = r < tile.count ? first_position + r : -1;
      float s0 = score_s[r * L::kScoreStride + lane] * dims.scale;
      float s1 = score_s[r * L::kScoreStride + lane + kWarp] * dims.scale;
      if (base + lane > position) s0 = -INFINITY;
      if (base + lane + kWarp > position) s1 = -INFINITY;
      const float old_max = max_s[r];
      const float new_max = fmaxf(old_max, detail::warp_max(fmaxf(s0, s1)));
      float p0 = 0.0f, p1 = 0.0f, correction = 1.0f;
      if (new_max != -INFINITY) {  // else every position so far is masked: nothing to add
        p0 = expf(s0 - new_max);
        p1 = expf(s1 - new_max);
        correction = expf(old_max - new_max);
      }
      const float tile_sum = detail::warp_sum(p0 + p1);
      prob_s[r * L::kProbStride + lane] = KvElement<K>::store(p0);
      prob_s[r * L::kProbStride + lane + kWarp] = KvElement<K>::store(p1);
      for (int d = lane; d < D; d += kWarp) out_s[r * L::kOutStride + d] *= correction;
      __syncwarp();  // every lane has read max_s[r] and sum_s[r]
      if (lane == 0) max_s[r] = new_max, sum_s[r] = sum_s[r] * correction + tile_sum;
    }
    __syncwarp();

    // Output rows += probabilities x values.
    wmma::fragment<wmma::matrix_a, kFragment, kFragment, kFragment, E, wmma::row_major>
        p_frag[kTilePositions / kFragment];
#pragma unroll
    for (int k = 0; k < kTilePositions / kFragment; ++k)
      wmma::load_matrix_sync(p_frag[k], prob_s + row0 * L::kProbStride + k * kFragment,
                             L::kProbStride);
#pragma unroll
    for (int c = 0; c < D / kFragment; ++c) {
      wmma::fragment<wmma::accumulator, kFragment, kFragment, kFragment, float> o;
      float* o_at = out_s + row0 * L::kOutStride + c * kFragment;
      wmma::load_matrix_sync(o, o_at, L::kOutStride, wmma::mem_row_major);
#pragma unroll
      for (int k = 0; k < kTilePositions / kFragment; ++k) {
        wmma::fragment<wmma::matrix_b, kFragment, kFragment, kFragment, E, wmma::row_major> vf;
        wmma::load_matrix_sync(vf, value_s + k * kFragment * L::kKvStride + c * kFragment,
                               L::kKvStride);
        wmma::mma_sync(o, p_frag[k], vf, o);
      }
      wmma::store_matrix_sync(o_at, o, L::kOutStride, wmma::mem_row_major);
    }
    __syncwarp();
  }

  for (int r = row0; r < row0 + kRowsPerWarp && r < tile.count; ++r) {
    const float inv = 1.0f / sum_s[r];  // position 0 is never masked: the sum is positive
    float* o = out + (tile.first + r) * q_stride + head * D;
    for (int d = lane; d < D; d += kWarp) o[d] = out_s[r * L::kOutStride + d] * inv;
  }
#else
  __trap();  // prefill_attention_supports refuses devices below compute capability 8.0
#endif
}

/// Calls f.template operator()<D>() for the head dimensions with a kernel.
template <typename F>
bool dispatch_head_dim(int64_t head_dim, F&& f) {
  switch (head_dim) {
    case 64: f.template operator()<64>(); return true;
    case 96: f.template operator()<96>(); return true;
    case 128: f.template operator()<128>(); return true;
    case 256: f.template operator()<256>(); return true;
    default: return false;
  }
}

/// What the current device allows: its compute capability's major version and the shared memory
/// a block may opt into (zeros when they cannot be read).
struct DeviceLimits {
  int major = 0;
  int shared_optin = 0;
};

DeviceLimits device_limits() {
  int device = 0;
  DeviceLimits limits;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&limits.major, cudaDevAttrComputeCapabilityMajor, device) !=
          cudaSuccess ||
      cudaDeviceGetAttribute(&limits.shared_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin,
                             device) != cudaSuccess) {
    cudaGetLastError();
    return {};
  }
  return limits;
}

}  // namespace

bool prefill_attention_supports(const AttentionDims& dims, KvType type) {
  if (type == KvType::kF32 || dims.num_heads <= 0 || dims.num_kv_heads <= 0 ||
      dims.num_heads % dims.num_kv_heads != 0)
    return false;
  size_t shared = 0;
  if (!dispatch_head_dim(dims.head_dim, [&]<int D>() { shared = Layout<D>::kBytes; })) return false;
  static const DeviceLimits limits = device_limits();
  return limits.major >= 8 && shared <= static_cast<size_t>(limits.shared_optin);
}

cudaError_t prefill_attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                              const QueryTile* tiles, int64_t tile_count, const TokenSlots& slots,
                              float* out, cudaStream_t stream) {
  if (tile_count < 0 || !prefill_attention_supports(dims, layer.type)) return cudaErrorInvalidValue;
  if (tile_count == 0) return cudaSuccess;
  if (tiles == nullptr || slots.table == nullptr || slots.positions == nullptr ||
      layer.rows == nullptr || tile_count > INT32_MAX)
    return cudaErrorInvalidValue;
  cudaError_t status = cudaSuccess;
  dispatch_head_dim(dims.head_dim, [&]<int D>() {
    detail::dispatch_kv(layer.type, [&]<KvType K>() {
      if constexpr (K != KvType::kF32) {
        constexpr auto kernel = prefill_attention_kernel<K, D>;
        constexpr size_t kShared = Layout<D>::kBytes;  // over 48 KiB: opted into once
        static const cudaError_t opted = [] {
          const cudaError_t set = cudaFuncSetAttribute(
              kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(kShared));
          cudaGetLastError();  // returned here: not left for a later launch to report
          return set;
        }();
        status = opted != cudaSuccess
                     ? opted
                     : detail::launch_kernel_shared(kernel,
                                                    dim3(static_cast<unsigned>(tile_count),
                                                         static_cast<unsigned>(dims.num_heads)),
                                                    kWarps * kWarp, kShared, stream, dims, q,
                                                    layer.keys, layer.values, layer.rows, tiles,
                                                    tile_count, slots, out);
      }
    });
  });
  return status == cudaSuccess ? detail::launched() : status;
}

}  // namespace ingot::cuda
