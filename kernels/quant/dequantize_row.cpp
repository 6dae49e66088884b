// dequantize_row: validates sizes, then decodes block by block.
#include <cstring>
#include <string>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/row_checks.h"

namespace ingot::quant {
namespace {

// Decodes every block of `src` with dequantize_block; blocks are copied out of
// the byte buffer first, so `src` needs no particular alignment.
template <typename Block>
void dequantize_blocks(std::span<const uint8_t> src, std::span<float> dst) {
  const size_t blocks = src.size() / sizeof(Block);
  for (size_t i = 0; i < blocks; ++i) {
    Block block;
    std::memcpy(&block, src.data() + i * sizeof(Block), sizeof(Block));
    dequantize_block(block, dst.subspan(i * Block::kElems).template first<Block::kElems>());
  }
}

// Widens 2-byte elements (fp16 or bf16 bits) with `widen`.
template <float (*widen)(uint16_t)>
void widen_elements(std::span<const uint8_t> src, std::span<float> dst) {
  for (size_t i = 0; i < dst.size(); ++i) {
    uint16_t bits = 0;
    std::memcpy(&bits, src.data() + 2 * i, sizeof(bits));
    dst[i] = widen(bits);
  }
}

float widen_fp16(uint16_t bits) { return fp16_to_fp32(bits); }
float widen_bf16(uint16_t bits) { return bf16_to_fp32(bits); }

}  // namespace

bool can_dequantize(GgmlType type) { return has_scalar_reference(type); }

Status dequantize_row(GgmlType type, std::span<const uint8_t> src, std::span<float> dst) {
  const Result<TypeTraits> traits = check_row("dequantize_row", type, dst.size(), src.size());
  if (!traits.ok()) return traits.status();
  switch (type) {
    case GgmlType::F32:
      if (!src.empty()) std::memcpy(dst.data(), src.data(), src.size());
      break;
    case GgmlType::F16: widen_elements<widen_fp16>(src, dst); break;
    case GgmlType::BF16: widen_elements<widen_bf16>(src, dst); break;
    case GgmlType::Q4_0: dequantize_blocks<BlockQ4_0>(src, dst); break;
    case GgmlType::Q4_1: dequantize_blocks<BlockQ4_1>(src, dst); break;
    case GgmlType::Q5_0: dequantize_blocks<BlockQ5_0>(src, dst); break;
    case GgmlType::Q5_1: dequantize_blocks<BlockQ5_1>(src, dst); break;
    case GgmlType::Q8_0: dequantize_blocks<BlockQ8_0>(src, dst); break;
    case GgmlType::Q2_K: dequantize_blocks<BlockQ2_K>(src, dst); break;
    case GgmlType::Q3_K: dequantize_blocks<BlockQ3_K>(src, dst); break;
    case GgmlType::Q4_K: dequantize_blocks<BlockQ4_K>(src, dst); break;
    case GgmlType::Q5_K: dequantize_blocks<BlockQ5_K>(src, dst); break;
    case GgmlType::Q6_K: dequantize_blocks<BlockQ6_K>(src, dst); break;
    case GgmlType::Q8_K: dequantize_blocks<BlockQ8_K>(src, dst); break;
    case GgmlType::IQ4_NL: dequantize_blocks<BlockIQ4_NL>(src, dst); break;
    case GgmlType::IQ4_XS: dequantize_blocks<BlockIQ4_XS>(src, dst); break;
    default:
      return make_error(StatusCode::kInternal, "dequantize_row: can_dequantize and the dispatch disagree");
  }
  return Status::ok_status();
}

}  // namespace ingot::quant
