// The binary form of command bodies (engine/exchange/command_codec;
// docs/COMMANDS.md "Binary form (journal)"): exact bytes, a round trip of
// every kind with every field set, a seeded random round trip, every class of
// malformed input with its message, and a fuzz loop over random, truncated
// and mutated bytes (ERX_SEED=<n> replays one seed).

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/exchange/command_codec.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/exchange/commands.hpp"
#include "engine/exchange/names.hpp"
#include "tests/support/command_gen.hpp"

using namespace erx::exchange;
using erx::exchange::test::CommandGen;

namespace {

std::uint64_t seed_from_env(std::uint64_t fallback) {
  const char* s = std::getenv("ERX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

Decimal dec(std::int64_t units, int scale = 0) { return Decimal{units, static_cast<std::int8_t>(scale)}; }
Symbol sym(std::string_view s) { return Symbol::of(s); }
Label lab(std::string_view s) { return Label::of(s); }
ClOrdId cl(std::string_view s) { return ClOrdId::of(s); }

template <class T>
std::uint8_t kind_of() {
  return static_cast<std::uint8_t>(CommandBody{T{}}.index());
}

std::string encode(const CommandBody& b) {
  std::string out;
  encode_body(b, out);
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (!out.empty()) out += ' ';
    out += kHex[u >> 4U];
    out += kHex[u & 0x0FU];
  }
  return out;
}

// Bytes from "0f 65 00 ..." (spaces ignored).
std::string unhex(std::string_view text) {
  std::string out;
  int high = -1;
  for (const char c : text) {
    if (c == ' ') continue;
    const int v = c <= '9' ? c - '0' : c - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  return out;
}

// decode(bytes) succeeds, and encoding the result gives the same bytes back.
CommandBody decode_ok(std::string_view bytes) {
  CommandBody b;
  std::string error;
  INFO("bytes: " << hex(bytes));
  if (!decode_body(bytes, b, &error)) FAIL("decode failed: " << error);
  CHECK(encode(b) == bytes);
  return b;
}

// decode(bytes) fails with a message containing `expected`.
void decode_fails(std::string_view bytes, std::string_view expected) {
  CommandBody b;
  std::string error;
  INFO("bytes: " << hex(bytes));
  CHECK_FALSE(decode_body(bytes, b, &error));
  CHECK_THAT(error, Catch::Contains(std::string(expected)));
}

void check_round_trip(const CommandBody& b) {
  const std::string bytes = encode(b);
  INFO("kind " << b.index() << ": " << hex(bytes));
  REQUIRE(!bytes.empty());
  CHECK(static_cast<std::uint8_t>(bytes[0]) == b.index());
  CHECK(bytes.size() <= kMaxBodyBytes);
  CHECK(decode_ok(bytes) == b);
}

InstrumentSpec full_spec() {
  InstrumentSpec s;
  s.symbol = sym("SO2-GAN-5Y");
  s.right_class = RightClass::EmissionRight;
  s.unit = lab("t/yr");
  s.vintage = 2024;
  s.project_id = lab("P-1");
  s.pollutant = lab("SO2");
  s.region = lab("Nanchang");
  s.basin = lab("Gan");
  s.term_years = 5;
  s.compliance_year = 2026;
  s.last_trading_date = 20301231;
  s.water_type = WaterRightType::Irrigation;
  s.price_scale = 2;
  s.qty_scale = 3;
  s.tick = dec(1, 2);
  s.lot = dec(1, 3);
  s.price_unit = PriceUnit::PerUnitYear;
  s.continuous = ModeRules{dec(1, 3), dec(99'999'000, 3), 1000};
  s.reference_price = dec(-5820, 2);
  s.eligibility = Eligibility::SameBasin;
  s.holding_limit = dec(500'000, 0);
  return s;
}

// One body of every kind, every field away from its default.
std::vector<CommandBody> every_kind_full() {
  std::vector<CommandBody> v;
  v.emplace_back(CreateMember{12, lab("江西铜业 Jiangxi Copper"), lab("Nanchang"), lab("Gan"),
                              MemberCategory::ComplianceEntity, true, StpMode::Decrement});
  v.emplace_back(SetMemberRestricted{12, true});
  v.emplace_back(CreateAccount{101, 12, true});
  v.emplace_back(SetAccountRestricted{101, true});
  v.emplace_back(CreateInstrument{full_spec()});
  v.emplace_back(ChangeInstrument{full_spec()});
  v.emplace_back(SetFees{RightClass::WaterRight, FeeLine{150, dec(500, 2)}, FeeLine{20, dec(1, 2)}});
  v.emplace_back(Deposit{101, dec(100'000'000, 2)});
  v.emplace_back(Withdraw{101, dec(-1, 2)});
  v.emplace_back(IssueRights{101, sym("CEA25"), dec(1000)});
  v.emplace_back(MoveRights{101, sym("CEA25"), dec(250), false});
  v.emplace_back(Freeze{101, sym("CEA25"), dec(7), HoldKind::Pledged, false});
  v.emplace_back(OpenDay{20260105});
  v.emplace_back(CloseDay{});
  v.emplace_back(SetSession{sym("CEA25"), SessionState::Halted});
  v.emplace_back(NewOrder{101, cl("A1"), sym("CEA25"), Side::Sell, OrderType::Market, TimeInForce::Gtd,
                          dec(5820, 2), dec(1000), CommandGen::kT0, StpMode::CancelBoth, 7});
  v.emplace_back(CancelOrder{101, cl("A1"), 7});
  v.emplace_back(ModifyOrder{101, cl("A1"), cl("A2"), dec(5830, 2), dec(900), 7, true});
  v.emplace_back(MassCancel{12, 101, sym("CEA25"), Side::Sell, 7});
  v.emplace_back(Timer{});
  v.emplace_back(CreateOperator{7, 12, lab("trader one"), OperatorRole::Admin});
  v.emplace_back(SetOperator{7, OperatorRole::Viewer, false});
  return v;
}

}  // namespace

// ================================================================ exact bytes

TEST_CASE("command codec: exact bytes of an order", "[command_codec]") {
  const NewOrder o{101, cl("A1"), sym("CEA25"), Side::Buy, OrderType::Limit, TimeInForce::Day,
                   dec(5820, 2), dec(1000), 0, StpMode::MemberDefault, 7};
  const std::string expected =
      "0f"                          // kind 15: order
      " 65 00 00 00"                // account 101 (u32)
      " 02 41 31"                   // clord_id "A1"
      " 05 43 45 41 32 35"          // symbol "CEA25"
      " 00 00 00"                   // side buy, type limit, tif day
      " bc 16 00 00 00 00 00 00 02" // price 58.20 = {5820, 2}
      " e8 03 00 00 00 00 00 00 00" // qty 1000 = {1000, 0}
      " 00 00 00 00 00 00 00 00"    // expire_at 0 (i64)
      " 00"                         // stp member-default
      " 07 00 00 00";               // operator 7
  CHECK(hex(encode(o)) == expected);
  CHECK(decode_ok(unhex(expected)) == CommandBody{o});
}

TEST_CASE("command codec: exact bytes of optional, in-verb and empty bodies", "[command_codec]") {
  // MassCancel: member, account, symbol, side (presence + value), operator, day_only, clord_id.
  CHECK(hex(encode(MassCancel{12, 0, Symbol{}, std::nullopt, 0})) ==
        "12 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  CHECK(hex(encode(MassCancel{12, 0, Symbol{}, Side::Sell, 0})) ==
        "12 0c 00 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00");
  CHECK(hex(encode(MassCancel{12, 0, Symbol{}, std::nullopt, 0, true})) ==
        "12 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00");
  CHECK(hex(encode(MassCancel{12, 0, Symbol{}, std::nullopt, 0, false, cl("Q1")})) ==
        "12 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 51 31");
  // CancelOrder: account, orig_clord_id, operator, clord_id (the request's own).
  CHECK(hex(encode(CancelOrder{5, cl("A1"), 7, cl("C1")})) == "10 05 00 00 00 02 41 31 07 00 00 00 02 43 31");
  // ModifyOrder: account, orig_clord_id, clord_id, price, qty, operator, qty_is_total.
  CHECK(hex(encode(ModifyOrder{5, cl("A1"), ClOrdId{}, dec(5830, 2), dec(900), 7})) ==
        "11 05 00 00 00 02 41 31 00 c6 16 00 00 00 00 00 00 02 84 03 00 00 00 00 00 00 00 07 00 00 00 00");
  CHECK(hex(encode(ModifyOrder{5, cl("A1"), ClOrdId{}, dec(5830, 2), dec(900), 7, true})) ==
        "11 05 00 00 00 02 41 31 00 c6 16 00 00 00 00 00 00 02 84 03 00 00 00 00 00 00 00 07 00 00 00 01");
  // Freeze: account, symbol, qty, kind, then the verb's flag (hold = 1, release = 0).
  CHECK(hex(encode(Freeze{1, Symbol{}, dec(5), HoldKind::Pledged, true})) ==
        "0b 01 00 00 00 00 05 00 00 00 00 00 00 00 00 01 01");
  CHECK(hex(encode(Freeze{1, Symbol{}, dec(5), HoldKind::Pledged, false})) ==
        "0b 01 00 00 00 00 05 00 00 00 00 00 00 00 00 01 00");
  // Signed integers are two's complement; a date is its yyyymmdd int32.
  CHECK(hex(encode(Withdraw{1, dec(-2, 1)})) == "08 01 00 00 00 fe ff ff ff ff ff ff ff 01");
  CHECK(hex(encode(OpenDay{20260105})) == "0c 09 25 35 01");
  CHECK(hex(encode(CloseDay{})) == "0d");
  CHECK(hex(encode(Timer{})) == "13");
}

// The kind numbers and enumerator numbers are part of the format
// (docs/COMMANDS.md section 8): a renumbering would misread every journal.
TEST_CASE("command codec: kinds and enumerators keep their numbers", "[command_codec]") {
  const std::vector<std::string_view> kinds = {
      "create-member", "set-member-restricted", "create-account", "set-account-restricted", "create-instrument",
      "change-instrument", "set-fees", "deposit", "withdraw", "issue", "move-rights", "hold-release", "open-day",
      "close-day", "set-session", "order", "cancel", "modify", "mass-cancel", "timer", "create-operator",
      "set-operator"};
  REQUIRE(kinds.size() == std::variant_size_v<CommandBody>);
  for (std::size_t k = 0; k < kinds.size(); ++k) CHECK(command_name(k) == kinds[k]);

  // Each name's number is its position in docs/COMMANDS.md section 5.
  const auto numbered = [](auto e, const std::vector<std::string_view>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      INFO(names[i]);
      REQUIRE(parse_name(names[i], e));
      CHECK(static_cast<std::size_t>(e) == i);
    }
  };
  numbered(RightClass{}, {"carbon-allowance", "ccer", "forestry-sink", "emission-right", "energy-use-right",
                          "water-right"});
  numbered(PriceUnit{}, {"per-unit", "per-unit-year"});
  numbered(Eligibility{}, {"anyone", "same-region", "same-basin"});
  numbered(WaterRightType{}, {"none", "regional", "abstraction", "irrigation"});
  numbered(MemberCategory{}, {"compliance-entity", "investor", "government-reserve", "market-maker"});
  numbered(OperatorRole{}, {"trader", "admin", "viewer"});
  numbered(SessionState{}, {"closed", "pre-open", "continuous", "halted"});
  numbered(Side{}, {"buy", "sell"});
  numbered(OrderType{}, {"limit", "market"});
  numbered(TimeInForce{}, {"day", "gtc", "gtd", "ioc", "fok"});
  numbered(StpMode{}, {"member-default", "none", "cancel-taker", "cancel-maker", "cancel-both", "decrement"});
  numbered(HoldKind{}, {"frozen", "pledged"});
}

TEST_CASE("command codec: encode appends to what the string holds", "[command_codec]") {
  std::string out = "xy";
  encode_body(Timer{}, out);
  encode_body(OpenDay{20260105}, out);
  CHECK(hex(out) == "78 79 13 0c 09 25 35 01");
}

// ================================================================ round trips

TEST_CASE("command codec: every kind with every field set round-trips", "[command_codec]") {
  const std::vector<CommandBody> bodies = every_kind_full();
  REQUIRE(bodies.size() == std::variant_size_v<CommandBody>);  // a new kind needs an example here
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    CHECK(bodies[i].index() == i);  // in kind order, so other tests can pick one by kind
    check_round_trip(bodies[i]);
  }
}

TEST_CASE("command codec: values at their edges round-trip", "[command_codec]") {
  constexpr auto kMaxU32 = std::numeric_limits<std::uint32_t>::max();
  constexpr auto kMinI64 = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMaxI64 = std::numeric_limits<std::int64_t>::max();
  // Enumeration values without a name are commands too (rejected later with invalid-enum).
  check_round_trip(NewOrder{kMaxU32, cl(std::string(32, '\xff')), sym(std::string(24, '\0')), static_cast<Side>(2),
                            static_cast<OrderType>(0xff), static_cast<TimeInForce>(9), Decimal{kMinI64, -128},
                            Decimal{kMaxI64, 127}, kMinI64, static_cast<StpMode>(200), kMaxU32});
  check_round_trip(MassCancel{0, 0, Symbol{}, static_cast<Side>(0xff), 0});
  check_round_trip(OpenDay{std::numeric_limits<BusinessDate>::min()});
  check_round_trip(Freeze{0, Symbol{}, Decimal{}, static_cast<HoldKind>(77), true});
  InstrumentSpec s = full_spec();
  s.symbol = sym(std::string(Symbol::kCapacity, 'S'));
  s.unit = s.project_id = s.pollutant = s.region = s.basin = lab(std::string(Label::kCapacity, 'L'));
  const std::string longest = encode(CreateInstrument{s});
  CHECK(longest.size() == kMaxBodyBytes);  // the bound is reached, not only respected
  CHECK(decode_ok(longest) == CommandBody{CreateInstrument{s}});
}

TEST_CASE("command codec: seeded random round trip of every kind", "[command_codec][random]") {
  const std::uint64_t seed = seed_from_env(20260105);
  CAPTURE(seed);
  CommandGen g(seed);
  constexpr int kPerKind = 2000;
  std::string bytes;
  for (std::size_t kind = 0; kind < std::variant_size_v<CommandBody>; ++kind) {
    for (int i = 0; i < kPerKind; ++i) {
      const CommandBody b = g.body(kind);
      bytes.clear();
      encode_body(b, bytes);
      INFO("kind " << kind << " #" << i << ": " << hex(bytes));
      CommandBody d;
      std::string error;
      if (!decode_body(bytes, d, &error)) FAIL("decode failed: " << error);
      REQUIRE(d == b);
      std::string again;
      encode_body(d, again);
      REQUIRE(again == bytes);
    }
  }
}

// ================================================================ malformed input

TEST_CASE("command codec: empty input and unknown kinds", "[command_codec][errors]") {
  decode_fails("", "empty input");
  const auto kinds = static_cast<char>(std::variant_size_v<CommandBody>);
  decode_fails(std::string(1, kinds), "unknown command kind " + std::to_string(std::variant_size_v<CommandBody>));
  decode_fails("\xff", "unknown command kind 255");
}

TEST_CASE("command codec: short input names the field it ends in", "[command_codec][errors]") {
  const std::string order = encode(every_kind_full()[kind_of<NewOrder>()]);
  decode_fails(order.substr(0, 1), "order: field account: input ends inside it (needs 4 bytes, 0 left)");
  decode_fails(order.substr(0, 3), "order: field account: input ends inside it (needs 4 bytes, 2 left)");
  // The count is from the field's start: a string's length byte and its bytes.
  decode_fails(order.substr(0, 7), "order: field clord_id: input ends inside it (needs 3 bytes, 2 left)");
  decode_fails(order.substr(0, order.size() - 1), "order: field operator: input ends inside it");
  // Every proper prefix of every example is refused.
  for (const CommandBody& b : every_kind_full()) {
    const std::string bytes = encode(b);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CommandBody d;
      std::string error;
      INFO("kind " << b.index() << ", first " << n << " of " << bytes.size() << " bytes");
      CHECK_FALSE(decode_body(std::string_view(bytes).substr(0, n), d, &error));
      CHECK_FALSE(error.empty());
    }
  }
}

