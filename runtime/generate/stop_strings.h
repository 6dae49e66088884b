// StopStrings: finds stop strings in streamed text and holds back what may begin one.
#pragma once

#include <string>
#include <vector>

namespace ingot::generate {

/// Streams text through a set of stop strings. Text that could still grow into a stop string is
/// held back (never splitting a UTF-8 character); once one matches, the text before it is the
/// last piece and the rest is dropped.
class StopStrings {
 public:
  /// What push() releases.
  struct Piece {
    std::string text;      ///< final text, safe to show
    bool stopped = false;  ///< a stop string matched; nothing more will come
  };

  explicit StopStrings(std::vector<std::string> stops);

  /// Adds generated text; returns what can be released.
  Piece push(const std::string& text);
  /// Releases everything held back (generation ended without a match).
  std::string finish();

 private:
  std::vector<std::string> stops_;
  size_t longest_ = 0;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace ingot::generate
