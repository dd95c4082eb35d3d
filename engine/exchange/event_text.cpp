// One line per event (docs/COMMANDS.md, "Event lines"). Which keys an event
// has, in which order and when one is left out comes from its description
// (event_fields.hpp); this file says how each kind of value prints. The order
// is part of the format: golden scenario files depend on it.

#include "engine/exchange/event_text.hpp"

#include <array>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/exchange/event_fields.hpp"
#include "engine/exchange/names.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::exchange {
namespace {

// The name of each event kind, by type: a kind without one does not compile.
template <class E>
struct Kind {};
constexpr std::string_view name_of(Kind<CommandRejected>) { return "command-rejected"; }
constexpr std::string_view name_of(Kind<MemberCreated>) { return "member-created"; }
constexpr std::string_view name_of(Kind<MemberRestrictionSet>) { return "member-restriction-set"; }
constexpr std::string_view name_of(Kind<AccountCreated>) { return "account-created"; }
constexpr std::string_view name_of(Kind<AccountRestrictionSet>) { return "account-restriction-set"; }
constexpr std::string_view name_of(Kind<InstrumentCreated>) { return "instrument-created"; }
constexpr std::string_view name_of(Kind<InstrumentChangePending>) { return "instrument-change-pending"; }
constexpr std::string_view name_of(Kind<InstrumentChanged>) { return "instrument-changed"; }
constexpr std::string_view name_of(Kind<FeesSet>) { return "fees-set"; }
constexpr std::string_view name_of(Kind<DayOpened>) { return "day-opened"; }
constexpr std::string_view name_of(Kind<DayClosed>) { return "day-closed"; }
constexpr std::string_view name_of(Kind<SessionChanged>) { return "session-changed"; }
constexpr std::string_view name_of(Kind<ReferencePriceSet>) { return "reference-price-set"; }
constexpr std::string_view name_of(Kind<DailyStatistics>) { return "daily-statistics"; }
constexpr std::string_view name_of(Kind<OrderAccepted>) { return "order-accepted"; }
constexpr std::string_view name_of(Kind<Trade>) { return "trade"; }
constexpr std::string_view name_of(Kind<OrderCancelled>) { return "order-cancelled"; }
constexpr std::string_view name_of(Kind<OrderModified>) { return "order-modified"; }
constexpr std::string_view name_of(Kind<MassCancelled>) { return "mass-cancelled"; }
constexpr std::string_view name_of(Kind<Transfer>) { return "transfer"; }
constexpr std::string_view name_of(Kind<OperatorCreated>) { return "operator-created"; }
constexpr std::string_view name_of(Kind<OperatorSet>) { return "operator-set"; }

template <std::size_t... I>
constexpr std::array<std::string_view, sizeof...(I)> names_by_index(std::index_sequence<I...>) {
  return {name_of(Kind<std::variant_alternative_t<I, Event>>{})...};
}
constexpr auto kEventNames = names_by_index(std::make_index_sequence<std::variant_size_v<Event>>{});

bool valid_scale(int s) noexcept { return s >= 0 && s <= kMaxScale; }

}  // namespace

// One line's keys: a visitor of the event descriptions (event_fields.hpp)
// that prints each value by what it is.
class EventPrinter::Line {
 public:
  Line(const EventPrinter& printer, std::string& out, Seq line_seq)
      : printer_(printer), out_(out), line_seq_(line_seq) {}

  template <class F>
  void id(std::string_view k, const F& f) {
    put(k, f);
  }
  template <class F>
  void req(std::string_view k, const F& f) {
    put(k, f);
  }
  template <class F, class D>
  void opt(std::string_view k, const F& f, const D& default_value) {
    if (!(event_fields::ref(f) == default_value)) put(k, f);
  }
  template <class T>
  void maybe(std::string_view k, const std::optional<T>& f) {
    if (f) put(k, *f);
  }
  void cause(std::string_view k, Seq seq) {
    cause_key_ = k;
    cause_ = seq;
  }
  template <class C>
  void command(const C& body) {
    out_ += print_fields(CommandBody{body});
  }
  template <class P>
  void group(std::string_view prefix, const P& part) {
    prefix_ = prefix;
    event_fields::fields(*this, part);
    prefix_ = {};
  }
  // Writes what the description left for the end of the line.
  void finish() {
    if (cause_ && *cause_ != line_seq_) put(cause_key_, *cause_);
  }