TEST_CASE("command codec: modify's qty_is_total round-trips, and a modify body without it is refused",
          "[command_codec][errors]") {
  // The flag is modify's last byte (engine version 3); the rest of the body is
  // as in version 2.
  for (const bool total : {false, true}) {
    const ModifyOrder m{101, cl("A1"), cl("A2"), dec(5830, 2), dec(700), 7, total};
    const std::string bytes = encode(m);
    CHECK(static_cast<std::uint8_t>(bytes.back()) == (total ? 1 : 0));
    const CommandBody back = decode_ok(bytes);
    REQUIRE(std::holds_alternative<ModifyOrder>(back));
    CHECK(std::get<ModifyOrder>(back).qty_is_total == total);
    CHECK(back == CommandBody{m});
    // A version 2 body (one byte shorter) is not read as a leaves modify.
    decode_fails(std::string_view(bytes).substr(0, bytes.size() - 1),
                 "modify: field qty_is_total: input ends inside it");
  }
  std::string bad = encode(ModifyOrder{101, cl("A1"), ClOrdId{}, dec(5830, 2), dec(700), 7, true});
  bad.back() = '\x02';
  decode_fails(bad, "modify: field qty_is_total: bool byte is 2 (must be 0 or 1)");
}

TEST_CASE("command codec: trailing bytes are refused", "[command_codec][errors]") {
  decode_fails(encode(Timer{}) + '\0', "timer: trailing bytes after the last field (1)");
  decode_fails(encode(Deposit{1, dec(5)}) + "abc", "deposit: trailing bytes after the last field (3)");
}

