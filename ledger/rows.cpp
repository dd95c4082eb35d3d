#include "ledger/rows.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_codec.hpp"
#include "engine/exchange/event_fields.hpp"
#include "engine/exchange/exchange.hpp"
#include "ledger/bytes.hpp"

namespace erx::ledger {

using namespace erx::exchange;

std::string key_u64(std::uint64_t id) {
  std::string k;
  put_be64(k, id);
  return k;
}

std::string key_u32(std::uint32_t id) {
  std::string k;
  put_be32(k, id);
  return k;
}

std::string key_balance(AccountId account, AssetId asset, Bucket bucket) {
  std::string k;
  put_be32(k, account);
  put_be32(k, asset);
  put_u8(k, static_cast<std::uint8_t>(bucket));
  return k;
}

std::string key_daily(BusinessDate date, InstrumentId instrument) {
  std::string k;
  put_be32(k, static_cast<std::uint32_t>(date));
  put_be32(k, instrument);
  return k;
}

namespace {

template <std::size_t N>
void put_str(std::string& out, const FixedString<N>& s) {
  put_u8(out, static_cast<std::uint8_t>(s.size()));
  out.append(s.view());
}

template <class E>
std::uint8_t u8_of(E e) {
  return static_cast<std::uint8_t>(e);
}

template <class>
inline constexpr bool kNoRowLayout = false;

// An event's fields in the ledger's value layout (docs/LEDGER.md): integers
// and enumerations little-endian at their own width, Money as 16 bytes, a
// string as u8 length + bytes, a command the event carries in its binary
// form. The identity fields are the row's key, so not part of its value.
class RowValue {
 public:
  explicit RowValue(std::string& out) : out_(out) {}

  template <class F>
  void id(std::string_view, const F&) {}
  template <class F>
  void req(std::string_view, const F& f) {
    put(event_fields::ref(f));
  }
  template <class F, class D>
  void opt(std::string_view, const F& f, const D&) {
    put(event_fields::ref(f));
  }
  // No event with a row has these yet: give them a layout (docs/LEDGER.md) first.
  template <class T>
  void maybe(std::string_view, const std::optional<T>&) {
    static_assert(kNoRowLayout<T>, "an optional field in a ledger row needs a layout");
  }
  template <class S>
  void cause(std::string_view, const S&) {
    static_assert(kNoRowLayout<S>, "the seq an event answers in a ledger row needs a layout");
  }
  template <class C>
  void command(const C& body) {
    encode_body(CommandBody{body}, out_);
  }
  template <class P>
  void group(std::string_view, const P& part) {
    event_fields::fields(*this, part);
  }

 private:
  template <class T>
    requires std::is_integral_v<T>
  void put(T v) {
    if constexpr (std::is_same_v<T, bool>)
      put_u8(out_, v ? 1 : 0);
    else
      put_le(out_, static_cast<std::uint64_t>(v), static_cast<int>(sizeof(T)));
  }
  template <class E>
    requires std::is_enum_v<E>
  void put(E v) {
    put(static_cast<std::underlying_type_t<E>>(v));
  }
  void put(const Money& m) { put_money(out_, m); }
  template <std::size_t N>
  void put(const FixedString<N>& s) {
    put_str(out_, s);
  }

