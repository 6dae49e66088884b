// read_whole_file: a text input (a prompt, a config file) read into memory, with the errors a
// command line needs instead of the exceptions and silent empty reads of iostreams.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/base/status.h"

namespace ingot {

/// Every byte of `path`: a regular file, or a pipe or device read to its end (`-f <(cmd)`,
/// /dev/stdin). Refused with a one-line error naming the path when it cannot be opened or read,
/// is a directory, or holds more than max_bytes (reading stops there).
Result<std::string> read_whole_file(const std::string& path, uint64_t max_bytes);

}  // namespace ingot
