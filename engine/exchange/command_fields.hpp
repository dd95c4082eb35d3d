#pragma once
// One description of each command's fields, walked by every codec of commands:
// the text form (command_text.cpp: printer, key check, parser) and the binary
// form (command_codec.cpp: encoder, decoder, size bound). Keeping one list
// means the codecs cannot disagree about which fields a command has or their
// order; adding a field here adds it to every form.
//
// fields(v, body) calls, for each field of the body in its canonical order:
//   v.req(key, f)               required
//   v.opt(key, f, default)      optional, omitted (in text) at its default
//   v.req_if(c, key, f, def)    required when c holds (c may test a field read before), else optional
//   v.maybe(key, optional)      optional, omitted (in text) when empty
//   v.in_verb(key, flag)        a bool the text carries in the verb (Freeze: hold / release), not as a key
// The binary form writes every field whatever the call; only the text form
// distinguishes required, optional and in-verb.
//
// f is a reference to the member, or a TimeField / DateField wrapping one
// (an integer whose text form is a time or a date); ref(f) is the member.
// The descriptions are constexpr so that a visitor can bound a body's size at
// compile time.
//
// Internal to the codecs: include only from engine/exchange/*.cpp (the state
// hash walks reference data by these fields too, the event description embeds
// command bodies) and from tests (the exact encoding of events).

#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

#include "engine/exchange/commands.hpp"

namespace erx::exchange::detail {

struct TimeField {
  Timestamp& v;
};
struct DateField {
  BusinessDate& v;
};

template <class F>
constexpr auto& ref(F& f) noexcept {
  if constexpr (std::is_same_v<std::remove_cv_t<F>, TimeField> || std::is_same_v<std::remove_cv_t<F>, DateField>)
    return f.v;
  else
    return f;
}

// For a visitor that reads or writes every field alike, whether required,
// optional or in the verb (the binary codec, the state hash, a test): each
// call becomes self.value(key, member), a std::optional one for maybe().
template <class Self>
class EveryField {
 public:
  template <class F>
  constexpr void req(std::string_view key, F&& f) {
    self().value(key, ref(f));
  }
  template <class F, class D>
  constexpr void opt(std::string_view key, F&& f, const D&) {
    req(key, f);
  }
  template <class F, class D>
  constexpr void req_if(bool, std::string_view key, F&& f, const D&) {
    req(key, f);
  }
  template <class T>
  constexpr void maybe(std::string_view key, std::optional<T>& f) {
    self().value(key, f);
  }
  constexpr void in_verb(std::string_view key, bool& f) { self().value(key, f); }

