// dequantize_row: validates sizes, then decodes block by block.
#include <cstring>
#include <string>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"

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

bool can_dequantize(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::Q8_K:
      return true;
    default:
      return false;
  }
}

Status dequantize_row(GgmlType type, std::span<const uint8_t> src, std::span<float> dst) {
  const uint32_t raw = static_cast<uint32_t>(type);
  const std::optional<TypeTraits> traits = type_traits(raw);
  if (!traits || !can_dequantize(type)) {
    const std::string name = traits ? std::string(traits->name) : "id " + std::to_string(raw);
    return make_error(StatusCode::kUnimplemented, "dequantize_row: type " + name + " is not supported");
  }
  const std::string where = "dequantize_row(" + std::string(traits->name) + "): ";
  if (src.size() % traits->block_bytes != 0) {
    return make_error(StatusCode::kInvalidArgument,
                      where + std::to_string(src.size()) + " source bytes are not a whole number of " +
                          std::to_string(traits->block_bytes) + "-byte blocks");
  }
  const uint64_t expected = src.size() / traits->block_bytes * traits->block_elems;
  if (dst.size() != expected) {
    return make_error(StatusCode::kInvalidArgument, where + "destination holds " + std::to_string(dst.size()) +
                                                        " floats, the source encodes " + std::to_string(expected));
  }
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
    default:
      return make_error(StatusCode::kInternal, where + "can_dequantize and the dispatch disagree");
  }
  return Status::ok_status();
}

}  // namespace ingot::quant
