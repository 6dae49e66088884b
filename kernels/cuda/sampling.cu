// Sampling on the device: a block-wide argmax per logits row for greedy rows; for the others a
// segmented radix sort of the rows (descending logit, ascending id: the CPU sampler's order),
// then one block per row runs sampling::sample_with_uniform's top_k, top_p, min_p, temperature
// and draw over the sorted candidates, with its sums in double.
#include <algorithm>

#include <cub/cub.cuh>

#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

constexpr int kThreads = 256;

/// (value, index) that wins: larger value, then lower index.
__device__ __forceinline__ bool beats(float v, int32_t i, float best, int32_t best_i) {
  return v > best || (v == best && i < best_i);
}

__global__ void __launch_bounds__(kThreads)
    argmax_kernel(const float* __restrict__ logits, int64_t vocab, int32_t* __restrict__ out) {
  const float* row = logits + static_cast<int64_t>(blockIdx.x) * vocab;
  float best = -INFINITY;
  int32_t best_i = INT32_MAX;
  for (int64_t i = threadIdx.x; i < vocab; i += kThreads) {
    if (beats(row[i], static_cast<int32_t>(i), best, best_i))
      best = row[i], best_i = static_cast<int32_t>(i);
  }
  for (int offset = detail::kWarp / 2; offset > 0; offset /= 2) {
    const float v = __shfl_xor_sync(0xffffffffu, best, offset);
    const int32_t i = __shfl_xor_sync(0xffffffffu, best_i, offset);
    if (beats(v, i, best, best_i)) best = v, best_i = i;
  }
  __shared__ float values[kThreads / detail::kWarp];
  __shared__ int32_t indices[kThreads / detail::kWarp];
  if (threadIdx.x % detail::kWarp == 0) {
    values[threadIdx.x / detail::kWarp] = best;
    indices[threadIdx.x / detail::kWarp] = best_i;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kThreads / detail::kWarp; ++w)
      if (beats(values[w], indices[w], best, best_i)) best = values[w], best_i = indices[w];
    out[blockIdx.x] = best_i == INT32_MAX ? 0 : best_i;  // all NaN: token 0
  }
}

constexpr int kRowThreads = 1024;
using RowScan = cub::BlockScan<double, kRowThreads>;
using RowReduce = cub::BlockReduce<double, kRowThreads>;

/// The block's sum of each thread's `value`, returned to every thread.
__device__ double block_sum(double value, RowReduce::TempStorage& storage, double* shared) {
  const double sum = RowReduce(storage).Sum(value);
  if (threadIdx.x == 0) *shared = sum;
  __syncthreads();
  const double result = *shared;
  __syncthreads();
  return result;
}

/// The first i in [0, n) whose inclusive prefix sum of term(i) reaches `target` (>= when
/// `inclusive_reach`, else >), or n when none does.
template <typename Term>
__device__ int64_t first_reaching(int64_t n, double target, bool inclusive_reach, Term term,
                                  RowScan::TempStorage& storage, double* carry, int64_t* found) {
  if (threadIdx.x == 0) *carry = 0.0, *found = n;
  __syncthreads();
  for (int64_t base = 0; base < n; base += kRowThreads) {
    const int64_t i = base + threadIdx.x;
    const double value = i < n ? term(i) : 0.0;
    double prefix = 0.0, chunk = 0.0;
    RowScan(storage).InclusiveSum(value, prefix, chunk);
    const double before = *carry;
    const double reached = before + prefix;
    const bool hit = i < n && (inclusive_reach ? reached >= target : reached > target);
    __syncthreads();
    if (hit) atomicMin(reinterpret_cast<unsigned long long*>(found),
                       static_cast<unsigned long long>(i));
    if (threadIdx.x == 0) *carry = before + chunk;
    __syncthreads();
    if (*found < n) break;
  }
  const int64_t result = *found;
  __syncthreads();
  return result;
}

