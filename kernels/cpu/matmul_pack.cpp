// pack_weights: ggml Q4_0/Q4_1/Q8_0 rows into the 16-row panels the integer matmul paths read.
#include <cstring>
#include <string>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"

namespace ingot::cpu {
namespace {

/// The 32 quants of one ggml block as the unsigned values the packed layout stores.
void block_quants(GgmlType type, const uint8_t* block, uint8_t* q) {
  if (type == GgmlType::Q8_0) {
    for (int e = 0; e < 32; ++e) q[e] = static_cast<uint8_t>(block[2 + e] ^ 0x80);  // q + 128
    return;
  }
  const uint8_t* qs = block + (type == GgmlType::Q4_1 ? 4 : 2);
  for (int e = 0; e < 16; ++e) {
    q[e] = qs[e] & 0x0f;
    q[e + 16] = qs[e] >> 4;
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
      uint8_t q[32];
      block_quants(type, src, q);
      uint8_t* qs = dst + layout.header;
      for (int e = 0; e < 32; ++e) {
        const int k = e / 4;
        const uint64_t byte = static_cast<uint64_t>(4 * j + e % 4);
        if (!layout.nibbles)
          qs[64 * k + byte] = q[e];
        else
          qs[64 * (k % 4) + byte] |= static_cast<uint8_t>(k < 4 ? q[e] : q[e] << 4);
      }
    }
  }
  return Status::ok_status();
}

}  // namespace ingot::cpu
