// The command language and the event lines (engine/exchange/command_text,
// event_text, names; docs/COMMANDS.md): exact canonical lines for every verb,
// defaults, quoting, every error with its line number and message, script
// numbering, the calendar, and a seeded random round trip
// (ERX_SEED=<n> replays one seed).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/event_text.hpp"
#include "engine/exchange/names.hpp"
#include "tests/support/command_gen.hpp"

using namespace erx::exchange;
using erx::exchange::test::CommandGen;

namespace {

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr Timestamp kT0 = 1'767'576'600'000'000'000;  // 2026-01-05T01:30:00Z (computed outside this code)
constexpr Timestamp kSecond = 1'000'000'000;

Decimal dec(std::int64_t units, int scale = 0) { return Decimal{units, static_cast<std::int8_t>(scale)}; }

template <std::size_t N>
FixedString<N> fs(std::string_view s) {
  FixedString<N> f;
  REQUIRE(f.assign(s));
  return f;
}
Symbol sym(std::string_view s) { return fs<Symbol::kCapacity>(s); }
Label lab(std::string_view s) { return fs<Label::kCapacity>(s); }
ClOrdId cl(std::string_view s) { return fs<ClOrdId::kCapacity>(s); }

std::uint64_t seed_from_env(std::uint64_t fallback) {
  const char* s = std::getenv("ERX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

CreateMember member(MemberId id, std::string_view name, std::string_view region = {}) {
  return CreateMember{id, lab(name), lab(region), Label{}, MemberCategory::Investor, false, StpMode::CancelTaker};
}

// Command equality written out here: InstrumentSpec's defaulted operator== is
// deleted while ModeRules has none (reported to the lead), so the variant's
// == cannot be used for the two instrument commands.
bool same_spec(const InstrumentSpec& a, const InstrumentSpec& b) {
  return a.symbol == b.symbol && a.right_class == b.right_class && a.unit == b.unit && a.vintage == b.vintage &&
         a.project_id == b.project_id && a.pollutant == b.pollutant && a.region == b.region && a.basin == b.basin &&
         a.term_years == b.term_years && a.compliance_year == b.compliance_year &&
         a.last_trading_date == b.last_trading_date && a.water_type == b.water_type &&
         a.price_scale == b.price_scale && a.qty_scale == b.qty_scale && a.tick == b.tick && a.lot == b.lot &&
         a.price_unit == b.price_unit && a.continuous.min_qty == b.continuous.min_qty &&
         a.continuous.max_qty == b.continuous.max_qty && a.continuous.band_bps == b.continuous.band_bps &&
         a.reference_price == b.reference_price && a.eligibility == b.eligibility &&
         a.holding_limit == b.holding_limit;
}
bool same(const CommandBody& a, const CommandBody& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, CreateInstrument> || std::is_same_v<T, ChangeInstrument>)
          return same_spec(x.spec, y.spec);
        else
          return x == y;
      },
      a);
}
bool same(const Command& a, const Command& b) { return a.seq == b.seq && a.time == b.time && same(a.body, b.body); }

// parse(print(c)) == c and print(parse(print(c))) == print(c).
void check_round_trip(const Command& c) {
  const std::string line = print(c);
  INFO("line: " << line);
  const ParsedCommand p = parse_command(line);
  if (!p.ok()) FAIL("parse error: " << to_string(*p.error));
  CHECK(print(p.command) == line);
  CHECK(same(p.command, c));
}

std::string error_of(std::string_view line, std::size_t line_number = 12) {
  const ParsedCommand p = parse_command(line, line_number);
  if (p.ok()) return "(no error) " + print(p.command);
  return to_string(*p.error);
}

InstrumentSpec full_spec() {
  InstrumentSpec s;
  s.symbol = sym("SO2-GAN-5Y");
  s.right_class = RightClass::EmissionRight;
  s.unit = lab("t/yr");
  s.vintage = 2025;
  s.project_id = lab("P-001");
  s.pollutant = lab("SO2");
  s.region = lab("Nanchang");
  s.basin = lab("Gan");
  s.term_years = 5;
  s.compliance_year = 2026;
  s.last_trading_date = 20301231;
  s.water_type = WaterRightType::Regional;
  s.price_scale = 3;
  s.qty_scale = 1;
  s.tick = dec(10, 3);
  s.lot = dec(5, 1);
  s.price_unit = PriceUnit::PerUnitYear;
  s.continuous.min_qty = dec(10, 1);
  s.continuous.max_qty = dec(999995, 1);
  s.continuous.band_bps = 1000;
  s.reference_price = dec(389000, 3);
  s.eligibility = Eligibility::SameBasin;
  s.holding_limit = dec(1000000);
  return s;
}
const char* const kFullSpecText =
    "symbol=SO2-GAN-5Y right_class=emission-right unit=t/yr vintage=2025 project_id=P-001 pollutant=SO2 "
    "region=Nanchang basin=Gan term_years=5 compliance_year=2026 last_trading_date=2030-12-31 water_type=regional "
    "price_scale=3 qty_scale=1 "
    "tick=0.010 lot=0.5 price_unit=per-unit-year min_qty=1.0 max_qty=99999.5 band_bps=1000 "
    "reference_price=389.000 eligibility=same-basin holding_limit=1000000";

InstrumentSpec cea_spec() {
  InstrumentSpec s;
  s.symbol = sym("CEA25");
  s.right_class = RightClass::CarbonAllowance;
  s.unit = lab("tCO2e");
  s.vintage = 2025;
  s.price_scale = 2;
  s.qty_scale = 0;
  s.tick = dec(1, 2);
  s.lot = dec(1);
  s.continuous.min_qty = dec(1);
  s.continuous.max_qty = dec(99999);
  s.continuous.band_bps = 1000;
  s.reference_price = dec(5800, 2);
  return s;
}
const char* const kCeaSpecText =
    "symbol=CEA25 right_class=carbon-allowance unit=tCO2e vintage=2025 price_scale=2 qty_scale=0 tick=0.01 lot=1 "
    "min_qty=1 max_qty=99999 band_bps=1000 reference_price=58.00";

struct Case {
  CommandBody body;
  std::string text;  // the canonical body: "<verb> key=value ..."
};

