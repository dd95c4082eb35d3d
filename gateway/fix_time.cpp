#include "gateway/fix_time.hpp"

#include <limits>

#include "engine/core/assert.hpp"
#include "engine/core/civil_date.hpp"

namespace erx::gateway {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
using civil::kSecondsPerDay;

// `len` decimal digits at `at`; false if any is not a digit.
bool digits(std::string_view t, std::size_t at, std::size_t len, int& out) {
  out = 0;
  for (std::size_t i = at; i < at + len; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  return true;
}

}  // namespace

FixTime parse_fix_timestamp(std::string_view t) noexcept {
  using S = FixTime::Status;
  // YYYYMMDD-HH:MM:SS[.f{1,9}]
  if (t.size() < 17 || t[8] != '-' || t[11] != ':' || t[14] != ':') return {S::Malformed, 0};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(t, 0, 4, y) || !digits(t, 4, 2, mo) || !digits(t, 6, 2, d) || !digits(t, 9, 2, h) ||
      !digits(t, 12, 2, mi) || !digits(t, 15, 2, s))
    return {S::Malformed, 0};
  std::int64_t frac_ns = 0;
  if (t.size() > 17) {
    if (t[17] != '.' || t.size() == 18 || t.size() > 27) return {S::Malformed, 0};
    std::int64_t scale = 100'000'000;
    for (std::size_t i = 18; i < t.size(); ++i, scale /= 10) {
      if (t[i] < '0' || t[i] > '9') return {S::Malformed, 0};
      frac_ns += (t[i] - '0') * scale;
    }
  }
  // Seconds 60 is a leap second (FIX allows it): it reads as the next minute's 00.
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return {S::ImpossibleDate, 0};
  if (d < 1 || d > civil::days_in_month(y, mo)) return {S::ImpossibleDate, 0};
  // Four digits of year: days and seconds always fit in int64; nanoseconds
  // only up to 2262, so the range is checked on the seconds first.
  const std::int64_t seconds = civil::days_from_date(y, mo, d) * kSecondsPerDay + h * 3600 + mi * 60 + s;
  constexpr std::int64_t kMax = std::numeric_limits<exchange::Timestamp>::max();
  if (seconds < 0 || seconds > kMax / kNsPerSecond) return {S::OutOfRange, 0};
  const std::int64_t whole = seconds * kNsPerSecond;
  if (frac_ns > kMax - whole) return {S::OutOfRange, 0};
  return {S::Ok, whole + frac_ns};
}

std::string_view describe(FixTime::Status s) noexcept {
  switch (s) {
    case FixTime::Status::Ok: return "a valid time";
    case FixTime::Status::Malformed: return "not a UTCTimestamp (YYYYMMDD-HH:MM:SS[.fff])";
    case FixTime::Status::ImpossibleDate: return "not a calendar date and time";
    case FixTime::Status::OutOfRange: return "outside 19700101-00:00:00 to 22620411-23:47:16";
  }
  return "not a time";
}

std::string format_fix_timestamp(exchange::Timestamp ns) {
  ERX_ASSERT(ns >= 0);
  const std::int64_t ms = ns / 1'000'000;
  const std::int64_t days = ms / 86'400'000;
  const std::int64_t rest = ms % 86'400'000;
  const civil::Date date = civil::date_from_days(days);
  ERX_ASSERT(date.year <= civil::kMaxYear);
  // "YYYYMMDD-HH:MM:SS.sss", digit by digit (once per routed command: snprintf
  // showed in the writer thread's profile).
  std::string out(21, '0');
  auto put = [&](std::size_t at, std::int64_t value, int n) {
    for (int i = n - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, date.year, 4);
  put(4, date.month, 2);
  put(6, date.day, 2);
  out[8] = '-';
  put(9, rest / 3'600'000, 2);
  out[11] = ':';
  put(12, rest / 60'000 % 60, 2);
  out[14] = ':';
  put(15, rest / 1000 % 60, 2);
  out[17] = '.';
  put(18, rest % 1000, 3);
  return out;
}

std::string format_fix_date(exchange::Timestamp ns) { return format_fix_timestamp(ns).substr(0, 8); }
std::string format_fix_time_only(exchange::Timestamp ns) { return format_fix_timestamp(ns).substr(9); }

}  // namespace erx::gateway
