// How a step's tokens divide between the two attention kernels: prefill chunks go to the
// tensor-core kernel a tile at a time, single tokens and short runs to flash-decoding. Host code.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/cuda/cuda_kernels.h"

namespace ingot::cuda {

/// The two kernels' shares of one step.
struct AttentionSchedule {
  std::vector<QueryTile> tiles;        ///< for prefill_attention
  std::vector<int32_t> decode_tokens;  ///< for attention, as its token_ids
  int64_t decode_longest = 0;          ///< the most positions a decode token attends over
  /// No tiles, and no two tokens of one sequence: rope_attention_decode may take the step.
  bool one_token_per_sequence = false;
};

/// Splits a step whose token t sits at position positions[t] of the sequence whose row table
/// starts at table[t]: each run of at least kMinPrefillTileQueries tokens of one sequence at
/// consecutive positions becomes tiles of up to kPrefillTileQueries tokens (when
/// `prefill_kernel`); every other token goes to the decode list.
AttentionSchedule schedule_attention(std::span<const int32_t> table,
                                     std::span<const int32_t> positions, bool prefill_kernel);

}  // namespace ingot::cuda
