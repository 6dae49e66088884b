// ThreadPool: generation counter + pending count, spinning then yielding then sleeping.
#include "runtime/device/cpu/thread_pool.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <string>

namespace ingot::cpu {
namespace {

/// Spins that a waiting worker makes before it yields, then sleeps, between regions.
constexpr int kSpins = 1 << 14;

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { work(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::run(const std::function<void(int)>& fn) {
  if (workers_.empty()) return fn(0);
  job_ = &fn;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  fn(0);
  for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins > kSpins) std::this_thread::yield();
  }
}

void ThreadPool::work(int thread) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t now = generation_.load(std::memory_order_acquire);
    for (int spins = 0; now == seen; ++spins) {
      if (spins < kSpins) {
        now = generation_.load(std::memory_order_acquire);
      } else {
        generation_.wait(seen, std::memory_order_acquire);
        now = generation_.load(std::memory_order_acquire);
      }
    }
    seen = now;
    if (stop_.load(std::memory_order_acquire)) return;
    (*job_)(thread);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void SpinBarrier::wait() {
  if (threads_ == 1) return;
  const uint32_t round = round_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
    arrived_.store(0, std::memory_order_relaxed);
    round_.store(round + 1, std::memory_order_release);
    return;
  }
  for (int spins = 0; round_.load(std::memory_order_acquire) == round; ++spins) {
    if (spins > kSpins) std::this_thread::yield();
  }
}

std::pair<int64_t, int64_t> split_range(int64_t n, int parts, int part, int64_t align) {
  const int64_t units = (n + align - 1) / align;
  const int64_t begin = units * part / parts * align;
  const int64_t end = units * (part + 1) / parts * align;
  return {std::min(begin, n), std::min(end, n)};
}

int physical_cores() {
  // Distinct (physical id, core id) pairs in /proc/cpuinfo; fall back to the logical count.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical = "0";
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "physical id") physical = value;
    if (key == "core id") cores.emplace(physical, value);
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  const unsigned logical = std::thread::hardware_concurrency();
  return logical ? static_cast<int>(logical) : 1;
}

}  // namespace ingot::cpu