/// One row: the CPU sampler's steps 2-6 over the row sorted by (logit desc, id asc).
__global__ void __launch_bounds__(kRowThreads)
    sample_row_kernel(const float* __restrict__ logits, const float* __restrict__ sorted,
                      const int32_t* __restrict__ sorted_ids, int64_t vocab,
                      const RowSampling* __restrict__ all_params, int32_t* __restrict__ out) {
  __shared__ RowScan::TempStorage scan_storage;
  __shared__ RowReduce::TempStorage reduce_storage;
  __shared__ double shared_sum, carry;
  __shared__ int64_t found;
  const RowSampling p = all_params[blockIdx.x];
  const int64_t row = blockIdx.x;
  const float* raw = logits + row * vocab;
  const float* keys = sorted + row * vocab;
  const int32_t* ids = sorted_ids + row * vocab;
  if (p.temperature == 0.0f || p.top_k == 1) {  // greedy: the stable sort put the lowest id first
    if (threadIdx.x == 0) out[row] = ids[0];
    return;
  }
  const float top = keys[0];
  const bool trims_k = p.top_k > 0 && p.top_k < vocab;
  const bool filtered = trims_k || p.top_p < 1.0f || p.min_p > 0.0f;
  // Without a filter the draw walks the vocabulary in id order, as the CPU sampler does.
  const float* order = filtered ? keys : raw;
  int64_t keep = trims_k ? p.top_k : vocab;
  if (filtered && p.top_p < 1.0f) {
    double total = 0.0;
    for (int64_t i = threadIdx.x; i < keep; i += kRowThreads)
      total += exp(static_cast<double>(keys[i]) - top);
    total = block_sum(total, reduce_storage, &shared_sum);
    const int64_t last = first_reaching(
        keep, static_cast<double>(p.top_p), true,
        [&](int64_t i) { return exp(static_cast<double>(keys[i]) - top) / total; }, scan_storage,
        &carry, &found);
    if (last < keep) keep = last + 1;
  }
  if (filtered && p.min_p > 0.0f) {
    const double floor = static_cast<double>(top) + log(static_cast<double>(p.min_p));
    // Sorted descending: the kept logits >= floor form a prefix (of at least one).
    const int64_t below = first_reaching(
        keep - 1, 0.5, true,
        [&](int64_t i) { return static_cast<double>(keys[i + 1]) >= floor ? 0.0 : 1.0; },
        scan_storage, &carry, &found);
    keep = below + 1;
  }
  const auto scaled = [&](int64_t i) {  // temperature relative to the max, in float
    return exp(static_cast<double>((order[i] - top) / p.temperature));
  };
  double sum = 0.0;
  for (int64_t i = threadIdx.x; i < keep; i += kRowThreads) sum += scaled(i);
  sum = block_sum(sum, reduce_storage, &shared_sum);
  const int64_t pick = first_reaching(
      keep, p.uniform, false, [&](int64_t i) { return scaled(i) / sum; }, scan_storage, &carry,
      &found);
  if (threadIdx.x == 0) {
    const int64_t at = pick < keep ? pick : keep - 1;  // rounding past the last bucket
    out[row] = filtered ? ids[at] : static_cast<int32_t>(at);
  }
}

__global__ void iota_rows_kernel(int64_t rows, int64_t vocab, int32_t* __restrict__ ids,
                                 int32_t* __restrict__ offsets) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < rows * vocab) ids[i] = static_cast<int32_t>(i % vocab);
  if (i <= rows) offsets[i] = static_cast<int32_t>(i * vocab);
}

/// The scratch layout of sample: ids in, sorted ids, sorted keys, segment offsets, params,
/// then CUB's temporary storage.
struct SampleScratch {
  int32_t* ids;
  int32_t* sorted_ids;
  float* sorted;
  int32_t* offsets;
  RowSampling* params;
  void* cub;
  size_t cub_bytes;
};

uint64_t align256(uint64_t bytes) { return (bytes + 255) / 256 * 256; }

size_t cub_sort_bytes(int64_t rows, int64_t vocab) {
  size_t bytes = 0;
  cub::DeviceSegmentedRadixSort::SortPairsDescending(
      nullptr, bytes, static_cast<const float*>(nullptr), static_cast<float*>(nullptr),
      static_cast<const int32_t*>(nullptr), static_cast<int32_t*>(nullptr),
      static_cast<int>(rows * vocab), static_cast<int>(rows), static_cast<const int32_t*>(nullptr),
      static_cast<const int32_t*>(nullptr));
  return bytes;
}

