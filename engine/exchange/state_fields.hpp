#pragma once
// One description of the Exchange's state, walked by everything that handles
// the state whole: snapshot save and load (snapshot.cpp) and the state hash
// (state_hash.cpp). As command_fields.hpp does for commands: a member added
// here reaches the snapshot and the hash together, and a data member left out
// of its struct's description fails tests/exchange/test_state_fields.cpp.
//
// StateFields::fields(v, s) calls, for every data member of s, in walk order
// (the order of the snapshot's bytes and of the hash):
//   v.field(name, m)       state: saved and hashed
//   v.saved(name, m)       saved, not hashed: the hash, whose values ledgers,
//                          golden files and benchmarks record, never covered it
//   v.hashed(name, m)      hashed, not saved: a load rebuilds it from saved fields
//   v.must_match(name, m)  saved, not hashed: a load requires its own value
//   v.derived(name, m)     neither: a load rebuilds it from the fields above
//   v.scratch(name, m)     neither: holds nothing between commands
// Members that are neither saved nor hashed are listed too, so that the
// description says, for every member, why it is (not) part of the state.
// A visitor derives from MemberVisitor (below), which turns the six verbs
// into one call, member<Role>(name, m), and says once what each one means.
//
// What m may be, and its encoding in the snapshot / in the hash:
//   integer, bool, enum     fixed-width little-endian / one u64 (signed: sign-extended)
//   FixedString             u8 length, bytes / length, then 8-byte words
//   Money                   u8 sign, u64 low, u64 high / the same as three u64
//   CreateMember, CreateOperator, InstrumentSpec
//                           reference data as it would be created now: the
//                           journal's binary body, u16 length first / the
//                           fields of command_fields.hpp in their order
//   std::optional<T>        a presence flag, then T when present
//   std::vector<integer>    a list: its size, then its items
//   T[N]                    its N items
//   a described struct      its fields
//   a table (below)         u32 count, then its records / its records only
//   Balances                shape, then per row a mask of the non-zero buckets
//                           and their amounts / every amount
//   the book                book_fields(): the book's state through its own API
// The hash's walk predates this description: its encodings (no table counts,
// a dense balance grid) are kept so that every recorded state hash holds.
//
// Internal to the state codecs: include only from engine/exchange/*.cpp and tests.

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

// S is T or const T: descriptions serve the reading walks (const) and the load.
template <class S, class T>
concept Like = std::same_as<std::remove_const_t<S>, T>;

// ---------------------------------------------------------------- verbs

enum class Role : std::uint8_t { Field, Saved, Hashed, MustMatch, Derived, Scratch };
[[nodiscard]] constexpr bool is_saved(Role r) noexcept {
  return r == Role::Field || r == Role::Saved || r == Role::MustMatch;
}
[[nodiscard]] constexpr bool is_hashed(Role r) noexcept { return r == Role::Field || r == Role::Hashed; }

template <class Self>
class MemberVisitor {
 public:
  template <class T>
  void field(std::string_view name, T&& m) {
    self().template member<Role::Field>(name, m);
  }
  template <class T>
  void saved(std::string_view name, T&& m) {
    self().template member<Role::Saved>(name, m);
  }
  template <class T>
  void hashed(std::string_view name, T&& m) {
    self().template member<Role::Hashed>(name, m);
  }
  template <class T>
  void must_match(std::string_view name, T&& m) {
    self().template member<Role::MustMatch>(name, m);
  }
  template <class T>
  void derived(std::string_view name, T&& m) {
    self().template member<Role::Derived>(name, m);
  }
  template <class T>
  void scratch(std::string_view name, T&& m) {
    self().template member<Role::Scratch>(name, m);
  }

 private:
  Self& self() { return static_cast<Self&>(*this); }
};

// ---------------------------------------------------------------- tables

// A variable number of records in their canonical order (never hash-table or
// pool-slot order). The save and hash walks call size() and for_each(fn); a
// load reads records of type Record and hands each to its own check.
template <class Map>
struct ByKey {  // a std::map's values, in key order
  using Record = typename std::remove_const_t<Map>::mapped_type;
  Map& c;
  [[nodiscard]] std::size_t size() const { return c.size(); }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (auto& kv : c) fn(kv.second);
  }
};

