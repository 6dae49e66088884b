// PipelineModel: one executor step per ModelInputs, its logits split into ModelOutputs.
#include "runtime/pipeline/pipeline_model.h"

#include <algorithm>
#include <cmath>

#include "runtime/sampling/sampling.h"

namespace ingot::pipeline {

ModelInputs PipelineModel::prepare_next_token_inputs(std::span<const int32_t> next_tokens,
                                                     const ModelInputs& previous) const {
  ModelInputs next;
  size_t i = 0;
  for (const ChunkInput& chunk : previous.chunks) {
    if (!chunk.next_token || i >= next_tokens.size()) continue;
    next.chunks.push_back({chunk.sequence, next_tokens.subspan(i++, 1), true, {}});
  }
  return next;
}

Result<ModelOutputs> PipelineModel::execute(const ModelInputs& inputs) {
  // Each chunk's output rows: its echo positions, then its last token when it samples.
  std::vector<std::vector<int32_t>> rows(inputs.chunks.size());
  std::vector<device::SequenceChunk> chunks;
  size_t total = 0;
  for (size_t i = 0; i < inputs.chunks.size(); ++i) {
    const ChunkInput& c = inputs.chunks[i];
    rows[i] = c.echo_rows;
    if (c.next_token) rows[i].push_back(static_cast<int32_t>(c.tokens.size() - 1));
    chunks.push_back({c.tokens, c.sequence, rows[i]});
    total += rows[i].size();
  }
  const size_t vocab = static_cast<size_t>(executor_.vocab_size());
  // Without echo rows the executor's rows are exactly next_token_logits: it writes them there.
  ModelOutputs out;
  const bool echo = std::any_of(inputs.chunks.begin(), inputs.chunks.end(),
                                [](const ChunkInput& c) { return !c.echo_rows.empty(); });
  std::vector<float>& written = echo ? rows_ : out.next_token_logits;
  written.resize(total * vocab);
  if (executor_.batches_sequences()) {
    INGOT_RETURN_IF_ERROR(executor_.step_batch({chunks, written.data()}));
  } else {
    size_t row = 0;
    for (const device::SequenceChunk& chunk : chunks) {
      INGOT_RETURN_IF_ERROR(executor_.step_batch(
          {std::span<const device::SequenceChunk>(&chunk, 1), written.data() + row * vocab}));
      row += chunk.output_rows.size();
    }
  }
  if (!echo) return out;
  size_t row = 0;
  for (size_t i = 0; i < inputs.chunks.size(); ++i) {
    const auto copy = [&](std::vector<float>& to) {
      to.insert(to.end(), rows_.begin() + static_cast<ptrdiff_t>(row * vocab),
                rows_.begin() + static_cast<ptrdiff_t>((row + 1) * vocab));
      ++row;
    };
    for (size_t e = 0; e < inputs.chunks[i].echo_rows.size(); ++e) copy(out.logits);
    if (inputs.chunks[i].next_token) copy(out.next_token_logits);
  }
  return out;
}

Result<std::vector<int32_t>> PipelineModel::execute_and_sample(
    const ModelInputs& inputs, std::span<const sampling::RowSampling> sampling) {
  const int32_t last = 0;
  std::vector<int32_t> ends;  // each sampling chunk's last position
  std::vector<device::SequenceChunk> chunks;
  ends.reserve(inputs.chunks.size());
  for (const ChunkInput& c : inputs.chunks) {
    if (!c.echo_rows.empty())
      return make_error(StatusCode::kInvalidArgument, "execute_and_sample: a chunk has echo rows");
    ends.push_back(static_cast<int32_t>(c.tokens.size() - 1));
    chunks.push_back({c.tokens, c.sequence,
                      c.next_token ? std::span<const int32_t>(&ends.back(), 1)
                                   : std::span<const int32_t>(&last, 0)});
  }
  std::vector<int32_t> ids(sampling.size());
  if (executor_.batches_sequences()) {
    INGOT_RETURN_IF_ERROR(executor_.step_and_sample({chunks, nullptr}, sampling, ids));
    return ids;
  }
  size_t row = 0;
  for (const device::SequenceChunk& chunk : chunks) {
    const size_t n = chunk.output_rows.size();
    INGOT_RETURN_IF_ERROR(executor_.step_and_sample(
        {std::span<const device::SequenceChunk>(&chunk, 1), nullptr}, sampling.subspan(row, n),
        std::span<int32_t>(ids).subspan(row, n)));
    row += n;
  }
  return ids;
}

std::vector<std::optional<LogProbabilities>> PipelineModel::compute_log_probabilities(
    std::span<const float> logits, std::span<const int32_t> tokens, int32_t top_n) const {
  const size_t vocab = static_cast<size_t>(executor_.vocab_size());
  std::vector<std::optional<LogProbabilities>> out(tokens.size());
  if (top_n <= 0) return out;
  std::vector<int32_t> order(vocab);
  for (size_t t = 0; t < tokens.size(); ++t) {
    const std::span<const float> row = logits.subspan(t * vocab, vocab);
    const float top = row[static_cast<size_t>(sampling::argmax(row))];
    double sum = 0.0;
    for (float v : row) sum += std::exp(double(v) - top);
    const double lse = double(top) + std::log(sum);
    LogProbabilities lp;
    lp.token_logprob = static_cast<float>(double(row[static_cast<size_t>(tokens[t])]) - lse);
    for (size_t i = 0; i < vocab; ++i) order[i] = static_cast<int32_t>(i);
    const size_t n = std::min<size_t>(static_cast<size_t>(top_n), vocab);
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), order.end(),
                      [&](int32_t a, int32_t b) {
                        const float va = row[static_cast<size_t>(a)],
                                    vb = row[static_cast<size_t>(b)];
                        return va > vb || (va == vb && a < b);
                      });
    for (size_t i = 0; i < n; ++i)
      lp.top.emplace_back(order[i],
                          static_cast<float>(double(row[static_cast<size_t>(order[i])]) - lse));
    out[t] = std::move(lp);
  }
  return out;
}

}  // namespace ingot::pipeline
