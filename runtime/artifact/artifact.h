// Artifact: a memory-mapped, fully verified .ingot file with zero-copy weight views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/base/status.h"
#include "runtime/io/host_memory.h"
#include "runtime/io/mapped_file.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::artifact {

/// How much of the artifact to check when loading it.
struct LoadOptions {
  /// Hash the weight segment and every weight (XXH64) against the recorded checksums.
  bool verify_checksums = true;
  /// Dummy-weight artifacts (--load-format dummy): fill the weights in host memory at load.
  /// A device that fills its own copy from the seed turns this off.
  bool fill_dummy_weights = true;
};

/// A loaded .ingot artifact. Every structural check (FlatBuffers Verifier, version,
/// segment layout, weight table, plan ids, tokenizer) has passed when one exists,
/// so its views never reach outside the map. Movable, not copyable.
class Artifact {
 public:
  /// Maps `path` read-only and verifies it. Errors are one line naming the file,
  /// the field and the byte offset; kDataLoss for corrupt or truncated files,
  /// kUnimplemented for a newer format or an encoding this build cannot run.
  static Result<Artifact> open(const std::string& path, const LoadOptions& options = {});

  /// Verifies an already mapped (or borrowed) file; for tests and fuzzers.
  static Result<Artifact> parse(MappedFile file, const LoadOptions& options = {});

  Artifact(Artifact&&) noexcept = default;
  Artifact& operator=(Artifact&&) noexcept = default;
  Artifact(const Artifact&) = delete;
  Artifact& operator=(const Artifact&) = delete;

  /// The verified FlatBuffer root.
  const schema::Model& model() const { return *model_; }
  /// Number of entries in the weight table.
  size_t weight_count() const;
  /// The bytes of weight `index`, a view into the map (empty if `index` is out of range).
  std::span<const uint8_t> weight_bytes(size_t index) const;
  /// The whole weight segment, a view into the map (for dummy weights, into host memory that
  /// holds them once filled).
  std::span<const uint8_t> segment() const;
  /// Whether the weights are dummy ones made from dummy_seed rather than read from the file.
  bool has_dummy_weights() const;
  /// Whether segment() holds the dummy weights (false: reserved and unwritten; a device fills
  /// its own copy).
  bool dummy_weights_filled() const { return dummy_filled_; }
  /// File offset of the weight segment (a multiple of kSegmentAlignment).
  uint64_t segment_offset() const { return segment_offset_; }
  /// The path the artifact was opened from (or the borrowed name).
  const std::string& path() const { return file_.path(); }
  /// Lets the kernel drop the pages of `bytes` (weights a device has copied); they read back
  /// from the file if touched again. Dummy weights are kept (they would read back as zeros).
  void release(std::span<const uint8_t> bytes) const {
    if (!has_dummy_weights()) file_.release(bytes);
  }

 private:
  Artifact() = default;

  MappedFile file_;
  AnonymousMemory dummy_segment_;
  bool dummy_filled_ = false;
  const schema::Model* model_ = nullptr;
  uint64_t segment_offset_ = 0;
  uint64_t segment_size_ = 0;
};

}  // namespace ingot::artifact
