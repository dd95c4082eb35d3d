#pragma once
// One description of each event's fields, walked by everything that writes an
// event out field by field:
//   the event text        engine/exchange/event_text.cpp (docs/COMMANDS.md "Event lines")
//   the ledger's rows     ledger/rows.cpp (trades, transfers, orders, fees, daily_stats;
//                         docs/LEDGER.md has the layouts)
//   the tests' encoding   tests/support/exchange_flow.cpp (encode_event: equal iff equal)
// The commands have the same thing in command_fields.hpp. Keeping one list
// means the three cannot disagree about which fields an event has or their
// order: a field added here reaches every form.
//
// fields(v, event) calls, for each field in its canonical order:
//   v.id(key, f)             part of the event's identity: the ledger keys the
//                            event's row by it (and leaves it out of the value)
//   v.req(key, f)            always present
//   v.opt(key, f, default)   omitted in text at its default
//   v.maybe(key, optional)   omitted in text when empty
//   v.cause(key, seq)        the seq of the command an event answers; text
//                            prints it after every other key, and only when it
//                            differs from the line's own seq
//   v.command(body)          the fields of a command struct, as
//                            command_fields.hpp describes them
//   v.group(prefix, part)    a part with a description of its own (a trade's
//                            buy and sell side); text prefixes its keys
// Every form but the text writes every field, whatever the call.
//
// f is a reference to the member, or a Field wrapping one to say what an
// integer means (a price in the instrument's units, cash in fen, a date…);
// ref(f) is the member. Prices and quantities are in the units of the
// instrument (Instrument) named before them in the event, an asset amount in
// the unit of the Asset named before it.
//
// Exhaustive by construction: each walker visits an event through
// fields(v, e), so an event kind without a description does not compile.
// Adding an event means: its struct and its place in `Event` (events.hpp),
// its description here, its name (event_text.cpp), and what it does to the
// ledger (the RowBuilder's per-kind table in ledger/rows.cpp) — each missing
// one is a build error.

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "engine/exchange/events.hpp"

