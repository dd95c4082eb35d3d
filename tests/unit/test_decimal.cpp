// Unit tests for engine/fixed/decimal: exact parsing, formatting, rescaling and
// rounding of fixed-point values. Every check compares a value or an error code.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/fixed/decimal.hpp"

using erx::DecimalError;
using erx::Money;
using erx::Rounding;

namespace {

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

// Money's limits computed by hand, so the tests do not just trust numeric_limits.
// checked_int128_t is sign-magnitude: its range is ±(2^128 - 1), not [-2^127, 2^127).
Money two_pow(unsigned n) {
  Money p = 1;
  for (unsigned i = 0; i < n; ++i) p *= 2;
  return p;
}
const Money kMoneyMax = (two_pow(127) - 1) * 2 + 1;  // 2^128 - 1 without overflowing on the way
const Money kMoneyMin = -kMoneyMax;

const char* const kMoneyMaxText = "340282366920938463463374607431768211455";      // 2^128 - 1
const char* const kMoneyMaxPlusOne = "340282366920938463463374607431768211456";   // 2^128
const char* const kTwoPow127Text = "170141183460469231731687303715884105728";     // 2^127

std::string error_name(DecimalError e) { return std::string(erx::to_string(e)); }

}  // namespace

TEST_CASE("parse_fixed: domain examples", "[decimal][parse]") {
  struct Case {
    const char* text;
    int scale;
    std::int64_t units;
  };
  const std::vector<Case> cases = {
      {"389.00", 2, 38900},         {"0.001", 3, 1},         {"0.05", 2, 5},
      {"0.12", 2, 12},              {"62050000", 0, 62050000}, {"62050000", 2, 6205000000},
      {"389", 2, 38900},            {"1.5", 3, 1500},        {"+389.00", 2, 38900},
      {"-389.00", 2, -38900},       {"-0.001", 3, -1},       {"0", 0, 0},
      {"-0", 0, 0},                 {"+0.00", 2, 0},         {"007.50", 2, 750},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text, c.scale);
    const auto r = erx::parse_fixed(c.text, c.scale);
    REQUIRE(r.ok());
    CHECK(r.error == DecimalError::None);
    CHECK(r.value == c.units);
  }
}

TEST_CASE("parse: zeros beyond the scale are accepted", "[decimal][parse]") {
  CHECK(erx::parse_fixed("389.000000", 2).value == 38900);
  CHECK(erx::parse_fixed("1.50", 1).value == 15);
  CHECK(erx::parse_fixed("7.0", 0).value == 7);
  CHECK(erx::parse_fixed("7.000000000000000000000000000000", 0).value == 7);
  CHECK(erx::parse_fixed("-0.1000", 1).value == -1);
  CHECK(erx::parse_fixed("0.0010", 3).value == 1);
  CHECK(erx::parse_fixed("9223372036854775807.000", 0).value == kI64Max);
  CHECK(erx::parse_money("12.3400", 2).value == Money(1234));

  CHECK(erx::parse_fixed("389.000000", 2).ok());
  CHECK(erx::parse_money("-0.500", 1).value == Money(-5));
}

TEST_CASE("parse: precision loss is rejected", "[decimal][parse][error]") {
  const std::vector<std::pair<const char*, int>> cases = {
      {"0.001", 2}, {"1.5", 0}, {"0.0000001", 6}, {"1.2301", 3}, {"-0.005", 2},
      {"389.001", 2}, {"0.0000000000000000001", 18}, {"1.00000000000000000000001", 18},
  };
  for (const auto& [text, scale] : cases) {
    CAPTURE(text, scale);
    const auto f = erx::parse_fixed(text, scale);
    CHECK_FALSE(f.ok());
    CHECK(f.error == DecimalError::PrecisionLoss);
    CHECK(f.value == 0);
    const auto m = erx::parse_money(text, scale);
    CHECK(m.error == DecimalError::PrecisionLoss);
    CHECK(m.value == 0);
  }
}

