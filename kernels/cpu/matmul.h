// y = x * W^T against quantized or float weight rows, with run-time selected SIMD paths.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::cpu {

using quant::GgmlType;

/// How matmul computes. kReference dequantizes each weight row (kernels/quant) and dots it in
/// float. The other paths quantize x to 8-bit blocks of 32 (like llama.cpp's vec_dot for
/// Q4_0/Q4_1/Q8_0, and for Q4_K/Q6_K too), read the weights repacked into panels of 16 rows
/// (PackedWeights), dot each block in exact integers and accumulate the blocks in order with one
/// fma each, so kScalar, kAvx2, kAvx512Vnni and kAmx give bit-identical results; for
/// F32/F16/BF16 they use one 32-lane fused float order without quantizing x. Other weight types
/// fall back to kReference. kAmx takes each block's integer dots of 16 tokens by 16 rows from the
/// AMX tile unit, for steps of at least kAmxMinTokens tokens; smaller ones run kAvx512Vnni.
enum class MatmulPath { kReference, kScalar, kAvx2, kAvx512Vnni, kAmx };

/// The fewest tokens for which kAmx uses the tile unit rather than kAvx512Vnni's kernel.
inline constexpr int64_t kAmxMinTokens = 10;

/// The path's name, e.g. "avx2".
const char* matmul_path_name(MatmulPath path);

/// The path named `name` (as matmul_path_name gives it), or false when none is.
bool matmul_path_from_name(const std::string& name, MatmulPath& path);

/// True when this CPU can run `path` (kReference and kScalar always can).
bool matmul_path_supported(MatmulPath path);

/// The fastest path this CPU supports; what matmul uses.
MatmulPath best_matmul_path();

/// True when the paths other than kReference have a kernel for `type` (else they use kReference).
bool matmul_has_fast_kernel(GgmlType type);

/// y[t * rows + r] = dot(W[r], x[t * row_length ..]) for t < tokens, r < rows. W is `rows` rows of
/// `row_length` values of weight_type, each row_bytes(weight_type, row_length) bytes, packed and
/// with no alignment needed. Types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K, and through
/// kReference every other type kernels/quant dequantizes (Q5_K, ...). Fails with kInvalidArgument
/// when row_length is not a whole number of blocks and kUnimplemented on other types.
Status matmul(GgmlType weight_type, const uint8_t* weight_rows, int64_t rows, int64_t row_length,
              const float* x, int64_t tokens, float* y);

/// As matmul, on a chosen path; fails with kUnimplemented when the CPU does not support it.
Status matmul_with_path(MatmulPath path, GgmlType weight_type, const uint8_t* weight_rows,
                        int64_t rows, int64_t row_length, const float* x, int64_t tokens, float* y);

/// Rows of a panel: the integer paths compute 16 rows of y per pass over a token's blocks.
inline constexpr int64_t kPanelRows = 16;

/// Q4_0/Q4_1/Q8_0/Q4_K/Q6_K weights repacked for the integer paths. Panel p holds rows
/// 16p..16p+15 (rows past the end are zero), block of 32 after block of 32. A panel block is the
/// 16 rows' scales (fp16; float for the K types, whose scale is d * sub-block scale), then the
/// minimums (Q4_1; Q4_K's negated -dmin * m) or the second half-block's scales (Q6_K), then the
/// quants as unsigned bytes in 32-bit groups: group k of row j holds elements 4k..4k+3 of the
/// block, at byte 64k + 4j for Q8_0 (stored as q + 128) and Q6_K. Q4 blocks store two groups
/// per byte, k in the low nibbles of the 64 bytes at 64(k % 4) and k + 4 in the high ones. So
/// one vector load gives one group of 16 rows, and a broadcast of 4 activation quants dots it
/// with vpdpbusd. (detail::packed_layout has the byte counts.)
struct PackedWeights {
  GgmlType type = GgmlType::Q4_0;
  int64_t rows = 0;
  int64_t row_length = 0;
  uint64_t block_bytes = 0;  ///< bytes of one panel block
  std::vector<uint8_t> data;

  int64_t blocks() const { return row_length / 32; }
  int64_t panels() const { return (rows + kPanelRows - 1) / kPanelRows; }
  const uint8_t* panel(int64_t p) const {
    return data.data() + static_cast<uint64_t>(p * blocks()) * block_bytes;
  }
};

/// True for the types the integer paths read packed (Q4_0, Q4_1, Q8_0, Q4_K, Q6_K).
bool matmul_packs(GgmlType type);

/// Repacks `rows` ggml rows of a matmul_packs type into `out`. `rows_read`, when given, is told
/// each run of source rows [begin, end) once it has been packed, so that a caller can release
/// their pages while the rest packs.
Status pack_weights(GgmlType type, const uint8_t* weight_rows, int64_t rows, int64_t row_length,
                    PackedWeights& out,
                    const std::function<void(int64_t begin, int64_t end)>& rows_read = {});

/// x made ready once for matmul_rows over any row ranges of weights of one type: quantized to
/// 8-bit blocks for the integer paths, borrowed (not copied) for the float and reference paths.
struct MatmulInput {
  MatmulPath path = MatmulPath::kReference;  ///< the path that runs (kReference for slow types)
  GgmlType type = GgmlType::F32;
  int64_t row_length = 0;
  uint64_t row_bytes = 0;
  int64_t tokens = 0;
  const float* x = nullptr;  ///< tokens rows of row_length floats; must outlive matmul_rows
  Q8Activations q8;
};

/// Validates the shape and type as matmul does and prepares x for `path` into `out`, reusing its
/// storage.
Status prepare_matmul(MatmulPath path, GgmlType type, int64_t row_length, const float* x,
                      int64_t tokens, MatmulInput& out);

/// As prepare_matmul, but leaves quantizing x to quantize_matmul_input, so threads can share it.
Status prepare_matmul_deferred(MatmulPath path, GgmlType type, int64_t row_length, const float* x,
                               int64_t tokens, MatmulInput& out);

/// Quantizes tokens [begin, end) of an input from prepare_matmul_deferred (nothing to do unless
/// matmul_reads_packed). Disjoint ranges may run on different threads.
void quantize_matmul_input(MatmulInput& in, int64_t begin, int64_t end);

/// A weight matrix as matmul_rows reads it: the ggml rows, and their packing for the integer paths.
struct MatmulWeights {
  const uint8_t* rows = nullptr;          ///< the whole weight, row 0 first
  const PackedWeights* packed = nullptr;  ///< required when the input's path is an integer one
};

/// True when prepare_matmul set `in` up for the integer kernels, which read packed weights.
bool matmul_reads_packed(const MatmulInput& in);

/// Rows [begin, end) of y = x * W^T: y[t * y_stride + r] for begin <= r < end. On the integer
/// paths `begin`, and `end` unless it is the last row, must be multiples of kPanelRows. Row ranges
/// may run on different threads against one MatmulInput.
Status matmul_rows(const MatmulInput& in, const MatmulWeights& w, int64_t begin, int64_t end,
                   float* y, int64_t y_stride);

}  // namespace ingot::cpu
