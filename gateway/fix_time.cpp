#include "gateway/fix_time.hpp"

#include <limits>

#include "engine/core/assert.hpp"

namespace erx::gateway {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian), for years >= 1.
std::int64_t days_from_civil(int y, int m, int d) {
  const int yy = m <= 2 ? y - 1 : y;
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

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
  if (d < 1 || d > days_in_month(y, mo)) return {S::ImpossibleDate, 0};
  // Four digits of year: days and seconds always fit in int64; nanoseconds
  // only up to 2262, so the range is checked on the seconds first.
  const std::int64_t seconds = days_from_civil(y, mo, d) * kSecondsPerDay + h * 3600 + mi * 60 + s;
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
  std::int64_t days = ms / 86'400'000;
  const std::int64_t rest = ms % 86'400'000;
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  ERX_ASSERT(y <= 9999);
  // "YYYYMMDD-HH:MM:SS.sss", digit by digit (once per routed command: snprintf
  // showed in the writer thread's profile).
  std::string out(21, '0');
  auto put = [&](std::size_t at, std::int64_t value, int n) {
    for (int i = n - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  put(4, m, 2);
  put(6, d, 2);
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
