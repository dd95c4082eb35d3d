#include "engine/fixed/decimal.hpp"

#include <array>
#include <cstddef>
#include <string_view>
#include <iterator>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "engine/core/assert.hpp"
#include "engine/fixed/pow10.hpp"

namespace erx {
namespace {

// A notional carries price_scale + qty_scale, so the Money-valued helpers
// (format_money, rescale) accept scales up to twice the largest instrument scale.
constexpr int kMaxMoneyScale = 2 * kMaxScale;

// 10^38 < 2^128 - 1 < 10^39: the largest power of ten Money can hold.
constexpr int kMaxPow10 = 38;

bool scale_in_range(int scale, int max_scale) noexcept { return scale >= 0 && scale <= max_scale; }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int digit_value(char c) noexcept { return c - '0'; }

// A decimal text cut into its parts once its syntax is known to be valid.
struct DecimalParts {
  bool negative = false;
  std::string_view int_digits;   // never empty when error == None
  std::string_view frac_digits;  // empty when the text has no point
  DecimalError error = DecimalError::None;
};

DecimalParts syntax_error(DecimalError e) noexcept {
  DecimalParts parts;
  parts.error = e;
  return parts;
}

// Checks the grammar [+-]digits[.digits] and splits the text. Syntax only:
// precision and range are judged later, against a scale and a target type.
DecimalParts split_decimal(std::string_view text) noexcept {
  DecimalParts parts;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    parts.negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return syntax_error(DecimalError::Empty);

  // Only the first '.' is the point; a second one is a bad character like any other.
  const std::size_t point = text.find('.');
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != point && !is_digit(text[i])) return syntax_error(DecimalError::InvalidCharacter);
  }

  if (point == std::string_view::npos) {
    parts.int_digits = text;
  } else {
    parts.int_digits = text.substr(0, point);
    parts.frac_digits = text.substr(point + 1);
    // "5." and ".5" are rejected: a lone point is too easy to produce by mistake.
    if (parts.frac_digits.empty()) return syntax_error(DecimalError::MissingDigits);
  }
  if (parts.int_digits.empty()) return syntax_error(DecimalError::MissingDigits);
  return parts;
}

// Fractional digits past the scale are allowed only if dropping them loses nothing.
bool fits_scale(std::string_view frac_digits, int scale) noexcept {
  const auto kept = static_cast<std::size_t>(scale);
  for (std::size_t i = kept; i < frac_digits.size(); ++i) {
    if (frac_digits[i] != '0') return false;
  }
  return true;
}

// The value in units of 10^-scale, as a magnitude. Missing fractional digits
// count as zeros; extra ones are known to be zeros (fits_scale) and are ignored.
// Throws std::overflow_error (from Boost) when the magnitude does not fit Money.
Money magnitude_in_units(const DecimalParts& parts, int scale) {
  Money units = 0;
  for (const char c : parts.int_digits) units = units * 10 + digit_value(c);
  const auto kept = static_cast<std::size_t>(scale);
  for (std::size_t i = 0; i < kept; ++i) {
    const char c = i < parts.frac_digits.size() ? parts.frac_digits[i] : '0';
    units = units * 10 + digit_value(c);
  }
  return units;
}

// Shared by both parsers. Errors are reported in a fixed order: scale, syntax,
// precision, then range, so one text always gets the same error.
ParsedMoney parse_to_money(std::string_view text, int scale) noexcept {
  ParsedMoney out;
  if (!scale_in_range(scale, kMaxScale)) {
    out.error = DecimalError::InvalidScale;
    return out;
  }
  const DecimalParts parts = split_decimal(text);
  if (parts.error != DecimalError::None) {
    out.error = parts.error;
    return out;
  }
  if (!fits_scale(parts.frac_digits, scale)) {
    out.error = DecimalError::PrecisionLoss;
    return out;
  }
  try {
    const Money magnitude = magnitude_in_units(parts, scale);
    // Money is sign-magnitude with a symmetric range, so negating never overflows.
    out.value = parts.negative ? Money(-magnitude) : magnitude;
  } catch (const std::overflow_error&) {
    out.value = 0;
    out.error = DecimalError::Overflow;
  }
  return out;
}

// Whether a truncated quotient must move one step away from zero.
// remainder is the (non-negative) remainder of |numerator| / denominator.
bool rounds_away_from_zero(const Money& remainder, const Money& denominator, Rounding mode) {
  if (remainder == 0) return false;  // exact: no rounding in any mode
  switch (mode) {
    case Rounding::Down:
      return false;
    case Rounding::Up:
      return true;
    case Rounding::HalfUp:
      // 2 * remainder >= denominator, written without doubling: the doubled
      // remainder could exceed Money when the denominator is near the maximum.
      return remainder >= denominator - remainder;
  }
  return false;
}

}  // namespace

std::string_view to_string(DecimalError e) noexcept {
  switch (e) {
    case DecimalError::None:
      return "none";
    case DecimalError::Empty:
      return "empty";
    case DecimalError::InvalidCharacter:
      return "invalid_character";
    case DecimalError::MissingDigits:
      return "missing_digits";
    case DecimalError::PrecisionLoss:
      return "precision_loss";
    case DecimalError::Overflow:
      return "overflow";
    case DecimalError::InvalidScale:
      return "invalid_scale";
  }
  return "unknown";  // a value cast from outside the enumeration
}

