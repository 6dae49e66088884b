// quantize_row: validates sizes, then encodes block by block.
#include <cstring>
#include <string>

#include "kernels/quant/float_convert.h"
#include "kernels/quant/row_checks.h"
#include "kernels/quant/quantize.h"

namespace ingot::quant {
namespace {

// Encodes every block of `src` with `quantize`; each block is built in place
// and copied out, so `dst` needs no particular alignment.
template <typename Block>
void quantize_blocks(std::span<const float> src, std::span<uint8_t> dst,
                     Block (*quantize)(std::span<const float, Block::kElems>)) {
  const size_t blocks = src.size() / Block::kElems;
  for (size_t i = 0; i < blocks; ++i) {
    const Block block = quantize(src.subspan(i * Block::kElems).template first<Block::kElems>());
    std::memcpy(dst.data() + i * sizeof(Block), &block, sizeof(Block));
  }
}

// Narrows each float to 2 bytes with `narrow`.
template <uint16_t (*narrow)(float)>
void narrow_elements(std::span<const float> src, std::span<uint8_t> dst) {
  for (size_t i = 0; i < src.size(); ++i) {
    const uint16_t bits = narrow(src[i]);
    std::memcpy(dst.data() + 2 * i, &bits, sizeof(bits));
  }
}

uint16_t narrow_fp16(float value) { return fp32_to_fp16(value); }
uint16_t narrow_bf16(float value) { return fp32_to_bf16(value); }

// Re-encodes every block of `src` with `transcode`, which makes kOut blocks of one.
template <typename In, typename Out, size_t kOut>
void transcode_blocks(std::span<const uint8_t> src, std::span<uint8_t> dst,
                      void (*transcode)(const In&, std::span<Out, kOut>)) {
  const size_t blocks = src.size() / sizeof(In);
  for (size_t i = 0; i < blocks; ++i) {
    In in;
    std::memcpy(&in, src.data() + i * sizeof(In), sizeof(In));
    Out out[kOut];
    transcode(in, std::span<Out, kOut>(out));
    std::memcpy(dst.data() + i * sizeof(out), out, sizeof(out));
  }
}

}  // namespace

bool can_transcode(GgmlType from, GgmlType to) {
  return to == GgmlType::Q8_0 && (from == GgmlType::IQ4_NL || from == GgmlType::IQ4_XS);
}

Status transcode_row(GgmlType from, std::span<const uint8_t> src, GgmlType to,
                     std::span<uint8_t> dst) {
  if (!can_transcode(from, to)) {
    return make_error(StatusCode::kUnimplemented, "transcode_row: no exact path from " +
                                                      std::string(type_traits(from).name) + " to " +
                                                      std::string(type_traits(to).name));
  }
  const TypeTraits in = type_traits(from), out = type_traits(to);
  if (src.size() % in.block_bytes != 0 ||
      src.size() / in.block_bytes * in.block_elems / out.block_elems * out.block_bytes !=
          dst.size()) {
    return make_error(StatusCode::kInvalidArgument,
                      "transcode_row(" + std::string(in.name) + " to " + std::string(out.name) +
                          "): " + std::to_string(src.size()) + " bytes do not make " +
                          std::to_string(dst.size()));
  }
  if (from == GgmlType::IQ4_NL)
    transcode_blocks<BlockIQ4_NL, BlockQ8_0, 1>(src, dst, &iq4_nl_as_q8_0);
  else
    transcode_blocks<BlockIQ4_XS, BlockQ8_0, kQK_K / kQK>(src, dst, &iq4_xs_as_q8_0);
  return Status::ok_status();
}

bool can_quantize(GgmlType type) { return has_scalar_reference(type); }

Status quantize_row(GgmlType type, std::span<const float> src, std::span<uint8_t> dst) {
  const Result<TypeTraits> traits = check_row("quantize_row", type, src.size(), dst.size());
  if (!traits.ok()) return traits.status();
  switch (type) {
    case GgmlType::F32:
      if (!src.empty()) std::memcpy(dst.data(), src.data(), dst.size());
      break;
    case GgmlType::F16: narrow_elements<narrow_fp16>(src, dst); break;
    case GgmlType::BF16: narrow_elements<narrow_bf16>(src, dst); break;
    case GgmlType::Q4_0: quantize_blocks<BlockQ4_0>(src, dst, &quantize_q4_0); break;
    case GgmlType::Q4_1: quantize_blocks<BlockQ4_1>(src, dst, &quantize_q4_1); break;
    case GgmlType::Q5_0: quantize_blocks<BlockQ5_0>(src, dst, &quantize_q5_0); break;
    case GgmlType::Q5_1: quantize_blocks<BlockQ5_1>(src, dst, &quantize_q5_1); break;
    case GgmlType::Q8_0: quantize_blocks<BlockQ8_0>(src, dst, &quantize_q8_0); break;
    case GgmlType::Q2_K: quantize_blocks<BlockQ2_K>(src, dst, &quantize_q2_K); break;
    case GgmlType::Q3_K: quantize_blocks<BlockQ3_K>(src, dst, &quantize_q3_K); break;
    case GgmlType::Q4_K: quantize_blocks<BlockQ4_K>(src, dst, &quantize_q4_K); break;
    case GgmlType::Q5_K: quantize_blocks<BlockQ5_K>(src, dst, &quantize_q5_K); break;
    case GgmlType::Q6_K: quantize_blocks<BlockQ6_K>(src, dst, &quantize_q6_K); break;
    case GgmlType::Q8_K: quantize_blocks<BlockQ8_K>(src, dst, &quantize_q8_K); break;
    case GgmlType::IQ4_NL: quantize_blocks<BlockIQ4_NL>(src, dst, &quantize_iq4_nl); break;
    case GgmlType::IQ4_XS: quantize_blocks<BlockIQ4_XS>(src, dst, &quantize_iq4_xs); break;
    default:
      return make_error(StatusCode::kInternal, "quantize_row: can_quantize and the dispatch disagree");
  }
  return Status::ok_status();
}

}  // namespace ingot::quant