TEST_CASE("command codec: a bool byte other than 0 or 1 is refused", "[command_codec][errors]") {
  // set-member-restricted: kind, member (u32), restricted.
  std::string bytes = encode(SetMemberRestricted{12, true});
  REQUIRE(bytes.size() == 6);
  bytes[5] = '\x02';
  decode_fails(bytes, "set-member-restricted: field restricted: bool byte is 2 (must be 0 or 1)");
  bytes[5] = '\xff';
  decode_fails(bytes, "field restricted: bool byte is 255");
  // The flag the text form carries in the verb is checked the same way.
  std::string hold = encode(Freeze{1, Symbol{}, dec(5), HoldKind::Frozen, true});
  hold.back() = '\x03';
  decode_fails(hold, "hold-release: field freeze: bool byte is 3");
}

TEST_CASE("command codec: a string longer than its capacity is refused", "[command_codec][errors]") {
  // order: kind, account (u32), then clord_id's length byte at offset 5.
  std::string bytes = encode(NewOrder{});
  bytes[5] = static_cast<char>(ClOrdId::kCapacity + 1);
  decode_fails(bytes, "order: field clord_id: length 33 is over its capacity 32");
  bytes[5] = '\xff';
  decode_fails(bytes, "field clord_id: length 255 is over its capacity 32");
  // Within capacity but longer than what is left.
  bytes[5] = static_cast<char>(ClOrdId::kCapacity);
  decode_fails(bytes.substr(0, 10), "field clord_id: input ends inside it (needs 33 bytes, 5 left)");
}

