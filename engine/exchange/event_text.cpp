// One line per event (docs/COMMANDS.md, "Events"). Key order is fixed here and
// is part of the format: golden scenario files depend on it.

#include "engine/exchange/event_text.hpp"

#include <array>
#include <type_traits>
#include <variant>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/names.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::exchange {
namespace {

constexpr std::array<std::string_view, 22> kEventNames{
    "command-rejected",
    "member-created",
    "member-restriction-set",
    "account-created",
    "account-restriction-set",
    "instrument-created",
    "instrument-change-pending",
    "instrument-changed",
    "fees-set",
    "day-opened",
    "day-closed",
    "session-changed",
    "reference-price-set",
    "daily-statistics",
    "order-accepted",
    "trade",
    "order-cancelled",
    "order-modified",
    "mass-cancelled",
    "transfer",
    "operator-created",
    "operator-set",
};
static_assert(std::variant_size_v<Event> == kEventNames.size(), "every event needs a name");

// Appends " key=" (the value follows).
void key(std::string& out, std::string_view k) {
  out += ' ';
  out += k;
  out += '=';
}

void put(std::string& out, std::string_view k, std::uint64_t v) {
  key(out, k);
  out += std::to_string(v);
}
void put(std::string& out, std::string_view k, std::uint32_t v) { put(out, k, std::uint64_t{v}); }
void put(std::string& out, std::string_view k, bool v) {
  key(out, k);
  out += v ? "true" : "false";
}
template <std::size_t N>
void put(std::string& out, std::string_view k, const FixedString<N>& v) {
  key(out, k);
  out += format_string(v.view());
}
template <class E>
  requires std::is_enum_v<E>
void put(std::string& out, std::string_view k, E v) {
  key(out, k);
  if (has_name(v))
    out += to_string(v);
  else
    out += std::to_string(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<E>>(v)));
}
void put_cash(std::string& out, std::string_view k, const Money& fen) {
  key(out, k);
  out += format_money(fen, kCashScale);
}
void put_date(std::string& out, std::string_view k, BusinessDate d) {
  key(out, k);
  out += format_date(d);
}

// The operator behind an order event; left out when the exchange acted (0).
void operator_of(std::string& out, OperatorId op) {
  if (op != 0) put(out, "operator", op);
}

bool valid_scale(int s) noexcept { return s >= 0 && s <= kMaxScale; }

}  // namespace

std::string_view event_name(const Event& e) noexcept {
  return e.index() < kEventNames.size() ? kEventNames[e.index()] : "?";
}

void EventPrinter::learn(InstrumentId id, const InstrumentSpec& spec) {
  Known k;
  k.symbol = spec.symbol;
  // A scale the exchange would refuse cannot format anything: plain units then.
  k.price_scale = valid_scale(spec.price_scale) ? spec.price_scale : 0;
  k.qty_scale = valid_scale(spec.qty_scale) ? spec.qty_scale : 0;
  instruments_[id] = k;
}

const EventPrinter::Known* EventPrinter::find(InstrumentId id) const {
  const auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : &it->second;
}

void EventPrinter::instrument(std::string& out, InstrumentId id) const {
  if (const Known* k = find(id)) {
    put(out, "symbol", k->symbol);
  } else {
    put(out, "instrument", id);
  }
}

void EventPrinter::price(std::string& out, std::string_view k, InstrumentId id, Price p) const {
  const Known* known = find(id);
  key(out, k);
  out += format_fixed(p, known ? known->price_scale : 0);
}

void EventPrinter::qty(std::string& out, std::string_view k, InstrumentId id, Qty q) const {
  const Known* known = find(id);
  key(out, k);
  out += format_fixed(q, known ? known->qty_scale : 0);
}

