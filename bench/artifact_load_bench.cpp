// artifact-load-bench: median time to open and verify a .ingot artifact, with and
// without the XXH64 checksums, over repeated loads (the page cache warm).
// Usage: artifact-load-bench FILE.ingot [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/artifact/artifact.h"

namespace {

// Median milliseconds of `runs` loads; exits with the error if one fails.
double median_load_ms(const char* path, bool verify_checksums, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto artifact = ingot::artifact::Artifact::open(path, {verify_checksums});
    auto end = std::chrono::steady_clock::now();
    if (!artifact.ok()) {
      std::fprintf(stderr, "artifact-load-bench: error: %s\n", artifact.status().message().c_str());
      std::exit(2);
    }
    times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: artifact-load-bench FILE.ingot [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
  median_load_ms(argv[1], true, 1);  // warm the page cache
  std::printf("artifact: %s, %d loads each, median\n", argv[1], runs);
  std::printf("%-22s %10s\n", "checks", "load ms");
  std::printf("%-22s %10.2f\n", "structure only", median_load_ms(argv[1], false, runs));
  std::printf("%-22s %10.2f\n", "structure + XXH64", median_load_ms(argv[1], true, runs));
  return 0;
}