TEST_CASE("parse: every error kind", "[decimal][parse][error]") {
  auto both_fail_with = [](std::string_view text, int scale, DecimalError expected) {
    CAPTURE(std::string(text), scale, error_name(expected));
    const auto f = erx::parse_fixed(text, scale);
    CHECK(f.error == expected);
    CHECK_FALSE(f.ok());
    const auto m = erx::parse_money(text, scale);
    CHECK(m.error == expected);
    CHECK_FALSE(m.ok());
  };

  SECTION("Empty: no text, or a sign alone") {
    for (const char* t : {"", "+", "-"}) both_fail_with(t, 2, DecimalError::Empty);
  }
  SECTION("InvalidCharacter: anything outside [+-]digits[.digits]") {
    for (const char* t : {" 1", "1 ", "1e5", "1E5", "1,000", "1_000", "0x10", "1.2.3", "+-1", "--1",
                          "++1", "12a", "a", "1.5x", "1-", "1+", "\t1", "∞", "NaN", "inf", "1..2", "1'000"}) {
      both_fail_with(t, 2, DecimalError::InvalidCharacter);
    }
    both_fail_with(std::string_view("1\0", 2), 0, DecimalError::InvalidCharacter);  // embedded NUL
  }
  SECTION("MissingDigits: digits required on both sides of the point") {
    for (const char* t : {".", "5.", ".5", "-.5", "+.", "-5.", "-.", "+.5"}) {
      both_fail_with(t, 2, DecimalError::MissingDigits);
    }
  }
  SECTION("PrecisionLoss") { both_fail_with("0.125", 2, DecimalError::PrecisionLoss); }
  SECTION("Overflow") {
    both_fail_with(kMoneyMaxPlusOne, 0, DecimalError::Overflow);
    both_fail_with(std::string(100, '9'), 0, DecimalError::Overflow);
    both_fail_with("-" + std::string(100, '9'), 0, DecimalError::Overflow);
  }
  SECTION("InvalidScale: outside [0, 18]") {
    for (int scale : {-1, 19, 36, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) {
      both_fail_with("1", scale, DecimalError::InvalidScale);
    }
  }
  SECTION("scale limits themselves are valid") {
    CHECK(erx::parse_fixed("1", 0).value == 1);
    CHECK(erx::parse_fixed("1", 18).value == 1000000000000000000);
    CHECK(erx::parse_money("1", 18).value == erx::pow10_money(18));
  }
  SECTION("errors are reported in a fixed order: scale, syntax, precision, range") {
    both_fail_with("", 19, DecimalError::InvalidScale);
    both_fail_with("x", -1, DecimalError::InvalidScale);
    both_fail_with("1.2x3", 0, DecimalError::InvalidCharacter);
    both_fail_with(std::string(60, '9') + ".125", 2, DecimalError::PrecisionLoss);
  }
}

TEST_CASE("to_string names every error kind distinctly", "[decimal]") {
  CHECK(erx::to_string(DecimalError::None) == "none");
  CHECK(erx::to_string(DecimalError::Empty) == "empty");
  CHECK(erx::to_string(DecimalError::InvalidCharacter) == "invalid_character");
  CHECK(erx::to_string(DecimalError::MissingDigits) == "missing_digits");
  CHECK(erx::to_string(DecimalError::PrecisionLoss) == "precision_loss");
  CHECK(erx::to_string(DecimalError::Overflow) == "overflow");
  CHECK(erx::to_string(DecimalError::InvalidScale) == "invalid_scale");
  CHECK(erx::to_string(static_cast<DecimalError>(200)) == "unknown");

  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(DecimalError::InvalidScale); ++i) {
    names.insert(erx::to_string(static_cast<DecimalError>(i)));
  }
  CHECK(names.size() == 7);
}

