#pragma once
// Fixed-point numbers for ERX. No floating point touches money or quantities.
//
// A value with `scale` s is an integer count of 10^-s units: "389.00" at scale 2
// is 38900, "0.001" at scale 3 is 1. Each instrument has its own price scale and
// quantity scale (whole tonnes, kilograms = 0.001 t, whole m³, ...).
//
//   Price  int64, in price units of the instrument (10^-price_scale CNY)
//   Qty    int64, in quantity units of the instrument (10^-qty_scale of the unit)
//   Money  checked signed 128-bit integer: notional, fees, balances. Any
//          arithmetic overflow throws std::overflow_error inside Boost; the
//          helpers below turn it into an error value at our boundaries.
//
// Parsing is exact: a text with more fractional digits than the scale allows
// is an error (PrecisionLoss) unless the extra digits are zeros; a value that
// does not fit the integer type is an error (Overflow).

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>

namespace erx {

using Price = std::int64_t;
using Qty = std::int64_t;
using Money = boost::multiprecision::checked_int128_t;

inline constexpr int kMaxScale = 18;

enum class DecimalError : std::uint8_t {
  None = 0,
  Empty,             // no text at all, or only a sign
  InvalidCharacter,  // anything but [+-]digits[.digits]
  MissingDigits,     // "." or "5." or ".5": digits are required on both sides of the point
  PrecisionLoss,     // more significant fractional digits than the scale
  Overflow,          // the value does not fit the target integer type
  InvalidScale,      // scale outside [0, kMaxScale]
};

[[nodiscard]] std::string_view to_string(DecimalError e) noexcept;

struct ParsedInt64 {
  std::int64_t value = 0;
  DecimalError error = DecimalError::None;
  [[nodiscard]] bool ok() const noexcept { return error == DecimalError::None; }
};

struct ParsedMoney {
  Money value = 0;
  DecimalError error = DecimalError::None;
  [[nodiscard]] bool ok() const noexcept { return error == DecimalError::None; }
};

// "389.00" at scale 2 -> 38900. Leading '+' or '-' allowed; no exponent, no spaces,
// no thousands separators.
[[nodiscard]] ParsedInt64 parse_fixed(std::string_view text, int scale) noexcept;
[[nodiscard]] ParsedMoney parse_money(std::string_view text, int scale) noexcept;

// 38900 at scale 2 -> "389.00"; always exactly `scale` fractional digits
// (none and no point when scale is 0); '-' for negatives. Precondition: valid scale.
[[nodiscard]] std::string format_fixed(std::int64_t units, int scale);
[[nodiscard]] std::string format_money(const Money& units, int scale);

// price × qty, exact. The result's scale is price_scale + qty_scale.
// Cannot overflow: |int64 × int64| < 2^127.
[[nodiscard]] Money notional(Price price_units, Qty qty_units) noexcept;

enum class Rounding : std::uint8_t {
  Down,    // toward zero
  Up,      // away from zero
  HalfUp,  // to nearest, ties away from zero
};

struct RescaledMoney {
  Money value = 0;
  DecimalError error = DecimalError::None;
  [[nodiscard]] bool ok() const noexcept { return error == DecimalError::None; }
};

// Re-express `units` (at from_scale) at to_scale. Going to a finer scale multiplies
// exactly (Overflow if it does not fit); going to a coarser scale divides with
// the given rounding.
[[nodiscard]] RescaledMoney rescale(const Money& units, int from_scale, int to_scale, Rounding mode) noexcept;

// numerator / denominator rounded as asked; denominator must be > 0.
[[nodiscard]] Money divide_rounded(const Money& numerator, const Money& denominator, Rounding mode);

// 10^exponent as Money, exponent in [0, 38].
[[nodiscard]] Money pow10_money(int exponent);

}  // namespace erx
