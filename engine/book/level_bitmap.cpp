#include "engine/book/level_bitmap.hpp"

#include <algorithm>
#include <cstddef>

#include "engine/core/assert.hpp"

namespace erx::book {

namespace {
constexpr std::uint32_t kBits = 64;
constexpr std::uint32_t kShift = 6;
constexpr std::uint32_t kMask = 63;

std::uint32_t words_for(std::uint32_t bits) { return (bits + kBits - 1) / kBits; }
}  // namespace

LevelBitmap::LevelBitmap(std::uint32_t levels) : levels_(levels) {
  ERX_ASSERT(levels > 0 && levels <= kMaxLevels);
  std::uint32_t bits = levels;
  do {
    const std::uint32_t words = words_for(bits);
    layers_.emplace_back(words, 0);
    bits = words;
  } while (bits > 1);
}

bool LevelBitmap::test(std::uint32_t i) const noexcept {
  ERX_ASSERT(i < levels_);
  return (layers_[0][i >> kShift] >> (i & kMask)) & 1u;
}

void LevelBitmap::set(std::uint32_t i) noexcept {
  ERX_ASSERT(i < levels_);
  // Set the bit in each layer until a word that was already non-zero:
  // its summary bit above is then already set.
  for (auto& layer : layers_) {
    std::uint64_t& word = layer[i >> kShift];
    const bool was_empty = word == 0;
    word |= std::uint64_t{1} << (i & kMask);
    if (!was_empty) return;
    i >>= kShift;
  }
}

void LevelBitmap::clear(std::uint32_t i) noexcept {
  ERX_ASSERT(i < levels_);
  // Clear upward while the word becomes empty.
  for (auto& layer : layers_) {
    std::uint64_t& word = layer[i >> kShift];
    word &= ~(std::uint64_t{1} << (i & kMask));
    if (word != 0) return;
    i >>= kShift;
  }
}

std::uint32_t LevelBitmap::next_at_or_after(std::uint32_t i) const noexcept {
  if (i >= levels_) return kNone;
  const auto depth = static_cast<std::uint32_t>(layers_.size());
  std::uint32_t layer = 0;
  std::uint64_t idx = i;
  // Climb until a word holds a set bit at or after idx.
  for (;;) {
    const auto& words = layers_[layer];
    const std::uint64_t w = idx >> kShift;
    if (w >= words.size()) return kNone;
    const std::uint64_t bits = words[w] & (~std::uint64_t{0} << (idx & kMask));
    if (bits != 0) {
      idx = (w << kShift) | static_cast<std::uint64_t>(__builtin_ctzll(bits));
      break;
    }
    if (++layer == depth) return kNone;
    idx = w + 1;
  }
  // Descend, taking the lowest set bit each time.
  while (layer > 0) {
    --layer;
    const std::uint64_t word = layers_[layer][idx];
    ERX_ASSERT(word != 0);
    idx = (idx << kShift) | static_cast<std::uint64_t>(__builtin_ctzll(word));
  }
  return static_cast<std::uint32_t>(idx);
}

std::uint32_t LevelBitmap::prev_at_or_before(std::uint32_t i) const noexcept {
  if (i >= levels_) i = levels_ - 1;
  const auto depth = static_cast<std::uint32_t>(layers_.size());
  std::uint32_t layer = 0;
  std::uint64_t idx = i;
  // Climb until a word holds a set bit at or before idx.
  for (;;) {
    const auto& words = layers_[layer];
    const std::uint64_t w = idx >> kShift;
    const std::uint64_t bits = words[w] & (~std::uint64_t{0} >> (kMask - (idx & kMask)));
    if (bits != 0) {
      idx = (w << kShift) | static_cast<std::uint64_t>(63 - __builtin_clzll(bits));
      break;
    }
    if (w == 0 || ++layer == depth) return kNone;
    idx = w - 1;
  }
  // Descend, taking the highest set bit each time.
  while (layer > 0) {
    --layer;
    const std::uint64_t word = layers_[layer][idx];
    ERX_ASSERT(word != 0);
    idx = (idx << kShift) | static_cast<std::uint64_t>(63 - __builtin_clzll(word));
  }
  return static_cast<std::uint32_t>(idx);
}

bool LevelBitmap::consistent() const noexcept {
  if (layers_.empty() || layers_[0].size() != words_for(levels_)) return false;
  // No bit past the last level.
  const std::uint32_t tail_bits = levels_ & kMask;
  if (tail_bits != 0 && (layers_[0].back() >> tail_bits) != 0) return false;
  for (std::size_t k = 1; k < layers_.size(); ++k) {
    const std::size_t below_words = layers_[k - 1].size();
    if (below_words <= 1 || layers_[k].size() != words_for(static_cast<std::uint32_t>(below_words))) return false;
    // Raw pointers: this loop reads the whole ladder / 64 and runs after every
    // command in the tests, also in unoptimised (sanitizer) builds.
    const std::uint64_t* below = layers_[k - 1].data();
    const std::uint64_t* summary = layers_[k].data();
    for (std::size_t j = 0; j < layers_[k].size(); ++j) {
      const std::uint64_t* words = below + j * kBits;
      const std::size_t n = std::min<std::size_t>(kBits, below_words - j * kBits);
      const std::uint64_t s = summary[j];
      if (n < kBits && (s >> n) != 0) return false;  // a bit for a word that does not exist
      if (s == 0) {
        // The common case on a sparse ladder: n words that must all be zero.
        std::uint64_t any = 0;
        for (std::size_t w = 0; w < n; ++w) any |= words[w];
        if (any != 0) return false;
      } else {
        std::uint64_t nonzero = 0;
        for (std::size_t w = 0; w < n; ++w) nonzero |= std::uint64_t{words[w] != 0} << w;
        if (nonzero != s) return false;
      }
    }
  }
  return layers_.back().size() == 1;  // the top is one word
}

}  // namespace erx::book
