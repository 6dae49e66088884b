// y = x * W^T against quantized or float weight rows, with run-time selected SIMD paths.
#pragma once

#include <cstdint>

#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::cpu {

using quant::GgmlType;

/// How matmul computes. kReference dequantizes each weight row (kernels/quant) and dots it in
/// float. The other paths quantize x to 8-bit blocks of 32 (like llama.cpp's vec_dot for
/// Q4_0/Q4_1/Q8_0), dot in integers, and accumulate in 8 float lanes in a fixed order, so
/// kScalar, kAvx2 and kAvx512Vnni give bit-identical results; for F32/F16/BF16 they use the same
/// 32-lane fused float order without quantizing x. Other weight types fall back to kReference.
enum class MatmulPath { kReference, kScalar, kAvx2, kAvx512Vnni };

/// The path's name, e.g. "avx2".
const char* matmul_path_name(MatmulPath path);

/// True when this CPU can run `path` (kReference and kScalar always can).
bool matmul_path_supported(MatmulPath path);

/// The fastest path this CPU supports; what matmul uses.
MatmulPath best_matmul_path();

/// True when kScalar/kAvx2/kAvx512Vnni have a kernel for `type` (else they use kReference).
bool matmul_has_fast_kernel(GgmlType type);

/// y[t * rows + r] = dot(W[r], x[t * row_length ..]) for t < tokens, r < rows. W is `rows` rows of
/// `row_length` values of weight_type, each row_bytes(weight_type, row_length) bytes, packed and
/// with no alignment needed. Types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, and through kReference
/// every other type kernels/quant dequantizes (Q4_K, Q6_K, ...). Fails with kInvalidArgument
/// when row_length is not a whole number of blocks and kUnimplemented on other types.
Status matmul(GgmlType weight_type, const uint8_t* weight_rows, int64_t rows, int64_t row_length,
              const float* x, int64_t tokens, float* y);

/// As matmul, on a chosen path; fails with kUnimplemented when the CPU does not support it.
Status matmul_with_path(MatmulPath path, GgmlType weight_type, const uint8_t* weight_rows,
                        int64_t rows, int64_t row_length, const float* x, int64_t tokens, float* y);

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

/// Rows [begin, end) of y = x * W^T: y[t * y_stride + r] for begin <= r < end. `w` is the whole
/// weight (row 0 first). Row ranges may run on different threads against one MatmulInput.
Status matmul_rows(const MatmulInput& in, const uint8_t* w, int64_t begin, int64_t end, float* y,
                   int64_t y_stride);

}  // namespace ingot::cpu
