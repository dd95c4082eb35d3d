#pragma once
// FIX times, both ways, in one place: every UTCTimestamp the gateway reads
// (ExpireTime, SendingTime at logon) goes through parse_fix_timestamp(), and
// every one it writes through format_fix_timestamp().
//
// The engine's time is an int64 count of nanoseconds since 1970-01-01T00:00Z,
// so the times that exist run from 1970-01-01T00:00:00 to
// 2262-04-11T23:47:16.854775807. A text outside that range is refused as
// OutOfRange (never wrapped), an impossible calendar date such as 20270231 as
// ImpossibleDate (never moved to the next month), anything not in the form
// "YYYYMMDD-HH:MM:SS[.f]" (1 to 9 fraction digits) as Malformed.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/exchange/basic_types.hpp"

namespace erx::gateway {

struct FixTime {
  enum class Status : std::uint8_t { Ok, Malformed, ImpossibleDate, OutOfRange };
  Status status = Status::Malformed;
  exchange::Timestamp ns = 0;  // when Ok
  [[nodiscard]] bool ok() const noexcept { return status == Status::Ok; }
};

[[nodiscard]] FixTime parse_fix_timestamp(std::string_view text) noexcept;
// Why a time was refused, in words a member reads in Text(58).
[[nodiscard]] std::string_view describe(FixTime::Status s) noexcept;

// UTCTimestamp with milliseconds, "YYYYMMDD-HH:MM:SS.sss" (ns >= 0).
[[nodiscard]] std::string format_fix_timestamp(exchange::Timestamp ns);
// Its two halves: UTCDateOnly "YYYYMMDD" and UTCTimeOnly "HH:MM:SS.sss".
[[nodiscard]] std::string format_fix_date(exchange::Timestamp ns);
[[nodiscard]] std::string format_fix_time_only(exchange::Timestamp ns);

}  // namespace erx::gateway
