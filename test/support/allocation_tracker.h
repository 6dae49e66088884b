// Tracks the largest single heap allocation, to prove loaders never allocate
// more than the file they read. Link allocation_tracker.cpp into the test binary.
#pragma once

#include <cstddef>

namespace ingot::testing {

/// Forgets the largest allocation seen so far.
void reset_largest_allocation();
/// The largest single operator-new request since the last reset.
size_t largest_allocation();

}  // namespace ingot::testing
