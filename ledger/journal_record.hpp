#pragma once
// One journal record: a sequenced command as it is stored, chained to the
// record before it by SHA-256. Layout (docs/LEDGER.md "Journal record"):
//
//   offset  size  field
//        0    32  prev_hash      hash of the previous record (zeros before seq 1)
//       32     1  format         kJournalFormat
//       33     1  flags          0 (reserved)
//       34     2  engine_version the engine that applied it (kEngineVersion)
//       36     8  seq
//       44     8  epoch          sequencer fencing epoch
//       52     8  time           ns since 1970-01-01T00:00:00Z, int64
//       60     4  body_len n
//       64     n  body           the command body, canonical binary form (docs/COMMANDS.md)
//   64 + n    32  hash           SHA-256 of bytes [0, 64 + n): prev_hash ‖ the record
//
// Integers little-endian. The hash covers the previous hash, so changing any
// byte of any record breaks every link after it.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/exchange/basic_types.hpp"
#include "ledger/sha256.hpp"

namespace erx::ledger {

inline constexpr std::uint8_t kJournalFormat = 1;
// 2: mass-cancel gained day_only (its binary body grew by one byte).
// 3: modify gained qty_is_total (its binary body grew by one byte).
// 4: limits on amounts (docs/EXCHANGE.md "Limits on amounts"): deposits,
//    issues, fee minimums, holding limits and modifies that version 3
//    accepted (or aborted on) are now rejected.
// 5: cancel and mass-cancel gained clord_id, the request's own id (their
//    binary bodies grew by its length byte at least).
// 6: restricting a member or an account cancels its resting orders, and an
//    eligibility change at the open cancels the orders it excludes (issue 13).
// 7: a buy order pays its exact notional rounded up to the fen, once per order
//    (was: each fill rounded down); a sell whose proceeds at its limit cover
//    its fees reserves no cash (issue 13).
// 8: an instrument listed or changed without an eligibility gets the one
//    that follows its right (was: anyone); the binary value 3 = default.
// 9: instruments gained last_trading_date (create- / change-instrument bodies
//    grew by 4 bytes); a right past it is closed and its orders cancelled.
// 10: the ladder follows the band (re-based at every open), so a band is no
//    longer cut at the ladder sized at listing; prices are bounded by
//    kMaxPriceUnits, a band wider than max_ladder_levels is invalid-band
//    (issue 13).
inline constexpr std::uint16_t kEngineVersion = 10;
inline constexpr std::size_t kRecordOverhead = 96;

struct RecordHeader {
  std::uint16_t engine_version = kEngineVersion;
  exchange::Seq seq = 0;
  std::uint64_t epoch = 0;
  exchange::Timestamp time = 0;
};

// Appends a whole record to `out`; returns its hash.
Hash append_record(const Hash& prev, const RecordHeader& h, std::string_view body, std::string& out);

enum class RecordDefect : std::uint8_t {
  None = 0,
  Truncated,      // shorter than its own lengths say, or longer
  BadFormat,      // unknown format byte or non-zero flags
  BadHash,        // the stored hash is not SHA-256 of the record
};
[[nodiscard]] const char* to_string(RecordDefect d) noexcept;

struct RecordView {
  Hash prev{};
  RecordHeader header;
  std::string_view body;
  Hash hash{};
};

// Parses and checks one record on its own (not its link to the previous one).
RecordDefect read_record(std::string_view bytes, RecordView& out);

}  // namespace erx::ledger