TEST_CASE("parse_fixed: int64 edges", "[decimal][parse][edge]") {
  CHECK(erx::parse_fixed("9223372036854775807", 0).value == kI64Max);
  CHECK(erx::parse_fixed("9223372036854775808", 0).error == DecimalError::Overflow);
  CHECK(erx::parse_fixed("-9223372036854775808", 0).value == kI64Min);
  CHECK(erx::parse_fixed("-9223372036854775808", 0).ok());
  CHECK(erx::parse_fixed("-9223372036854775809", 0).error == DecimalError::Overflow);

  CHECK(erx::parse_fixed("92233720368547758.07", 2).value == kI64Max);
  CHECK(erx::parse_fixed("92233720368547758.08", 2).error == DecimalError::Overflow);
  CHECK(erx::parse_fixed("-92233720368547758.08", 2).value == kI64Min);
  CHECK(erx::parse_fixed("-92233720368547758.09", 2).error == DecimalError::Overflow);

  CHECK(erx::parse_fixed("9.223372036854775807", 18).value == kI64Max);
  CHECK(erx::parse_fixed("9.223372036854775808", 18).error == DecimalError::Overflow);
  CHECK(erx::parse_fixed("-9.223372036854775808", 18).value == kI64Min);
  CHECK(erx::parse_fixed("-9.223372036854775809", 18).error == DecimalError::Overflow);
  CHECK(erx::parse_fixed("10", 18).error == DecimalError::Overflow);  // 10^19 units

  // Leading zeros do not count toward the range.
  CHECK(erx::parse_fixed("0000000000000000000000000000009223372036854775807", 0).value == kI64Max);
  CHECK(erx::parse_fixed("-00000000000000000000000000000000000000000000001", 0).value == -1);

  // Beyond int64 but inside Money: only parse_money accepts it.
  CHECK(erx::parse_money("9223372036854775808", 0).value == Money(kI64Max) + 1);
  CHECK(erx::parse_money("-9223372036854775809", 0).value == Money(kI64Min) - 1);

  CHECK(erx::format_fixed(kI64Max, 0) == "9223372036854775807");
  CHECK(erx::format_fixed(kI64Min, 0) == "-9223372036854775808");
  CHECK(erx::format_fixed(kI64Max, 2) == "92233720368547758.07");
  CHECK(erx::format_fixed(kI64Min, 2) == "-92233720368547758.08");
  CHECK(erx::format_fixed(kI64Max, 18) == "9.223372036854775807");
  CHECK(erx::format_fixed(kI64Min, 18) == "-9.223372036854775808");
}

TEST_CASE("parse_money / format_money: Money edges", "[decimal][parse][edge]") {
  REQUIRE(kMoneyMax == std::numeric_limits<Money>::max());
  REQUIRE(kMoneyMin == std::numeric_limits<Money>::min());

  SECTION("around 2^127") {
    const auto p = erx::parse_money(kTwoPow127Text, 0);
    REQUIRE(p.ok());
    CHECK(p.value == two_pow(127));
    CHECK(erx::parse_money("170141183460469231731687303715884105727", 0).value == two_pow(127) - 1);
    CHECK(erx::parse_money("-170141183460469231731687303715884105728", 0).value == -two_pow(127));
    CHECK(erx::parse_money("-170141183460469231731687303715884105729", 0).value == -two_pow(127) - 1);
    CHECK(erx::format_money(two_pow(127), 0) == kTwoPow127Text);
  }
  SECTION("the true limits ±(2^128 - 1), and one past them") {
    CHECK(erx::parse_money(kMoneyMaxText, 0).value == kMoneyMax);
    CHECK(erx::parse_money(std::string("-") + kMoneyMaxText, 0).value == kMoneyMin);
    CHECK(erx::parse_money(kMoneyMaxPlusOne, 0).error == DecimalError::Overflow);
    CHECK(erx::parse_money(std::string("-") + kMoneyMaxPlusOne, 0).error == DecimalError::Overflow);

    CHECK(erx::parse_money("340282366920938463463.374607431768211455", 18).value == kMoneyMax);
    CHECK(erx::parse_money("340282366920938463463.374607431768211456", 18).error == DecimalError::Overflow);
    CHECK(erx::parse_money("-340282366920938463463.374607431768211455", 18).value == kMoneyMin);
    // The integer part alone fits, but not once scaled.
    CHECK(erx::parse_money("340282366920938463464", 18).error == DecimalError::Overflow);
    CHECK(erx::parse_money(kMoneyMaxText, 1).error == DecimalError::Overflow);
  }
  SECTION("formatting the extremes") {
    CHECK(erx::format_money(kMoneyMax, 0) == kMoneyMaxText);
    CHECK(erx::format_money(kMoneyMin, 0) == std::string("-") + kMoneyMaxText);
    CHECK(erx::format_money(kMoneyMax, 18) == "340282366920938463463.374607431768211455");
    CHECK(erx::format_money(kMoneyMin, 18) == "-340282366920938463463.374607431768211455");
    CHECK(erx::format_money(kMoneyMax, 36) == "340.282366920938463463374607431768211455");
    CHECK(erx::format_money(kMoneyMin, 36) == "-340.282366920938463463374607431768211455");
  }
}

