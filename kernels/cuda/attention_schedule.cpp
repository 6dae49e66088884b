// The split of a step's attention between the prefill and the decode kernels.
#include "kernels/cuda/attention_schedule.h"

#include <algorithm>
#include <cassert>

namespace ingot::cuda {

AttentionSchedule schedule_attention(std::span<const int32_t> table,
                                     std::span<const int32_t> positions, bool prefill_kernel) {
  assert(table.size() == positions.size());
  AttentionSchedule schedule;
  const size_t tokens = table.size();
  for (size_t begin = 0; begin < tokens;) {
    size_t end = begin + 1;  // the run of one sequence's consecutive positions from `begin`
    while (end < tokens && table[end] == table[begin] && positions[end] == positions[end - 1] + 1)
      ++end;
    if (prefill_kernel && end - begin >= static_cast<size_t>(kMinPrefillTileQueries)) {
      for (size_t first = begin; first < end; first += kPrefillTileQueries)
        schedule.tiles.push_back(
            {static_cast<int32_t>(first),
             static_cast<int32_t>(std::min<size_t>(kPrefillTileQueries, end - first))});
    } else {
      for (size_t t = begin; t < end; ++t) {
        schedule.decode_tokens.push_back(static_cast<int32_t>(t));
        schedule.decode_longest = std::max<int64_t>(schedule.decode_longest, positions[t] + 1);
      }
    }
    begin = end;
  }
  std::vector<int32_t> tables(table.begin(), table.end());
  std::sort(tables.begin(), tables.end());
  schedule.one_token_per_sequence =
      schedule.tiles.empty() && std::adjacent_find(tables.begin(), tables.end()) == tables.end();
  return schedule;
}

}  // namespace ingot::cuda
