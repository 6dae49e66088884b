// SimdPath: names and CPU support.
#include "kernels/cpu/simd_path.h"

namespace ingot::cpu {

const char* simd_path_name(SimdPath path) {
  switch (path) {
    case SimdPath::kScalar: return "scalar";
    case SimdPath::kAvx2: return "avx2";
    case SimdPath::kAvx512: return "avx512";
  }
  return "?";
}

bool simd_path_supported(SimdPath path) {
  switch (path) {
    case SimdPath::kScalar: return true;
    case SimdPath::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SimdPath::kAvx512:
      return simd_path_supported(SimdPath::kAvx2) && __builtin_cpu_supports("avx512f");
  }
  return false;
}

SimdPath best_simd_path() {
  static const SimdPath best = simd_path_supported(SimdPath::kAvx512) ? SimdPath::kAvx512
                               : simd_path_supported(SimdPath::kAvx2) ? SimdPath::kAvx2
                                                                      : SimdPath::kScalar;
  return best;
}

}  // namespace ingot::cpu