SampleScratch layout(void* scratch, int64_t rows, int64_t vocab) {
  auto* at = static_cast<uint8_t*>(scratch);
  const uint64_t items = static_cast<uint64_t>(rows * vocab);
  SampleScratch s{};
  s.ids = reinterpret_cast<int32_t*>(at);
  at += align256(items * 4);
  s.sorted_ids = reinterpret_cast<int32_t*>(at);
  at += align256(items * 4);
  s.sorted = reinterpret_cast<float*>(at);
  at += align256(items * 4);
  s.offsets = reinterpret_cast<int32_t*>(at);
  at += align256(static_cast<uint64_t>(rows + 1) * 4);
  s.params = reinterpret_cast<RowSampling*>(at);
  at += align256(static_cast<uint64_t>(rows) * sizeof(RowSampling));
  s.cub = at;
  s.cub_bytes = cub_sort_bytes(rows, vocab);
  return s;
}

}  // namespace

uint64_t sample_scratch_bytes(int64_t rows, int64_t vocab) {
  if (rows <= 0 || vocab <= 0 || rows > INT32_MAX / vocab) return 0;
  const uint64_t items = static_cast<uint64_t>(rows * vocab);
  return 3 * align256(items * 4) + align256(static_cast<uint64_t>(rows + 1) * 4) +
         align256(static_cast<uint64_t>(rows) * sizeof(RowSampling)) + cub_sort_bytes(rows, vocab);
}

cudaError_t sample(const float* logits, int64_t rows, int64_t vocab,
                   std::span<const RowSampling> params, int32_t* out, void* scratch,
                   uint64_t scratch_bytes, cudaStream_t stream) {
  if (rows < 0 || vocab <= 0 || static_cast<size_t>(rows) != params.size() ||
      rows > INT32_MAX / vocab)
    return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  bool greedy = true;
  for (const RowSampling& p : params) {
    if (!(p.temperature >= 0.0f) || p.top_k == 0 || p.top_k < -1 || !(p.top_p > 0.0f) ||
        p.top_p > 1.0f || !(p.min_p >= 0.0f) || p.min_p > 1.0f || !(p.uniform >= 0.0) ||
        !(p.uniform < 1.0))
      return cudaErrorInvalidValue;
    greedy = greedy && (p.temperature == 0.0f || p.top_k == 1);
  }
  if (greedy) return argmax(logits, rows, vocab, out, stream);
  if (scratch == nullptr || scratch_bytes < sample_scratch_bytes(rows, vocab))
    return cudaErrorInvalidValue;
  const SampleScratch s = layout(scratch, rows, vocab);
  cudaError_t status = cudaMemcpyAsync(s.params, params.data(), params.size_bytes(),
                                       cudaMemcpyHostToDevice, stream);
  if (status != cudaSuccess) return status;
  const int64_t items = rows * vocab;
  const int64_t threads = std::max(items, rows + 1);  // every id, and every segment offset
  iota_rows_kernel<<<static_cast<unsigned>((threads + 255) / 256), 256, 0, stream>>>(
      rows, vocab, s.ids, s.offsets);
  size_t cub_bytes = s.cub_bytes;
  status = cub::DeviceSegmentedRadixSort::SortPairsDescending(
      s.cub, cub_bytes, logits, s.sorted, s.ids, s.sorted_ids, static_cast<int>(items),
      static_cast<int>(rows), s.offsets, s.offsets + 1, 0, 32, stream);
  if (status != cudaSuccess) return status;
  sample_row_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, stream>>>(
      logits, s.sorted, s.sorted_ids, vocab, s.params, out);
  return detail::launched();
}

cudaError_t argmax(const float* logits, int64_t rows, int64_t vocab, int32_t* out,
                   cudaStream_t stream) {
  if (rows < 0 || vocab <= 0 || vocab > INT32_MAX) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  argmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(logits, vocab, out);
  return detail::launched();
}

}  // namespace ingot::cuda