TEST_CASE("format: exact digits, sign and point", "[decimal][format]") {
  CHECK(erx::format_fixed(38900, 2) == "389.00");
  CHECK(erx::format_fixed(1, 3) == "0.001");
  CHECK(erx::format_fixed(5, 2) == "0.05");
  CHECK(erx::format_fixed(12, 2) == "0.12");
  CHECK(erx::format_fixed(62050000, 0) == "62050000");
  CHECK(erx::format_fixed(-5, 2) == "-0.05");
  CHECK(erx::format_fixed(-1, 0) == "-1");
  CHECK(erx::format_fixed(0, 0) == "0");
  CHECK(erx::format_fixed(0, 3) == "0.000");
  CHECK(erx::format_fixed(100, 2) == "1.00");
  CHECK(erx::format_fixed(-100, 2) == "-1.00");
  CHECK(erx::format_fixed(1, 18) == "0.000000000000000001");
  CHECK(erx::format_fixed(-1000000000000000000, 18) == "-1.000000000000000000");
  CHECK(erx::format_money(Money(0), 2) == "0.00");
  CHECK(erx::format_money(Money(-12345), 4) == "-1.2345");
  CHECK(erx::format_money(Money(1), 36) == "0.000000000000000000000000000000000001");
}

// format_money takes a fast path for values that fit an int64 and Money's own
// digits beyond: both sides of each int64 edge must read the same way.
TEST_CASE("format: the int64 fast path and the Money path meet at the int64 edges", "[decimal][format][edge]") {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  CHECK(erx::format_fixed(kMax, 0) == "9223372036854775807");
  CHECK(erx::format_fixed(kMin, 0) == "-9223372036854775808");
  CHECK(erx::format_fixed(kMin, 18) == "-9.223372036854775808");
  CHECK(erx::format_fixed(kMax, 18) == "9.223372036854775807");
  CHECK(erx::format_money(Money(kMax), 2) == "92233720368547758.07");
  CHECK(erx::format_money(Money(kMax) + 1, 2) == "92233720368547758.08");  // the Money path
  CHECK(erx::format_money(Money(kMin), 2) == "-92233720368547758.08");
  CHECK(erx::format_money(Money(kMin) - 1, 2) == "-92233720368547758.09");  // the Money path
  CHECK(erx::format_money(Money(kMin) - 1, 36) == "-0.000000000000000009223372036854775809");
  CHECK(erx::format_money(Money(kMax), 36) == "0.000000000000000009223372036854775807");
  // Against a reference written here, on seeded random values of every
  // magnitude and every scale.
  const auto reference = [](std::int64_t v, int scale) {
    std::string digits = v < 0 ? std::to_string(v).substr(1) : std::to_string(v);
    const auto sc = static_cast<std::size_t>(scale);
    if (digits.size() <= sc) digits.insert(0, sc + 1 - digits.size(), '0');
    std::string out = (v < 0 ? "-" : "") + digits.substr(0, digits.size() - sc);
    if (sc > 0) out += "." + digits.substr(digits.size() - sc);
    return out;
  };
  std::mt19937_64 rng(20261129);
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<std::int64_t>(rng() >> (rng() % 64));
    const std::int64_t value = (rng() & 1) ? v : (v == kMin ? v : -v);
    const int scale = static_cast<int>(rng() % 37);
    INFO("value " << value << " scale " << scale << " (seed 20261129)");
    REQUIRE(erx::format_money(Money(value), scale) == reference(value, scale));
    if (scale <= 18) REQUIRE(erx::format_fixed(value, scale) == reference(value, scale));
  }
}

