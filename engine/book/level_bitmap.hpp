#pragma once
// LevelBitmap: which price levels of one side are non-empty, as a hierarchy
// of 64-bit words. Layer 0 has one bit per level; each bit of layer k+1 says
// "word j of layer k is non-zero". Finding the next non-empty level above or
// below any index costs a handful of word operations (ctz / clz) per layer —
// at most 4 layers for 2^24 levels — instead of a scan of the ladder.
// This is what keeps the book fast on wide price ranges.

#include <cstdint>
#include <vector>

namespace erx::book {

class LevelBitmap {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  static constexpr std::uint32_t kMaxLevels = 1u << 24;

  explicit LevelBitmap(std::uint32_t levels);

  [[nodiscard]] std::uint32_t size() const noexcept { return levels_; }
  [[nodiscard]] bool test(std::uint32_t i) const noexcept;
  void set(std::uint32_t i) noexcept;
  void clear(std::uint32_t i) noexcept;

  // Smallest set index >= i, or kNone.
  [[nodiscard]] std::uint32_t next_at_or_after(std::uint32_t i) const noexcept;
  // Largest set index <= i, or kNone.
  [[nodiscard]] std::uint32_t prev_at_or_before(std::uint32_t i) const noexcept;

  // Self-check, for OrderBook::check_invariants(): every layer has the right
  // number of words, no bit is set past the end of its layer, and bit j of
  // layer k+1 is set exactly when word j of layer k is non-zero, so the walks
  // above reach every set bit of layer 0 and only those. Reads every word once:
  // O(levels / 64), mostly as OR-reductions of 64 words whose summary bit says
  // they are all zero.
  [[nodiscard]] bool consistent() const noexcept;

 private:
  friend struct LevelBitmapTestAccess;  // tests/unit/test_book_invariants.cpp corrupts words

  std::uint32_t levels_;
  std::vector<std::vector<std::uint64_t>> layers_;  // layers_[0] is the finest
};

}  // namespace erx::book
