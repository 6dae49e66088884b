// pack_weights: ggml Q4_0/Q4_1/Q8_0 rows into the 16-row panels the integer matmul paths read.
#include <cstring>
#include <string>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"

namespace ingot::cpu {
namespace {

/// Moves one ggml block's quants to row j of a panel block's quants. A ggml Q4 byte e holds
/// elements e and e + 16, which are groups e / 4 and e / 4 + 4: the very byte the packed layout
/// keeps at 64 * (e / 4) + 4j + e % 4. So Q4 groups move as they are, and Q8_0 groups gain 128.
void pack_block_quants(GgmlType type, const uint8_t* src_qs, int64_t j, uint8_t* qs) {
  const int groups = type == GgmlType::Q8_0 ? 8 : 4;
  for (int g = 0; g < groups; ++g) {
    uint32_t word;
    std::memcpy(&word, src_qs + 4 * g, 4);
    if (type == GgmlType::Q8_0) word ^= 0x80808080u;  // q + 128, byte by byte
    std::memcpy(qs + 64 * g + 4 * j, &word, 4);
  }
}

}  // namespace

bool matmul_packs(GgmlType type) {
  return type == GgmlType::Q4_0 || type == GgmlType::Q4_1 || type == GgmlType::Q8_0;
}

Status pack_weights(GgmlType type, const uint8_t* weight_rows, int64_t rows, int64_t row_length,
                    PackedWeights& out) {
  if (!matmul_packs(type))
    return make_error(StatusCode::kUnimplemented, "pack_weights: type is not packed");
  if (rows < 0 || row_length <= 0 || row_length % 32 != 0)
    return make_error(StatusCode::kInvalidArgument,
                      "pack_weights: row length " + std::to_string(row_length) +
                          " is not a whole number of blocks");
  const detail::PackedLayout layout = detail::packed_layout(type);
  const uint64_t src_block = quant::type_traits(type).block_bytes;
  out.type = type;
  out.rows = rows;
  out.row_length = row_length;
  out.block_bytes = layout.block_bytes;
  const int64_t blocks = row_length / 32;
  out.data.assign(static_cast<size_t>(out.panels() * blocks) * layout.block_bytes, 0);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t j = r % kPanelRows;
    for (int64_t b = 0; b < blocks; ++b) {
      const uint8_t* src = weight_rows + static_cast<uint64_t>(r * blocks + b) * src_block;
      uint8_t* dst = out.data.data() +
                     static_cast<uint64_t>((r / kPanelRows) * blocks + b) * layout.block_bytes;
      std::memcpy(dst + 2 * j, src, 2);                               // fp16 scale
      if (layout.has_min) std::memcpy(dst + 32 + 2 * j, src + 2, 2);  // fp16 minimum
      const uint8_t* src_qs = src + (type == GgmlType::Q4_1 ? 4 : 2);
      pack_block_quants(type, src_qs, j, dst + layout.header);
    }
  }
  return Status::ok_status();
}

}  // namespace ingot::cpu
