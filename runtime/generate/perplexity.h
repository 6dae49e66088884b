// Perplexity of a token stream, by llama.cpp's llama-perplexity method.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/generate/engine.h"

namespace ingot::generate {

/// The running result after each chunk.
struct PerplexityChunk {
  int64_t chunk = 0;        ///< 1-based
  double mean_nll = 0;      ///< this chunk's mean negative log-likelihood
  double running_ppl = 0;   ///< exp(mean NLL over every chunk so far)
};

/// The whole result.
struct Perplexity {
  double ppl = 0;
  double ppl_stderr = 0;
  int64_t scored = 0;
  std::vector<PerplexityChunk> chunks;
};

/// llama-perplexity -c n_ctx: the tokens are cut into floor(size / n_ctx) chunks, each decoded
/// from an empty cache (its first token replaced by BOS when add_bos), and the second half of
/// each chunk is scored: the logits at j predict token j + 1 for n_ctx/2 <= j < n_ctx - 1.
/// `on_chunk` sees each chunk's result as it completes.
Result<Perplexity> perplexity(Engine& engine, std::span<const int32_t> tokens, int64_t n_ctx,
                              bool add_bos,
                              const std::function<void(const PerplexityChunk&)>& on_chunk = {});

}  // namespace ingot::generate