std::string EventPrinter::print(Seq seq, const Event& event) {
  std::string out = std::to_string(seq);
  out += ' ';
  out += event_name(event);

  const auto fill_side = [&](std::string_view prefix, InstrumentId id, const FillSide& f) {
    const std::string p(prefix);
    put(out, p + "order", f.order);
    put(out, p + "account", f.account);
    put(out, p + "member", f.member);
    put(out, p + "clord_id", f.clord_id);
    price(out, p + "limit", id, f.limit);
    qty(out, p + "leaves", id, f.leaves);
    qty(out, p + "cum_qty", id, f.cum_qty);
    put_cash(out, p + "cum_cash", f.cum_cash);
    put_cash(out, p + "fee", f.fee);
  };

  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, CommandRejected>) {
          key(out, "command");
          out += command_name(e.command);
          put(out, "reason", e.reason);
          if (e.account != 0) put(out, "account", e.account);
          if (!e.clord_id.empty()) put(out, "clord_id", e.clord_id);
          if (e.seq != seq) put(out, "seq", e.seq);
        } else if constexpr (std::is_same_v<E, MemberCreated>) {
          out += print_fields(CommandBody{e.member});
        } else if constexpr (std::is_same_v<E, MemberRestrictionSet>) {
          put(out, "member", e.member);
          put(out, "restricted", e.restricted);
        } else if constexpr (std::is_same_v<E, AccountCreated>) {
          out += print_fields(CommandBody{e.account});
        } else if constexpr (std::is_same_v<E, AccountRestrictionSet>) {
          put(out, "account", e.account);
          put(out, "restricted", e.restricted);
        } else if constexpr (std::is_same_v<E, InstrumentCreated> || std::is_same_v<E, InstrumentChanged>) {
          learn(e.instrument, e.spec);
          put(out, "instrument", e.instrument);
          out += print_fields(CommandBody{CreateInstrument{e.spec}});
        } else if constexpr (std::is_same_v<E, InstrumentChangePending>) {
          put(out, "instrument", e.instrument);
          out += print_fields(CommandBody{CreateInstrument{e.spec}});
        } else if constexpr (std::is_same_v<E, FeesSet>) {
          out += print_fields(CommandBody{e.fees});
        } else if constexpr (std::is_same_v<E, OperatorCreated> || std::is_same_v<E, OperatorSet>) {
          out += print_fields(CommandBody{e.op});
        } else if constexpr (std::is_same_v<E, DayOpened> || std::is_same_v<E, DayClosed>) {
          put_date(out, "date", e.date);
        } else if constexpr (std::is_same_v<E, SessionChanged>) {
          instrument(out, e.instrument);
          put(out, "state", e.state);
        } else if constexpr (std::is_same_v<E, ReferencePriceSet>) {
          instrument(out, e.instrument);
          price(out, "reference", e.instrument, e.reference);
          price(out, "band_lo", e.instrument, e.band_lo);
          price(out, "band_hi", e.instrument, e.band_hi);
        } else if constexpr (std::is_same_v<E, DailyStatistics>) {
          instrument(out, e.instrument);
          put_date(out, "date", e.date);
          price(out, "open", e.instrument, e.open);
          price(out, "high", e.instrument, e.high);
          price(out, "low", e.instrument, e.low);
          price(out, "last", e.instrument, e.last);
          qty(out, "volume", e.instrument, e.volume);
          put_cash(out, "turnover", e.turnover);
          price(out, "vwap", e.instrument, e.vwap);
          price(out, "close", e.instrument, e.close);
          put(out, "trades", e.trades);
        } else if constexpr (std::is_same_v<E, OrderAccepted>) {
          put(out, "order", e.order);
          put(out, "account", e.account);
          put(out, "member", e.member);
          instrument(out, e.instrument);
          put(out, "clord_id", e.clord_id);
          put(out, "side", e.side);
          put(out, "type", e.type);
          put(out, "tif", e.tif);
          put(out, "stp", e.stp);
          price(out, "price", e.instrument, e.price);
          qty(out, "qty", e.instrument, e.qty);
          if (e.expire_at != 0) {
            key(out, "expire_at");
            out += format_timestamp(e.expire_at);
          }
          operator_of(out, e.op);
        } else if constexpr (std::is_same_v<E, Trade>) {
          put(out, "trade", e.trade);
          instrument(out, e.instrument);
          price(out, "price", e.instrument, e.price);
          qty(out, "qty", e.instrument, e.qty);
          put_cash(out, "cash", e.cash);
          put(out, "aggressor", e.aggressor);
          fill_side("buy_", e.instrument, e.buy);
          fill_side("sell_", e.instrument, e.sell);
        } else if constexpr (std::is_same_v<E, OrderCancelled>) {
          put(out, "order", e.order);
          put(out, "account", e.account);
          put(out, "member", e.member);
          instrument(out, e.instrument);
          put(out, "clord_id", e.clord_id);
          put(out, "side", e.side);
          price(out, "price", e.instrument, e.price);
          qty(out, "cancelled", e.instrument, e.cancelled);
          qty(out, "leaves", e.instrument, e.leaves);
          qty(out, "cum_qty", e.instrument, e.cum_qty);
          put_cash(out, "cum_cash", e.cum_cash);
          put(out, "reason", e.reason);
          operator_of(out, e.op);
        } else if constexpr (std::is_same_v<E, OrderModified>) {
          put(out, "order", e.order);
          put(out, "account", e.account);
          put(out, "member", e.member);
          instrument(out, e.instrument);
          put(out, "clord_id", e.clord_id);
          put(out, "orig_clord_id", e.orig_clord_id);
          put(out, "side", e.side);
          price(out, "price", e.instrument, e.price);
          qty(out, "leaves", e.instrument, e.leaves);
          qty(out, "cum_qty", e.instrument, e.cum_qty);
          put_cash(out, "cum_cash", e.cum_cash);
          put(out, "priority_kept", e.priority_kept);
          operator_of(out, e.op);
        } else if constexpr (std::is_same_v<E, MassCancelled>) {
          // The same keys as the mass-cancel command, then the count.
          put(out, "member", e.member);
          if (e.account != 0) put(out, "account", e.account);
          if (!e.symbol.empty()) put(out, "symbol", e.symbol);
          if (e.side) put(out, "side", *e.side);
          put(out, "cancelled", e.cancelled);
          operator_of(out, e.op);
        } else if constexpr (std::is_same_v<E, Transfer>) {
          put(out, "transfer", e.id);
          const Known* known = e.asset == kCash ? nullptr : find(e.asset);
          key(out, "asset");
          if (e.asset == kCash)
            out += "CNY";
          else if (known)
            out += format_string(known->symbol.view());
          else
            out += std::to_string(e.asset);
          put(out, "debit_account", e.debit_account);
          put(out, "debit_bucket", e.debit_bucket);
          put(out, "credit_account", e.credit_account);
          put(out, "credit_bucket", e.credit_bucket);
          key(out, "amount");
          out += format_money(e.amount, e.asset == kCash ? kCashScale : known ? known->qty_scale : 0);
          put(out, "kind", e.kind);
          if (e.ref != 0) put(out, "ref", e.ref);
        } else {
          static_assert(!sizeof(E), "an event without a text form");
        }
      },
      event);
  return out;
}

}  // namespace erx::exchange
