// kernels/quant at scale: thousands of blocks per type against FNV-1a digests
// of ggml's own output (test/golden/quant/bulk_digests.txt). The K-quant scale
// searches can differ from ggml in about one block in 500 after a harmless-
// looking change such as reordering a product, so the small vectors in
// quant_golden_test.cpp alone would not notice.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/ggml_type.h"
#include "kernels/quant/quantize.h"

namespace ingot::quant {
namespace {

// Output `index` of the splitmix64 generator started at `seed`.
uint64_t splitmix(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The same floats as bulk_floats() in scripts/goldens/make_quant_vectors.py:
// integer arithmetic, then one exact int->float conversion and one float
// multiply by an exactly representable scale, so both sides agree bit for bit.
std::vector<float> bulk_floats(uint64_t seed, size_t n) {
  constexpr uint64_t kGroupStream = 0xD1B54A32D192ED03ull;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t draw[5];
    for (uint64_t j = 0; j < 5; ++j) draw[j] = splitmix(seed, 5 * i + j);
    int64_t total = 0;
    for (int j = 0; j < 4; ++j) total += static_cast<int64_t>(draw[j] >> 47) - 65536;
    const uint64_t g = splitmix(seed ^ kGroupStream, i / 16);
    const int exponent = static_cast<int>(g % 27) - 20;
    const int mantissa = static_cast<int>((g >> 8) % 8) + 8;
    const int64_t offset = (g >> 16) % 4 == 0 ? static_cast<int64_t>((g >> 20) % (1u << 19)) - (1 << 18) : 0;
    const int64_t multiplier = draw[4] % 128 == 0 ? static_cast<int64_t>((draw[4] >> 7) % 28) + 4 : 1;
    int64_t value = (total + offset) * multiplier;
    if (value == 0) value = 1;
    const float scale = std::ldexp(static_cast<float>(mantissa), exponent - 3);
    x[i] = static_cast<float>(value) * scale;
  }
  return x;
}

uint64_t fnv1a64(const void* data, size_t size) {
  uint64_t h = 0xCBF29CE484222325ull;
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001B3ull;
  return h;
}

struct BulkCase {
  std::string name;
  size_t blocks = 0;
  uint64_t seed = 0, quant_digest = 0, dequant_digest = 0;
};

std::vector<BulkCase> load_cases() {
  std::vector<BulkCase> cases;
  std::ifstream file(std::string(INGOT_GOLDEN_DIR) + "/quant/bulk_digests.txt");
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    BulkCase c;
    fields >> c.name >> c.blocks >> std::hex >> c.seed >> c.quant_digest >> c.dequant_digest;
    if (fields) cases.push_back(c);
  }
  return cases;
}

std::optional<GgmlType> type_named(const std::string& lower) {
  for (uint32_t id = 0; id < 64; ++id) {
    const std::optional<TypeTraits> t = type_traits(id);
    if (!t || t->name.size() != lower.size()) continue;
    bool same = true;
    for (size_t i = 0; i < lower.size(); ++i) same &= std::tolower(t->name[i]) == lower[i];
    if (same) return t->type;
  }
  return std::nullopt;
}

TEST(QuantBulk, ThousandsOfBlocksMatchGgmlDigests) {
  const std::vector<BulkCase> cases = load_cases();
  ASSERT_EQ(cases.size(), 13u) << "bulk_digests.txt: one line per block type expected";
  for (const BulkCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::optional<GgmlType> type = type_named(c.name);
    ASSERT_TRUE(type.has_value());
    const std::vector<float> x = bulk_floats(c.seed, c.blocks * type_traits(*type).block_elems);
    std::vector<uint8_t> bytes(*row_bytes(*type, x.size()));
    ASSERT_TRUE(quantize_row(*type, x, bytes).ok());
    EXPECT_EQ(fnv1a64(bytes.data(), bytes.size()), c.quant_digest) << "quantized bytes differ from ggml's";
    std::vector<float> y(x.size());
    ASSERT_TRUE(dequantize_row(*type, bytes, y).ok());
    EXPECT_EQ(fnv1a64(y.data(), 4 * y.size()), c.dequant_digest) << "dequantized floats differ from ggml's";
  }
}

}  // namespace
}  // namespace ingot::quant
