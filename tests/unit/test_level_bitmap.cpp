// LevelBitmap against a plain std::set on seeded random operations, plus edges.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <set>

#include "engine/book/level_bitmap.hpp"

using erx::book::LevelBitmap;

namespace {

std::uint32_t expected_next(const std::set<std::uint32_t>& s, std::uint32_t i) {
  auto it = s.lower_bound(i);
  return it == s.end() ? LevelBitmap::kNone : *it;
}

std::uint32_t expected_prev(const std::set<std::uint32_t>& s, std::uint32_t i) {
  auto it = s.upper_bound(i);
  if (it == s.begin()) return LevelBitmap::kNone;
  return *--it;
}

std::uint64_t seed_from_env(std::uint64_t fallback) {
  const char* s = std::getenv("ERX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

}  // namespace

TEST_CASE("LevelBitmap: empty, single bit, edges", "[bitmap]") {
  LevelBitmap b(100);
  CHECK(b.next_at_or_after(0) == LevelBitmap::kNone);
  CHECK(b.prev_at_or_before(99) == LevelBitmap::kNone);
  b.set(0);
  b.set(99);
  CHECK(b.next_at_or_after(0) == 0);
  CHECK(b.next_at_or_after(1) == 99);
  CHECK(b.prev_at_or_before(98) == 0);
  CHECK(b.prev_at_or_before(99) == 99);
  CHECK(b.next_at_or_after(100) == LevelBitmap::kNone);
  b.clear(0);
  CHECK(b.prev_at_or_before(98) == LevelBitmap::kNone);
  CHECK(b.test(99));
  CHECK_FALSE(b.test(0));
}

TEST_CASE("LevelBitmap: far-apart bits across layers", "[bitmap]") {
  const std::uint32_t n = 1u << 20;
  LevelBitmap b(n);
  b.set(3);
  b.set(n - 1);
  CHECK(b.next_at_or_after(4) == n - 1);
  CHECK(b.prev_at_or_before(n - 2) == 3);
  b.clear(n - 1);
  CHECK(b.next_at_or_after(4) == LevelBitmap::kNone);
  // One bit set and cleared again leaves every layer empty.
  b.set(70000);
  b.clear(70000);
  CHECK(b.next_at_or_after(4) == LevelBitmap::kNone);
  CHECK(b.prev_at_or_before(n - 1) == 3);
}

TEST_CASE("LevelBitmap: agrees with std::set on random operations", "[bitmap]") {
  const std::uint64_t seed = seed_from_env(20261122);
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  for (std::uint32_t size : {1u, 63u, 64u, 65u, 4096u, 4097u, 300000u}) {
    CAPTURE(size);
    LevelBitmap b(size);
    std::set<std::uint32_t> ref;
    std::uniform_int_distribution<std::uint32_t> pick(0, size - 1);
    for (int op = 0; op < 20000; ++op) {
      const std::uint32_t i = pick(rng);
      if (rng() % 3 == 0) {
        b.clear(i);
        ref.erase(i);
      } else {
        b.set(i);
        ref.insert(i);
      }
      const std::uint32_t q = pick(rng);
      REQUIRE(b.test(q) == (ref.count(q) == 1));
      REQUIRE(b.next_at_or_after(q) == expected_next(ref, q));
      REQUIRE(b.prev_at_or_before(q) == expected_prev(ref, q));
    }
  }
}
