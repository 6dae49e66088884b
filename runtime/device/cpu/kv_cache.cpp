// PagedKvCache: one allocation, planes of [layer][keys|values][pool row][row_elements].
#include "runtime/device/cpu/kv_cache.h"

#include <new>
#include <string>

namespace ingot::cpu {

Result<std::unique_ptr<PagedKvCache>> PagedKvCache::create(const KvCacheShape& shape,
                                                           bool host_storage) {
  if (shape.layers <= 0 || shape.row_elements <= 0 || shape.page_size <= 0 || shape.pages <= 0 ||
      shape.pages > INT32_MAX / shape.page_size)
    return make_error(StatusCode::kInvalidArgument, "kv cache: empty or oversized shape");
  const uint64_t element = shape.dtype == KvDType::kF32 ? 4 : 2;
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
    const int32_t page = free_.back();
    free_.pop_back();
    sequence.pages.push_back(page);
    for (int64_t slot = 0; slot < page_size; ++slot)
      sequence.rows.push_back(static_cast<int32_t>(page * page_size + slot));
  }
  return Status::ok_status();
}

void PagedKvCache::truncate(KvSequence& sequence, int64_t length) {
  const int64_t keep = (length + shape_.page_size - 1) / shape_.page_size;
  while (static_cast<int64_t>(sequence.pages.size()) > keep) {
    free_.push_back(sequence.pages.back());
    sequence.pages.pop_back();
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
  kv_store_row(shape_.dtype, plane(layer, 0), shape_.row_elements, row, keys);
  kv_store_row(shape_.dtype, plane(layer, 1), shape_.row_elements, row, values);
}

}  // namespace ingot::cpu
