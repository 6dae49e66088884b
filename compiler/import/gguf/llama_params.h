// LlamaParams: the hyper-parameters and tensor table of a llama-family GGUF, validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/import/gguf/gguf_file.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::gguf {

/// How positions are rescaled before RoPE, as `{arch}.rope.scaling.type` names it.
enum class RopeScalingType { kNone, kLinear, kYarn, kLongRope };

/// llama.cpp's spelling of a scaling type: "none", "linear", "yarn", "longrope".
std::string_view rope_scaling_type_name(RopeScalingType type);

/// `{arch}.rope.scaling.*`: the values the file states; absent optional keys stay nullopt.
struct RopeScaling {
  RopeScalingType type = RopeScalingType::kNone;
  double factor = 1.0;  ///< `.factor` (context multiplier), 1 when absent.
  std::optional<uint64_t> original_context_length;  ///< `.original_context_length`.
  std::optional<double> attn_factor;                ///< `.attn_factor`.
  std::optional<double> yarn_ext_factor;            ///< `.yarn_ext_factor`.
  std::optional<double> yarn_attn_factor;           ///< `.yarn_attn_factor`.
  std::optional<double> yarn_beta_fast;             ///< `.yarn_beta_fast`.
  std::optional<double> yarn_beta_slow;             ///< `.yarn_beta_slow`.
  std::optional<double> yarn_log_multiplier;        ///< `.yarn_log_multiplier`.
  bool finetuned = false;                           ///< `.finetuned`.
};

/// One tensor of the model: its GGUF name, element type and ggml-order shape.
struct LlamaTensor {
  std::string name;
  quant::GgmlType type = quant::GgmlType::F32;
  std::vector<uint64_t> dims;  ///< dims[0] is the input (contiguous) dimension.
};

/// The nine tensors of one transformer block.
struct LlamaLayerTensors {
  LlamaTensor attn_norm;    ///< [embedding]
  LlamaTensor attn_q;       ///< [embedding, head_count * head_dim]
  LlamaTensor attn_k;       ///< [embedding, head_count_kv * head_dim]
  LlamaTensor attn_v;       ///< [embedding, head_count_kv * head_dim]
  LlamaTensor attn_output;  ///< [head_count * head_dim, embedding]
  LlamaTensor ffn_norm;     ///< [embedding]
  LlamaTensor ffn_gate;     ///< [embedding, feed_forward]
  LlamaTensor ffn_up;       ///< [embedding, feed_forward]
  LlamaTensor ffn_down;     ///< [feed_forward, embedding]
  /// QK-norm (Qwen 3): one head-wide RMS norm weight each for queries and keys, applied to
  /// every head before rope; absent for llama.
  std::optional<LlamaTensor> attn_q_norm;  ///< [head_dim]
  std::optional<LlamaTensor> attn_k_norm;  ///< [head_dim]
  /// Gemma 3: RMS norms of the attention output and the FFN output, before each residual add.
  std::optional<LlamaTensor> post_attention_norm;  ///< [embedding]
  std::optional<LlamaTensor> post_ffw_norm;        ///< [embedding]
};

/// Gemma 3's departures from llama, as llama.cpp reads a `gemma3` GGUF.
struct Gemma3Params {
  uint64_t sliding_window = 0;  ///< `attention.sliding_window`: positions a local layer sees
  /// Every `sliding_window_pattern`-th layer attends globally, the others locally
  /// (`attention.sliding_window_pattern`, else llama.cpp's 6).
  uint64_t sliding_window_pattern = 6;
  double local_rope_freq_base = 10000.0;  ///< the local layers' rope base (llama.cpp's constant)
  double attention_scale = 0;             ///< applied to q.k: 1/sqrt(head_dim), 27B aside
  float embedding_scale = 0;              ///< sqrt(embedding_length), applied to the embeddings

  /// True when layer `layer` attends within the sliding window.
  bool is_local(uint64_t layer) const {
    return layer % sliding_window_pattern < sliding_window_pattern - 1;
  }
};

/// Hyper-parameters and tensors of a llama-family model, checked against each other.
struct LlamaParams {
  std::string architecture;  ///< `general.architecture`, e.g. "llama".
  uint64_t block_count = 0;
  uint64_t context_length = 0;
  uint64_t embedding_length = 0;
  uint64_t feed_forward_length = 0;
  uint64_t head_count = 0;
  uint64_t head_count_kv = 0;         ///< head_count when the key is absent.
  uint64_t head_dim = 0;              ///< `attention.key_length`, else embedding / head_count.
  uint64_t rope_dimension_count = 0;  ///< `rope.dimension_count`, else head_dim (equal for llama).
  double rope_freq_base = 10000.0;    ///< `rope.freq_base`, 10000 when absent.
  RopeScaling rope_scaling;
  double rms_norm_eps = 0;       ///< `attention.layer_norm_rms_epsilon`.
  uint64_t vocab_size = 0;       ///< `vocab_size`, else token_embd's dims[1].
  bool tied_embeddings = false;  ///< True when there is no output.weight: reuse token_embd.
  /// Qwen 3: each head of the queries and keys is RMS-normed before rope, and head_count *
  /// head_dim need not equal embedding_length.
  bool qk_norm = false;
  /// Gemma 3 (QK-norm too, GELU-gated FFN, post-norms, local and global layers); nullopt else.
  std::optional<Gemma3Params> gemma3;

  LlamaTensor token_embd;                 ///< [embedding, vocab]
  LlamaTensor output_norm;                ///< [embedding]
  std::optional<LlamaTensor> output;      ///< [embedding, vocab]; absent when tied.
  /// Llama 3's per-pair rope divisors (rope_freqs.weight, rope_dim / 2 values), or empty.
  std::vector<float> rope_freq_factors;
  std::vector<LlamaLayerTensors> layers;  ///< block_count entries.
};

/// True when `architecture` is a llama-family name read with `{arch}.*` llama keys: llama,
/// mistral, qwen3 (llama plus QK-norm) and gemma3.
bool is_llama_family(std::string_view architecture);

/// Reads and validates the `{arch}.*` hyper-parameters and the tensor table;
/// each error is one line naming the file and the key or tensor.
Result<LlamaParams> read_llama_params(const GgufFile& file);

/// Checks every llama tensor's presence and shape against `params` and fills
/// its tensor fields (read_llama_params calls it; exposed for other readers).
Status read_llama_tensors(const GgufFile& file, LlamaParams& params);

}  // namespace ingot::gguf
