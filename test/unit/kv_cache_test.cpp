// runtime/kv_cache PagedKvCache: page bookkeeping and the prefix cache (sharing, reference
// counts, least-recently-used eviction, truncation out of the cache).
#include "runtime/kv_cache/paged_kv_cache.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace ingot::kv_cache {
namespace {

std::unique_ptr<PagedKvCache> make_cache(int64_t pages) {
  KvCacheShape shape;
  shape.layers = 1;
  shape.row_elements = 4;
  shape.page_size = 4;
  shape.pages = pages;
  auto cache = PagedKvCache::create(shape, /*host_storage=*/false);
  EXPECT_TRUE(cache.ok());
  return std::move(*cache);
}

std::vector<int32_t> tokens(int32_t first, size_t count) {
  std::vector<int32_t> t(count);
  std::iota(t.begin(), t.end(), first);
  return t;
}

TEST(PagedKvCache, ReservesAndReleasesWholePages) {
  auto cache = make_cache(3);
  KvSequence a;
  ASSERT_TRUE(cache->reserve(a, 6).ok());  // 2 pages
  EXPECT_EQ(a.pages.size(), 2u);
  EXPECT_EQ(a.rows.size(), 8u);
  EXPECT_EQ(cache->free_pages(), 1);
  KvSequence b;
  EXPECT_EQ(cache->reserve(b, 5).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(b.pages.empty());
  cache->release(a);
  EXPECT_EQ(cache->free_pages(), 3);
}

TEST(PagedKvCache, SharesCachedPrefixPagesAndEvictsTheLeastRecentlyUsed) {
  auto cache = make_cache(4);
  cache->enable_prefix_caching();
  const std::vector<int32_t> prompt = tokens(100, 10);  // pages [100..103] [104..107] + 2
  KvSequence a;
  EXPECT_EQ(cache->match_prefix(a, prompt), 0);  // nothing cached yet
  ASSERT_TRUE(cache->reserve(a, 10).ok());
  a.length = 10;
  cache->commit_prefix(a, prompt);
  EXPECT_EQ(a.page_hashes.size(), 2u);  // the third page is not full

  // A second sequence with the same first 9 tokens shares both full pages.
  KvSequence b;
  const std::vector<int32_t> other(prompt.begin(), prompt.begin() + 9);
  EXPECT_EQ(cache->match_prefix(b, other), 8);
  EXPECT_EQ(b.pages[0], a.pages[0]);
  EXPECT_EQ(b.pages[1], a.pages[1]);
  EXPECT_EQ(b.length, 8);
  // A prompt that is exactly the two pages leaves its last token to compute: one page shared.
  KvSequence c;
  EXPECT_EQ(cache->match_prefix(c, std::vector<int32_t>(prompt.begin(), prompt.begin() + 8)), 4);

  cache->release(a);
  cache->release(b);
  cache->release(c);
  EXPECT_EQ(cache->free_pages(), 4);
  EXPECT_EQ(cache->cached_pages(), 2);  // still keyed, no longer held

  // Under pressure the cached pages are reused, least recently released first (b let go of the
  // second page before c let go of the first), and leave the cache.
  KvSequence d;
  ASSERT_TRUE(cache->reserve(d, 12).ok());  // 3 pages: the 2 free ones, then one cached
  EXPECT_EQ(cache->cached_pages(), 1);
  KvSequence e;
  EXPECT_EQ(cache->match_prefix(e, prompt), 4);  // the first page is still cached
  cache->release(e);  // back to the cache, unheld
  KvSequence f;
  ASSERT_TRUE(cache->reserve(f, 1).ok());  // no free page: evicts that one too
  EXPECT_EQ(cache->cached_pages(), 0);
  KvSequence g;
  EXPECT_EQ(cache->match_prefix(g, prompt), 0);
  cache->release(d);
  cache->release(f);
}

TEST(PagedKvCache, TruncatingIntoAPageTakesItOutOfTheCache) {
  auto cache = make_cache(2);
  cache->enable_prefix_caching();
  const std::vector<int32_t> prompt = tokens(7, 8);
  KvSequence a;
  ASSERT_TRUE(cache->reserve(a, 8).ok());
  a.length = 8;
  cache->commit_prefix(a, prompt);
  ASSERT_EQ(a.page_hashes.size(), 2u);
  cache->truncate(a, 6);  // the second page will be written again
  EXPECT_EQ(a.page_hashes.size(), 1u);
  KvSequence b;
  std::vector<int32_t> longer = prompt;
  longer.push_back(99);
  ASSERT_TRUE(cache->reserve(b, 0).ok());
  EXPECT_EQ(cache->match_prefix(b, longer), 4);  // only the first page is still cached
  cache->release(a);
  cache->release(b);
  EXPECT_EQ(cache->free_pages(), 2);
}

}  // namespace
}  // namespace ingot::kv_cache