TEST_CASE("command codec: an optional's presence byte must be 0 or 1, absent must be 0 then 0",
          "[command_codec][errors]") {
  // mass-cancel: kind, member (u32), account (u32), symbol "" (1), side presence at 10, side value at 11.
  std::string bytes = encode(MassCancel{12, 0, Symbol{}, std::nullopt, 0});
  bytes[10] = '\x02';
  decode_fails(bytes, "mass-cancel: field side: presence byte is 2 (must be 0 or 1)");
  bytes[10] = '\x00';
  bytes[11] = '\x01';
  decode_fails(bytes, "mass-cancel: field side: absent but its value bytes are not the default");
  bytes[10] = '\x01';
  CHECK(decode_ok(bytes) == CommandBody{MassCancel{12, 0, Symbol{}, Side::Sell, 0}});
  decode_fails(bytes.substr(0, 11), "field side: input ends inside it");
}

TEST_CASE("command codec: a null error pointer is allowed", "[command_codec][errors]") {
  CommandBody b = Timer{};
  CHECK_FALSE(decode_body("", b, nullptr));
  CHECK_FALSE(decode_body("\xff", b, nullptr));
  CHECK(decode_body(encode(OpenDay{1}), b, nullptr));
  CHECK(b == CommandBody{OpenDay{1}});
}

