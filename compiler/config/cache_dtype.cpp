// KV cache dtype names and MAX's encoding -> cache dtype rule.
#include "compiler/config/cache_dtype.h"

#include <array>
#include <cctype>
#include <utility>

namespace ingot::config {
namespace {

constexpr std::array<std::pair<CacheDType, std::string_view>, 4> kNames = {{
    {CacheDType::kFloat32, "float32"},
    {CacheDType::kBfloat16, "bfloat16"},
    {CacheDType::kFloat16, "float16"},
    {CacheDType::kFloat8E4M3FN, "float8_e4m3fn"},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view cache_dtype_name(CacheDType dtype) {
  for (const auto& [value, name] : kNames) {
    if (value == dtype) return name;
  }
  return "unknown";
}

bool parse_cache_dtype(std::string_view name, CacheDType& out) {
  for (const auto& [value, spelling] : kNames) {
    if (equals_ignoring_case(spelling, name)) {
      out = value;
      return true;
    }
  }
  return false;
}

const std::vector<CacheDType>& all_cache_dtypes() {
  static const std::vector<CacheDType> values = [] {
    std::vector<CacheDType> out;
    for (const auto& entry : kNames) out.push_back(entry.first);
    return out;
  }();
  return values;
}

CacheDType cache_dtype_for_encoding(std::optional<arch::Encoding> encoding) {
  if (!encoding) return CacheDType::kFloat32;
  switch (*encoding) {
    case arch::Encoding::kFloat32:
    case arch::Encoding::kQ4_K:
    case arch::Encoding::kQ4_0:
    case arch::Encoding::kQ4_1:
    case arch::Encoding::kQ6_K:
    case arch::Encoding::kQ8_0:
      return CacheDType::kFloat32;
    case arch::Encoding::kFloat16:
      return CacheDType::kFloat16;
    case arch::Encoding::kBfloat16:
    case arch::Encoding::kFloat8E4M3FN:
    case arch::Encoding::kFloat4E2M1FNx2:
    case arch::Encoding::kGptq:
      return CacheDType::kBfloat16;
  }
  return CacheDType::kFloat32;
}

}  // namespace ingot::config
