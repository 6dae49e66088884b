// PagedKvCache: keys and values of every layer in fixed-size pages, shared by sequences, with a
// prefix cache of full pages. The storage is on the host, or on a device that keeps the same
// layout (the bookkeeping is the same).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "kernels/cpu/attention.h"
#include "runtime/base/status.h"

namespace ingot::kv_cache {

using cpu::KvDType;
using cpu::KvView;

/// One sequence's view of the cache: the pages it holds, in position order, and the cache row of
/// each position it may write (rows[p] = pages[p / page_size] * page_size + p % page_size).
struct KvSequence {
  std::vector<int32_t> pages;
  std::vector<int32_t> rows;
  int64_t length = 0;  ///< positions [0, length) hold keys and values
  /// Prefix hashes of the leading pages entered in the prefix cache (see PagedKvCache).
  std::vector<uint64_t> page_hashes;
};

/// Shape of a cache: what each layer stores per token and how much room there is.
struct KvCacheShape {
  int64_t layers = 0;
  int64_t row_elements = 0;  ///< kv_heads * head_dim
  KvDType dtype = KvDType::kF32;
  int64_t page_size = 128;   ///< tokens per page
  int64_t pages = 0;         ///< pages in the pool
};

/// A pool of pages; each page holds page_size token rows of keys and of values for every layer.
/// The memory is reserved at creation and touched only as pages are used.
class PagedKvCache {
 public:
  /// Reserves the pool; fails with kResourceExhausted when it cannot be allocated. Without
  /// `host_storage` it keeps only the page bookkeeping (a device holds the keys and values), and
  /// view and store must not be called.
  static Result<std::unique_ptr<PagedKvCache>> create(const KvCacheShape& shape,
                                                      bool host_storage = true);

  const KvCacheShape& shape() const { return shape_; }
  /// Pages no sequence holds (free, or kept only by the prefix cache).
  int64_t free_pages() const { return static_cast<int64_t>(free_.size() + lru_.size()); }
  /// Bytes of the whole pool (one layer's keys or values: plane_bytes()).
  uint64_t bytes() const;
  /// Bytes of one layer's keys (or values) for the whole pool, row r at r * row bytes.
  uint64_t plane_bytes() const { return plane_bytes_; }

  /// Grows `sequence` so positions [0, capacity) have rows; kResourceExhausted when the pool runs
  /// out (the sequence keeps what it had).
  Status reserve(KvSequence& sequence, int64_t capacity);
  /// Drops positions from `length` on, returning whole pages past it to the pool. A page kept in
  /// part leaves the prefix cache (it will be written again); `length` must not fall inside a
  /// page that another sequence shares.
  void truncate(KvSequence& sequence, int64_t length);
  /// Returns every page of `sequence` to the pool and empties it.
  void release(KvSequence& sequence) { truncate(sequence, 0); }

  /// Prefix caching: full pages are keyed by the hash chain of their tokens (each page's hash
  /// covers all tokens before it) and kept when their sequences let go of them, to be shared by
  /// later sequences with the same prefix; reserve takes the least recently used of those only
  /// when no page is free.
  void enable_prefix_caching() { prefix_caching_ = true; }
  bool prefix_caching() const { return prefix_caching_; }
  /// For an empty sequence about to hold `tokens`: takes the cached pages of its longest
  /// prefix of whole pages (leaving at least one token to compute) and returns the positions
  /// they hold, which become the sequence's length.
  int64_t match_prefix(KvSequence& sequence, std::span<const int32_t> tokens);
  /// Enters the sequence's full, computed pages into the prefix cache; `tokens` are its tokens.
  void commit_prefix(KvSequence& sequence, std::span<const int32_t> tokens);
  /// Pages held only by the prefix cache (no sequence refers to them).
  int64_t cached_pages() const { return static_cast<int64_t>(lru_.size()); }

  /// Layer `layer`'s keys and values for `sequence`.
  KvView view(int64_t layer, const KvSequence& sequence) const;
  /// Writes one token's keys and values (row_elements floats each) at `position` of `sequence`.
  void store(int64_t layer, const KvSequence& sequence, int64_t position, const float* keys,
             const float* values);

 private:
  explicit PagedKvCache(const KvCacheShape& shape) : shape_(shape) {}
  uint8_t* plane(int64_t layer, int which) const;

  KvCacheShape shape_;
  uint64_t plane_bytes_ = 0;  // one layer's keys (or values) for the whole pool
  std::unique_ptr<uint8_t[]> storage_;
  std::vector<int32_t> free_;  // a stack; the lowest page on top
  bool prefix_caching_ = false;
  std::vector<int32_t> refs_;          // sequences holding each page
  std::vector<uint64_t> page_hash_;    // each page's prefix hash; 0: not cached
  std::unordered_map<uint64_t, int32_t> cached_;  // prefix hash -> page
  std::list<int32_t> lru_;             // cached pages no sequence holds, oldest first
  std::vector<std::list<int32_t>::iterator> lru_at_;
  int32_t take_page();
  void drop_page(int32_t page);
  void uncache(int32_t page);
};

}  // namespace ingot::kv_cache