  std::string& out_;
};

std::uint64_t balance_slot(AccountId account, AssetId asset, Bucket bucket) {
  ERX_ASSERT(asset < (1u << 24));
  return std::uint64_t{account} << 32 | std::uint64_t{asset} << 8 | static_cast<std::uint8_t>(bucket);
}

}  // namespace

void RowBuilder::DirtySet::mark(std::uint64_t key, Seq seq) {
  const std::uint32_t at = index_.find(key + 1);
  if (at != book::IdIndex::kMissing) {
    entries_[at].seq = seq;
    return;
  }
  index_.insert(key + 1, static_cast<std::uint32_t>(entries_.size()));
  entries_.push_back(Dirty{key, seq});
}

const std::vector<RowBuilder::Dirty>& RowBuilder::DirtySet::take_sorted() {
  for (const Dirty& d : entries_) index_.erase(d.key + 1);
  sorted_.swap(entries_);
  entries_.clear();
  std::sort(sorted_.begin(), sorted_.end(), [](const Dirty& a, const Dirty& b) { return a.key < b.key; });
  return sorted_;
}

void RowBuilder::on_event(Seq seq, const Event& e) {
  if (batch_) on(seq, e);
  if (downstream_) downstream_->on_event(seq, e);
}

void RowBuilder::order_state(Seq seq, OrderId id, OrderStatus status, std::uint8_t reason, const ClOrdId& clord,
                             Price price, Qty leaves, Qty cum_qty, const Money& cum_cash) {
  const auto off = static_cast<std::uint32_t>(state_arena_.size());
  std::string& v = state_arena_;
  put_u64(v, seq);
  put_u8(v, static_cast<std::uint8_t>(status));
  put_u8(v, reason);
  put_str(v, clord);
  put_i64(v, price);
  put_i64(v, leaves);
  put_i64(v, cum_qty);
  put_money(v, cum_cash);
  const StateRow row{id, seq, off, static_cast<std::uint32_t>(v.size() - off)};
  const std::uint32_t at = state_index_.find(id);
  if (at != book::IdIndex::kMissing) {
    states_[at] = row;  // the latest state replaces the earlier one of this batch
  } else {
    state_index_.insert(id, static_cast<std::uint32_t>(states_.size()));
    states_.push_back(row);
  }
}

template <class E>
void RowBuilder::fact_row(Table table, std::string_view key, Seq seq, const E& e) {
  value_.clear();
  put_u64(value_, seq);
  RowValue row(value_);
  event_fields::fields(row, e);
  batch_->add(table, key, value_);
}

// What each kind of event does to the ledger: one handler per kind and no
// catch-all, so a new kind does not compile until it is given its place here.
class RowBuilder::EventRows {
 public:
  EventRows(RowBuilder& rows, Seq seq) : rows_(rows), seq_(seq) {}

  // Facts: an append-only row each, keyed by the event's identity.
  void operator()(const Transfer& e) const {
    rows_.fact_row(Table::Transfers, key_u64(e.id), seq_, e);
    rows_.balances_.mark(balance_slot(e.debit_account, e.asset, e.debit_bucket), seq_);
    rows_.balances_.mark(balance_slot(e.credit_account, e.asset, e.credit_bucket), seq_);
  }
  void operator()(const Trade& e) const {
    rows_.fact_row(Table::Trades, key_u64(e.trade), seq_, e);
    for (const FillSide* f : {&e.buy, &e.sell})
      rows_.order_state(seq_, f->order, f->leaves == 0 ? OrderStatus::Filled : OrderStatus::Open, kNoCancelReason,
                        f->clord_id, f->limit, f->leaves, f->cum_qty, f->cum_cash);
  }
  void operator()(const OrderAccepted& e) const {
    rows_.fact_row(Table::Orders, key_u64(e.order), seq_, e);
    rows_.order_state(seq_, e.order, OrderStatus::Open, kNoCancelReason, e.clord_id, e.price, e.qty, 0, 0);
  }
  void operator()(const DailyStatistics& e) const {
    rows_.fact_row(Table::DailyStats, key_daily(e.date, e.instrument), seq_, e);
  }
  void operator()(const FeesSet& e) const {
    rows_.fact_row(Table::Fees, key_u32(u8_of(e.fees.right_class)), seq_, e);
  }

  // An order's latest state (one order_state row per order and batch).
  void operator()(const OrderCancelled& e) const {
    rows_.order_state(seq_, e.order, e.leaves == 0 ? OrderStatus::Cancelled : OrderStatus::Open, u8_of(e.reason),
                      e.clord_id, e.price, e.leaves, e.cum_qty, e.cum_cash);
  }
  void operator()(const OrderModified& e) const {
    rows_.order_state(seq_, e.order, OrderStatus::Open, kNoCancelReason, e.clord_id, e.price, e.leaves, e.cum_qty,
                      e.cum_cash);
  }

  // Reference data: the entity's current value, written by finish().
  void operator()(const MemberCreated& e) const { rows_.members_.mark(e.member.member, seq_); }
  void operator()(const MemberRestrictionSet& e) const { rows_.members_.mark(e.member, seq_); }
  void operator()(const AccountCreated& e) const { rows_.accounts_.mark(e.account.account, seq_); }
  void operator()(const AccountRestrictionSet& e) const { rows_.accounts_.mark(e.account, seq_); }
  void operator()(const OperatorCreated& e) const { rows_.operators_.mark(e.op.op, seq_); }
  void operator()(const OperatorSet& e) const { rows_.operators_.mark(e.op.op, seq_); }
  void operator()(const InstrumentCreated& e) const { rows_.instruments_.mark(e.instrument, seq_); }
  void operator()(const InstrumentChanged& e) const { rows_.instruments_.mark(e.instrument, seq_); }
  void operator()(const SessionChanged& e) const { rows_.instruments_.mark(e.instrument, seq_); }
  void operator()(const ReferencePriceSet& e) const { rows_.instruments_.mark(e.instrument, seq_); }