TEST_CASE("round trips on a fixed list", "[decimal][roundtrip]") {
  // Canonical texts: format(parse(x)) must give back x exactly.
  const std::vector<std::pair<const char*, int>> canonical = {
      {"389.00", 2}, {"0.001", 3}, {"0.05", 2}, {"0.12", 2}, {"62050000", 0}, {"0", 0}, {"0.00", 2},
      {"-0.05", 2}, {"-1", 0}, {"1.000000000000000000", 18}, {"-9.223372036854775808", 18},
      {"9223372036854775807", 0}, {"-92233720368547758.08", 2}, {"123456789.123456789", 9},
  };
  for (const auto& [text, scale] : canonical) {
    CAPTURE(text, scale);
    const auto f = erx::parse_fixed(text, scale);
    REQUIRE(f.ok());
    CHECK(erx::format_fixed(f.value, scale) == text);
    const auto m = erx::parse_money(text, scale);
    REQUIRE(m.ok());
    CHECK(erx::format_money(m.value, scale) == text);
  }
  // Non-canonical texts come back in canonical form.
  CHECK(erx::format_fixed(erx::parse_fixed("-0.00", 2).value, 2) == "0.00");
  CHECK(erx::format_fixed(erx::parse_fixed("+007.5", 3).value, 3) == "7.500");
  CHECK(erx::format_fixed(erx::parse_fixed("5.0000", 2).value, 2) == "5.00");
}

TEST_CASE("seeded random round trips", "[decimal][roundtrip][random]") {
  const std::uint64_t seed = 20240611;
  INFO("seed = " << seed);
  std::mt19937_64 rng(seed);
  auto below = [&rng](std::uint64_t n) { return rng() % n; };
  constexpr int kIterations = 5000;

  SECTION("int64: parse_fixed(format_fixed(v)) == v") {
    for (int i = 0; i < kIterations; ++i) {
      // Shift by a random amount so small magnitudes are as common as large ones.
      const std::uint64_t bits = rng() >> below(64);
      auto v = static_cast<std::int64_t>(bits);  // may already be negative when bit 63 is set
      if (below(2) == 0) v = (v == kI64Min) ? v : -v;
      if (i == 0) v = kI64Min;
      if (i == 1) v = kI64Max;
      const int scale = static_cast<int>(below(erx::kMaxScale + 1));
      const std::string text = erx::format_fixed(v, scale);
      CAPTURE(i, v, scale, text);
      const auto p = erx::parse_fixed(text, scale);
      REQUIRE(p.ok());
      REQUIRE(p.value == v);
      // Appending zeros past the scale changes nothing.
      const std::string padded = scale == 0 ? text + ".000" : text + "000";
      REQUIRE(erx::parse_fixed(padded, scale).value == v);
    }
  }
  SECTION("Money: parse_money(format_money(v)) == v") {
    const Money two_64 = two_pow(64);
    for (int i = 0; i < kIterations; ++i) {
      const std::uint64_t hi = rng() >> below(64);
      const std::uint64_t lo = rng();
      // A third of the values fit in 64 bits; the rest use the high half too.
      Money v = below(3) == 0 ? Money(lo >> below(64)) : Money(hi) * two_64 + Money(lo);
      if (below(2) == 0) v = -v;
      if (i == 0) v = kMoneyMax;
      if (i == 1) v = kMoneyMin;
      const int scale = static_cast<int>(below(erx::kMaxScale + 1));
      const std::string text = erx::format_money(v, scale);
      CAPTURE(i, scale, text);
      const auto p = erx::parse_money(text, scale);
      REQUIRE(p.ok());
      REQUIRE(p.value == v);
    }
  }
  SECTION("random canonical texts: format(parse(s)) == s") {
    for (int i = 0; i < kIterations; ++i) {
      const int scale = static_cast<int>(below(erx::kMaxScale + 1));
      // Up to 20 integer + 18 fractional digits: always inside Money, often outside
      // int64, so parse_fixed is checked against the range parse_money reports.
      const auto int_len = static_cast<std::size_t>(1 + below(20));
      std::string int_part(1, static_cast<char>('1' + below(9)));
      for (std::size_t k = 1; k < int_len; ++k) int_part += static_cast<char>('0' + below(10));
      if (below(4) == 0) int_part = "0";
      std::string frac;
      for (int k = 0; k < scale; ++k) frac += static_cast<char>('0' + below(10));
      std::string text = scale == 0 ? int_part : int_part + "." + frac;
      const bool all_zero = text.find_first_not_of("0.") == std::string::npos;
      if (!all_zero && below(2) == 0) text = "-" + text;  // "-0.00" is not canonical
      CAPTURE(i, scale, text);

      const auto m = erx::parse_money(text, scale);
      REQUIRE(m.ok());
      REQUIRE(erx::format_money(m.value, scale) == text);

      const auto f = erx::parse_fixed(text, scale);
      const bool fits = m.value >= kI64Min && m.value <= kI64Max;
      if (fits) {
        REQUIRE(f.ok());
        REQUIRE(erx::format_fixed(f.value, scale) == text);
      } else {
        REQUIRE(f.error == DecimalError::Overflow);
      }
    }
  }
}

