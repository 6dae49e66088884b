// ThreadPool: a fixed set of spinning workers for the short, frequent parallel regions of a step.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

namespace ingot::cpu {

/// Runs one function on every thread at once; the calling thread is thread 0. Workers spin
/// briefly between regions (a decode step runs hundreds of regions of a few microseconds), then
/// sleep on the region counter. Not reentrant: one run() at a time.
class ThreadPool {
 public:
  /// Starts `threads - 1` workers (threads >= 1).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Number of threads, the caller included.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /// Calls fn(thread) for thread in [0, size()) concurrently and returns when all are done.
  void run(const std::function<void(int)>& fn);

 private:
  void work(int thread);

  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

/// A reusable barrier for the threads of one ThreadPool::run region (sense-reversing, spinning).
class SpinBarrier {
 public:
  explicit SpinBarrier(int threads) : threads_(threads) {}
  /// Returns once all `threads` threads have called wait() in this round.
  void wait();

 private:
  const int threads_;
  std::atomic<int> arrived_{0};
  std::atomic<uint32_t> round_{0};
};

/// The half-open range [begin, end) of part `part` when [0, n) is cut into `parts` near-equal
/// parts whose boundaries are multiples of `align`.
std::pair<int64_t, int64_t> split_range(int64_t n, int parts, int part, int64_t align = 1);

/// Physical cores of this machine (logical CPUs less SMT siblings), at least 1.
int physical_cores();

}  // namespace ingot::cpu