namespace erx::exchange::event_fields {

// An integer (or Money) of the event, tagged with what it means.
template <class Tag, class T>
struct Field {
  const T& v;
};
// The instrument the event is about: `symbol=<symbol>` in text (`instrument=<id>`
// when the printer has not learnt it). Scales the prices and quantities after it.
using Instrument = Field<struct InstrumentTag, InstrumentId>;
using PriceUnits = Field<struct PriceTag, Price>;  // in the instrument's price units
using QtyUnits = Field<struct QtyTag, Qty>;        // in the instrument's quantity units
using Cash = Field<struct CashTag, Money>;         // fen
// A transfer's asset (kCash or an instrument) and an amount in its unit.
using Asset = Field<struct AssetTag, AssetId>;
using AssetAmount = Field<struct AssetAmountTag, Money>;
using Date = Field<struct DateTag, BusinessDate>;        // yyyymmdd
using Time = Field<struct TimeTag, Timestamp>;           // ns since the epoch
using CommandKind = Field<struct CommandKindTag, std::uint8_t>;  // a CommandBody index

template <class T>
constexpr const T& ref(const T& f) noexcept {
  return f;
}
template <class Tag, class T>
constexpr const T& ref(const Field<Tag, T>& f) noexcept {
  return f.v;
}

// ---------------------------------------------------------------- parts

// How much of an order is done: what it still offers, what it executed and
// the cash of that (an order's cancel, modify or fill says where it stands).
template <class V, class S>
constexpr void order_progress(V& v, const S& s) {
  v.req("leaves", QtyUnits{s.leaves});
  v.req("cum_qty", QtyUnits{s.cum_qty});
  v.req("cum_cash", Cash{s.cum_cash});
}

// Whose order a cancel or modify concerns, and on which instrument.
template <class V, class S>
constexpr void order_owner(V& v, const S& s) {
  v.req("order", s.order);
  v.req("account", s.account);
  v.req("member", s.member);
  v.req("symbol", Instrument{s.instrument});
  v.req("clord_id", s.clord_id);
}

template <class V>
constexpr void fields(V& v, const FillSide& s) {
  v.req("order", s.order);
  v.req("account", s.account);
  v.req("member", s.member);
  v.req("clord_id", s.clord_id);
  v.req("limit", PriceUnits{s.limit});
  order_progress(v, s);
  v.req("fee", Cash{s.fee});
}

// ---------------------------------------------------------------- events

template <class V>
constexpr void fields(V& v, const CommandRejected& s) {
  v.cause("seq", s.seq);
  v.req("command", CommandKind{s.command});
  v.req("reason", s.reason);
  v.opt("account", s.account, AccountId{0});
  v.opt("clord_id", s.clord_id, ClOrdId{});
}
template <class V>
constexpr void fields(V& v, const MemberCreated& s) {
  v.command(s.member);
}
template <class V>
constexpr void fields(V& v, const MemberRestrictionSet& s) {
  v.req("member", s.member);
  v.req("restricted", s.restricted);
}
template <class V>
constexpr void fields(V& v, const AccountCreated& s) {
  v.command(s.account);
}
template <class V>
constexpr void fields(V& v, const AccountRestrictionSet& s) {
  v.req("account", s.account);
  v.req("restricted", s.restricted);
}
// The three instrument events (created, a change pending, the change in
// force): the instrument's id, then its spec as a create-instrument.
template <class V, class E>
  requires std::is_same_v<E, InstrumentCreated> || std::is_same_v<E, InstrumentChangePending> ||
           std::is_same_v<E, InstrumentChanged>
constexpr void fields(V& v, const E& s) {
  v.req("instrument", s.instrument);
  v.command(CreateInstrument{s.spec});
}
template <class V>
constexpr void fields(V& v, const FeesSet& s) {
  v.command(s.fees);
}
template <class V, class E>
  requires std::is_same_v<E, OperatorCreated> || std::is_same_v<E, OperatorSet>
constexpr void fields(V& v, const E& s) {
  v.command(s.op);
}
template <class V, class E>
  requires std::is_same_v<E, DayOpened> || std::is_same_v<E, DayClosed>
constexpr void fields(V& v, const E& s) {
  v.req("date", Date{s.date});
}
template <class V>
constexpr void fields(V& v, const SessionChanged& s) {
  v.req("symbol", Instrument{s.instrument});
  v.req("state", s.state);
}
template <class V>
constexpr void fields(V& v, const ReferencePriceSet& s) {
  v.req("symbol", Instrument{s.instrument});
  v.req("reference", PriceUnits{s.reference});
  v.req("band_lo", PriceUnits{s.band_lo});
  v.req("band_hi", PriceUnits{s.band_hi});
}
// One row per instrument and day: (date, instrument) is its identity.
template <class V>
constexpr void fields(V& v, const DailyStatistics& s) {
  v.id("symbol", Instrument{s.instrument});
  v.id("date", Date{s.date});
  v.req("open", PriceUnits{s.open});
  v.req("high", PriceUnits{s.high});
  v.req("low", PriceUnits{s.low});
  v.req("last", PriceUnits{s.last});
  v.req("volume", QtyUnits{s.volume});
  v.req("turnover", Cash{s.turnover});
  v.req("vwap", PriceUnits{s.vwap});
  v.req("close", PriceUnits{s.close});
  v.req("trades", s.trades);
}
template <class V>
constexpr void fields(V& v, const OrderAccepted& s) {
  v.id("order", s.order);
  v.req("account", s.account);
  v.req("member", s.member);
  v.req("symbol", Instrument{s.instrument});
  v.req("clord_id", s.clord_id);
  v.req("side", s.side);
  v.req("type", s.type);
  v.req("tif", s.tif);
  v.req("stp", s.stp);
  v.req("price", PriceUnits{s.price});
  v.req("qty", QtyUnits{s.qty});
  v.opt("expire_at", Time{s.expire_at}, Timestamp{0});
  v.opt("operator", s.op, OperatorId{0});
}
template <class V>
constexpr void fields(V& v, const Trade& s) {
  v.id("trade", s.trade);
  v.req("symbol", Instrument{s.instrument});
  v.req("price", PriceUnits{s.price});
  v.req("qty", QtyUnits{s.qty});
  v.req("cash", Cash{s.cash});
  v.req("aggressor", s.aggressor);
  v.group("buy_", s.buy);
  v.group("sell_", s.sell);
}
template <class V>
constexpr void fields(V& v, const OrderCancelled& s) {
  order_owner(v, s);
  v.req("side", s.side);
  v.req("price", PriceUnits{s.price});
  v.req("cancelled", QtyUnits{s.cancelled});
  order_progress(v, s);
  v.req("reason", s.reason);
  v.opt("operator", s.op, OperatorId{0});
}
template <class V>
constexpr void fields(V& v, const OrderModified& s) {
  order_owner(v, s);
  v.req("orig_clord_id", s.orig_clord_id);
  v.req("side", s.side);
  v.req("price", PriceUnits{s.price});
  order_progress(v, s);
  v.req("priority_kept", s.priority_kept);
  v.opt("operator", s.op, OperatorId{0});
}
// The keys of the mass-cancel command, then the count.
template <class V>
constexpr void fields(V& v, const MassCancelled& s) {
  v.req("member", s.member);
  v.opt("account", s.account, AccountId{0});
  v.opt("symbol", s.symbol, Symbol{});
  v.maybe("side", s.side);
  v.req("cancelled", s.cancelled);
  v.opt("operator", s.op, OperatorId{0});
}
template <class V>
constexpr void fields(V& v, const Transfer& s) {
  v.id("transfer", s.id);
  v.req("asset", Asset{s.asset});
  v.req("debit_account", s.debit_account);
  v.req("debit_bucket", s.debit_bucket);
  v.req("credit_account", s.credit_account);
  v.req("credit_bucket", s.credit_bucket);
  v.req("amount", AssetAmount{s.amount});
  v.req("kind", s.kind);
  v.opt("ref", s.ref, std::uint64_t{0});
}

}  // namespace erx::exchange::event_fields