template <class Vec>
struct InOrder {  // a vector's items, in index order (slots; ids from 1)
  using Record = typename std::remove_const_t<Vec>::value_type;
  Vec& c;
  [[nodiscard]] std::size_t size() const { return c.size(); }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (auto& r : c) fn(r);
  }
};

template <class Pool>
struct LiveById {  // a pool's live items (id != 0) by id: slots depend on the history of reuse
  using Record = typename std::remove_const_t<Pool>::value_type;
  Pool& c;
  [[nodiscard]] std::size_t size() const {
    return static_cast<std::size_t>(std::count_if(c.begin(), c.end(), [](const Record& r) { return r.id != 0; }));
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    using Item = std::remove_reference_t<decltype(c[0])>;
    std::vector<Item*> live;
    for (Item& r : c)
      if (r.id != 0) live.push_back(&r);
    std::sort(live.begin(), live.end(), [](const Item* a, const Item* b) { return a->id < b->id; });
    for (Item* r : live) fn(*r);
  }
};

template <class Index>
struct ClOrdEntries {  // the day's ClOrdIDs in insertion order: the index's chains depend on it
  using Record = ClOrdIndex::Entry;
  Index& c;
  [[nodiscard]] std::size_t size() const { return c.entries().size(); }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Record& e : c.entries()) fn(e);
  }
};

// A book's owner as saved: its default STP mode and its order list
// (acceptance order: a modify that loses priority keeps its place there).
struct BookOwner {
  book::OwnerId id = 0;
  book::StpMode stp = book::StpMode::None;
  std::vector<book::OrderId> orders;
};

template <class Book>
struct BookOwners {  // in the order the book first saw them (that order decides when max_owners is hit)
  using Record = BookOwner;
  Book& c;
  [[nodiscard]] std::size_t size() const {
    std::size_t n = 0;
    c.visit_owners([&n](book::OwnerId, book::StpMode) { ++n; });
    return n;
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    c.visit_owners([&](book::OwnerId id, book::StpMode stp) {
      BookOwner o{id, stp, {}};
      c.visit_owner_orders(id, [&o](book::OrderId order) { o.orders.push_back(order); });
      fn(static_cast<const BookOwner&>(o));
    });
  }
};

template <class Book>
struct RestingOrders {  // price-time priority: bids best first, then asks
  using Record = book::OrderView;
  Book& c;
  [[nodiscard]] std::size_t size() const { return c.open_orders(); }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (book::Side side : {book::Side::Buy, book::Side::Sell}) c.visit(side, fn);
  }
};

// (Functions rather than deduction guides: a const container gives a const table.)
template <class C>
ByKey<C> by_key(C& c) {
  return {c};
}
template <class C>
InOrder<C> in_order(C& c) {
  return {c};
}
template <class C>
LiveById<C> live_by_id(C& c) {
  return {c};
}
template <class C>
ClOrdEntries<C> clord_entries(C& c) {
  return {c};
}

template <class T>
concept Table = requires { typename T::Record; } && requires(const T& t) { t.size(); };

// A book's clock: a value of its own, as a load restores it with the band.
template <class Book>
struct BookClock {
  Book& c;
};

// ---------------------------------------------------------------- descriptions

struct StateFields {
  using MemberState = Exchange::MemberState;
  using AccountState = Exchange::AccountState;
  using OperatorState = Exchange::OperatorState;
  using InstrumentState = Exchange::InstrumentState;
  using OrderState = Exchange::OrderState;
  using DayStats = Exchange::DayStats;