 private:
  constexpr Self& self() { return static_cast<Self&>(*this); }
};

template <class T>
struct IsFixedString : std::false_type {};
template <std::size_t N>
struct IsFixedString<FixedString<N>> : std::true_type {};

template <class V>
constexpr void fields(V& v, CreateMember& s) {
  v.req("member", s.member);
  v.req("name", s.name);
  v.opt("region", s.region, Label{});
  v.opt("basin", s.basin, Label{});
  v.opt("category", s.category, MemberCategory::Investor);
  v.opt("restricted", s.restricted, false);
  v.opt("stp", s.stp, StpMode::CancelTaker);
}
template <class V>
constexpr void fields(V& v, SetMemberRestricted& s) {
  v.req("member", s.member);
  v.req("restricted", s.restricted);
}
template <class V>
constexpr void fields(V& v, CreateAccount& s) {
  v.req("account", s.account);
  v.req("member", s.member);
  v.opt("restricted", s.restricted, false);
}
template <class V>
constexpr void fields(V& v, SetAccountRestricted& s) {
  v.req("account", s.account);
  v.req("restricted", s.restricted);
}
template <class V>
constexpr void fields(V& v, CreateOperator& s) {
  v.req("operator", s.op);
  v.req("member", s.member);
  v.req("name", s.name);
  v.opt("role", s.role, OperatorRole::Trader);
}
template <class V>
constexpr void fields(V& v, SetOperator& s) {
  v.req("operator", s.op);
  v.req("role", s.role);
  v.opt("active", s.active, true);
}
template <class V>
constexpr void fields(V& v, InstrumentSpec& s) {
  v.req("symbol", s.symbol);
  v.req("right_class", s.right_class);
  v.req("unit", s.unit);
  v.opt("vintage", s.vintage, std::int32_t{0});
  v.opt("project_id", s.project_id, Label{});
  v.opt("pollutant", s.pollutant, Label{});
  v.opt("region", s.region, Label{});
  v.opt("basin", s.basin, Label{});
  v.opt("term_years", s.term_years, std::int32_t{0});
  v.opt("compliance_year", s.compliance_year, std::int32_t{0});
  v.opt("last_trading_date", DateField{s.last_trading_date}, BusinessDate{0});
  v.opt("water_type", s.water_type, WaterRightType::None);
  v.req("price_scale", s.price_scale);
  v.req("qty_scale", s.qty_scale);
  v.req("tick", s.tick);
  v.req("lot", s.lot);
  v.opt("price_unit", s.price_unit, PriceUnit::PerUnit);
  v.req("min_qty", s.continuous.min_qty);
  v.req("max_qty", s.continuous.max_qty);
  v.req("band_bps", s.continuous.band_bps);
  v.req("reference_price", s.reference_price);
  v.opt("eligibility", s.eligibility, Eligibility::Default);
  v.opt("holding_limit", s.holding_limit, Decimal{});
}
template <class V>
constexpr void fields(V& v, CreateInstrument& s) {
  fields(v, s.spec);
}
template <class V>
constexpr void fields(V& v, ChangeInstrument& s) {
  fields(v, s.spec);
}
template <class V>
constexpr void fields(V& v, SetFees& s) {
  v.req("right_class", s.right_class);
  v.opt("trading_rate_ppm", s.trading.rate_ppm, std::uint32_t{0});
  v.opt("trading_minimum", s.trading.minimum, Decimal{});
  v.opt("settlement_rate_ppm", s.settlement.rate_ppm, std::uint32_t{0});
  v.opt("settlement_minimum", s.settlement.minimum, Decimal{});
}
template <class V>
constexpr void fields(V& v, Deposit& s) {
  v.req("account", s.account);
  v.req("amount", s.amount);
}
template <class V>
constexpr void fields(V& v, Withdraw& s) {
  v.req("account", s.account);
  v.req("amount", s.amount);
}
template <class V>
constexpr void fields(V& v, IssueRights& s) {
  v.req("account", s.account);
  v.req("symbol", s.symbol);
  v.req("qty", s.qty);
}
template <class V>
constexpr void fields(V& v, MoveRights& s) {
  v.req("account", s.account);
  v.req("symbol", s.symbol);
  v.req("qty", s.qty);
  v.opt("to_trading", s.to_trading, true);
}
// `freeze` is the verb (hold / release), not a key.
template <class V>
constexpr void fields(V& v, Freeze& s) {
  v.req("account", s.account);
  v.opt("symbol", s.symbol, Symbol{});
  v.req("qty", s.qty);
  v.req("kind", s.kind);
  v.in_verb("freeze", s.freeze);
}
template <class V>
constexpr void fields(V& v, OpenDay& s) {
  v.req("date", DateField{s.date});
}
template <class V>
constexpr void fields(V&, CloseDay&) {}
template <class V>
constexpr void fields(V& v, SetSession& s) {
  v.opt("symbol", s.symbol, Symbol{});
  v.req("state", s.state);
}
template <class V>
constexpr void fields(V& v, NewOrder& s) {
  v.req("account", s.account);
  v.req("clord_id", s.clord_id);
  v.req("symbol", s.symbol);
  v.req("side", s.side);
  v.opt("type", s.type, OrderType::Limit);
  v.opt("tif", s.tif, TimeInForce::Day);
  v.req_if(s.type == OrderType::Limit, "price", s.price, Decimal{});
  v.req("qty", s.qty);
  v.req_if(s.tif == TimeInForce::Gtd, "expire_at", TimeField{s.expire_at}, Timestamp{0});
  v.opt("stp", s.stp, StpMode::MemberDefault);
  v.opt("operator", s.op, OperatorId{0});
}
template <class V>
constexpr void fields(V& v, CancelOrder& s) {
  v.req("account", s.account);
  v.req("orig_clord_id", s.orig_clord_id);
  v.opt("operator", s.op, OperatorId{0});
  v.opt("clord_id", s.clord_id, ClOrdId{});
}
template <class V>
constexpr void fields(V& v, ModifyOrder& s) {
  v.req("account", s.account);
  v.req("orig_clord_id", s.orig_clord_id);
  v.opt("clord_id", s.clord_id, ClOrdId{});
  v.req("price", s.price);
  v.req("qty", s.qty);
  v.opt("operator", s.op, OperatorId{0});
  v.opt("qty_is_total", s.qty_is_total, false);
}
template <class V>
constexpr void fields(V& v, MassCancel& s) {
  v.req("member", s.member);
  v.opt("account", s.account, AccountId{0});
  v.opt("symbol", s.symbol, Symbol{});
  v.maybe("side", s.side);
  v.opt("operator", s.op, OperatorId{0});
  v.opt("day_only", s.day_only, false);
  v.opt("clord_id", s.clord_id, ClOrdId{});
}
template <class V>
constexpr void fields(V&, Timer&) {}

}  // namespace erx::exchange::detail