// ================================================================ fuzz

namespace {

// Decodes arbitrary bytes; anything accepted must re-encode to exactly them.
// Returns whether they were accepted.
bool probe(std::string_view bytes) {
  CommandBody b;
  std::string error;
  const bool ok = decode_body(bytes, b, &error);
  INFO("bytes: " << hex(bytes));
  if (ok) {
    std::string again;
    encode_body(b, again);
    REQUIRE(again == bytes);
  } else {
    REQUIRE_FALSE(error.empty());
  }
  return ok;
}

std::string noise(CommandGen& g, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(g.below(256));
  return s;
}

// Noise that mostly starts with a known kind, so the decoder goes past the first byte.
std::string random_body(CommandGen& g, std::size_t n) {
  std::string s = noise(g, n);
  if (n > 0 && g.below(4) != 0) s[0] = static_cast<char>(g.below(std::variant_size_v<CommandBody>));
  return s;
}

// One random change: flip a bit, set a byte (often to 0, 1 or a string's capacity), cut, or extend.
std::string mutate(CommandGen& g, std::string s) {
  if (s.empty()) return s;
  const std::size_t at = g.below(s.size());
  switch (g.below(5)) {
    case 0: s[at] = static_cast<char>(s[at] ^ static_cast<char>(1U << g.below(8))); break;
    case 1: {
      static constexpr std::uint8_t kSpecial[] = {0, 1, 2, 24, 25, 32, 33, 0x7f, 0xff};
      s[at] = static_cast<char>(kSpecial[g.below(std::size(kSpecial))]);
      break;
    }
    case 2: s[at] = static_cast<char>(g.below(256)); break;
    case 3: s.resize(at); break;
    default: s += noise(g, 1 + g.below(4)); break;
  }
  return s;
}

}  // namespace