  // No row: the journal holds the command (a pending change takes effect, and
  // is written, as instrument-changed at the open).
  void operator()(const CommandRejected&) const {}
  void operator()(const DayOpened&) const {}
  void operator()(const DayClosed&) const {}
  void operator()(const InstrumentChangePending&) const {}
  void operator()(const MassCancelled&) const {}

 private:
  RowBuilder& rows_;
  Seq seq_;
};

void RowBuilder::on(Seq seq, const Event& event) {
  ERX_ASSERT(batch_ != nullptr);
  std::visit(EventRows(*this, seq), event);
}

void RowBuilder::finish(const Exchange& ex) {
  ERX_ASSERT(batch_ != nullptr);
  finish_order_states();
  finish_balances(ex);
  finish_reference(ex);
}

void RowBuilder::finish_order_states() {
  for (const StateRow& r : states_) state_index_.erase(r.order);
  std::sort(states_.begin(), states_.end(), [](const StateRow& a, const StateRow& b) { return a.order < b.order; });
  for (const StateRow& r : states_)
    batch_->add(Table::OrderState, key_u64(r.order), std::string_view(state_arena_).substr(r.off, r.len));
  states_.clear();
  state_arena_.clear();
}

void RowBuilder::finish_balances(const Exchange& ex) {
  for (const Dirty& d : balances_.take_sorted()) {
    const auto account = static_cast<AccountId>(d.key >> 32);
    const auto asset = static_cast<AssetId>((d.key >> 8) & 0xFFFFFF);
    const auto bucket = static_cast<Bucket>(d.key & 0xFF);
    value_.clear();
    put_u64(value_, d.seq);
    put_money(value_, ex.balance(account, asset, bucket));
    batch_->add(Table::Balances, key_balance(account, asset, bucket), value_);
  }
}

void RowBuilder::finish_reference(const Exchange& ex) {
  for (const Dirty& d : instruments_.take_sorted()) {
    const auto id = static_cast<InstrumentId>(d.key);
    const InstrumentSpec* spec = ex.instrument_spec(id);
    ERX_ASSERT(spec != nullptr);
    const auto [lo, hi] = ex.price_band(id);
    value_.clear();
    put_u64(value_, d.seq);
    put_u8(value_, u8_of(*ex.session(id)));
    put_i64(value_, ex.reference_price(id));
    put_i64(value_, lo);
    put_i64(value_, hi);
    encode_body(CommandBody{CreateInstrument{*spec}}, value_);
    batch_->add(Table::Instruments, key_u32(id), value_);
  }
  for (const Dirty& d : members_.take_sorted()) {
    const CreateMember* m = ex.member_spec(static_cast<MemberId>(d.key));
    ERX_ASSERT(m != nullptr);
    value_.clear();
    put_u64(value_, d.seq);
    encode_body(CommandBody{*m}, value_);
    batch_->add(Table::Members, key_u32(m->member), value_);
  }
  for (const Dirty& d : accounts_.take_sorted()) {
    const std::optional<CreateAccount> a = ex.account_spec(static_cast<AccountId>(d.key));
    ERX_ASSERT(a.has_value());
    value_.clear();
    put_u64(value_, d.seq);
    encode_body(CommandBody{*a}, value_);
    batch_->add(Table::Accounts, key_u32(a->account), value_);
  }
  for (const Dirty& d : operators_.take_sorted()) {
    const std::optional<Exchange::OperatorInfo> o = ex.operator_info(static_cast<OperatorId>(d.key));
    ERX_ASSERT(o.has_value());
    value_.clear();
    put_u64(value_, d.seq);
    put_u8(value_, o->active ? 1 : 0);
    encode_body(CommandBody{o->spec}, value_);
    batch_->add(Table::Operators, key_u32(o->spec.op), value_);
  }
}

}  // namespace erx::ledger
