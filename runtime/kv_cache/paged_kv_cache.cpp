// PagedKvCache: one allocation, planes of [layer][keys|values][pool row][row_elements].
#include "runtime/kv_cache/paged_kv_cache.h"

#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <iterator>
#include <new>
#include <string>

namespace ingot::kv_cache {

Result<std::unique_ptr<PagedKvCache>> PagedKvCache::create(const KvCacheShape& shape,
                                                           bool host_storage) {
  if (shape.layers <= 0 || shape.row_elements <= 0 || shape.page_size <= 0 || shape.pages <= 0 ||
      shape.pages > INT32_MAX / shape.page_size)
    return make_error(StatusCode::kInvalidArgument, "kv cache: empty or oversized shape");
  const uint64_t element = cpu::kv_element_bytes(shape.dtype);
  uint64_t plane = 0, total = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(shape.pages * shape.page_size),
                             static_cast<uint64_t>(shape.row_elements) * element, &plane) ||
      __builtin_mul_overflow(plane, static_cast<uint64_t>(shape.layers) * 2, &total))
    return make_error(StatusCode::kResourceExhausted, "kv cache: size overflows 64 bits");
  std::unique_ptr<PagedKvCache> cache(new PagedKvCache(shape));
  cache->plane_bytes_ = plane;
  // Default-initialized: the OS backs pages only when a sequence first writes them.
  if (host_storage) cache->storage_.reset(new (std::nothrow) uint8_t[total]);
  if (host_storage && !cache->storage_)
    return make_error(StatusCode::kResourceExhausted,
                      "kv cache: cannot allocate " + std::to_string(total) + " bytes");
  for (int64_t page = shape.pages - 1; page >= 0; --page)
    cache->free_.push_back(static_cast<int32_t>(page));
  cache->refs_.assign(static_cast<size_t>(shape.pages), 0);
  cache->page_hash_.assign(static_cast<size_t>(shape.pages), 0);
  cache->lru_at_.resize(static_cast<size_t>(shape.pages));
  return cache;
}

uint64_t PagedKvCache::bytes() const { return plane_bytes_ * 2 * static_cast<uint64_t>(shape_.layers); }

uint8_t* PagedKvCache::plane(int64_t layer, int which) const {
  return storage_.get() + plane_bytes_ * static_cast<uint64_t>(layer * 2 + which);
}

Status PagedKvCache::reserve(KvSequence& sequence, int64_t capacity) {
  const int64_t page_size = shape_.page_size;
  const int64_t needed = (capacity + page_size - 1) / page_size;
  const int64_t extra = needed - static_cast<int64_t>(sequence.pages.size());
  if (extra <= 0) return Status::ok_status();
  if (extra > free_pages())
    return make_error(StatusCode::kResourceExhausted,
                      "kv cache: " + std::to_string(capacity) + " positions need " +
                          std::to_string(extra) + " more pages, " + std::to_string(free_pages()) +
                          " are free");
  for (int64_t i = 0; i < extra; ++i) {
    const int32_t page = take_page();
    sequence.pages.push_back(page);
    for (int64_t slot = 0; slot < page_size; ++slot)
      sequence.rows.push_back(static_cast<int32_t>(page * page_size + slot));
  }
  return Status::ok_status();
}

int32_t PagedKvCache::take_page() {
  int32_t page;
  if (!free_.empty()) {
    page = free_.back();
    free_.pop_back();
  } else {  // the least recently used cached page
    page = lru_.front();
    lru_.pop_front();
    uncache(page);
  }
  refs_[static_cast<size_t>(page)] = 1;
  return page;
}

void PagedKvCache::uncache(int32_t page) {
  uint64_t& hash = page_hash_[static_cast<size_t>(page)];
  if (hash != 0) cached_.erase(hash);
  hash = 0;
}

void PagedKvCache::drop_page(int32_t page) {
  if (--refs_[static_cast<size_t>(page)] > 0) return;
  if (page_hash_[static_cast<size_t>(page)] != 0) {
    lru_.push_back(page);
    lru_at_[static_cast<size_t>(page)] = std::prev(lru_.end());
  } else {
    free_.push_back(page);
  }
}

