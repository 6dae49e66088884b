// Shared helpers for the command-line tools: one-line errors and exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/base/status.h"

namespace ingot::cli {

/// Exit code for bad input or a bad command line (the user's problem).
inline constexpr int kExitBadInput = 2;

/// The most bytes a prompt or text file (-f) may hold: far past any context, and a bound on
/// what a mistaken path can make the tool allocate.
inline constexpr uint64_t kMaxTextFileBytes = uint64_t{256} << 20;

/// Prints "tool: error: message" on one line to stderr and returns kExitBadInput.
inline int report_error(const char* tool, const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "%s: error: %s\n", tool, line.c_str());
  return kExitBadInput;
}

/// Prints a failed Status as one line and returns kExitBadInput.
inline int report_error(const char* tool, const Status& status) {
  return report_error(tool, status.message());
}

}  // namespace ingot::cli
