#pragma once
// Fixed-width integer encoding for ledger keys and values.
//
// Keys are big-endian so LMDB's byte-wise order is numeric order (seq 2 sorts
// before seq 10, and MDB_APPEND works for increasing ids). Values are
// little-endian, the machine's own order. docs/LEDGER.md has every layout.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/core/assert.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::ledger {

// ---------------------------------------------------------------- writing

// Each integer goes in with one append (one capacity check), not byte by
// byte: these run for every field of every row on the apply thread.
inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
  out.append(b, static_cast<std::size_t>(bytes));
}
inline void put_be64(std::string& out, std::uint64_t v) { put_be(out, v, 8); }
inline void put_be32(std::string& out, std::uint32_t v) { put_be(out, v, 4); }

inline void put_le(std::string& out, std::uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, static_cast<std::size_t>(bytes));
}
inline void put_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
inline void put_u16(std::string& out, std::uint16_t v) { put_le(out, v, 2); }
inline void put_u32(std::string& out, std::uint32_t v) { put_le(out, v, 4); }
inline void put_u64(std::string& out, std::uint64_t v) { put_le(out, v, 8); }
inline void put_i64(std::string& out, std::int64_t v) { put_le(out, static_cast<std::uint64_t>(v), 8); }

// Money: 16 bytes, two's complement little-endian. The engine's checked
// 128-bit type is sign-magnitude with range ±(2^128 - 1); ledger amounts are
// bounded far below 2^127 by the engine's own limits, and a value outside
// ±2^127 is a bug, not data.
void put_money(std::string& out, const Money& m);

// ---------------------------------------------------------------- reading

// Reads fixed-width fields from a value; any read past the end sets `bad`
// and returns zeros, so a decoder checks once at the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes) {}
  std::uint64_t le(std::size_t bytes) {
    if (!take(bytes)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = bytes; i-- > 0;) v = v << 8 | static_cast<unsigned char>(p_[pos_ - bytes + i]);
    return v;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  Money money();
  std::string_view bytes(std::size_t n) {
    if (!take(n)) return {};
    return p_.substr(pos_ - n, n);
  }
  [[nodiscard]] bool bad() const noexcept { return bad_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == p_.size(); }
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }

 private:
  bool take(std::size_t n) {
    if (bad_ || p_.size() - pos_ < n) {
      bad_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::string_view p_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

inline std::uint64_t get_be(std::string_view key, std::size_t at, int bytes) {
  ERX_ASSERT(key.size() >= at + static_cast<std::size_t>(bytes));
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(key[at + static_cast<std::size_t>(i)]);
  return v;
}

}  // namespace erx::ledger
