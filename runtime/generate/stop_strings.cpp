// StopStrings: search the held text, release all but the longest possible partial match.
#include "runtime/generate/stop_strings.h"

#include <algorithm>

namespace ingot::generate {
namespace {

/// Moves `cut` back to the start of the UTF-8 character it falls in.
size_t char_boundary(const std::string& text, size_t cut) {
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return cut;
}

}  // namespace

StopStrings::StopStrings(std::vector<std::string> stops) {
  for (std::string& stop : stops)
    if (!stop.empty()) stops_.push_back(std::move(stop));
  for (const std::string& stop : stops_) longest_ = std::max(longest_, stop.size());
}

StopStrings::Piece StopStrings::push(const std::string& text) {
  if (stopped_) return {};
  held_ += text;
  size_t first = std::string::npos;
  for (const std::string& stop : stops_) first = std::min(first, held_.find(stop));
  if (first != std::string::npos) {
    stopped_ = true;
    Piece piece{held_.substr(0, first), true};
    held_.clear();
    return piece;
  }
  // Hold back the longest suffix that is a proper prefix of some stop string.
  size_t keep = 0;
  for (const std::string& stop : stops_) {
    for (size_t n = std::min(stop.size() - 1, held_.size()); n > keep; --n) {
      if (held_.compare(held_.size() - n, n, stop, 0, n) == 0) {
        keep = n;
        break;
      }
    }
  }
  const size_t release = char_boundary(held_, held_.size() - keep);
  Piece piece{held_.substr(0, release), false};
  held_.erase(0, release);
  return piece;
}

std::string StopStrings::finish() {
  std::string rest = stopped_ ? std::string() : std::move(held_);
  held_.clear();
  return rest;
}

}  // namespace ingot::generate