namespace {

/// The hash chain over one page of tokens; never 0 (0 marks an uncached page).
uint64_t chain(uint64_t previous, std::span<const int32_t> page) {
  const uint64_t h = XXH64(page.data(), page.size_bytes(), previous);
  return h == 0 ? 1 : h;
}

}  // namespace

int64_t PagedKvCache::match_prefix(KvSequence& sequence, std::span<const int32_t> tokens) {
  if (!prefix_caching_ || !sequence.pages.empty() || tokens.empty()) return 0;
  const int64_t page_size = shape_.page_size;
  const int64_t usable = (static_cast<int64_t>(tokens.size()) - 1) / page_size;
  uint64_t hash = 0;
  sequence.page_hashes.clear();
  for (int64_t i = 0; i < usable; ++i) {
    const uint64_t next = chain(hash, tokens.subspan(static_cast<size_t>(i * page_size),
                                                     static_cast<size_t>(page_size)));
    const auto it = cached_.find(next);
    if (it == cached_.end()) break;
    const int32_t page = it->second;
    if (refs_[static_cast<size_t>(page)]++ == 0) lru_.erase(lru_at_[static_cast<size_t>(page)]);
    sequence.pages.push_back(page);
    for (int64_t slot = 0; slot < page_size; ++slot)
      sequence.rows.push_back(static_cast<int32_t>(page * page_size + slot));
    sequence.page_hashes.push_back(next);
    hash = next;
  }
  sequence.length = static_cast<int64_t>(sequence.pages.size()) * page_size;
  return sequence.length;
}

void PagedKvCache::commit_prefix(KvSequence& sequence, std::span<const int32_t> tokens) {
  if (!prefix_caching_) return;
  const int64_t page_size = shape_.page_size;
  const int64_t full = std::min<int64_t>(sequence.length, static_cast<int64_t>(tokens.size())) /
                       page_size;
  for (int64_t i = static_cast<int64_t>(sequence.page_hashes.size()); i < full; ++i) {
    const uint64_t previous = i == 0 ? 0 : sequence.page_hashes.back();
    const uint64_t next = chain(previous, tokens.subspan(static_cast<size_t>(i * page_size),
                                                         static_cast<size_t>(page_size)));
    const int32_t page = sequence.pages[static_cast<size_t>(i)];
    if (!cached_.count(next) && page_hash_[static_cast<size_t>(page)] == 0) {
      cached_[next] = page;
      page_hash_[static_cast<size_t>(page)] = next;
    }
    sequence.page_hashes.push_back(next);
  }
}

void PagedKvCache::truncate(KvSequence& sequence, int64_t length) {
  const int64_t keep = (length + shape_.page_size - 1) / shape_.page_size;
  while (static_cast<int64_t>(sequence.pages.size()) > keep) {
    drop_page(sequence.pages.back());
    sequence.pages.pop_back();
  }
  // A page kept in part will be written again: it must leave the prefix cache, and so must the
  // chain after it (the sequence re-enters its pages from there).
  const int64_t whole = length / shape_.page_size;
  if (static_cast<int64_t>(sequence.page_hashes.size()) > whole) {
    for (int64_t i = whole; i < static_cast<int64_t>(sequence.pages.size()); ++i) {
      const int32_t page = sequence.pages[static_cast<size_t>(i)];
      assert(refs_[static_cast<size_t>(page)] == 1 && "truncating into a shared page");
      uncache(page);
    }
    sequence.page_hashes.resize(static_cast<size_t>(whole));
  }
  sequence.rows.resize(sequence.pages.size() * static_cast<size_t>(shape_.page_size));
  if (sequence.length > length) sequence.length = length;
}

KvView PagedKvCache::view(int64_t layer, const KvSequence& sequence) const {
  return KvView{plane(layer, 0), plane(layer, 1), shape_.dtype, shape_.row_elements,
                sequence.rows.data()};
}

void PagedKvCache::store(int64_t layer, const KvSequence& sequence, int64_t position,
                         const float* keys, const float* values) {
  const int64_t row = sequence.rows[static_cast<size_t>(position)];
  cpu::kv_store_row(shape_.dtype, plane(layer, 0), shape_.row_elements, row, keys);
  cpu::kv_store_row(shape_.dtype, plane(layer, 1), shape_.row_elements, row, values);
}

}  // namespace ingot::kv_cache
