// Sampler: llama.cpp's common sampler chain over one row of logits (order in sampling.h).
#include "runtime/sampling/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

namespace ingot::sampling {
namespace {

Status invalid(const std::string& message) {
  return make_error(StatusCode::kInvalidArgument, "SamplingParams: " + message);
}

// A candidate token: id and (penalised) logit.
struct Candidate {
  int32_t id;
  float logit;
};

// Descending logit, then ascending id, so ties resolve to the lowest id.
bool before(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// Softmax of the candidates, whose largest logit is 0, in double.
std::vector<double> softmax(const std::vector<Candidate>& c) {
  std::vector<double> p(c.size());
  double sum = 0.0;
  for (size_t i = 0; i < c.size(); ++i) sum += p[i] = std::exp(double(c[i].logit));
  for (double& x : p) x /= sum;
  return p;
}

// Sum of exp(logit - top) over the candidates, the softmax's normalizer.
double exp_sum(const std::vector<Candidate>& c, float top) {
  double sum = 0.0;
  for (const Candidate& x : c) sum += std::exp(double(x.logit) - top);
  return sum;
}

// Sorts (by `before`) the prefix of the candidates that top_p and min_p could keep and drops the
// rest, without sorting the whole vocabulary: min_p keeps only logits >= top + log(min_p), and
// top_p only the shortest sorted prefix whose mass (over `total`) reaches top_p, found by sorting
// ever longer prefixes. What is left begins exactly as a full sort would.
void sort_filterable_prefix(std::vector<Candidate>& c, float top, double total, float top_p,
                            float min_p) {
  auto limit = c.end();
  if (min_p > 0.0f) {
    const double floor = double(top) + std::log(double(min_p));
    limit = std::partition(c.begin(), c.end(),
                           [&](const Candidate& x) { return double(x.logit) >= floor; });
  }
  const size_t available = size_t(limit - c.begin());
  size_t sorted = available;
  if (top_p < 1.0f) {
    sorted = std::min<size_t>(available, 64);
    for (;;) {
      std::partial_sort(c.begin(), c.begin() + ptrdiff_t(sorted), limit, before);
      double mass = 0.0;
      for (size_t i = 0; i < sorted; ++i) mass += std::exp(double(c[i].logit) - top) / total;
      if (mass >= top_p || sorted == available) break;
      sorted = std::min(available, sorted * 4);
    }
  } else {
    std::sort(c.begin(), limit, before);
  }
  c.resize(sorted);
}

// A uniform double in [0, 1) from the top 53 bits, identical across standard libraries.
double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

}  // namespace

Status SamplingParams::validate() const {
  if (!std::isfinite(temperature) || temperature < 0.0f)
    return invalid("temperature must be finite and >= 0, got " + std::to_string(temperature));
  if (top_k == 0 || top_k < -1)
    return invalid("top_k must be -1 or > 0, got " + std::to_string(top_k));
  if (!(top_p > 0.0f && top_p <= 1.0f))
    return invalid("top_p must be in (0, 1], got " + std::to_string(top_p));
  if (!(min_p >= 0.0f && min_p <= 1.0f))
    return invalid("min_p must be in [0, 1], got " + std::to_string(min_p));
  if (!std::isfinite(frequency_penalty)) return invalid("frequency_penalty must be finite");
  if (!std::isfinite(presence_penalty)) return invalid("presence_penalty must be finite");
  if (!std::isfinite(repetition_penalty) || repetition_penalty <= 0.0f)
    return invalid("repetition_penalty must be > 0, got " + std::to_string(repetition_penalty));
  if (max_new_tokens && *max_new_tokens < 0)
    return invalid("max_new_tokens must be >= 0, got " + std::to_string(*max_new_tokens));
  if (min_new_tokens < 0)
    return invalid("min_new_tokens must be >= 0, got " + std::to_string(min_new_tokens));
  if (max_new_tokens && min_new_tokens > *max_new_tokens)
    return invalid("min_new_tokens (" + std::to_string(min_new_tokens) +
                   ") must be <= max_new_tokens (" + std::to_string(*max_new_tokens) + ")");
  for (int32_t id : stop_token_ids)
    if (id < 0) return invalid("stop_token_ids must be >= 0, got " + std::to_string(id));
  for (const std::string& s : stop)
    if (s.empty()) return invalid("stop strings must not be empty");
  return Status::ok_status();
}

void apply_penalties(std::span<float> logits, std::span<const int32_t> previous_tokens,
                     const SamplingParams& params) {
  if (params.repetition_penalty == 1.0f && params.frequency_penalty == 0.0f &&
      params.presence_penalty == 0.0f)
    return;
  std::unordered_map<int32_t, int32_t> counts;
  for (int32_t id : previous_tokens)
    if (id >= 0 && size_t(id) < logits.size()) ++counts[id];
  for (const auto& [id, count] : counts) {
    float& logit = logits[size_t(id)];
    if (logit <= 0.0f) {
      logit *= params.repetition_penalty;
    } else {
      logit /= params.repetition_penalty;
    }
    logit -= float(count) * params.frequency_penalty + params.presence_penalty;
  }
}

Sampler::Sampler(const SamplingParams& params)
    : params_(params), rng_(params.seed ? *params.seed : std::random_device{}()) {}

Result<Sampler> Sampler::create(const SamplingParams& params) {
  INGOT_RETURN_IF_ERROR(params.validate());
  return Sampler(params);
}

int32_t Sampler::sample(std::span<float> logits, std::span<const int32_t> previous_tokens) {
  if (logits.empty()) return -1;
  apply_penalties(logits, previous_tokens, params_);
  // Greedy draws nothing, so a seeded request's later draws do not depend on its greedy steps.
  if (params_.temperature == 0.0f || params_.top_k == 1) return argmax(logits);
  return sample_with_uniform(logits, params_, uniform01(rng_));
}

double Sampler::next_uniform() {
  if (params_.temperature == 0.0f || params_.top_k == 1) return 0.0;
  return uniform01(rng_);
}

int32_t sample_with_uniform(std::span<const float> logits, const SamplingParams& params,
                            double u) {
  if (logits.empty()) return -1;
  // Greedy: argmax, lowest id on ties (every filter below keeps the max anyway).
  if (params.temperature == 0.0f || params.top_k == 1) return argmax(logits);

  std::vector<Candidate> c(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) c[i] = {int32_t(i), logits[i]};

  // top_k: partial sort when it trims; else sort only what top_p and min_p may keep. With no
  // filter at all nothing is sorted: the draw walks the vocabulary in id order (as llama.cpp's
  // dist sampler walks its candidates in whatever order they are).
  const float top = logits[size_t(argmax(logits))];  // the vectorized scan
  double total = 0.0;  // top_p's normalizer, over the candidates top_k keeps
  if (params.top_k > 0 && size_t(params.top_k) < c.size()) {
    std::partial_sort(c.begin(), c.begin() + params.top_k, c.end(), before);
    c.resize(size_t(params.top_k));
    total = exp_sum(c, top);
  } else if (params.top_p < 1.0f || params.min_p > 0.0f) {
    total = exp_sum(c, top);
    sort_filterable_prefix(c, top, total, params.top_p, params.min_p);
  }

  // top_p: the smallest prefix whose mass reaches top_p (keeps at least one token).
  if (params.top_p < 1.0f) {
    double mass = 0.0;
    size_t keep = c.size();
    for (size_t i = 0; i < c.size(); ++i) {
      mass += std::exp(double(c[i].logit) - top) / total;
      if (mass >= params.top_p) {
        keep = i + 1;
        break;
      }
    }
    c.resize(keep);
  }

  // min_p: p_i >= min_p * p_max  <=>  logit_i >= logit_max + log(min_p).
  if (params.min_p > 0.0f) {
    const double floor = double(top) + std::log(double(params.min_p));
    size_t keep = 1;
    while (keep < c.size() && double(c[keep].logit) >= floor) ++keep;
    c.resize(keep);
  }

  // temperature (relative to the max, so a tiny temperature cannot overflow), then the draw.
  for (Candidate& x : c) x.logit = (x.logit - top) / params.temperature;
  std::vector<double> p = softmax(c);
  for (size_t i = 0; i < c.size(); ++i) {
    if (u < p[i]) return c[i].id;
    u -= p[i];
  }
  return c.back().id;  // Rounding left u just past the last bucket.
}

RowSampling row_sampling(const SamplingParams& params, double uniform) {
  return {params.top_k, params.top_p, params.min_p, params.temperature, uniform};
}

int32_t sample_row(std::span<const float> logits, const RowSampling& row) {
  SamplingParams params;
  params.top_k = row.top_k;
  params.top_p = row.top_p;
  params.min_p = row.min_p;
  params.temperature = row.temperature;
  return sample_with_uniform(logits, params, row.uniform);
}

// 16 independent lanes the compiler vectorizes (a step of a 16-request batch scans 16 rows of
// the whole vocabulary), each keeping its first maximum.
int32_t argmax(std::span<const float> logits) {
  constexpr size_t kLanes = 16;
  const size_t n = logits.size();
  if (n < kLanes) return int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
  float best[kLanes];
  uint32_t at[kLanes];
  for (size_t l = 0; l < kLanes; ++l) {
    best[l] = logits[l];
    at[l] = static_cast<uint32_t>(l);
  }
  size_t i = kLanes;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; ++l) {
      const bool better = logits[i + l] > best[l];  // strict: a lane keeps its first maximum
      best[l] = better ? logits[i + l] : best[l];
      at[l] = better ? static_cast<uint32_t>(i + l) : at[l];
    }
  size_t index = at[0];
  float top = best[0];
  for (size_t l = 1; l < kLanes; ++l)
    if (best[l] > top || (best[l] == top && at[l] < index)) {
      top = best[l];
      index = at[l];
    }
  for (; i < n; ++i)
    if (logits[i] > top) {
      top = logits[i];
      index = i;
    }
  return static_cast<int32_t>(index);
}

}  // namespace ingot::sampling