TEST_CASE("notional is the exact product", "[decimal][notional]") {
  // 389.00 CNY × 0.500 t = 194.50000 at scale 2 + 3.
  const Money n = erx::notional(38900, 500);
  CHECK(n == Money(19450000));
  CHECK(erx::format_money(n, 5) == "194.50000");
  CHECK(erx::notional(0, 12345) == Money(0));
  CHECK(erx::notional(-3, 4) == Money(-12));
  CHECK(erx::notional(3, -4) == Money(-12));
  CHECK(erx::notional(-3, -4) == Money(12));

  CHECK(erx::format_money(erx::notional(kI64Max, kI64Max), 0) == "85070591730234615847396907784232501249");
  CHECK(erx::notional(kI64Min, kI64Min) == two_pow(126));
  CHECK(erx::format_money(erx::notional(kI64Min, kI64Min), 0) == "85070591730234615865843651857942052864");
  CHECK(erx::format_money(erx::notional(kI64Min, kI64Max), 0) == "-85070591730234615856620279821087277056");
  CHECK(erx::notional(kI64Max, kI64Min) == erx::notional(kI64Min, kI64Max));
  CHECK(erx::notional(kI64Max, 1) == Money(kI64Max));
  CHECK(erx::notional(kI64Min, -1) == Money(kI64Max) + 1);  // would overflow in int64
}

TEST_CASE("pow10_money", "[decimal][pow10]") {
  CHECK(erx::pow10_money(0) == Money(1));
  CHECK(erx::pow10_money(1) == Money(10));
  CHECK(erx::pow10_money(18) == Money(1000000000000000000));
  CHECK(erx::format_money(erx::pow10_money(38), 0) == "1" + std::string(38, '0'));
  for (int e = 0; e < 38; ++e) {
    CAPTURE(e);
    CHECK(erx::pow10_money(e + 1) == erx::pow10_money(e) * 10);
    CHECK(erx::format_money(erx::pow10_money(e), 0) == "1" + std::string(static_cast<std::size_t>(e), '0'));
  }
}

namespace {
struct RoundingCase {
  std::int64_t value;
  std::int64_t down;
  std::int64_t up;
  std::int64_t half_up;
};
}  // namespace

TEST_CASE("rescale to a coarser scale rounds as asked", "[decimal][rescale]") {
  // Scale 2 -> scale 0: divide by 100.
  const std::vector<RoundingCase> cases = {
      {150, 1, 2, 2},    {149, 1, 2, 1},    {151, 1, 2, 2},    {100, 1, 1, 1},    {199, 1, 2, 2},
      {-150, -1, -2, -2}, {-149, -1, -2, -1}, {-151, -1, -2, -2}, {-100, -1, -1, -1}, {-199, -1, -2, -2},
      {50, 0, 1, 1},     {-50, 0, -1, -1},  {49, 0, 1, 0},     {-49, 0, -1, 0},   {1, 0, 1, 0},
      {-1, 0, -1, 0},    {0, 0, 0, 0},      {250, 2, 3, 3},    {-250, -2, -3, -3},
  };
  for (const auto& c : cases) {
    CAPTURE(c.value);
    const auto down = erx::rescale(Money(c.value), 2, 0, Rounding::Down);
    const auto up = erx::rescale(Money(c.value), 2, 0, Rounding::Up);
    const auto half = erx::rescale(Money(c.value), 2, 0, Rounding::HalfUp);
    REQUIRE(down.ok());
    REQUIRE(up.ok());
    REQUIRE(half.ok());
    CHECK(down.value == Money(c.down));
    CHECK(up.value == Money(c.up));
    CHECK(half.value == Money(c.half_up));
  }
  // A result rounded to zero from a negative value prints without a sign.
  CHECK(erx::format_money(erx::rescale(Money(-1), 2, 0, Rounding::Down).value, 0) == "0");

  SECTION("a notional at scale 5 back to a money scale of 2") {
    const Money n = erx::notional(38901, 333);  // 389.01 × 0.333 = 129.54033
    CHECK(erx::rescale(n, 5, 2, Rounding::Down).value == Money(12954));
    CHECK(erx::rescale(n, 5, 2, Rounding::Up).value == Money(12955));
    CHECK(erx::rescale(n, 5, 2, Rounding::HalfUp).value == Money(12954));
  }
  SECTION("the Money extremes: 2^128 - 1 ends in 5, an exact tie at one digit") {
    const Money tenth = (kMoneyMax - 5) / 10;
    CHECK(erx::rescale(kMoneyMax, 1, 0, Rounding::Down).value == tenth);
    CHECK(erx::rescale(kMoneyMax, 1, 0, Rounding::Up).value == tenth + 1);
    CHECK(erx::rescale(kMoneyMax, 1, 0, Rounding::HalfUp).value == tenth + 1);
    CHECK(erx::rescale(kMoneyMin, 1, 0, Rounding::Down).value == -tenth);
    CHECK(erx::rescale(kMoneyMin, 1, 0, Rounding::Up).value == -tenth - 1);
    CHECK(erx::rescale(kMoneyMin, 1, 0, Rounding::HalfUp).value == -tenth - 1);
    CHECK(erx::rescale(kMoneyMax, 36, 0, Rounding::Down).value == Money(340));
    CHECK(erx::rescale(kMoneyMin, 36, 0, Rounding::Up).value == Money(-341));
  }
}

