// pack_weights: ggml Q4_0/Q4_1/Q8_0/Q4_K/Q6_K rows into the 16-row panels the integer matmul
// paths read (layout in matmul.h and matmul_kernels.h).
#include <cstring>
#include <string>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/kquant_scales.h"

namespace ingot::cpu {
namespace {

using detail::PackedLayout;

/// Moves 32 quants to row j of a panel block's quants. `src` is 16 bytes holding elements e and
/// e + 16 in the low and high nibbles of byte e (the ggml Q4_0 order) for nibble layouts, else 32
/// bytes; `flip` adds 128 to each byte. Group g is bytes 4g..4g+3 of `src`: in the nibble case
/// those hold groups g and g + 4, the very byte the packed layout keeps at 64g + 4j + e % 4.
void put_quants(bool nibbles, const uint8_t* src, int64_t j, bool flip, uint8_t* qs) {
  const int groups = nibbles ? 4 : 8;
  for (int g = 0; g < groups; ++g) {
    uint32_t word;
    std::memcpy(&word, src + 4 * g, 4);
    if (flip) word ^= 0x80808080u;  // q + 128, byte by byte
    std::memcpy(qs + 64 * g + 4 * j, &word, 4);
  }
}

void put_f32(uint8_t* dst, float v) { std::memcpy(dst, &v, 4); }

/// Packs the ggml block(s) holding block b of a row into row j of panel block(s) at `dst`
/// (consecutive panel blocks for a K super-block: 8 of them).
void pack_row_block(GgmlType type, const PackedLayout& layout, const uint8_t* src, int64_t j,
                    uint8_t* dst) {
  uint8_t* qs = dst + layout.header;
  switch (type) {
    case GgmlType::Q4_0:
    case GgmlType::Q8_0:
      std::memcpy(dst + detail::packed_scale_at(layout, j), src, 2);
      return put_quants(layout.nibbles, src + 2, j, type == GgmlType::Q8_0, qs);
    case GgmlType::Q4_1:
      std::memcpy(dst + detail::packed_scale_at(layout, j), src, 2);
      std::memcpy(dst + detail::packed_second_at(layout, j), src + 2, 2);
      return put_quants(true, src + 4, j, false, qs);
    case GgmlType::Q4_K: {
      quant::BlockQ4_K block;
      std::memcpy(&block, src, sizeof(block));
      const float d = quant::fp16_to_fp32(block.d), dmin = quant::fp16_to_fp32(block.dmin);
      for (size_t g = 0; g < 8; ++g) {
        uint8_t* out = dst + g * layout.block_bytes;
        uint8_t sc = 0, m = 0;
        quant::detail::unpack_scale_min_k4(g, block.scales, sc, m);
        // x = d*sc * q - dmin*m, exactly as dequantize_block computes the two products.
        put_f32(out + detail::packed_scale_at(layout, j), d * static_cast<float>(sc));
        put_f32(out + detail::packed_second_at(layout, j), -(dmin * static_cast<float>(m)));
        uint8_t bytes[16];  // group g is the low (even g) or high nibbles of 32 source bytes
        const uint8_t* src_qs = block.qs + 32 * (g / 2);
        for (int e = 0; e < 16; ++e) {
          const int lo = g % 2 == 0 ? src_qs[e] & 0x0f : src_qs[e] >> 4;
          const int hi = g % 2 == 0 ? src_qs[e + 16] & 0x0f : src_qs[e + 16] >> 4;
          bytes[e] = static_cast<uint8_t>(lo | hi << 4);
        }
        put_quants(true, bytes, j, false, out + layout.header);
      }
      return;
    }
    default: {  // Q6_K
      quant::BlockQ6_K block;
      std::memcpy(&block, src, sizeof(block));
      const float d = quant::fp16_to_fp32(block.d);
      for (size_t g = 0; g < 8; ++g) {
        uint8_t* out = dst + g * layout.block_bytes;
        put_f32(out + detail::packed_scale_at(layout, j),
                d * static_cast<float>(block.scales[2 * g]));
        put_f32(out + detail::packed_second_at(layout, j),
                d * static_cast<float>(block.scales[2 * g + 1]));
        uint8_t bytes[32];  // as dequantize_block: 4 low bits in ql, 2 high bits in qh
        const size_t half = g / 4, quarter = g % 4;
        for (size_t l = 0; l < 32; ++l) {
          const uint8_t low_byte = block.ql[64 * half + 32 * (quarter % 2) + l];
          const int low = quarter < 2 ? low_byte & 0x0f : low_byte >> 4;
          const int high = (block.qh[32 * half + l] >> (2 * quarter)) & 3;
          bytes[l] = static_cast<uint8_t>(low | high << 4);
        }
        put_quants(false, bytes, j, false, out + layout.header);
      }
      return;
    }
  }
}

}  // namespace

bool matmul_packs(GgmlType type) {
  return type == GgmlType::Q4_0 || type == GgmlType::Q4_1 || type == GgmlType::Q8_0 ||
         type == GgmlType::Q4_K || type == GgmlType::Q6_K;
}

Status pack_weights(GgmlType type, const uint8_t* weight_rows, int64_t rows, int64_t row_length,
                    PackedWeights& out,
                    const std::function<void(int64_t begin, int64_t end)>& rows_read) {
  if (!matmul_packs(type))
    return make_error(StatusCode::kUnimplemented, "pack_weights: type is not packed");
  const auto& traits = quant::type_traits(type);
  if (rows < 0 || row_length <= 0 || row_length % traits.block_elems != 0)
    return make_error(StatusCode::kInvalidArgument, "pack_weights: row length " +
                                                        std::to_string(row_length) +
                                                        " is not a whole number of blocks");
  const PackedLayout layout = detail::packed_layout(type);
  out.type = type;
  out.rows = rows;
  out.row_length = row_length;
  out.block_bytes = layout.block_bytes;
  const int64_t blocks = row_length / 32;              // panel blocks per row
  const int64_t per_source = traits.block_elems / 32;  // panel blocks per ggml block
  out.data.assign(static_cast<size_t>(out.panels() * blocks) * layout.block_bytes, 0);
  constexpr int64_t kRowsPerRun = 64 * kPanelRows;  // rows_read's granularity
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row =
        weight_rows + static_cast<uint64_t>(r * (blocks / per_source)) * traits.block_bytes;
    uint8_t* panel =
        out.data.data() + static_cast<uint64_t>((r / kPanelRows) * blocks) * layout.block_bytes;
    for (int64_t b = 0; b < blocks; b += per_source)
      pack_row_block(type, layout, row + static_cast<uint64_t>(b / per_source) * traits.block_bytes,
                     r % kPanelRows, panel + static_cast<uint64_t>(b) * layout.block_bytes);
    if (rows_read && ((r + 1) % kRowsPerRun == 0 || r + 1 == rows))
      rows_read(r / kRowsPerRun * kRowsPerRun, r + 1);
  }
  return Status::ok_status();
}

}  // namespace ingot::cpu
