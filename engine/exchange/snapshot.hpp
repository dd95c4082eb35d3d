#pragma once
// Snapshots: the whole Exchange state as canonical, versioned bytes, so a
// restart can load the state at a seq instead of replaying the journal from
// seq 1 (docs/LEDGER.md "Snapshots" has the layout and how recovery uses it).
//
//   Exchange::save_snapshot(out)        the bytes of the current state
//   Exchange::load_snapshot(bytes, &e)  a fresh Exchange takes that state
//
// Canonical: the bytes depend only on the state (maps in key order, orders by
// id, books in price-time priority), never on hash-table layout or pool slots,
// so the same state always gives the same bytes and verification can compare
// them. Integers are fixed-width little-endian; no floating point.
//
// This header holds the frame (magic, format, seq, state hash, length,
// checksum) and the bounds-checked writer / reader the Exchange uses; the
// engine has its own rather than the ledger's (engine/ is the lower layer).
// What the body holds, and in which order, is the state description
// (state_fields.hpp), which the state hash walks too.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "engine/exchange/basic_types.hpp"

namespace erx::exchange {

// Bump on any change to the layout; a loader refuses formats it does not know.
// 2: a buy order's prepaid sub-fen (issue 13: fill cash rounded up per order).
// 3: instrument specs gained last_trading_date (issue 13).
// 4: the body follows the state description (state_fields.hpp): an order's
//    and a resting order's fields in the state hash's order, a book owner
//    saved with its order list.
inline constexpr std::uint32_t kSnapshotFormat = 4;
inline constexpr std::string_view kSnapshotMagic{"ERXSNAP\0", 8};

// The frame around the body:
//   8 B magic, u32 format, u64 seq, u64 state hash, u64 body length n,
//   n B body, u64 checksum of every byte before it.
struct SnapshotHeader {
  std::uint32_t format = 0;
  Seq seq = 0;                   // the last command applied to the saved state
  std::uint64_t state_hash = 0;  // Exchange::state_hash() of the saved state
  std::string_view body;         // into the bytes given to read_snapshot_header()
};

// Checks the frame (magic, format, length, checksum) without loading the body.
// On failure returns false with *error (when not null) saying what is wrong.
[[nodiscard]] bool read_snapshot_header(std::string_view bytes, SnapshotHeader& out, std::string* error);

// A 64-bit checksum of bytes: catches torn or corrupted rows. Not
// cryptographic: the ledger's hash chain is what proves history.
[[nodiscard]] std::uint64_t snapshot_checksum(std::string_view bytes) noexcept;

// Appends fixed-width little-endian fields to a string.
class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void i32(std::int32_t v) { le(static_cast<std::uint32_t>(v), 4); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  // Any integer but bool, in its own width.
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  void integer(T v) {
    le(static_cast<std::make_unsigned_t<T>>(v), static_cast<int>(sizeof(T)));
  }
  // u8 sign (0 or 1; never 1 for zero), then the magnitude as u64 low, u64 high.
  void money(const Money& m);
  // u8 length, then the bytes (every string the state holds is < 256 bytes).
  void text(std::string_view s);
  void raw(std::string_view s) { out_.append(s); }
  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
  // Overwrites 8 bytes at `at` (a length written before it was known).
  void patch_u64(std::size_t at, std::uint64_t v);

 private:
  void le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string& out_;
};

// Reads what SnapshotWriter wrote, never outside its bytes. The first problem
// (a read past the end, a value out of its range) is kept with its offset;
// every later read returns zeros, so a decoder may check once per section.
class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view bytes) : p_(bytes) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  bool boolean();  // only 0 or 1
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  T integer() {
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(le(sizeof(T))));
  }
  Money money();
  std::string_view text();
  std::string_view raw(std::size_t n);
  // A count of items, each at least `item_bytes` long: a count the rest of
  // the bytes cannot hold fails here, before anyone allocates for it.
  std::uint32_t count(std::size_t item_bytes, std::string_view what);

  // Records a problem (the first one wins); returns false for `return r.fail(...)`.
  bool fail(const std::string& what);
  [[nodiscard]] bool ok() const noexcept { return error_.empty(); }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == p_.size(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  std::uint64_t le(std::size_t bytes);
  bool take(std::size_t n);
  std::string_view p_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace erx::exchange