std::vector<Case> every_field_cases() {
  std::vector<Case> cases;
  cases.push_back({CreateMember{12, lab("江西铜业 Jiangxi Copper"), lab("Nanchang"), lab("Gan"),
                                MemberCategory::ComplianceEntity, true, StpMode::Decrement},
                   "create-member member=12 name=\"江西铜业 Jiangxi Copper\" region=Nanchang basin=Gan "
                   "category=compliance-entity restricted=true stp=decrement"});
  cases.push_back({SetMemberRestricted{12, true}, "set-member-restricted member=12 restricted=true"});
  cases.push_back({CreateAccount{101, 12, true}, "create-account account=101 member=12 restricted=true"});
  cases.push_back({SetAccountRestricted{101, true}, "set-account-restricted account=101 restricted=true"});
  cases.push_back({CreateOperator{7, 12, lab("王芳 Wang Fang"), OperatorRole::Admin},
                   "create-operator operator=7 member=12 name=\"王芳 Wang Fang\" role=admin"});
  cases.push_back({SetOperator{7, OperatorRole::Viewer, false}, "set-operator operator=7 role=viewer active=false"});
  cases.push_back({CreateInstrument{full_spec()}, std::string("create-instrument ") + kFullSpecText});
  cases.push_back({ChangeInstrument{full_spec()}, std::string("change-instrument ") + kFullSpecText});
  cases.push_back({SetFees{RightClass::WaterRight, FeeLine{150, dec(500, 2)}, FeeLine{20, dec(1, 2)}},
                   "set-fees right_class=water-right trading_rate_ppm=150 trading_minimum=5.00 "
                   "settlement_rate_ppm=20 settlement_minimum=0.01"});
  cases.push_back({Deposit{101, dec(100000000, 2)}, "deposit account=101 amount=1000000.00"});
  cases.push_back({Withdraw{101, dec(-5, 1)}, "withdraw account=101 amount=-0.5"});
  cases.push_back({IssueRights{101, sym("CEA25"), dec(1000)}, "issue account=101 symbol=CEA25 qty=1000"});
  cases.push_back({MoveRights{101, sym("CEA25"), dec(250), false},
                   "move-rights account=101 symbol=CEA25 qty=250 to_trading=false"});
  cases.push_back({Freeze{101, sym("CEA25"), dec(30), HoldKind::Pledged, true},
                   "hold account=101 symbol=CEA25 qty=30 kind=pledged"});
  cases.push_back({Freeze{101, sym("CEA25"), dec(30), HoldKind::Frozen, false},
                   "release account=101 symbol=CEA25 qty=30 kind=frozen"});
  cases.push_back({OpenDay{20260105}, "open-day date=2026-01-05"});
  cases.push_back({CloseDay{}, "close-day"});
  cases.push_back({SetSession{sym("CEA25"), SessionState::Halted}, "set-session symbol=CEA25 state=halted"});
  cases.push_back({NewOrder{101, cl("A-0001"), sym("CEA25"), Side::Sell, OrderType::Market, TimeInForce::Gtd,
                            dec(5850, 2), dec(1000), kT0 + 3600 * kSecond + 1, StpMode::CancelBoth, 7},
                   "order account=101 clord_id=A-0001 symbol=CEA25 side=sell type=market tif=gtd price=58.50 "
                   "qty=1000 expire_at=2026-01-05T02:30:00.000000001Z stp=cancel-both operator=7"});
  cases.push_back({CancelOrder{101, cl("A-0001"), 7}, "cancel account=101 orig_clord_id=A-0001 operator=7"});
  cases.push_back({CancelOrder{101, cl("A-0001"), 7, cl("X-9")},
                   "cancel account=101 orig_clord_id=A-0001 operator=7 clord_id=X-9"});
  cases.push_back({ModifyOrder{101, cl("A-0001"), cl("A-0002"), dec(5800, 2), dec(500), 7, true},
                   "modify account=101 orig_clord_id=A-0001 clord_id=A-0002 price=58.00 qty=500 operator=7 "
                   "qty_is_total=true"});
  cases.push_back({MassCancel{12, 101, sym("CEA25"), Side::Sell, 7},
                   "mass-cancel member=12 account=101 symbol=CEA25 side=sell operator=7"});
  cases.push_back({MassCancel{12, 0, Symbol{}, std::nullopt, 7, false, cl("MC-1")},
                   "mass-cancel member=12 operator=7 clord_id=MC-1"});
  cases.push_back({Timer{}, "timer"});
  return cases;
}

}  // namespace

// ================================================================ canonical lines

TEST_CASE("command text: every verb with every field set", "[command_text]") {
  const std::vector<Case> cases = every_field_cases();
  std::set<std::size_t> kinds;
  std::set<std::string_view> verbs_seen;
  for (const Case& c : cases) {
    const Command cmd{7, kT0, c.body};
    const std::string expected = "7 2026-01-05T01:30:00Z " + c.text;
    INFO(expected);
    CHECK(print(cmd) == expected);
    CHECK(print_body(c.body) == c.text);
    const ParsedCommand p = parse_command(expected);
    REQUIRE(p.ok());
    CHECK(same(p.command, cmd));
    check_round_trip(cmd);
    kinds.insert(c.body.index());
    verbs_seen.insert(verb(c.body));
  }
  CHECK(kinds.size() == std::variant_size_v<CommandBody>);
  CHECK(verbs_seen == std::set<std::string_view>(all_verbs().begin(), all_verbs().end()));
}

