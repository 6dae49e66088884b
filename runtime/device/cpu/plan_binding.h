// Internal: the artifact's plan checked kernel by kernel and resolved for the CPU device.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/device/cpu/bound_kernel.h"

namespace ingot::cpu {

/// The plan's kernels with their operands, weights and parameters resolved.
struct BoundPlan {
  std::vector<detail::BoundKernel> kernels;
  uint64_t arena_floats = 0;
  int64_t max_tokens = 0;
  int64_t vocab_size = 0;            ///< rows of the logits weight
  int64_t cache_layers = 0;          ///< 1 + the highest KV cache layer a kernel names
  int64_t cache_row_elements = 0;    ///< kv_heads * head_dim, the same for every layer
  int64_t widest_activation = 0;     ///< most features of any activation but the logits
  int64_t attention_window = 0;      ///< the sliding window of windowed attentions, 0 for none
  /// Points every activation operand into `arena` (arena_floats floats).
  void resolve_arena(float* arena);

  std::vector<std::vector<uint64_t>> input_offsets;   // per kernel: float offsets of activations
  std::vector<std::vector<uint64_t>> output_offsets;
  /// Packed copies of the matmul weights, by their bytes in the artifact (a tied weight is
  /// packed once).
  std::map<const uint8_t*, std::unique_ptr<PackedWeights>> packed;
};

/// Where a fused attention finds its queries, keys and values as the columns of one activation
/// (rows of q_features + 2 * kv_features floats at `offset` in the arena).
struct PackedQkv {
  size_t split = 0;  ///< the split kernel that a device reading them there may skip
  uint64_t offset = 0;
  int64_t width = 0;
};

/// For plan kernel `index`, a fused_attention: its packed queries, keys and values, when its
/// three inputs are the outputs of the split just before it, which no later kernel reads before
/// their arena places are written again, and the attention writes nothing over the split's input
/// (the memory planner keeps a split's input as long as its outputs). nullopt otherwise.
std::optional<PackedQkv> packed_qkv(const BoundPlan& plan, size_t index);

/// Points every fused attention that packed_qkv allows at the columns of its split's input
/// (setting qkv_stride) and marks those splits skipped; before resolve_arena.
void read_qkv_in_place(BoundPlan& plan);

/// Checks that every kernel of the plan is one the CPU device runs, with the operand kinds,
/// shapes, weight encodings and parameters it needs. Errors name the file and the kernel.
Result<BoundPlan> bind_plan(const artifact::Artifact& artifact);

/// Packs every weight a matmul reads (Q4_0, Q4_1, Q8_0: see PackedWeights) and points the
/// kernels' WeightRefs at the packed copies; the artifact's pages of weights that no kernel reads
/// as they are any more (the embedding does) are released.
Status pack_matmul_weights(const artifact::Artifact& artifact, BoundPlan& plan);

}  // namespace ingot::cpu
