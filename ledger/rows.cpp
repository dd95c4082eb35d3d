#include "ledger/rows.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_codec.hpp"
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

void put_fill_side(std::string& v, const FillSide& f) {
  put_u64(v, f.order);
  put_u32(v, f.account);
  put_u32(v, f.member);
  put_str(v, f.clord_id);
  put_i64(v, f.limit);
  put_i64(v, f.leaves);
  put_i64(v, f.cum_qty);
  put_money(v, f.cum_cash);
  put_money(v, f.fee);
}

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

void RowBuilder::on(Seq seq, const Event& event) {
  ERX_ASSERT(batch_ != nullptr);
  std::string& v = value_;
  v.clear();
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Transfer>) {
          put_u64(v, seq);
          put_u32(v, e.asset);
          put_u32(v, e.debit_account);
          put_u8(v, u8_of(e.debit_bucket));
          put_u32(v, e.credit_account);
          put_u8(v, u8_of(e.credit_bucket));
          put_money(v, e.amount);
          put_u8(v, u8_of(e.kind));
          put_u64(v, e.ref);
          batch_->add(Table::Transfers, key_u64(e.id), v);
          balances_.mark(balance_slot(e.debit_account, e.asset, e.debit_bucket), seq);
          balances_.mark(balance_slot(e.credit_account, e.asset, e.credit_bucket), seq);
        } else if constexpr (std::is_same_v<E, Trade>) {
          put_u64(v, seq);
          put_u32(v, e.instrument);
          put_i64(v, e.price);
          put_i64(v, e.qty);
          put_money(v, e.cash);
          put_u8(v, u8_of(e.aggressor));
          put_fill_side(v, e.buy);
          put_fill_side(v, e.sell);
          batch_->add(Table::Trades, key_u64(e.trade), v);
          for (const FillSide* f : {&e.buy, &e.sell})
            order_state(seq, f->order, f->leaves == 0 ? OrderStatus::Filled : OrderStatus::Open, kNoCancelReason,
                        f->clord_id, f->limit, f->leaves, f->cum_qty, f->cum_cash);
        } else if constexpr (std::is_same_v<E, OrderAccepted>) {
          put_u64(v, seq);
          put_u32(v, e.account);
          put_u32(v, e.member);
          put_u32(v, e.instrument);
          put_str(v, e.clord_id);
          put_u8(v, u8_of(e.side));
          put_u8(v, u8_of(e.type));
          put_u8(v, u8_of(e.tif));
          put_u8(v, u8_of(e.stp));
          put_i64(v, e.price);
          put_i64(v, e.qty);
          put_i64(v, e.expire_at);
          put_u32(v, e.op);
          batch_->add(Table::Orders, key_u64(e.order), v);
          order_state(seq, e.order, OrderStatus::Open, kNoCancelReason, e.clord_id, e.price, e.qty, 0, 0);
        } else if constexpr (std::is_same_v<E, OrderCancelled>) {
          order_state(seq, e.order, e.leaves == 0 ? OrderStatus::Cancelled : OrderStatus::Open, u8_of(e.reason),
                      e.clord_id, e.price, e.leaves, e.cum_qty, e.cum_cash);
        } else if constexpr (std::is_same_v<E, OrderModified>) {
          order_state(seq, e.order, OrderStatus::Open, kNoCancelReason, e.clord_id, e.price, e.leaves, e.cum_qty,
                      e.cum_cash);
        } else if constexpr (std::is_same_v<E, DailyStatistics>) {
          put_u64(v, seq);
          for (std::int64_t x : {e.open, e.high, e.low, e.last, e.volume}) put_i64(v, x);
          put_money(v, e.turnover);
          put_i64(v, e.vwap);
          put_i64(v, e.close);
          put_u32(v, e.trades);
          batch_->add(Table::DailyStats, key_daily(e.date, e.instrument), v);
        } else if constexpr (std::is_same_v<E, FeesSet>) {
          put_u64(v, seq);
          encode_body(CommandBody{e.fees}, v);
          batch_->add(Table::Fees, key_u32(u8_of(e.fees.right_class)), v);
        } else if constexpr (std::is_same_v<E, MemberCreated>) {
          members_.mark(e.member.member, seq);
        } else if constexpr (std::is_same_v<E, MemberRestrictionSet>) {
          members_.mark(e.member, seq);
        } else if constexpr (std::is_same_v<E, AccountCreated>) {
          accounts_.mark(e.account.account, seq);
        } else if constexpr (std::is_same_v<E, AccountRestrictionSet>) {
          accounts_.mark(e.account, seq);
        } else if constexpr (std::is_same_v<E, OperatorCreated> || std::is_same_v<E, OperatorSet>) {
          operators_.mark(e.op.op, seq);
        } else if constexpr (std::is_same_v<E, InstrumentCreated> || std::is_same_v<E, InstrumentChanged> ||
                             std::is_same_v<E, SessionChanged> || std::is_same_v<E, ReferencePriceSet>) {
          instruments_.mark(e.instrument, seq);
        }
        // The rest (rejects, day opened / closed, pending changes, mass-cancel
        // summaries) leave no row: the journal holds the command.
      },
      event);
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