TEST_CASE("command codec: fuzz never crashes and accepts only canonical bytes", "[command_codec][fuzz]") {
  const std::uint64_t seed = seed_from_env(0xC0DEC);
  CAPTURE(seed);
  CommandGen g(seed);
  constexpr int kRounds = 20'000;
  int accepted = 0;
  for (int i = 0; i < kRounds; ++i) {
    CAPTURE(i);
    // Pure noise, of any length up to a little over the longest body.
    if (probe(random_body(g, g.below(kMaxBodyBytes + 8)))) ++accepted;
    // A valid encoding with one to three changes.
    const std::string valid = encode(g.body(g.below(std::variant_size_v<CommandBody>)));
    std::string m = valid;
    for (std::uint64_t k = 0, n = 1 + g.below(3); k < n; ++k) m = mutate(g, std::move(m));
    if (probe(m)) ++accepted;
    // A proper prefix or an extension of a valid encoding is never valid.
    CHECK_FALSE(probe(std::string_view(valid).substr(0, g.below(valid.size()))));
    CHECK_FALSE(probe(valid + noise(g, 1 + g.below(3))));
  }
  // The mutations should leave a good share valid (bit flips in integers), so
  // the accept path is exercised too, not only the refusals.
  CHECK(accepted > kRounds / 10);
}
