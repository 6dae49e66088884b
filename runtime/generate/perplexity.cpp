// perplexity: chunked scoring with log-softmax in double, as llama.cpp's perplexity tool.
#include "runtime/generate/perplexity.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/sampling/sampling.h"

namespace ingot::generate {
namespace {

/// -log softmax(logits)[target], the sum of exps in double.
double negative_log_likelihood(std::span<const float> logits, int32_t target) {
  const float max = logits[static_cast<size_t>(sampling::argmax(logits))];
  double sum = 0.0;
  for (float v : logits) sum += std::exp(static_cast<double>(v - max));
  return -(static_cast<double>(logits[static_cast<size_t>(target)] - max) - std::log(sum));
}

}  // namespace

Result<Perplexity> perplexity(Engine& engine, std::span<const int32_t> tokens, int64_t n_ctx,
                              bool add_bos,
                              const std::function<void(const PerplexityChunk&)>& on_chunk) {
  if (n_ctx < 4)
    return make_error(StatusCode::kInvalidArgument, "perplexity: the context must be at least 4");
  const int64_t chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (chunks == 0)
    return make_error(StatusCode::kInvalidArgument,
                      "perplexity: " + std::to_string(tokens.size()) +
                          " tokens are fewer than one context of " + std::to_string(n_ctx));
  INGOT_RETURN_IF_ERROR(engine.require_tokenizer());
  const auto bos = engine.tokenizer().bos_id();
  if (add_bos && !bos)
    return make_error(StatusCode::kInvalidArgument, "perplexity: the model has no BOS token");
  const int64_t first = n_ctx / 2;
  std::vector<int32_t> rows(static_cast<size_t>(n_ctx - 1 - first));
  std::iota(rows.begin(), rows.end(), static_cast<int32_t>(first));
  const int64_t vocab = engine.executor().vocab_size();

  Perplexity out;
  double nll = 0.0, nll2 = 0.0;
  for (int64_t c = 0; c < chunks; ++c) {
    std::vector<int32_t> chunk(tokens.begin() + c * n_ctx, tokens.begin() + (c + 1) * n_ctx);
    if (add_bos) chunk[0] = *bos;
    Conversation conversation(engine);
    INGOT_ASSIGN_OR_RETURN(std::vector<float> logits, conversation.evaluate(chunk, rows));
    double chunk_nll = 0.0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const int32_t target = tokens[static_cast<size_t>(c * n_ctx + rows[i] + 1)];
      const double v = negative_log_likelihood(
          std::span<const float>(logits).subspan(i * static_cast<size_t>(vocab),
                                                 static_cast<size_t>(vocab)),
          target);
      chunk_nll += v;
      nll2 += v * v;
    }
    nll += chunk_nll;
    out.scored += static_cast<int64_t>(rows.size());
    PerplexityChunk result{c + 1, chunk_nll / static_cast<double>(rows.size()),
                           std::exp(nll / static_cast<double>(out.scored))};
    out.chunks.push_back(result);
    if (on_chunk) on_chunk(result);
  }
  const double n = static_cast<double>(out.scored);
  const double mean = nll / n;
  out.ppl = std::exp(mean);
  const double variance = nll2 / n - mean * mean;
  out.ppl_stderr = variance > 0 && n > 1 ? out.ppl * std::sqrt(variance / (n - 1)) : 0.0;
  return out;
}

}  // namespace ingot::generate
