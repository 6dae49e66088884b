#include "kernels/quant/dummy_weights.h"

namespace ingot::quant::dummy {

bool fill_supported(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q8_0:
    case GgmlType::Q4_K:
    case GgmlType::Q6_K: return true;
    default: return false;
  }
}

FillParams fill_params(GgmlType type, uint64_t row_length, bool norm, uint64_t seed,
                       uint64_t stream) {
  FillParams p;
  p.type = type;
  p.block_bytes = type_traits(type).block_bytes;
  p.seed = seed;
  p.stream = stream;
  p.positive = norm;
  // 2^-ceil(log2(row_length) / 2) is about 1/sqrt(row_length): a dot product of a normalized
  // row keeps its scale.
  int log2_ceil = 0;
  while (log2_ceil < 63 && (uint64_t{1} << log2_ceil) < row_length) ++log2_ceil;
  p.exponent = norm ? 0 : -((log2_ceil + 1) / 2);
  return p;
}

}  // namespace ingot::quant::dummy
