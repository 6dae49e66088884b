// The vector widths the attention and activation kernels come in, and which of them this CPU runs.
#pragma once

namespace ingot::cpu {

/// How attend and swiglu compute: kScalar plain loops with libm's expf; kAvx2 8 floats and
/// kAvx512 16 at a time, with a polynomial exponential within 1.3 ulp of expf. Attention on the
/// vector paths takes the heads of a KV group over a chunk with the output rows in registers
/// (head_dim 32, 64 or 128; other sizes run per-head AVX2 loops). The paths agree within float
/// rounding, not bit for bit.
enum class SimdPath { kScalar, kAvx2, kAvx512 };

/// The path's name, e.g. "avx512".
const char* simd_path_name(SimdPath path);
/// True when this CPU can run `path`.
bool simd_path_supported(SimdPath path);
/// The fastest path this CPU supports; what attend and swiglu use.
SimdPath best_simd_path();

}  // namespace ingot::cpu
