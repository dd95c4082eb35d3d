#pragma once
// A seeded generator of arbitrary commands, for the round-trip tests of the
// command codecs (text: test_command_text.cpp; binary: test_command_codec.cpp).
//
// Every field of every kind is drawn from its whole range, edges included
// (min / max integers, strings up to capacity with quotes, control bytes, NUL
// and UTF-8, decimals of any scale, sometimes an enumeration value that has no
// name), so a field a codec forgets or mangles shows up as a failed round trip.
// The seed alone determines the stream.

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "engine/exchange/names.hpp"

namespace erx::exchange::test {

class CommandGen {
 public:
  static constexpr Timestamp kT0 = 1'767'576'600'000'000'000;  // 2026-01-05T01:30:00Z
  static constexpr Timestamp kSecond = 1'000'000'000;
  static constexpr Timestamp kTimestampMax = std::numeric_limits<Timestamp>::max();

  explicit CommandGen(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t next() { return rng_(); }
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  bool coin() { return (rng_() & 1U) != 0; }

  template <class T>
  T integer() {
    static_assert(std::is_integral_v<T>);
    switch (below(5)) {
      case 0: return std::numeric_limits<T>::min();
      case 1: return std::numeric_limits<T>::max();
      case 2: return static_cast<T>(below(100));
      default: return static_cast<T>(next());
    }
  }

  Decimal decimal() {
    Decimal d;
    d.scale = static_cast<std::int8_t>(below(19));
    switch (below(4)) {
      case 0: d.units = static_cast<std::int64_t>(below(1'000'000)); break;
      case 1: d.units = -static_cast<std::int64_t>(below(1'000'000)); break;
      default: d.units = integer<std::int64_t>(); break;
    }
    return d;
  }

  template <std::size_t N>
  FixedString<N> string() {
    static const std::vector<std::string> pieces = {"a", "Z", "0", "-", "_", "/", ".", " ", "=", "\"", "#", "\\",
                                                    "\x01", "\t", "\x7f", "碳", "汇", "赣", "é", "x", "CEA", "\0"};
    std::string s;
    const std::size_t target = below(N + 1);
    while (s.size() < target) {
      std::string piece = pieces[below(pieces.size())];
      if (piece.empty()) piece = std::string(1, '\0');
      if (s.size() + piece.size() > N) break;
      s += piece;
    }
    return FixedString<N>::of(s);  // s fits: pieces are added only while they do
  }

  template <class E>
  E enumeration() {
    using U = std::underlying_type_t<E>;
    if (below(10) == 0) return static_cast<E>(static_cast<U>(next()));  // maybe unnamed
    std::vector<E> named;
    for (std::uint32_t i = 0; i <= std::numeric_limits<U>::max(); ++i)
      if (has_name(static_cast<E>(static_cast<U>(i)))) named.push_back(static_cast<E>(static_cast<U>(i)));
    return named[below(named.size())];
  }

  Timestamp time() {
    switch (below(4)) {
      case 0: return integer<Timestamp>();
      case 1: return kT0 + static_cast<Timestamp>(below(1'000'000)) * kSecond;
      default: return kT0 + static_cast<Timestamp>(below(static_cast<std::uint64_t>(kTimestampMax - kT0)));
    }
  }

  BusinessDate date() {
    if (coin()) return integer<BusinessDate>();
    const auto y = static_cast<BusinessDate>(1 + below(9999));
    const auto m = static_cast<BusinessDate>(1 + below(12));
    const auto d = static_cast<BusinessDate>(1 + below(28));
    return y * 10000 + m * 100 + d;
  }

  InstrumentSpec spec() {
    InstrumentSpec s;
    s.symbol = string<Symbol::kCapacity>();
    s.right_class = enumeration<RightClass>();
    s.unit = string<Label::kCapacity>();
    s.vintage = coin() ? 0 : integer<std::int32_t>();
    s.project_id = coin() ? Label{} : string<Label::kCapacity>();
    s.pollutant = coin() ? Label{} : string<Label::kCapacity>();
    s.region = coin() ? Label{} : string<Label::kCapacity>();
    s.basin = coin() ? Label{} : string<Label::kCapacity>();
    s.term_years = coin() ? 0 : integer<std::int32_t>();
    s.compliance_year = coin() ? 0 : integer<std::int32_t>();
    s.last_trading_date = coin() ? 0 : integer<std::int32_t>();
    s.water_type = enumeration<WaterRightType>();
    s.price_scale = integer<std::int8_t>();
    s.qty_scale = integer<std::int8_t>();
    s.tick = decimal();
    s.lot = decimal();
    s.price_unit = enumeration<PriceUnit>();
    s.continuous.min_qty = decimal();
    s.continuous.max_qty = decimal();
    s.continuous.band_bps = integer<std::uint32_t>();
    s.reference_price = decimal();
    s.eligibility = enumeration<Eligibility>();
    s.holding_limit = coin() ? Decimal{} : decimal();
    return s;
  }

  void fill(CreateMember& b) {
    b = {integer<MemberId>(), string<32>(), string<32>(), string<32>(), enumeration<MemberCategory>(), coin(),
         enumeration<StpMode>()};
  }
  void fill(SetMemberRestricted& b) { b = {integer<MemberId>(), coin()}; }
  void fill(CreateAccount& b) { b = {integer<AccountId>(), integer<MemberId>(), coin()}; }
  void fill(SetAccountRestricted& b) { b = {integer<AccountId>(), coin()}; }
  void fill(CreateInstrument& b) { b.spec = spec(); }
  void fill(ChangeInstrument& b) { b.spec = spec(); }
  void fill(SetFees& b) {
    b = {enumeration<RightClass>(), FeeLine{integer<std::uint32_t>(), decimal()},
         FeeLine{integer<std::uint32_t>(), decimal()}};
  }
  void fill(Deposit& b) { b = {integer<AccountId>(), decimal()}; }
  void fill(Withdraw& b) { b = {integer<AccountId>(), decimal()}; }
  void fill(IssueRights& b) { b = {integer<AccountId>(), string<24>(), decimal()}; }
  void fill(MoveRights& b) { b = {integer<AccountId>(), string<24>(), decimal(), coin()}; }
  void fill(Freeze& b) { b = {integer<AccountId>(), string<24>(), decimal(), enumeration<HoldKind>(), coin()}; }
  void fill(OpenDay& b) { b.date = date(); }
  void fill(CloseDay&) {}
  void fill(SetSession& b) { b = {string<24>(), enumeration<SessionState>()}; }
  void fill(NewOrder& b) {
    b = {integer<AccountId>(), string<32>(), string<24>(), enumeration<Side>(), enumeration<OrderType>(),
         enumeration<TimeInForce>(), coin() ? Decimal{} : decimal(), decimal(), coin() ? 0 : time(),
         enumeration<StpMode>(), coin() ? 0 : integer<OperatorId>()};
  }
  void fill(CancelOrder& b) {
    b = {integer<AccountId>(), string<32>(), coin() ? 0 : integer<OperatorId>(), coin() ? ClOrdId{} : string<32>()};
  }
  void fill(ModifyOrder& b) {
    b = {integer<AccountId>(), string<32>(), string<32>(), decimal(), decimal(), coin() ? 0 : integer<OperatorId>(),
         coin()};
  }
  void fill(MassCancel& b) {
    b = {integer<MemberId>(), coin() ? 0 : integer<AccountId>(), string<24>(), std::nullopt,
         coin() ? 0 : integer<OperatorId>(), coin(), coin() ? ClOrdId{} : string<32>()};
    if (coin()) b.side = enumeration<Side>();
  }
  void fill(Timer&) {}
  void fill(CreateOperator& b) {
    b = {integer<OperatorId>(), integer<MemberId>(), string<32>(), enumeration<OperatorRole>()};
  }
  void fill(SetOperator& b) { b = {integer<OperatorId>(), enumeration<OperatorRole>(), coin()}; }

  // A body of the given kind (CommandBody index), every field drawn.
  template <std::size_t I = 0>
  CommandBody body(std::size_t kind) {
    if constexpr (I + 1 < std::variant_size_v<CommandBody>) {
      if (kind != I) return body<I + 1>(kind);
    }
    std::variant_alternative_t<I, CommandBody> b{};
    fill(b);
    return CommandBody{std::in_place_index<I>, b};
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace erx::exchange::test