TEST_CASE("rescale to a finer or equal scale is exact", "[decimal][rescale]") {
  for (const Rounding mode : {Rounding::Down, Rounding::Up, Rounding::HalfUp}) {
    CAPTURE(static_cast<int>(mode));
    CHECK(erx::rescale(Money(38900), 2, 4, mode).value == Money(3890000));
    CHECK(erx::rescale(Money(-5), 2, 6, mode).value == Money(-50000));
    CHECK(erx::rescale(Money(7), 3, 3, mode).value == Money(7));
    CHECK(erx::rescale(kMoneyMax, 0, 0, mode).value == kMoneyMax);
    CHECK(erx::rescale(Money(1), 0, 36, mode).value == erx::pow10_money(36));
    CHECK(erx::rescale(Money(340), 0, 36, mode).value == Money(340) * erx::pow10_money(36));
  }
  SECTION("Overflow when the product does not fit") {
    const auto a = erx::rescale(kMoneyMax, 0, 1, Rounding::Down);
    CHECK(a.error == DecimalError::Overflow);
    CHECK(a.value == Money(0));
    CHECK(erx::rescale(kMoneyMin, 0, 1, Rounding::Down).error == DecimalError::Overflow);
    CHECK(erx::rescale(Money(341), 0, 36, Rounding::Up).error == DecimalError::Overflow);
    CHECK(erx::rescale(Money(-341), 0, 36, Rounding::Up).error == DecimalError::Overflow);
    CHECK(erx::rescale(two_pow(127), 0, 1, Rounding::HalfUp).error == DecimalError::Overflow);
    // The largest value that still fits one digit finer.
    CHECK(erx::rescale((kMoneyMax - 5) / 10, 0, 1, Rounding::HalfUp).value == kMoneyMax - 5);
    CHECK(erx::rescale((kMoneyMax - 5) / 10 + 1, 0, 1, Rounding::HalfUp).error == DecimalError::Overflow);
  }
  SECTION("InvalidScale outside [0, 36]") {
    CHECK(erx::rescale(Money(1), -1, 0, Rounding::Down).error == DecimalError::InvalidScale);
    CHECK(erx::rescale(Money(1), 0, -1, Rounding::Down).error == DecimalError::InvalidScale);
    CHECK(erx::rescale(Money(1), 37, 0, Rounding::Down).error == DecimalError::InvalidScale);
    CHECK(erx::rescale(Money(1), 0, 37, Rounding::Down).error == DecimalError::InvalidScale);
    CHECK(erx::rescale(Money(1), 36, 0, Rounding::Down).ok());
  }
}

