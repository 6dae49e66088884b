// runtime/sampling: greedy, seeding, each filter and penalty, and the sampled distribution.
#include "runtime/sampling/sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace ingot::sampling {
namespace {

// A row of N(0, scale) logits from a fixed seed (never all zeros).
std::vector<float> random_logits(size_t n, uint64_t seed, float scale = 2.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

int32_t argmax(const std::vector<float>& v) {
  return int32_t(std::max_element(v.begin(), v.end()) - v.begin());
}

std::vector<double> softmax(const std::vector<float>& v) {
  const float top = *std::max_element(v.begin(), v.end());
  std::vector<double> p(v.size());
  double sum = 0.0;
  for (size_t i = 0; i < v.size(); ++i) sum += p[i] = std::exp(double(v[i]) - top);
  for (double& x : p) x /= sum;
  return p;
}

// Samples `draws` tokens from copies of `logits` and returns the count per id.
std::vector<int> histogram(const SamplingParams& params, const std::vector<float>& logits,
                           int draws) {
  Sampler sampler(params);
  std::vector<int> counts(logits.size());
  for (int i = 0; i < draws; ++i) {
    std::vector<float> row = logits;
    ++counts[size_t(sampler.sample(row, {}))];
  }
  return counts;
}

TEST(SamplingTest, GreedyPicksArgmaxLowestIdOnTies) {
  SamplingParams params;
  params.temperature = 0.0f;
  Sampler sampler(params);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<float> logits = random_logits(1000, seed);
    const int32_t expected = argmax(logits);
    EXPECT_EQ(sampler.sample(logits, {}), expected);
  }
  std::vector<float> tied = {0.5f, 2.5f, -1.0f, 2.5f};
  EXPECT_EQ(sampler.sample(tied, {}), 1);
  // Rows long enough for the vectorized scan: ties across its lanes and its scalar tail.
  const std::vector<std::vector<size_t>> tie_sets = {
      {17, 500, 1001}, {40, 18}, {1001}, {999, 0}, {15, 16}, {1002, 1001}};
  for (const std::vector<size_t>& at : tie_sets) {
    std::vector<float> row = random_logits(1003, 99);
    for (size_t i : at) row[i] = 50.0f;
    EXPECT_EQ(sampler.sample(row, {}), int32_t(*std::min_element(at.begin(), at.end())));
  }
  std::vector<float> empty;
  EXPECT_EQ(sampler.sample(empty, {}), -1);
}

TEST(SamplingTest, SameSeedSameTokens) {
  SamplingParams params;
  params.seed = 1234;
  params.top_k = 40;
  params.top_p = 0.9f;
  params.temperature = 0.8f;
  Sampler a(params), b(params);
  params.seed = 1235;
  Sampler c(params);
  std::vector<int32_t> ta, tb, tc;
  for (uint64_t step = 0; step < 200; ++step) {
    std::vector<float> la = random_logits(500, step), lb = la, lc = la;
    ta.push_back(a.sample(la, ta));
    tb.push_back(b.sample(lb, tb));
    tc.push_back(c.sample(lc, tc));
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
}

TEST(SamplingTest, SamplerDrawsItsUniformThenSamplesWithIt) {
  // Sampler::sample is sample_with_uniform with the request's next mt19937_64 uniform (the
  // contract the GPU's sampling kernel relies on), for every filter.
  for (int kind = 0; kind < 4; ++kind) {
    SamplingParams params;
    params.seed = 40 + kind;
    params.temperature = 0.7f;
    if (kind == 1) params.top_k = 25;
    if (kind == 2) params.top_p = 0.85f;
    if (kind == 3) params.min_p = 0.1f;
    Sampler sampler(params);
    std::mt19937_64 rng(*params.seed);
    for (uint64_t step = 0; step < 50; ++step) {
      std::vector<float> logits = random_logits(777, step + 100 * kind, 3.0f);
      const double u = double(rng() >> 11) * 0x1.0p-53;
      const int32_t want = sample_with_uniform(logits, params, u);
      EXPECT_EQ(sampler.sample(logits, {}), want) << kind << " " << step;
    }
  }
}

TEST(SamplingTest, TopKOneEqualsGreedy) {
  SamplingParams params;
  params.top_k = 1;
  params.seed = 7;
  Sampler sampler(params);
  for (uint64_t seed = 100; seed < 150; ++seed) {
    std::vector<float> logits = random_logits(300, seed, 0.5f);
    const int32_t expected = argmax(logits);
    EXPECT_EQ(sampler.sample(logits, {}), expected);
  }
}

TEST(SamplingTest, TopKKeepsOnlyTheKLargest) {
  SamplingParams params;
  params.top_k = 3;
  params.seed = 11;
  std::vector<float> logits = random_logits(50, 5, 0.3f);  // Flat: the tail would show up.
  std::vector<float> sorted = logits;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::vector<int> counts = histogram(params, logits, 3000);
  for (size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] >= sorted[2])
      EXPECT_GT(counts[i], 0) << i;
    else
      EXPECT_EQ(counts[i], 0) << i;
  }
}

TEST(SamplingTest, TinyTopPKeepsOnlyTheMax) {
  SamplingParams params;
  params.top_p = 1e-6f;
  params.seed = 3;
  std::vector<float> logits = random_logits(200, 9, 0.1f);
  std::vector<int> counts = histogram(params, logits, 2000);
  EXPECT_EQ(counts[size_t(argmax(logits))], 2000);
}