  template <class V, Like<Exchange> E>
  static void fields(V& v, E& ex) {
    v.must_match("limits", ex.limits_);  // a snapshot loads only under the limits it was saved with
    v.field("last_seq", ex.last_seq_);
    v.field("now", ex.now_);
    v.field("date", ex.date_);
    v.field("day_open", ex.day_open_);
    v.field("next_order_id", ex.next_order_id_);
    v.field("next_trade_id", ex.next_trade_id_);
    v.field("next_transfer_id", ex.next_transfer_id_);
    v.field("members", by_key(ex.members_));
    v.field("operators", by_key(ex.operators_));
    v.field("accounts", in_order(ex.accounts_));
    v.field("fee_schedules", in_order(ex.fee_schedules_));  // every one ever set
    v.field("current_fees", ex.current_fees_);  // the one in force per right class
    v.field("instruments", in_order(ex.instruments_));
    v.field("balances", ex.balances_);
    v.field("orders", live_by_id(ex.orders_));
    v.field("clord_ids", clord_entries(ex.clord_ids_));
    v.derived("seq", ex.seq_);  // last_seq between commands
    v.derived("account_index", ex.account_index_);
    v.derived("symbols", ex.symbols_);
    v.derived("free_orders", ex.free_orders_);  // a load packs the pool: no free slot
    v.derived("order_index", ex.order_index_);
    v.scratch("sink", ex.sink_);
    v.scratch("book_events", ex.book_events_);
    v.scratch("command_kind", ex.command_kind_);
    v.scratch("command_op", ex.command_op_);
    v.scratch("adding_slot", ex.adding_slot_);
    v.scratch("modify_orig_clord", ex.modify_orig_clord_);
    v.scratch("mass_cancel", ex.mass_cancel_);
    v.scratch("mass_cancelled", ex.mass_cancelled_);
    v.scratch("system_cancel", ex.system_cancel_);
  }

  template <class V, Like<ExchangeLimits> S>
  static constexpr void fields(V& v, S& s) {
    v.field("max_members", s.max_members);
    v.field("max_accounts", s.max_accounts);
    v.field("max_instruments", s.max_instruments);
    v.field("max_operators", s.max_operators);
    v.field("max_open_orders_per_book", s.max_open_orders_per_book);
    v.field("max_ladder_levels", s.max_ladder_levels);
  }

  template <class V, Like<MemberState> S>
  static void fields(V& v, S& s) {
    v.field("spec", s.spec);  // restriction current
    v.hashed("accounts", s.accounts);  // the accounts' members, in slot order
    v.saved("open_buy_qty", s.open_buy_qty);  // follows from the orders; a load checks that it does
  }

  template <class V, Like<OperatorState> S>
  static void fields(V& v, S& s) {
    v.field("spec", s.spec);  // role current
    v.field("active", s.active);
  }

  template <class V, Like<AccountState> S>
  static void fields(V& v, S& s) {
    v.field("id", s.id);
    v.field("member", s.member);
    v.field("restricted", s.restricted);
    v.derived("slot", s.slot);  // its place in the table
    v.derived("member_state", s.member_state);
  }

  template <class V, Like<FeeSchedule> S>
  static void fields(V& v, S& s) {
    v.field("lines", s.lines);
  }

  template <class V, Like<FeeLineUnits> S>
  static void fields(V& v, S& s) {
    v.field("rate_ppm", s.rate_ppm);
    v.field("minimum", s.minimum);
  }

  template <class V, Like<InstrumentState> S>
  static void fields(V& v, S& s) {
    v.hashed("id", s.id);  // its place in the table
    v.field("spec", s.spec);
    v.field("pending", s.pending);
    v.derived("tick", s.tick);  // the spec decoded into units (decode_spec())
    v.derived("lot", s.lot);
    v.derived("min_qty", s.min_qty);
    v.derived("max_qty", s.max_qty);
    v.derived("holding_limit", s.holding_limit);
    v.derived("cash_rule", s.cash_rule);
    v.field("reference", s.reference);
    v.field("band_lo", s.band_lo);  // also the book's ladder
    v.field("band_hi", s.band_hi);
    v.field("state", s.state);
    v.field("day", s.day);
    v.field("book", s.book);
  }

  template <class V, Like<DayStats> S>
  static void fields(V& v, S& s) {
    v.field("open", s.open);
    v.field("high", s.high);
    v.field("low", s.low);
    v.field("last", s.last);
    v.field("volume", s.volume);
    v.field("turnover", s.turnover);
    v.field("price_x_qty", s.price_x_qty);
    v.field("trades", s.trades);
  }

