#include "runtime/tokenizer/tokenizer_spec.h"

#include <utility>

namespace ingot::tokenizer {
namespace {

constexpr std::pair<SpacePrefix, std::string_view> kSpacePrefixNames[] = {
    {SpacePrefix::kAfterSpecial, "after_special"},
    {SpacePrefix::kMetaspaceAlways, "metaspace_always"},
    {SpacePrefix::kMetaspaceFirst, "metaspace_first"},
};

}  // namespace

std::string_view space_prefix_name(SpacePrefix prefix) {
  for (const auto& [value, name] : kSpacePrefixNames)
    if (value == prefix) return name;
  return "unknown";
}

std::optional<SpacePrefix> parse_space_prefix(std::string_view name) {
  for (const auto& [value, known] : kSpacePrefixNames)
    if (known == name) return value;
  return std::nullopt;
}

}  // namespace ingot::tokenizer