// A wide nucleus (hundreds of tokens, more than the sampler sorts at first) combined with
// min_p: the tokens drawn are exactly those of the nucleus cut by min_p, found by a full sort.
TEST(SamplingTest, WideTopPWithMinPKeepsExactlyTheFilteredNucleus) {
  SamplingParams params;
  params.top_p = 0.8f;
  params.min_p = 0.05f;
  params.seed = 11;
  const std::vector<float> logits = random_logits(3001, 4, 0.7f);
  const std::vector<double> p = softmax(logits);
  std::vector<int32_t> order(logits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int32_t(i);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return logits[size_t(a)] > logits[size_t(b)] || (logits[size_t(a)] == logits[size_t(b)] && a < b);
  });
  const double p_max = p[size_t(order[0])];
  std::vector<bool> allowed(logits.size(), false);
  double mass = 0.0;
  size_t nucleus = 0;
  for (int32_t id : order) {
    if (mass >= params.top_p) break;
    mass += p[size_t(id)];
    ++nucleus;
    if (p[size_t(id)] >= params.min_p * p_max) allowed[size_t(id)] = true;
  }
  ASSERT_GT(nucleus, 256u);  // the sampler must look past its first sorted prefixes
  const std::vector<int> counts = histogram(params, logits, 4000);
  int distinct = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) ++distinct;
    if (!allowed[i]) {
      EXPECT_EQ(counts[i], 0) << i;
    }
  }
  EXPECT_GT(distinct, 64);
}

TEST(SamplingTest, MinPFiltersRelativeToTheMaxProbability) {
  SamplingParams params;
  params.min_p = 0.3f;
  params.seed = 5;
  std::vector<float> logits = random_logits(40, 21, 1.0f);
  std::vector<double> p = softmax(logits);
  const double p_max = *std::max_element(p.begin(), p.end());
  std::vector<int> counts = histogram(params, logits, 5000);
  int kept = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] >= 0.3 * p_max) {
      ++kept;
      EXPECT_GT(counts[i], 0) << i;
    } else {
      EXPECT_EQ(counts[i], 0) << i;
    }
  }
  EXPECT_GT(kept, 1);              // The filter kept more than the max ...
  EXPECT_LT(kept, int(p.size()));  // ... and dropped something.
}

TEST(SamplingTest, PenaltiesOnACraftedRow) {
  const std::vector<float> row = {2.0f, -1.0f, 0.5f, 3.0f};
  const std::vector<int32_t> previous = {0, 1, 1, 2};  // counts: 0 -> 1, 1 -> 2, 2 -> 1.
  SamplingParams rep;
  rep.repetition_penalty = 2.0f;  // Positive logits halve, negative ones double.
  std::vector<float> r = row;
  apply_penalties(r, previous, rep);
  EXPECT_EQ(r, (std::vector<float>{1.0f, -2.0f, 0.25f, 3.0f}));

  SamplingParams freq;
  freq.frequency_penalty = 0.5f;  // Minus 0.5 per occurrence.
  std::vector<float> f = row;
  apply_penalties(f, previous, freq);
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f, 0.0f, 3.0f}));

  SamplingParams pres;
  pres.presence_penalty = 0.25f;  // Minus 0.25 once for any seen token.
  std::vector<float> q = row;
  apply_penalties(q, previous, pres);
  EXPECT_EQ(q, (std::vector<float>{1.75f, -1.25f, 0.25f, 3.0f}));

  // Through the sampler: a repetition penalty moves the greedy choice off a seen token.
  SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.repetition_penalty = 2.0f;
  std::vector<float> two = {3.0f, 2.0f};
  const std::vector<int32_t> seen = {0};
  EXPECT_EQ(Sampler(greedy).sample(two, seen), 1);
}

// Pearson's chi-square of 20,000 draws against softmax. With 8 tokens there are 7 degrees of
// freedom, whose 0.999 quantile is 24.32: a correct sampler exceeds it with probability 0.001
// per seed. The seeds are fixed, so the test is deterministic; a wrong distribution (e.g.
// a missed renormalisation or an off-by-one bucket) lands in the hundreds.
TEST(SamplingTest, DistributionMatchesSoftmax) {
  constexpr int kDraws = 20000;
  constexpr double kChi2Df7Q999 = 24.32;
  for (uint64_t seed : {1u, 2u, 3u}) {
    std::vector<float> logits = random_logits(8, 40 + seed, 1.0f);
    std::vector<double> p = softmax(logits);
    SamplingParams params;
    params.seed = seed;
    std::vector<int> counts = histogram(params, logits, kDraws);
    double chi2 = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
      const double expected = kDraws * p[i];
      ASSERT_GT(expected, 5.0);  // Chi-square's usual validity condition.
      chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    EXPECT_LT(chi2, kChi2Df7Q999) << "seed " << seed;
  }
}

// Temperature 2 halves the logits; the draws follow softmax(logits / 2) (same bound).
TEST(SamplingTest, TemperatureScalesTheDistribution) {
  std::vector<float> logits = random_logits(8, 77, 2.0f);
  std::vector<float> halved = logits;
  for (float& x : halved) x /= 2.0f;
  std::vector<double> p = softmax(halved);
  SamplingParams params;
  params.temperature = 2.0f;
  params.seed = 9;
  std::vector<int> counts = histogram(params, logits, 20000);
  double chi2 = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double e = 20000 * p[i];
    chi2 += (counts[i] - e) * (counts[i] - e) / e;
  }
  EXPECT_LT(chi2, 24.32);
}

}  // namespace
}  // namespace ingot::sampling
