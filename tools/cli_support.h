// Shared helpers for the command-line tools: one-line errors and exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <cxxopts.hpp>

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

/// The option in argv that was given `text` as its value ("--threads" for "--threads abc",
/// "--threads=abc" or "-tabc"), or "" if none was.
inline std::string option_given(const std::string& text, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') continue;
    if (const size_t eq = arg.find('='); eq != std::string::npos && arg.substr(eq + 1) == text)
      return arg.substr(0, eq);
    if (i + 1 < argc && argv[i + 1] == text) return arg;
    if (arg[1] != '-' && arg.size() > 2 && arg.substr(2) == text) return arg.substr(0, 2);
  }
  return "";
}

/// options.parse(argc, argv), where a value that does not parse as its option's type throws an
/// error naming the option: "--threads: 'abc' is not a valid value" (cxxopts names only 'abc').
inline cxxopts::ParseResult parse(cxxopts::Options& options, int argc, const char* const* argv) {
  try {
    return options.parse(argc, argv);
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    // cxxopts' message is "Argument <open quote>TEXT<close quote> failed to parse".
    const std::string message = e.what();
    const size_t open = message.find("\xE2\x80\x98"), close = message.rfind("\xE2\x80\x99");
    if (open == std::string::npos || close == std::string::npos || close < open) throw;
    const std::string text = message.substr(open + 3, close - open - 3);
    const std::string option = option_given(text, argc, argv);
    if (option.empty()) throw;
    throw cxxopts::exceptions::exception(option + ": '" + text + "' is not a valid value");
  }
}

}  // namespace ingot::cli
