// The CUDA kernels of the GPU device: a plain C++ API over device pointers and a stream. Every
// function checks its arguments, launches, and returns the launch's error (cudaSuccess, or the
// first failure); none synchronizes. Numerics follow kernels/cpu: ggml block formats, rope angles
// from cpu::rope_angles, the softmax's max subtracted first.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <span>
#include <string>

#include "kernels/quant/dummy_weights.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/sampling/sampling.h"

namespace ingot::cuda {

using quant::GgmlType;

/// Whether the kernels (gemv, rms_norm, rope_kv_write and the attention kernels, swiglu, add,
/// embedding) are launched as programmatic dependent launches (MAX's pdl_level >= 1): each may be
/// scheduled while the previous kernel finishes, waiting on the device for its results. Off by
/// default; only devices of compute capability 9.0 and up take it.
void set_programmatic_launch(bool on);
bool programmatic_launch();

/// Whether the kernels GPU 0 runs were built from sm_90 code or later, where each one's first
/// statement waits for the kernel before it: only then is a programmatic launch safe. A newer
/// GPU that JIT-compiles the portable sm_80 PTX runs them without that wait.
bool programmatic_launch_compiled();

/// GPU 0's device-to-device copy bandwidth in bytes/s, read plus written (best of 10 copies of
/// 1 GiB): the decode roofline's bandwidth. 0 on failure, with `why`.
double copy_bandwidth(std::string* why = nullptr);

/// True when a CUDA device can run kernels here (a driver and at least one GPU). `why` gets the
/// reason when not, e.g. "CUDA driver version is insufficient for CUDA runtime version".
bool device_available(std::string* why = nullptr);

/// True for the weight types gemv and gemm read: F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q4_K, Q6_K.
bool supports_weight_type(GgmlType type);

/// Decode products: y[t * y_stride + r] = dot(W[r], x[t * n ..]) for r < rows and t < tokens
/// (tokens at most kMaxGemvTokens). W is `rows` ggml rows of n values of `type`, in device
/// memory. One warp per row reads each weight block once for all the tokens.
inline constexpr int64_t kMaxGemvTokens = 8;
cudaError_t gemv(GgmlType type, const void* w, int64_t rows, int64_t n, const float* x,
                 int64_t tokens, float* y, int64_t y_stride, cudaStream_t stream);

/// cuBLAS, loaded with dlopen (libcublas.so.13) when first asked for, with one handle.
struct Blas;
/// Loads cuBLAS and creates a handle with its own 32 MiB workspace (so that cuBLAS allocates
/// nothing in a step captured as a graph); nullptr with the reason in `why` when it cannot.
Blas* blas_create(std::string* why = nullptr);
/// Destroys the handle and unloads cuBLAS (nullptr is ignored).
void blas_destroy(Blas* blas);

/// The most tokens for which products over weights of `type` should run as gemv, kMaxGemvTokens
/// tokens a launch, rather than gemm: while reading the weight once per launch costs fewer bytes
/// than gemm's, which widens weights other than BF16 to bfloat16 first (reading them, then
/// writing and reading 2 bytes a value). kMaxGemvTokens for BF16; 64 tokens for Q4_0.
int64_t gemv_token_limit(GgmlType type);

/// Bytes of device scratch gemm needs for these sizes.
uint64_t gemm_scratch_bytes(int64_t rows, int64_t n, int64_t tokens);

/// Prefill products on the tensor cores, as gemv but for any number of tokens: W is widened to
/// bfloat16 in `scratch` (BF16 weights are used in place), x rounded to bfloat16, and cuBLAS
/// multiplies with float accumulation.
cudaError_t gemm(Blas& blas, GgmlType type, const void* w, int64_t rows, int64_t n, const float* x,
                 int64_t tokens, float* y, int64_t y_stride, void* scratch, cudaStream_t stream);

/// out = rms_norm(x (+ residual)) * weight per row of n floats, for `tokens` rows; when
/// `residual` is given, the sum x + residual is also written to `sum` (the residual stream).
cudaError_t rms_norm(const float* x, const float* residual, const float* weight, float eps,
                     int64_t tokens, int64_t n, float* sum, float* out, cudaStream_t stream);

/// Element type of the GPU KV cache.
enum class KvType { kF32, kF16, kBF16 };

/// The paged KV cache of one layer: a row is kv_heads * head_dim elements of `type`; `rows` holds
/// the row tables (cache row of each position) of a step's sequences, one after another.
struct KvLayer {
  void* keys = nullptr;
  void* values = nullptr;
  KvType type = KvType::kF16;
  const int32_t* rows = nullptr;  ///< device: the step's sequences' row tables, concatenated
};

/// Where each token of a step sits (device arrays, one entry per token): at position
/// positions[t] of a sequence whose row table starts at KvLayer::rows + table[t]. It writes its
/// keys and values to that sequence's row of positions[t] and attends over positions
/// [0, positions[t]]. Tokens of several sequences mix freely in one step.
struct TokenSlots {
  const int32_t* table = nullptr;
  const int32_t* positions = nullptr;
  int64_t longest = 0;  ///< the most positions any token attends over (max positions[t] + 1)
};

/// The shape of an attention: num_heads query heads read num_kv_heads key/value heads.
struct AttentionDims {
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;  ///< a multiple of 32, at most 256
  float scale = 1.0f;
};

/// A step's unrotated queries, keys and values, token by token: token t's query heads at
/// q + t * q_stride, its key and value heads at k + t * kv_stride and v + t * kv_stride (three
/// activations, or the columns of one q|k|v projection output).
struct QkvRows {
  const float* q = nullptr;
  const float* k = nullptr;
  const float* v = nullptr;
  int64_t q_stride = 0;
  int64_t kv_stride = 0;
};

/// For each of `tokens` tokens: writes its query heads rotated by cos_sin to q_out (dense rows of
/// num_heads * head_dim; it may be qkv.q when that is dense too) and stores its key heads,
/// rotated, and its values as the cache row of its slot. cos_sin holds `tokens` rows of
/// rope_dims floats (cos, sin per pair, from cpu::rope_angles at the token's position); neox
/// pairs i and i + rope_dims/2, else 2i and 2i+1; dimensions past rope_dims pass unrotated, and
/// rope_dims 0 rotates nothing.
cudaError_t rope_kv_write(const AttentionDims& dims, int64_t rope_dims, bool neox,
                          const float* cos_sin, int64_t tokens, const TokenSlots& slots,
                          const QkvRows& qkv, float* q_out, const KvLayer& layer,
                          cudaStream_t stream);

/// Bytes of device scratch attention needs (the split partial results) for `tokens` tokens that
/// attend over at most `count` positions.
uint64_t attention_scratch_bytes(const AttentionDims& dims, int64_t tokens, int64_t count);

/// Causal attention of `tokens` queries, each over positions [0, its position] of its own
/// sequence (slots): out = softmax(scale * q.K^T) V per head, with an online softmax. Long
/// contexts are split across blocks (flash-decoding) and combined. With `token_ids`, a device
/// array of `tokens` step token indices, only those tokens attend (q, slots and out stay indexed
/// by step token) and slots.longest need only cover them.
cudaError_t attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                      int64_t tokens, const TokenSlots& slots, float* out, void* scratch,
                      cudaStream_t stream, const int32_t* token_ids = nullptr);