 private:
  // Appends " key=" (the value follows).
  void key(std::string_view k) {
    out_ += ' ';
    out_ += prefix_;
    out_ += k;
    out_ += '=';
  }

  template <class T>
    requires std::is_integral_v<T>
  void put(std::string_view k, T v) {
    key(k);
    if constexpr (std::is_same_v<T, bool>)
      out_ += v ? "true" : "false";
    else
      out_ += std::to_string(v);
  }
  template <class E>
    requires std::is_enum_v<E>
  void put(std::string_view k, E v) {
    key(k);
    if (has_name(v))
      out_ += to_string(v);
    else
      out_ += std::to_string(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<E>>(v)));
  }
  template <std::size_t N>
  void put(std::string_view k, const FixedString<N>& v) {
    key(k);
    out_ += format_string(v.view());
  }
  void put(std::string_view k, event_fields::CommandKind f) {
    key(k);
    out_ += command_name(f.v);
  }
  void put(std::string_view k, event_fields::Date f) {
    key(k);
    out_ += format_date(f.v);
  }
  void put(std::string_view k, event_fields::Time f) {
    key(k);
    out_ += format_timestamp(f.v);
  }
  void put(std::string_view k, event_fields::Cash f) {
    key(k);
    out_ += format_money(f.v, kCashScale);
  }
  // By symbol when the printer knows the instrument, else by id.
  void put(std::string_view k, event_fields::Instrument f) {
    instrument_ = f.v;
    if (const Known* known = printer_.find(f.v)) {
      key(k);
      out_ += format_string(known->symbol.view());
    } else {
      key("instrument");
      out_ += std::to_string(f.v);
    }
  }
  void put(std::string_view k, event_fields::PriceUnits f) {
    key(k);
    out_ += format_fixed(f.v, scales().price_scale);
  }
  void put(std::string_view k, event_fields::QtyUnits f) {
    key(k);
    out_ += format_fixed(f.v, scales().qty_scale);
  }
  // Cash is CNY; any other asset is an instrument, by symbol when known.
  void put(std::string_view k, event_fields::Asset f) {
    asset_ = f.v;
    key(k);
    const Known* known = f.v == kCash ? nullptr : printer_.find(f.v);
    if (f.v == kCash)
      out_ += "CNY";
    else if (known)
      out_ += format_string(known->symbol.view());
    else
      out_ += std::to_string(f.v);
  }
  void put(std::string_view k, event_fields::AssetAmount f) {
    ERX_ASSERT(asset_.has_value());  // the description names the asset first
    const Known* known = *asset_ == kCash ? nullptr : printer_.find(*asset_);
    key(k);
    out_ += format_money(f.v, *asset_ == kCash ? kCashScale : known ? known->qty_scale : 0);
  }

  // The scales of the event's instrument; units (scale 0) when the printer
  // does not know it.
  Known scales() const {
    ERX_ASSERT(instrument_.has_value());  // the description names the instrument first
    const Known* known = printer_.find(*instrument_);
    return known ? *known : Known{};
  }

  const EventPrinter& printer_;
  std::string& out_;
  Seq line_seq_;
  std::string_view prefix_;
  std::optional<InstrumentId> instrument_;
  std::optional<AssetId> asset_;
  std::string_view cause_key_;
  std::optional<Seq> cause_;
};

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

std::string EventPrinter::print(Seq seq, const Event& event) {
  std::string out = std::to_string(seq);
  out += ' ';
  out += event_name(event);
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, InstrumentCreated> || std::is_same_v<E, InstrumentChanged>)
          learn(e.instrument, e.spec);
        Line line(*this, out, seq);
        event_fields::fields(line, e);
        line.finish();
      },
      event);
  return out;
}

}  // namespace erx::exchange