ParsedMoney parse_money(std::string_view text, int scale) noexcept { return parse_to_money(text, scale); }

ParsedInt64 parse_fixed(std::string_view text, int scale) noexcept {
  // Parse into the wider type, then check the int64 range: this keeps one
  // parser and lets INT64_MIN, whose magnitude is not an int64, parse exactly.
  const ParsedMoney wide = parse_to_money(text, scale);
  ParsedInt64 out;
  if (!wide.ok()) {
    out.error = wide.error;
    return out;
  }
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (wide.value < kMin || wide.value > kMax) {
    out.error = DecimalError::Overflow;
    return out;
  }
  out.value = static_cast<std::int64_t>(wide.value);
  return out;
}

namespace {

// The text of sign × digits at `scale`: at least one integer digit, exactly
// `scale` fraction digits (digits is the magnitude, without leading zeros).
std::string place_point(bool negative, std::string_view digits, int scale) {
  const auto frac_len = static_cast<std::size_t>(scale);
  const std::size_t pad = digits.size() <= frac_len ? frac_len + 1 - digits.size() : 0;
  const std::size_t int_len = pad + digits.size() - frac_len;
  std::string text;
  text.reserve(pad + digits.size() + 2);
  if (negative) text += '-';
  // The padded digits are pad zeros then `digits`; the point goes after int_len of them.
  for (std::size_t i = 0; i < pad + digits.size(); ++i) {
    if (i == int_len) text += '.';
    text += i < pad ? '0' : digits[i - pad];
  }
  return text;
}

// Magnitude digits of an int64 (INT64_MIN included) without going through
// Money: the common case, and much cheaper than Money's str().
std::string format_int64(std::int64_t units, int scale) {
  const bool negative = units < 0;
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(units) + 1 : static_cast<std::uint64_t>(units);
  char digits[24];
  const auto result = std::to_chars(std::begin(digits), std::end(digits), magnitude);
  ERX_ASSERT(result.ec == std::errc());
  return place_point(negative, std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)), scale);
}

}  // namespace

std::string format_money(const Money& units, int scale) {
  ERX_ASSERT_MSG(scale_in_range(scale, kMaxMoneyScale), "format_money: scale out of range");
  if (units >= std::numeric_limits<std::int64_t>::min() && units <= std::numeric_limits<std::int64_t>::max())
    return format_int64(static_cast<std::int64_t>(units), scale);
  const bool negative = units < 0;
  // The range is symmetric, so the magnitude of Money's minimum is representable.
  const std::string digits = (negative ? Money(-units) : units).str();
  return place_point(negative, digits, scale);
}

std::string format_fixed(std::int64_t units, int scale) {
  ERX_ASSERT_MSG(scale_in_range(scale, kMaxScale), "format_fixed: scale out of range");
  return format_int64(units, scale);
}

Money notional(Price price_units, Qty qty_units) noexcept {
  // |int64 × int64| <= 2^126, far inside Money's range, so Boost never throws here.
  return Money(price_units) * Money(qty_units);
}

Money divide_rounded(const Money& numerator, const Money& denominator, Rounding mode) {
  ERX_ASSERT_MSG(denominator > 0, "divide_rounded: denominator must be positive");
  // Work on the magnitude so every mode is symmetric around zero; Boost's
  // truncating division would otherwise need sign-dependent corrections.
  const bool negative = numerator < 0;
  const Money magnitude = negative ? Money(-numerator) : numerator;
  Money quotient = magnitude / denominator;
  const Money remainder = magnitude % denominator;
  // Cannot overflow: a non-zero remainder implies denominator >= 2, so the
  // quotient is at most half of Money's maximum.
  if (rounds_away_from_zero(remainder, denominator, mode)) quotient += 1;
  return negative ? Money(-quotient) : quotient;
}

Money pow10_money(int exponent) {
  ERX_ASSERT_MSG(exponent >= 0 && exponent <= kMaxPow10, "pow10_money: exponent out of range");
  // Built once (thread-safe static init) from the int64 table, widened
  // past 10^18; rescale calls this on every use.
  static const std::array<Money, kMaxPow10 + 1> table = [] {
    std::array<Money, kMaxPow10 + 1> powers{};
    constexpr auto kWidest = static_cast<std::size_t>(kMaxPow10Int64);
    for (std::size_t i = 0; i < powers.size(); ++i)
      powers[i] = i <= kWidest ? Money(kPow10[i]) : Money(powers[i - 1] * 10);
    return powers;
  }();
  return table[static_cast<std::size_t>(exponent)];
}

RescaledMoney rescale(const Money& units, int from_scale, int to_scale, Rounding mode) noexcept {
  RescaledMoney out;
  if (!scale_in_range(from_scale, kMaxMoneyScale) || !scale_in_range(to_scale, kMaxMoneyScale)) {
    out.error = DecimalError::InvalidScale;
    return out;
  }
  try {
    if (to_scale >= from_scale) {
      // Finer (or same) scale: exact, but the product may not fit.
      out.value = units * pow10_money(to_scale - from_scale);
    } else {
      out.value = divide_rounded(units, pow10_money(from_scale - to_scale), mode);
    }
  } catch (const std::overflow_error&) {
    out.value = 0;
    out.error = DecimalError::Overflow;
  }
  return out;
}

}  // namespace erx