/// rope_kv_write then attention, as one kernel, for decode steps in which no two tokens belong to
/// one sequence (AttentionSchedule::one_token_per_sequence): each (token, head) rotates its query
/// and its KV head's key itself and attends over its cached positions and then its own, fresh;
/// the first head of each KV group stores the key and value as the cache row. The cache and `out`
/// end up as those two kernels leave them (within float rounding).
cudaError_t rope_attention_decode(const AttentionDims& dims, int64_t rope_dims, bool neox,
                                  const float* cos_sin, const QkvRows& qkv, const KvLayer& layer,
                                  int64_t tokens, const TokenSlots& slots, float* out,
                                  void* scratch, cudaStream_t stream);

/// Up to kPrefillTileQueries tokens of one sequence at consecutive positions, from step token
/// `first` on: what one block of prefill_attention takes.
struct QueryTile {
  int32_t first = 0;
  int32_t count = 0;
};
inline constexpr int64_t kPrefillTileQueries = 64;
/// Runs shorter than this go to the flash-decoding kernel, whose warps take one query each.
inline constexpr int64_t kMinPrefillTileQueries = 16;

/// True when prefill_attention has a kernel for this shape and cache type: head_dim 64, 96, 128
/// or 256, a float16 or bfloat16 cache (float32 caches keep the exact flash-decoding path), and a
/// device of compute capability 8.0 or more whose blocks may take the kernel's shared memory
/// (94 KiB at head_dim 128, 158 KiB at 256).
bool prefill_attention_supports(const AttentionDims& dims, KvType type);

/// Causal attention on the tensor cores (flash-attention) for the queries of `tile_count` tiles
/// (a device array): each query over positions [0, its position] of its sequence, as
/// `attention` computes it, except that the queries and the softmax probabilities are rounded to
/// the cache's 16-bit type for the products (accumulated in float).
cudaError_t prefill_attention(const AttentionDims& dims, const float* q, const KvLayer& layer,
                              const QueryTile* tiles, int64_t tile_count, const TokenSlots& slots,
                              float* out, cudaStream_t stream);

/// out[i] = silu(gate[i]) * up[i] for i < count.
cudaError_t swiglu(const float* gate, const float* up, int64_t count, float* out,
                   cudaStream_t stream);

/// out[i] = a[i] + b[i] for i < count.
cudaError_t add(const float* a, const float* b, int64_t count, float* out, cudaStream_t stream);

/// out[t] = row ids[t] of an embedding table of `type` (n values per row), as floats.
cudaError_t embedding(GgmlType type, const void* table, int64_t n, const int32_t* ids,
                      int64_t tokens, float* out, cudaStream_t stream);

/// Writes `blocks` blocks of a dummy weight (quant::dummy::fill_block's bytes) to `out`.
cudaError_t fill_dummy(const quant::dummy::FillParams& params, uint64_t blocks, void* out,
                       cudaStream_t stream);

/// A row's sampling settings and uniform (runtime/sampling's, whose sample_row this matches).
using sampling::RowSampling;

/// Bytes of device scratch `sample` needs for `rows` rows of `vocab` logits; 0 past INT32_MAX
/// logits in all, which `sample` refuses (CUB's segmented sort counts items in int).
uint64_t sample_scratch_bytes(int64_t rows, int64_t vocab);

/// For each of `rows` rows of `vocab` logits, the id sampling::sample_with_uniform picks with
/// that row's parameters (host memory, one per row): greedy rows by argmax; the others from the
/// rows sorted on the device by descending logit and ascending id, through top_k, top_p, min_p,
/// temperature and the draw (over the ids in order when no filter is set), sums in double.
cudaError_t sample(const float* logits, int64_t rows, int64_t vocab,
                   std::span<const RowSampling> params, int32_t* out, void* scratch,
                   uint64_t scratch_bytes, cudaStream_t stream);

/// For each of `rows` rows of `vocab` logits: the largest one's index (lowest on ties) in out.
cudaError_t argmax(const float* logits, int64_t rows, int64_t vocab, int32_t* out,
                   cudaStream_t stream);

}  // namespace ingot::cuda