TEST_CASE("command text: optional keys at their default are omitted", "[command_text]") {
  const std::vector<Case> cases = {
      {member(1, "A"), "create-member member=1 name=A"},
      {CreateAccount{2, 1, false}, "create-account account=2 member=1"},
      {SetMemberRestricted{1, false}, "set-member-restricted member=1 restricted=false"},
      {CreateInstrument{cea_spec()}, std::string("create-instrument ") + kCeaSpecText},
      {SetFees{RightClass::Ccer, FeeLine{}, FeeLine{}}, "set-fees right_class=ccer"},
      {MoveRights{1, sym("CEA25"), dec(5), true}, "move-rights account=1 symbol=CEA25 qty=5"},
      {Freeze{1, Symbol{}, dec(10000, 2), HoldKind::Frozen, true}, "hold account=1 qty=100.00 kind=frozen"},
      {SetSession{Symbol{}, SessionState::Continuous}, "set-session state=continuous"},
      {NewOrder{7, cl("A1"), sym("CEA25"), Side::Buy, OrderType::Limit, TimeInForce::Day, dec(5820, 2), dec(1000), 0,
                StpMode::MemberDefault},
       "order account=7 clord_id=A1 symbol=CEA25 side=buy price=58.20 qty=1000"},
      // price is required for a limit order, even at 0 ...
      {NewOrder{7, cl("A1"), sym("CEA25"), Side::Buy, OrderType::Limit, TimeInForce::Gtc, dec(0), dec(1), 0,
                StpMode::MemberDefault},
       "order account=7 clord_id=A1 symbol=CEA25 side=buy tif=gtc price=0 qty=1"},
      // ... and optional for a market order (0 = band edge)
      {NewOrder{7, cl("M1"), sym("CEA25"), Side::Sell, OrderType::Market, TimeInForce::Ioc, dec(0), dec(10), 0,
                StpMode::MemberDefault},
       "order account=7 clord_id=M1 symbol=CEA25 side=sell type=market tif=ioc qty=10"},
      // expire_at is required for GTD, even at 0
      {NewOrder{7, cl("G1"), sym("CEA25"), Side::Buy, OrderType::Limit, TimeInForce::Gtd, dec(1), dec(1), 0,
                StpMode::MemberDefault},
       "order account=7 clord_id=G1 symbol=CEA25 side=buy tif=gtd price=1 qty=1 expire_at=1970-01-01T00:00:00Z"},
      {ModifyOrder{7, cl("A1"), ClOrdId{}, dec(5810, 2), dec(400)},
       "modify account=7 orig_clord_id=A1 price=58.10 qty=400"},
      {ModifyOrder{7, cl("A1"), ClOrdId{}, dec(5810, 2), dec(400), 0, true},
       "modify account=7 orig_clord_id=A1 price=58.10 qty=400 qty_is_total=true"},
      {MassCancel{3, 0, Symbol{}, std::nullopt}, "mass-cancel member=3"},
      {MassCancel{3, 0, Symbol{}, Side::Buy}, "mass-cancel member=3 side=buy"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(print_body(c.body) == c.text);
    check_round_trip(Command{1, kT0, c.body});
  }
}

TEST_CASE("command text: defaults written out, any key order, extra blanks, comments", "[command_text]") {
  const ParsedCommand p = parse_command(
      "3  2026-01-05T01:30:00Z\tcreate-member stp=cancel-taker  restricted=false category=investor region=\"\" "
      "name=A member=1   # the exchange's first member");
  REQUIRE(p.ok());
  CHECK(same(p.command, Command{3, kT0, member(1, "A")}));
  CHECK(print(p.command) == "3 2026-01-05T01:30:00Z create-member member=1 name=A");

  const ParsedCommand q = parse_command("4 2026-01-05T01:30:00Z order qty=1000 price=58.20 side=buy symbol=CEA25 "
                                        "clord_id=A1 account=7 stp=member-default tif=day type=limit\r");
  REQUIRE(q.ok());
  CHECK(print(q.command) ==
        "4 2026-01-05T01:30:00Z order account=7 clord_id=A1 symbol=CEA25 side=buy price=58.20 qty=1000");

  // A decimal keeps the scale it was written with.
  const ParsedCommand r = parse_command("5 2026-01-05T01:30:00Z deposit account=1 amount=0.050");
  REQUIRE(r.ok());
  CHECK(std::get<Deposit>(r.command.body).amount == dec(50, 3));
}

// ================================================================ strings

TEST_CASE("command text: quoting, escapes and UTF-8", "[command_text][strings]") {
  struct S {
    std::string value;
    std::string printed;
  };
  const std::vector<S> cases = {
      {"abc", "abc"},
      {"", "\"\""},
      {"a b", "\"a b\""},
      {"a=b", "\"a=b\""},
      {"a\"b", "\"a\\\"b\""},
      {"a#b", "\"a#b\""},
      {"#", "\"#\""},
      {"a\\b", "a\\b"},
      {"a\\b c", "\"a\\\\b c\""},
      {std::string("\x01", 1), "\"\\x01\""},
      {std::string("a\0b", 3), "\"a\\x00b\""},
      {"\t", "\"\\x09\""},
      {"\x7f", "\"\\x7F\""},
      {"碳汇", "碳汇"},
      {"赣江 流域", "\"赣江 流域\""},
      {"鄱阳湖=Poyang", "\"鄱阳湖=Poyang\""},
      {"true", "true"},
      {"-5", "-5"},
  };
  for (const S& c : cases) {
    INFO("value: " << c.value);
    CHECK(format_string(c.value) == c.printed);
    const Command cmd{1, kT0, member(1, c.value, c.value)};
    // name is required (printed even when empty); region is optional (omitted when empty).
    const std::string region = c.value.empty() ? std::string() : " region=" + c.printed;
    CHECK(print(cmd) == "1 2026-01-05T01:30:00Z create-member member=1 name=" + c.printed + region);
    check_round_trip(cmd);
  }
  // Hex escapes read in either case; a quoted number is still a number.
  const ParsedCommand p =
      parse_command("1 2026-01-05T01:30:00Z create-member member=\"5\" name=\"x\\x41\\x4a\\\"\\\\y\"");
  REQUIRE(p.ok());
  CHECK(std::get<CreateMember>(p.command.body).name.view() == "xAJ\"\\y");
  CHECK(std::get<CreateMember>(p.command.body).member == 5);
  // UTF-8 up to the capacity in bytes: 10 × 3 bytes fits a Label (32), 11 × 3 does not.
  CHECK(parse_command("1 2026-01-05T01:30:00Z create-member member=1 name=江西省南昌市青山湖区").ok());
  CHECK(error_of("1 2026-01-05T01:30:00Z create-member member=1 name=江西省南昌市青山湖区湖") ==
        "line 12: create-member: name is too long: 33 bytes, at most 32");
}

// ================================================================ values

TEST_CASE("decimals print as stored and parse keeping the written scale", "[command_text][decimal]") {
  CHECK(format_decimal(dec(38900, 2)) == "389.00");
  CHECK(format_decimal(dec(5)) == "5");
  CHECK(format_decimal(dec(-5, 1)) == "-0.5");
  CHECK(format_decimal(dec(50, 3)) == "0.050");
  CHECK(format_decimal(dec(0, 2)) == "0.00");
  CHECK(format_decimal(dec(kI64Min, 18)) == "-9.223372036854775808");
  CHECK(format_decimal(dec(kI64Max)) == "9223372036854775807");
  CHECK(format_decimal(dec(5, 19)) == "5e-19");  // not valid, never parsed
  CHECK(format_decimal(dec(5, -2)) == "5e2");

  CHECK(parse_decimal("389.00") == dec(38900, 2));
  CHECK(parse_decimal("0.050") == dec(50, 3));
  CHECK(parse_decimal("-0.5") == dec(-5, 1));
  CHECK(parse_decimal("+7") == dec(7));
  CHECK(parse_decimal("007") == dec(7));
  CHECK(parse_decimal("-9223372036854775808") == dec(kI64Min));
  CHECK(parse_decimal("0.000000000000000001") == dec(1, 18));
  CHECK_FALSE(parse_decimal("0.0000000000000000001"));  // 19 fractional digits
  CHECK_FALSE(parse_decimal("9223372036854775808"));
  CHECK_FALSE(parse_decimal("92233720368547758.08"));
  for (const char* bad : {"", "-", ".5", "5.", "1e5", "1,000", "1.2.3", " 1", "abc", "5e-19"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal(bad));
  }
}

TEST_CASE("timestamps: ISO-8601 UTC, own calendar arithmetic", "[command_text][time]") {
  struct T {
    Timestamp t;
    const char* text;
  };
  // Reference values computed independently (Python's datetime).
  const std::vector<T> cases = {
      {0, "1970-01-01T00:00:00Z"},
      {kT0, "2026-01-05T01:30:00Z"},
      {1'709'251'199'000'000'000, "2024-02-29T23:59:59Z"},
      {-1'000'000'000, "1969-12-31T23:59:59Z"},
      {-1, "1969-12-31T23:59:59.999999999Z"},
      {951'868'800'000'000'000, "2000-03-01T00:00:00Z"},
      {-2'208'988'800'000'000'000, "1900-01-01T00:00:00Z"},
      {kT0 + 250'000'000, "2026-01-05T01:30:00.250Z"},
      {kT0 + 1'000, "2026-01-05T01:30:00.000001Z"},
      {kT0 + 1'500, "2026-01-05T01:30:00.000001500Z"},
      {kT0 + 1, "2026-01-05T01:30:00.000000001Z"},
      {kI64Max, "2262-04-11T23:47:16.854775807Z"},
      {kI64Min, "1677-09-21T00:12:43.145224192Z"},
  };
  for (const T& c : cases) {
    INFO(c.text);
    CHECK(format_timestamp(c.t) == c.text);
    CHECK(parse_timestamp(c.text) == c.t);
  }
  // Non-canonical but valid fractions.
  CHECK(parse_timestamp("2026-01-05T01:30:00.5Z") == kT0 + 500'000'000);
  CHECK(parse_timestamp("2026-01-05T01:30:00.000000Z") == kT0);
  CHECK(parse_timestamp("2026-01-05T01:30:00.123456789Z") == kT0 + 123'456'789);
  for (const char* bad :
       {"", "2026-01-05", "2026-01-05T01:30:00", "2026-01-05 01:30:00Z", "2026-01-05T01:30:00z",
        "2026-01-05t01:30:00Z", "2026-1-05T01:30:00Z", "2026-01-05T01:30:00.Z", "2026-01-05T01:30:00.1234567890Z",
        "2026-01-05T24:00:00Z", "2026-01-05T23:60:00Z", "2026-01-05T23:59:60Z", "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
        "0000-01-01T00:00:00Z", "2262-04-11T23:47:16.854775808Z", "1677-09-21T00:12:43.145224191Z",
        "3000-01-01T00:00:00Z", "+026-01-05T01:30:00Z", "2026-01-05T01:30:00+08:00"}) {
    INFO(bad);
    CHECK_FALSE(parse_timestamp(bad));
  }
  CHECK(parse_timestamp("2000-02-29T00:00:00Z"));
  CHECK(parse_timestamp("2024-12-31T23:59:59Z"));
}

TEST_CASE("timestamps: every day of the int64 range against a day-by-day count", "[command_text][time]") {
  // An independent calendar: walk forward one day at a time from 1677-09-22.
  constexpr std::int64_t kDayNs = 86'400 * kSecond;
  const std::int64_t first = -106'751;  // 1677-09-22: the first midnight inside the int64 range
  const std::int64_t last = 106'751;
  int y = 1677, m = 9, d = 22;
  const auto leap = [](int yy) { return (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0; };
  const auto dim = [&](int yy, int mm) {
    static constexpr int k[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mm == 2 && leap(yy) ? 29 : k[mm - 1];
  };
  const auto pad = [](int v, std::size_t width) {
    std::string t = std::to_string(v);
    return std::string(width > t.size() ? width - t.size() : 0, '0') + t;
  };
  std::size_t failures = 0;
  for (std::int64_t day = first; day <= last; ++day) {
    const std::string expect = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T00:00:00Z";
    const Timestamp t = day * kDayNs;
    const std::string got = format_timestamp(t);
    if (got != expect || parse_timestamp(got) != t) {
      if (++failures < 5) FAIL_CHECK("day " << day << ": " << got << " expected " << expect);
    }
    if (day == 0) CHECK(expect == "1970-01-01T00:00:00Z");
    if (++d > dim(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        ++y;
      }
    }
  }
  CHECK(failures == 0);
  CHECK(format_timestamp(last * kDayNs) == "2262-04-11T00:00:00Z");
}

TEST_CASE("business dates", "[command_text][date]") {
  CHECK(format_date(20260105) == "2026-01-05");
  CHECK(format_date(20240229) == "2024-02-29");
  CHECK(parse_date("2026-01-05") == 20260105);
  CHECK(parse_date("0001-01-01") == 10101);
  CHECK(parse_date("9999-12-31") == 99991231);
  CHECK_FALSE(parse_date("2026-02-29"));
  CHECK_FALSE(parse_date("2026-1-5"));
  CHECK_FALSE(parse_date("20260105"));
  CHECK_FALSE(parse_date("0000-01-01"));
  // A value that is not a date prints as its integer and reads back (the
  // exchange rejects it with invalid-business-date).
  for (const BusinessDate bad : {0, -1, 20261340, 20260229, 123, std::numeric_limits<BusinessDate>::min()}) {
    INFO(bad);
    CHECK_FALSE(is_calendar_date(bad));
    CHECK(format_date(bad) == std::to_string(bad));
    check_round_trip(Command{1, kT0, OpenDay{bad}});
  }
  CHECK(error_of("1 2026-01-05T01:30:00Z open-day date=20260105") ==
        "line 12: open-day: bad value for date: expected a date YYYY-MM-DD, got '20260105'");
}

TEST_CASE("enumerations: names round-trip, unnamed values as numbers", "[command_text][names]") {
  CHECK(to_string(RightClass::ForestrySink) == "forestry-sink");
  CHECK(parse_right_class("energy-use-right") == RightClass::EnergyUseRight);
  CHECK_FALSE(parse_right_class("Energy-Use-Right"));
  CHECK(parse_stp_mode("member-default") == StpMode::MemberDefault);
  CHECK(parse_bucket("fees") == Bucket::Fees);
  CHECK(parse_hold_kind("pledged") == HoldKind::Pledged);
  CHECK(to_string(RejectReason::DuplicateClOrdId) == "duplicate-clord-id");
  CHECK(parse_reject_reason("too-many-owners") == RejectReason::TooManyOwners);
  CHECK(parse_cancel_reason("system-cancel") == CancelReason::SystemCancel);
  CHECK(parse_transfer_kind("settlement-fee") == TransferKind::SettlementFee);
  CHECK(to_string(static_cast<Side>(7)) == "?");
  CHECK_FALSE(parse_side("?"));

  // Every named value of every enumeration round-trips, and names are unique.
  const auto all_named = [](auto tag, auto parse) {
    using E = decltype(tag);
    using U = std::underlying_type_t<E>;
    std::set<std::string_view> names;
    for (std::uint32_t i = 0; i <= std::numeric_limits<U>::max(); ++i) {
      const auto v = static_cast<E>(static_cast<U>(i));
      if (!has_name(v)) continue;
      INFO(to_string(v));
      CHECK(parse(to_string(v)) == v);
      CHECK(names.insert(to_string(v)).second);
    }
    return names.size();
  };
  CHECK(all_named(RightClass{}, parse_right_class) == 6);
  CHECK(all_named(PriceUnit{}, parse_price_unit) == 2);
  CHECK(all_named(Eligibility{}, parse_eligibility) == 4);
  CHECK(all_named(WaterRightType{}, parse_water_right_type) == 4);
  CHECK(all_named(MemberCategory{}, parse_member_category) == 4);
  CHECK(all_named(SessionState{}, parse_session_state) == 4);
  CHECK(all_named(Side{}, parse_side) == 2);
  CHECK(all_named(OrderType{}, parse_order_type) == 2);
  CHECK(all_named(TimeInForce{}, parse_time_in_force) == 5);
  CHECK(all_named(StpMode{}, parse_stp_mode) == 6);
  CHECK(all_named(Bucket{}, parse_bucket) == 8);
  CHECK(all_named(HoldKind{}, parse_hold_kind) == 2);
  CHECK(all_named(CancelReason{}, parse_cancel_reason) == 15);
  CHECK(all_named(TransferKind{}, parse_transfer_kind) == 13);
  CHECK(all_named(RejectReason{}, parse_reject_reason) >= 50);

  // A value outside its enumeration prints as its number and reads back (so
  // a test can send it and see invalid-enum); a named value never parses from
  // its number.
  const Command c{1, kT0, NewOrder{7, cl("A1"), sym("CEA25"), static_cast<Side>(9), OrderType::Limit,
                                   TimeInForce::Day, dec(1), dec(1)}};
  CHECK(print(c) == "1 2026-01-05T01:30:00Z order account=7 clord_id=A1 symbol=CEA25 side=9 price=1 qty=1");
  check_round_trip(c);
  CHECK(error_of("1 2026-01-05T01:30:00Z order account=7 clord_id=A1 symbol=CEA25 side=1 price=1 qty=1") ==
        "line 12: order: bad value for side: expected one of buy, sell, got '1'");
}

// ================================================================ errors

TEST_CASE("command text: each error names the line, the command and the problem", "[command_text][errors]") {
  const std::string p = "1 2026-01-05T01:30:00Z ";
  const std::string order = p + "order account=7 clord_id=A1 symbol=CEA25 side=buy ";
  struct E {
    std::string line;
    std::string message;
  };
  const std::vector<E> cases = {
      {order + "price=58.20", "line 12: order: missing key qty"},
      {order + "price=58.20 qty=1 qtty=5", "line 12: order: unknown key qtty"},
      {order + "price=58.20 qty=1 qty=2", "line 12: order: duplicate key qty"},
      {order + "qty=1", "line 12: order: missing key price"},
      {p + "order account=7 clord_id=A1 symbol=CEA25 side=buy tif=gtd price=1 qty=1",
       "line 12: order: missing key expire_at"},
      {order + "price=58.20 qty=abc",
       "line 12: order: bad value for qty: expected a decimal (digits, optionally '-' and a '.' with digits "
       "after), got 'abc'"},
      {order + "price=0.0000000000000000001 qty=1",
       "line 12: order: bad value for price: more than 18 fractional digits in '0.0000000000000000001'"},
      {order + "price=1 qty=9223372036854775808",
       "line 12: order: bad value for qty: does not fit a 64-bit integer: '9223372036854775808'"},
      {p + "order account=7 clord_id=A1 symbol=CEA25 side=up price=1 qty=1",
       "line 12: order: bad value for side: expected one of buy, sell, got 'up'"},
      {order + "price=1 qty=1 expire_at=2026-01-05",
       "line 12: order: bad value for expire_at: expected a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z, got "
       "'2026-01-05'"},
      {order + "price=1 qty=1 expire_at=2300-01-01T00:00:00Z",
       "line 12: order: bad value for expire_at: time out of range (1677-09-21 .. 2262-04-11): "
       "'2300-01-01T00:00:00Z'"},
      {p + "order account=7 clord_id=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 symbol=CEA25 side=buy price=1 qty=1",
       "line 12: order: clord_id is too long: 33 bytes, at most 32"},
      {p + "issue account=1 symbol=ABCDEFGHIJKLMNOPQRSTUVWXY qty=1",
       "line 12: issue: symbol is too long: 25 bytes, at most 24"},
      {p + "create-account account=1 member=2 restricted=yes",
       "line 12: create-account: bad value for restricted: expected true or false, got 'yes'"},
      {p + "deposit account=-1 amount=5", "line 12: deposit: bad value for account: expected an integer in [0, "
                                          "4294967295], got '-1'"},
      {p + "deposit account=4294967296 amount=5",
       "line 12: deposit: bad value for account: expected an integer in [0, 4294967295], got '4294967296'"},
      {p + std::string("create-instrument ") + kCeaSpecText + " price_scale=200",
       "line 12: create-instrument: duplicate key price_scale"},
      {p + "open-day date=2026-02-30",
       "line 12: open-day: bad value for date: expected a date YYYY-MM-DD, got '2026-02-30'"},
      {p + "set-session state=open",
       "line 12: set-session: bad value for state: expected one of closed, pre-open, continuous, halted, got "
       "'open'"},
      {p + "frobnicate x=1", "line 12: unknown command 'frobnicate'"},
      {order + "price=1 qty=", "line 12: order: missing value for key qty"},
      {p + "create-member member=1 name=a=b", "line 12: '=' in the value of key name (quote the value)"},
      {p + "create-member member=1 name=a\"b", "line 12: '\"' in the value of key name (quote the value)"},
      {p + "create-member member=1 name=a#b", "line 12: '#' in the value of key name (quote the value)"},
      {p + "create-member member=1 name=\"abc", "line 12: unterminated quoted value for key name"},
      {p + "create-member member=1 name=\"a\\qb\"",
       "line 12: bad escape in a quoted value (use \\\", \\\\ or \\xHH)"},
      {p + "create-member member=1 name=\"ab\"c", "line 12: expected a space after the closing '\"' of key name"},
      {p + "create-member member=1 =x", "line 12: missing key before '='"},
      {p + "create-member member=1 name", "line 12: create-member: expected key=value, got 'name'"},
      {p + "timer now=1", "line 12: timer: unknown key now"},
      {"create-member member=1 name=a", "line 12: expected '<seq> <time>' before the command"},
      {"1 2026-01-05 timer",
       "line 12: bad time: expected a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z, got '2026-01-05'"},
      {"1 timer", "line 12: bad time: expected a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z, got 'timer'"},
      {"1 2026-01-05T01:30:00Z", "line 12: expected a command after the time"},
      {"18446744073709551616 2026-01-05T01:30:00Z timer", "line 12: seq out of range: '18446744073709551616'"},
      {"at 2026-01-05T01:30:00Z", "line 12: 'at' is a script directive: expected '<seq> <time> <command> ...'"},
      {"   # only a comment", "line 12: empty line: expected '<seq> <time> <command> key=value ...'"},
  };
  for (const E& c : cases) {
    INFO(c.line);
    CHECK(error_of(c.line) == c.message);
  }
}

TEST_CASE("command text: error columns point at the offending token", "[command_text][errors]") {
  const ParsedCommand a = parse_command("1 2026-01-05T01:30:00Z deposit account=1 amount=5 bogus=1");
  REQUIRE(a.error);
  CHECK(a.error->column == 51);  // "bogus"
  const ParsedCommand b = parse_command("1 2026-01-05T01:30:00Z deposit account=1");
  REQUIRE(b.error);
  CHECK(b.error->column == 24);  // the verb
  CHECK(b.error->line == 1);
}

// ================================================================ scripts

TEST_CASE("scripts: numbering and clock, exact", "[command_text][script]") {
  const char* text =
      "# opening of the day\n"
      "at 2026-01-05T01:30:00Z\n"
      "open-day date=2026-01-05\n"
      "set-session state=continuous    # all instruments\n"
      "\n"
      "   at 2026-01-05T01:30:00.5Z\n"
      "timer\n"
      "4 2026-01-05T02:00:00Z timer\n"
      "timer\r\n"
      "6 2026-01-05T02:00:00Z timer\n";
  const ParsedScript s = parse_script(text);
  for (const ParseError& e : s.errors) FAIL_CHECK(to_string(e));
  REQUIRE(s.ok());
  const std::vector<Command> expected = {
      {1, kT0, OpenDay{20260105}},
      {2, kT0, SetSession{Symbol{}, SessionState::Continuous}},
      {3, kT0 + 500'000'000, Timer{}},
      {4, kT0 + 1800 * kSecond, Timer{}},
      {5, kT0 + 1800 * kSecond, Timer{}},
      {6, kT0 + 1800 * kSecond, Timer{}},
  };
  REQUIRE(s.commands.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(i);
    CHECK(print(s.commands[i]) == print(expected[i]));
    CHECK(same(s.commands[i], expected[i]));
  }
  CHECK(s.lines == std::vector<std::size_t>{3, 4, 7, 8, 9, 10});
}

TEST_CASE("scripts: sequencing errors name the line", "[command_text][script][errors]") {
  const auto errors = [](const char* text) {
    std::vector<std::string> out;
    for (const ParseError& e : parse_script(text).errors) out.push_back(to_string(e));
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(errors("# nothing yet\ntimer\n") ==
        V{"line 2: no time set (write 'at <time>' before this line, or '<seq> <time>' at its start)"});
  CHECK(errors("2 2026-01-05T01:30:00Z timer\n") ==
        V{"line 1: seq 2 does not follow the previous seq 0 (expected 1)"});
  CHECK(errors("at 2026-01-05T01:30:00Z\ntimer\ntimer\n5 2026-01-05T01:30:00Z timer\ntimer\n") ==
        V{"line 4: seq 5 does not follow the previous seq 2 (expected 3)"});
  CHECK(errors("1 2026-01-05T01:30:00Z timer\n2 2026-01-05T01:29:59.999Z timer\n") ==
        V{"line 2: time 2026-01-05T01:29:59.999Z is before the previous time 2026-01-05T01:30:00Z"});
  CHECK(errors("at 2026-01-05T01:30:00Z\nat 2026-01-05T01:00:00Z\n") ==
        V{"line 2: at: time 2026-01-05T01:00:00Z is before the script clock 2026-01-05T01:30:00Z"});
  CHECK(errors("at 2026-01-05T01:30:00Z\n2 2026-01-05T01:00:00Z timer\n") ==
        V{"line 2: seq 2 does not follow the previous seq 0 (expected 1)"});
  CHECK(errors("at 2026-01-05T01:30:00Z\n1 2026-01-05T01:00:00Z timer\n") ==
        V{"line 2: time 2026-01-05T01:00:00Z is before the previous time 2026-01-05T01:30:00Z"});
  CHECK(errors("at\n") == V{"line 1: at: expected a time"});
  CHECK(errors("at 2026-01-05T01:30:00Z extra\n") == V{"line 1: at: unexpected 'extra'"});
  CHECK(errors("at 2026-13-05T01:30:00Z\n") ==
        V{"line 1: at: expected a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z, got '2026-13-05T01:30:00Z'"});

  // Every bad line is reported; the numbering carries on past a bad line.
  const ParsedScript s = parse_script(
      "at 2026-01-05T01:30:00Z\n"
      "timer\n"
      "order account=7\n"
      "bogus\n"
      "timer\n"
      "5 2026-01-05T01:30:00Z timer\n");
  CHECK(errors("at 2026-01-05T01:30:00Z\ntimer\norder account=7\nbogus\ntimer\n5 2026-01-05T01:30:00Z timer\n") ==
        V{"line 3: order: missing key clord_id", "line 4: unknown command 'bogus'"});
  REQUIRE(s.commands.size() == 3);
  CHECK(s.commands[1].seq == 4);
  CHECK(s.commands[2].seq == 5);
  CHECK(s.lines == std::vector<std::size_t>{2, 5, 6});
  CHECK(s.errors[0].line == 3);
}

TEST_CASE("scripts: a printed command list reads back", "[command_text][script]") {
  std::string text;
  std::vector<Command> cmds;
  Seq seq = 0;
  for (const Case& c : every_field_cases()) {
    cmds.push_back(Command{++seq, kT0 + static_cast<Timestamp>(seq) * kSecond, c.body});
    text += print(cmds.back());
    text += '\n';
  }
  const ParsedScript s = parse_script(text);
  REQUIRE(s.ok());
  REQUIRE(s.commands.size() == cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) CHECK(same(s.commands[i], cmds[i]));
}

// ================================================================ random round trip

namespace {

// Splits a canonical line into tokens (quoted values keep their spaces).
std::vector<std::string> split_tokens(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '\\' && i + 1 < line.size()) {
      cur += c;
      cur += line[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ' ' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

TEST_CASE("command text: seeded random round trip of every command kind", "[command_text][random]") {
  const std::uint64_t seed = seed_from_env(20260105);
  CAPTURE(seed);
  CommandGen g(seed);
  constexpr int kPerKind = 600;
  for (std::size_t kind = 0; kind < std::variant_size_v<CommandBody>; ++kind) {
    for (int i = 0; i < kPerKind; ++i) {
      const Command c{g.integer<Seq>(), g.time(), g.body(kind)};
      const std::string line = print(c);
      INFO("kind " << kind << " #" << i << ": " << line);
      const ParsedCommand p = parse_command(line);
      if (!p.ok()) FAIL("parse error: " << to_string(*p.error));
      REQUIRE(same(p.command, c));
      REQUIRE(print(p.command) == line);

      // The same keys in another order, with other blanks and a comment, mean the same.
      std::vector<std::string> tokens = split_tokens(line);
      REQUIRE(tokens.size() >= 3);
      std::vector<std::string> pairs(tokens.begin() + 3, tokens.end());
      for (std::size_t k = pairs.size(); k > 1; --k) std::swap(pairs[k - 1], pairs[g.below(k)]);
      std::string shuffled = tokens[0] + "\t" + tokens[1] + "  " + tokens[2];
      for (const std::string& t : pairs) shuffled += (g.coin() ? " " : " \t ") + t;
      if (g.coin()) shuffled += "   # comment with key=value \"";
      INFO("shuffled: " << shuffled);
      const ParsedCommand q = parse_command(shuffled);
      if (!q.ok()) FAIL("parse error: " << to_string(*q.error));
      REQUIRE(same(q.command, c));
    }
  }
}

// ================================================================ events

TEST_CASE("event lines: exact text", "[event_text]") {
  EventPrinter p;
  CHECK(p.print(1, InstrumentCreated{1, cea_spec()}) ==
        std::string("1 instrument-created instrument=1 ") + kCeaSpecText);

  InstrumentSpec sink;
  sink.symbol = sym("FS-JX-2024");
  sink.right_class = RightClass::ForestrySink;
  sink.qty_scale = 3;
  sink.price_scale = 2;
  p.learn(2, sink);

  CHECK(p.print(2, DayOpened{20260105}) == "2 day-opened date=2026-01-05");
  CHECK(p.print(2, SessionChanged{1, SessionState::Continuous}) == "2 session-changed symbol=CEA25 state=continuous");
  CHECK(p.print(2, ReferencePriceSet{1, 5800, 5220, 6380}) ==
        "2 reference-price-set symbol=CEA25 reference=58.00 band_lo=52.20 band_hi=63.80");
  CHECK(p.print(3, MemberCreated{member(12, "江西铜业", "Nanchang")}) ==
        "3 member-created member=12 name=江西铜业 region=Nanchang");
  CHECK(p.print(3, AccountCreated{CreateAccount{101, 12, false}}) == "3 account-created account=101 member=12");
  CHECK(p.print(3, FeesSet{SetFees{RightClass::CarbonAllowance, FeeLine{150, dec(5)}, FeeLine{}}}) ==
        "3 fees-set right_class=carbon-allowance trading_rate_ppm=150 trading_minimum=5");

  CHECK(p.print(4, Transfer{1, kCash, 0, Bucket::External, 101, Bucket::Tradable, 100'000'000, TransferKind::Deposit,
                            0}) ==
        "4 transfer transfer=1 asset=CNY debit_account=0 debit_bucket=external credit_account=101 "
        "credit_bucket=tradable amount=1000000.00 kind=deposit");

  OrderAccepted acc;
  acc.order = 5;
  acc.account = 101;
  acc.member = 12;
  acc.instrument = 1;
  acc.clord_id = cl("A1");
  acc.side = Side::Buy;
  acc.stp = StpMode::CancelTaker;
  acc.price = 5820;
  acc.qty = 1000;
  CHECK(p.print(9, acc) ==
        "9 order-accepted order=5 account=101 member=12 symbol=CEA25 clord_id=A1 side=buy type=limit tif=day "
        "stp=cancel-taker price=58.20 qty=1000");
  acc.tif = TimeInForce::Gtd;
  acc.expire_at = kT0;
  CHECK(p.print(9, acc) ==
        "9 order-accepted order=5 account=101 member=12 symbol=CEA25 clord_id=A1 side=buy type=limit tif=gtd "
        "stp=cancel-taker price=58.20 qty=1000 expire_at=2026-01-05T01:30:00Z");

  Trade t;
  t.trade = 3;
  t.instrument = 2;
  t.price = 5;  // CNY 0.05 per kg... price units are per the instrument: 0.05
  t.qty = 1500;  // 1.500 t
  t.cash = 8;
  t.aggressor = Side::Sell;
  t.buy = FillSide{6, 101, 12, cl("B1"), 6, 500, 1500, 8, 1};
  t.sell = FillSide{7, 202, 13, ClOrdId{}, 5, 0, 1500, 8, 0};
  CHECK(p.print(10, t) ==
        "10 trade trade=3 symbol=FS-JX-2024 price=0.05 qty=1.500 cash=0.08 aggressor=sell buy_order=6 "
        "buy_account=101 buy_member=12 buy_clord_id=B1 buy_limit=0.06 buy_leaves=0.500 buy_cum_qty=1.500 buy_cum_cash=0.08 "
        "buy_fee=0.01 sell_order=7 sell_account=202 sell_member=13 sell_clord_id=\"\" sell_limit=0.05 sell_leaves=0.000 "
        "sell_cum_qty=1.500 sell_cum_cash=0.08 sell_fee=0.00");
  CHECK(p.print(10, Transfer{9, 2, 202, Bucket::Reserved, 101, Bucket::Locked, 1500, TransferKind::Delivery, 3}) ==
        "10 transfer transfer=9 asset=FS-JX-2024 debit_account=202 debit_bucket=reserved credit_account=101 "
        "credit_bucket=locked amount=1.500 kind=delivery ref=3");

  OrderCancelled oc;
  oc.order = 5;
  oc.account = 101;
  oc.member = 12;
  oc.instrument = 1;
  oc.clord_id = cl("A1");
  oc.price = 5820;
  oc.cancelled = 400;
  oc.cum_qty = 600;
  oc.cum_cash = 3'492'000;
  oc.reason = CancelReason::SystemCancel;
  CHECK(p.print(11, oc) ==
        "11 order-cancelled order=5 account=101 member=12 symbol=CEA25 clord_id=A1 side=buy price=58.20 "
        "cancelled=400 leaves=0 cum_qty=600 cum_cash=34920.00 reason=system-cancel");

  OrderModified om;
  om.order = 5;
  om.account = 101;
  om.member = 12;
  om.instrument = 1;
  om.clord_id = cl("A2");
  om.orig_clord_id = cl("A1");
  om.side = Side::Sell;
  om.price = 5810;
  om.leaves = 300;
  om.priority_kept = true;
  CHECK(p.print(12, om) ==
        "12 order-modified order=5 account=101 member=12 symbol=CEA25 clord_id=A2 orig_clord_id=A1 side=sell "
        "price=58.10 leaves=300 cum_qty=0 cum_cash=0.00 priority_kept=true");

  CHECK(p.print(13, MassCancelled{12, 0, Symbol{}, std::nullopt, 4}) ==
        "13 mass-cancelled member=12 cancelled=4");
  CHECK(p.print(13, MassCancelled{12, 101, sym("CEA25"), Side::Buy, 0}) ==
        "13 mass-cancelled member=12 account=101 symbol=CEA25 side=buy cancelled=0");

  CommandRejected rej;
  rej.seq = 14;
  rej.command = static_cast<std::uint8_t>(CommandBody(NewOrder{}).index());
  rej.reason = RejectReason::PriceOutsideBand;
  rej.account = 101;
  rej.clord_id = cl("A9");
  CHECK(p.print(14, rej) == "14 command-rejected command=order reason=price-outside-band account=101 clord_id=A9");
  rej.command = static_cast<std::uint8_t>(CommandBody(Freeze{}).index());
  rej.reason = RejectReason::InsufficientHoldings;
  rej.account = 0;
  rej.clord_id = ClOrdId{};
  CHECK(p.print(14, rej) == "14 command-rejected command=hold-release reason=insufficient-holdings");
  CHECK(p.print(15, rej) == "15 command-rejected command=hold-release reason=insufficient-holdings seq=14");

  DailyStatistics ds;
  ds.instrument = 1;
  ds.date = 20260105;
  ds.open = 5800;
  ds.high = 5850;
  ds.low = 5790;
  ds.last = 5820;
  ds.volume = 1600;
  ds.turnover = 9'312'000;
  ds.vwap = 5820;
  ds.close = 5820;
  ds.trades = 2;
  CHECK(p.print(16, ds) ==
        "16 daily-statistics symbol=CEA25 date=2026-01-05 open=58.00 high=58.50 low=57.90 last=58.20 volume=1600 "
        "turnover=93120.00 vwap=58.20 close=58.20 trades=2");
  CHECK(p.print(16, DayClosed{20260105}) == "16 day-closed date=2026-01-05");
  CHECK(p.print(17, MemberRestrictionSet{12, true}) == "17 member-restriction-set member=12 restricted=true");
  CHECK(p.print(17, AccountRestrictionSet{101, false}) == "17 account-restriction-set account=101 restricted=false");

  // An instrument the printer has not learnt: its id, and plain units.
  CHECK(p.print(18, ReferencePriceSet{9, 5800, 5220, 6380}) ==
        "18 reference-price-set instrument=9 reference=5800 band_lo=5220 band_hi=6380");
  CHECK(p.print(18, Transfer{10, 9, 1, Bucket::Tradable, 1, Bucket::Frozen, 7, TransferKind::Hold, 0}) ==
        "18 transfer transfer=10 asset=9 debit_account=1 debit_bucket=tradable credit_account=1 "
        "credit_bucket=frozen amount=7 kind=hold");
  // A change takes effect in the printer only once applied.
  InstrumentSpec changed = cea_spec();
  changed.continuous.band_bps = 3000;
  CHECK(p.print(19, InstrumentChangePending{1, changed}).rfind("19 instrument-change-pending instrument=1 symbol=CEA25", 0) == 0);
  CHECK(p.print(20, InstrumentChanged{1, changed}).find(" band_bps=3000 ") != std::string::npos);
}

TEST_CASE("event names are unique kebab-case", "[event_text]") {
  std::set<std::string_view> names;
  const std::vector<Event> all = {CommandRejected{}, MemberCreated{}, MemberRestrictionSet{}, AccountCreated{},
                                  AccountRestrictionSet{}, InstrumentCreated{}, InstrumentChangePending{},
                                  InstrumentChanged{}, FeesSet{}, DayOpened{}, DayClosed{}, SessionChanged{},
                                  ReferencePriceSet{}, DailyStatistics{}, OrderAccepted{}, Trade{},
                                  OrderCancelled{}, OrderModified{}, MassCancelled{}, Transfer{},
                                  OperatorCreated{}, OperatorSet{}};
  REQUIRE(all.size() == std::variant_size_v<Event>);
  EventPrinter p;
  for (const Event& e : all) {
    const std::string_view n = event_name(e);
    CHECK(names.insert(n).second);
    CHECK(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string_view::npos);
    CHECK(p.print(1, e).rfind("1 " + std::string(n), 0) == 0);
  }
}