  // The book keeps its own layout (engine/book); this is what its save and
  // restore API (OrderBook::visit_owners ... restore_owner_order) carries.
  template <class V, Like<book::OrderBook> B>
  static void book_fields(V& v, B& b) {
    v.field("now", BookClock<B>{b});
    v.saved("owners", BookOwners<B>{b});
    v.field("resting", RestingOrders<B>{b});
  }

  template <class V, Like<BookOwner> S>
  static void fields(V& v, S& s) {
    v.field("id", s.id);
    v.field("stp", s.stp);
    v.field("orders", s.orders);
  }

  template <class V, Like<book::OrderView> S>
  static void fields(V& v, S& s) {
    v.field("id", s.id);
    v.field("owner", s.owner);
    v.saved("side", s.side);  // the hash walks bids, then asks
    v.field("price", s.price);
    v.field("leaves", s.leaves);
    v.field("tif", s.tif);
    v.field("stp", s.stp);
    v.field("expire_at", s.expire_at);
  }

  template <class V, Like<OrderState> S>
  static void fields(V& v, S& s) {
    v.field("id", s.id);
    v.field("account", s.account);
    v.derived("account_slot", s.account_slot);  // from the account
    v.derived("member", s.member);
    v.derived("member_state", s.member_state);
    v.field("instrument", s.instrument);
    v.field("clord_id", s.clord_id);
    v.field("entered_by", s.entered_by);
    v.field("side", s.side);
    v.field("type", s.type);
    v.field("tif", s.tif);
    v.field("stp", s.stp);
    v.field("fee_schedule", s.fee_schedule);
    v.field("price", s.price);
    v.field("qty", s.qty);
    v.field("leaves", s.leaves);
    v.field("cum_qty", s.cum_qty);
    v.field("reserved_qty", s.reserved_qty);
    v.field("expire_at", s.expire_at);
    v.field("cum_cash", s.cum_cash);
    v.field("prepaid", s.prepaid);
    v.derived("fees_from_proceeds", s.fees_from_proceeds);  // proceeds_cover_fees()
    v.field("fees_charged", s.fees_charged);
    v.field("reserved_cash", s.reserved_cash);
  }

  template <class V, Like<ClOrdIndex::Entry> S>
  static void fields(V& v, S& s) {
    v.field("member", s.member);
    v.field("clord_id", s.clord_id);
    v.field("order", s.order);
    v.derived("next_same_hash", s.next_same_hash);  // the index's chain, rebuilt by insert()
  }
};

// T has a description above.
template <class T>
concept Described = requires(int& v, T& t) { StateFields::fields(v, t); };

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};

// Reference data kept as the command that would create it now.
template <class T>
concept CommandSpec = std::same_as<T, CreateMember> || std::same_as<T, CreateOperator> || std::same_as<T, InstrumentSpec>;

// The walk of one value for the visitors that read the state (snapshot save,
// state hash): the structure is here, the encoding in the visitor's hooks:
//   v.presence(flag)     before an optional's value
//   v.list_size(n)       before a list's items
//   v.table_size(n)      before a table's records
//   v.spec(s)            reference data (a CommandSpec)
//   v.scalar(x)          anything else: integer, bool, enum, FixedString,
//                        Money, Balances, a book's clock
template <class V, class T>
void read_value(V& v, const T& m) {
  if constexpr (CommandSpec<T>) {
    v.spec(m);
  } else if constexpr (IsOptional<T>::value) {
    v.presence(m.has_value());
    if (m) read_value(v, *m);
  } else if constexpr (IsVector<T>::value) {
    static_assert(std::is_integral_v<typename T::value_type>, "a list holds integers; records go in tables");
    v.list_size(m.size());
    for (const auto& x : m) read_value(v, x);
  } else if constexpr (std::is_array_v<T>) {
    for (const auto& x : m) read_value(v, x);
  } else if constexpr (Table<T>) {
    v.table_size(m.size());
    m.for_each([&v](const auto& record) { StateFields::fields(v, record); });
  } else if constexpr (Described<T>) {
    StateFields::fields(v, m);
  } else if constexpr (std::is_same_v<T, std::unique_ptr<book::OrderBook>>) {
    StateFields::book_fields(v, static_cast<const book::OrderBook&>(*m));
  } else {
    v.scalar(m);
  }
}

}  // namespace erx::exchange
