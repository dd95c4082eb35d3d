#pragma once
// IdIndex: a flat open-addressing hash map from a non-zero 64-bit key to a
// 32-bit slot, used to find a live order by its id in O(1) (and an owner by
// its id). Linear probing with backward-shift deletion, so no tombstones pile
// up under the add/cancel churn of a real book. The key 0 marks an empty cell.
//
// Determinism: lookups only; nothing ever iterates this table in a way that
// reaches the book's output.

#include <cstdint>
#include <vector>

#include "engine/core/assert.hpp"

namespace erx::book {

class IdIndex {
 public:
  static constexpr std::uint32_t kMissing = UINT32_MAX;

  explicit IdIndex(std::uint32_t expected = 1024) { rehash(capacity_for(expected)); }

  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }

  // Room for `expected` keys without a rehash (never shrinks).
  void reserve(std::uint32_t expected) {
    const std::uint64_t cap = capacity_for(expected);
    if (cap > cells_.size()) rehash(cap);
  }

  [[nodiscard]] std::uint32_t find(std::uint64_t key) const noexcept {
    ERX_ASSERT(key != 0);
    for (std::uint64_t i = home(key);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.key == key) return c.value;
      if (c.key == 0) return kMissing;
    }
  }

  // Precondition: key is not present.
  void insert(std::uint64_t key, std::uint32_t value) {
    ERX_ASSERT(key != 0);
    if ((size_ + 1) * 2 > cells_.size()) rehash(cells_.size() * 2);
    std::uint64_t i = home(key);
    while (cells_[i].key != 0) {
      ERX_ASSERT(cells_[i].key != key);
      i = (i + 1) & mask_;
    }
    cells_[i] = Cell{key, value};
    ++size_;
  }

  // Removes key, which must be present.
  void erase(std::uint64_t key) noexcept {
    std::uint64_t i = home(key);
    while (cells_[i].key != key) {
      ERX_ASSERT(cells_[i].key != 0);
      i = (i + 1) & mask_;
    }
    // Backward shift: pull later members of the probe run into the hole
    // unless they already sit at or after their home cell.
    std::uint64_t hole = i;
    for (std::uint64_t j = (hole + 1) & mask_; cells_[j].key != 0; j = (j + 1) & mask_) {
      const std::uint64_t h = home(cells_[j].key);
      const bool movable = ((j - h) & mask_) >= ((j - hole) & mask_);
      if (movable) {
        cells_[hole] = cells_[j];
        hole = j;
      }
    }
    cells_[hole] = Cell{};
    --size_;
  }

 private:
  struct Cell {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
  };

  static std::uint64_t capacity_for(std::uint32_t expected) {
    std::uint64_t cap = 16;
    while (cap < std::uint64_t{expected} * 2) cap *= 2;
    return cap;
  }

  // Fibonacci hashing: spreads sequential ids (the common case) evenly.
  [[nodiscard]] std::uint64_t home(std::uint64_t key) const noexcept {
    return (key * 0x9E3779B97F4A7C15ull) >> shift_;
  }

  void rehash(std::uint64_t capacity) {
    std::vector<Cell> old;
    old.swap(cells_);
    cells_.assign(capacity, Cell{});
    mask_ = capacity - 1;
    shift_ = static_cast<unsigned>(64 - __builtin_ctzll(capacity));
    size_ = 0;
    for (const Cell& c : old)
      if (c.key != 0) insert(c.key, c.value);
  }

  std::vector<Cell> cells_;
  std::uint64_t mask_ = 0;
  unsigned shift_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace erx::book