TEST_CASE("divide_rounded rounds as asked on both signs", "[decimal][divide]") {
  struct Case {
    std::int64_t num;
    std::int64_t den;
    std::int64_t down;
    std::int64_t up;
    std::int64_t half_up;
  };
  const std::vector<Case> cases = {
      {7, 2, 3, 4, 4},      {-7, 2, -3, -4, -4},  // exact ties
      {3, 2, 1, 2, 2},      {-3, 2, -1, -2, -2},  {25, 10, 2, 3, 3}, {-25, 10, -2, -3, -3},
      {5, 3, 1, 2, 2},      {-5, 3, -1, -2, -2},  // 1.67
      {4, 3, 1, 2, 1},      {-4, 3, -1, -2, -1},  // 1.33
      {1, 3, 0, 1, 0},      {-1, 3, 0, -1, 0},    {2, 3, 0, 1, 1},   {-2, 3, 0, -1, -1},
      {6, 3, 2, 2, 2},      {-6, 3, -2, -2, -2},  {0, 5, 0, 0, 0},   {24, 10, 2, 3, 2},
      {26, 10, 2, 3, 3},    {-26, 10, -2, -3, -3}, {9, 1, 9, 9, 9},  {-9, 1, -9, -9, -9},
      {kI64Min, 2, kI64Min / 2, kI64Min / 2, kI64Min / 2},
      {kI64Max, 2, kI64Max / 2, kI64Max / 2 + 1, kI64Max / 2 + 1},
  };
  for (const auto& c : cases) {
    CAPTURE(c.num, c.den);
    CHECK(erx::divide_rounded(Money(c.num), Money(c.den), Rounding::Down) == Money(c.down));
    CHECK(erx::divide_rounded(Money(c.num), Money(c.den), Rounding::Up) == Money(c.up));
    CHECK(erx::divide_rounded(Money(c.num), Money(c.den), Rounding::HalfUp) == Money(c.half_up));
  }

  SECTION("Money extremes") {
    // 2^128 - 1 is odd: dividing by 2 is an exact tie.
    CHECK(erx::divide_rounded(kMoneyMax, Money(2), Rounding::Down) == two_pow(127) - 1);
    CHECK(erx::divide_rounded(kMoneyMax, Money(2), Rounding::Up) == two_pow(127));
    CHECK(erx::divide_rounded(kMoneyMax, Money(2), Rounding::HalfUp) == two_pow(127));
    CHECK(erx::divide_rounded(kMoneyMin, Money(2), Rounding::HalfUp) == -two_pow(127));
    CHECK(erx::divide_rounded(kMoneyMin, Money(2), Rounding::Down) == -two_pow(127) + 1);
    CHECK(erx::divide_rounded(kMoneyMax, Money(1), Rounding::Up) == kMoneyMax);
    CHECK(erx::divide_rounded(kMoneyMin, Money(1), Rounding::Up) == kMoneyMin);
    CHECK(erx::divide_rounded(kMoneyMax, kMoneyMax, Rounding::Up) == Money(1));
    // Remainder near the maximum: HalfUp must not overflow deciding the half.
    CHECK(erx::divide_rounded(kMoneyMax - 1, kMoneyMax, Rounding::Down) == Money(0));
    CHECK(erx::divide_rounded(kMoneyMax - 1, kMoneyMax, Rounding::Up) == Money(1));
    CHECK(erx::divide_rounded(kMoneyMax - 1, kMoneyMax, Rounding::HalfUp) == Money(1));
    CHECK(erx::divide_rounded(kMoneyMin + 1, kMoneyMax, Rounding::HalfUp) == Money(-1));
    CHECK(erx::divide_rounded(two_pow(127) - 1, kMoneyMax, Rounding::HalfUp) == Money(0));  // just under half
    CHECK(erx::divide_rounded(two_pow(127), kMoneyMax, Rounding::HalfUp) == Money(1));      // just over half
    CHECK(erx::divide_rounded(Money(1), kMoneyMax, Rounding::Up) == Money(1));
    CHECK(erx::divide_rounded(Money(-1), kMoneyMax, Rounding::Up) == Money(-1));
    CHECK(erx::divide_rounded(Money(1), kMoneyMax, Rounding::HalfUp) == Money(0));
  }
  SECTION("agrees with rescale for powers of ten") {
    for (const Rounding mode : {Rounding::Down, Rounding::Up, Rounding::HalfUp}) {
      for (std::int64_t v : {-1005, -1000, -999, -500, -1, 0, 1, 499, 500, 1005}) {
        CAPTURE(static_cast<int>(mode), v);
        CHECK(erx::divide_rounded(Money(v), Money(1000), mode) == erx::rescale(Money(v), 3, 0, mode).value);
      }
    }
  }
}
