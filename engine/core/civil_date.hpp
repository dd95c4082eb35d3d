#pragma once
// The one calendar of the tree: proleptic Gregorian dates, UTC, as day numbers
// counted from 1970-01-01 (negative before it). The command language's times
// and dates, the FIX gateway's UTCTimestamps and the engine's business dates
// all convert through these functions, so there is one leap-year rule.
//
// Years run from 1 to 9999 (four digits in every text form). Internally a day
// number is first turned into an "ordinal", days since 0001-01-01; the epoch
// 1970-01-01 is ordinal 719162.

#include <array>
#include <cstddef>
#include <cstdint>

namespace erx::civil {

inline constexpr std::int64_t kMinYear = 1;
inline constexpr std::int64_t kMaxYear = 9'999;
inline constexpr std::int64_t kSecondsPerDay = 86'400;

struct Date {
  std::int64_t year = 1970;
  std::int64_t month = 1;  // 1..12
  std::int64_t day = 1;    // 1..31
};

[[nodiscard]] constexpr bool is_leap_year(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Month m (1..12) of year y.
[[nodiscard]] constexpr std::int64_t days_in_month(std::int64_t y, std::int64_t m) noexcept {
  constexpr std::array<std::int64_t, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap_year(y)) return 29;
  return kDays[static_cast<std::size_t>(m - 1)];
}

// A real date of years kMinYear..kMaxYear.
[[nodiscard]] constexpr bool is_valid(std::int64_t y, std::int64_t m, std::int64_t d) noexcept {
  return y >= kMinYear && y <= kMaxYear && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

namespace detail {
inline constexpr std::int64_t kDaysPer400Years = 146'097;
inline constexpr std::int64_t kDaysPer100Years = 36'524;  // a century whose last year is not leap
inline constexpr std::int64_t kDaysPer4Years = 1'461;     // four years whose last one is leap

// Days from 0001-01-01 to y-01-01, y >= 1: 365 per year plus one per leap year before y.
constexpr std::int64_t days_before_year(std::int64_t y) noexcept {
  const std::int64_t p = y - 1;
  return 365 * p + p / 4 - p / 100 + p / 400;
}

// Days from January 1 to the first of month m (1..12).
constexpr std::int64_t days_before_month(std::int64_t y, std::int64_t m) noexcept {
  constexpr std::array<std::int64_t, 12> kBefore{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kBefore[static_cast<std::size_t>(m - 1)] + (m > 2 && is_leap_year(y) ? 1 : 0);
}

inline constexpr std::int64_t kEpochOrdinal = days_before_year(1970);
static_assert(kEpochOrdinal == 719'162);
}  // namespace detail

// Days since 1970-01-01 of a valid date (is_valid).
[[nodiscard]] constexpr std::int64_t days_from_date(std::int64_t y, std::int64_t m, std::int64_t d) noexcept {
  return detail::days_before_year(y) + detail::days_before_month(y, m) + (d - 1) - detail::kEpochOrdinal;
}

// The date `days` after 1970-01-01, for days >= -719162 (year >= 1).
[[nodiscard]] constexpr Date date_from_days(std::int64_t days) noexcept {
  using namespace detail;
  std::int64_t n = days + kEpochOrdinal;  // days since 0001-01-01
  const std::int64_t q400 = n / kDaysPer400Years;
  n %= kDaysPer400Years;
  // The last century of a 400-year cycle is one day longer (its year 400 is
  // leap): its last day would give 4 here, and belongs to century 3.
  std::int64_t q100 = n / kDaysPer100Years;
  if (q100 == 4) q100 = 3;
  n -= q100 * kDaysPer100Years;
  const std::int64_t q4 = n / kDaysPer4Years;
  n %= kDaysPer4Years;
  // Likewise the 4th year of a 4-year group is the leap one.
  std::int64_t q1 = n / 365;
  if (q1 == 4) q1 = 3;
  n -= q1 * 365;
  Date c;
  c.year = 1 + 400 * q400 + 100 * q100 + 4 * q4 + q1;
  c.month = 1;
  while (n >= days_in_month(c.year, c.month)) {
    n -= days_in_month(c.year, c.month);
    ++c.month;
  }
  c.day = n + 1;
  return c;
}

static_assert(days_from_date(1970, 1, 1) == 0);
static_assert(days_from_date(2000, 3, 1) == 11'017);
static_assert(days_from_date(1969, 12, 31) == -1);
static_assert(date_from_days(11'017).year == 2000 && date_from_days(11'017).month == 3);
static_assert(date_from_days(-1).year == 1969 && date_from_days(-1).month == 12 && date_from_days(-1).day == 31);
static_assert(date_from_days(days_from_date(2024, 2, 29)).day == 29);
static_assert(date_from_days(days_from_date(9999, 12, 31)).year == 9999);

}  // namespace erx::civil
