// The exchange state machine: command dispatch, sequencing, shared helpers and
// queries. Each topic's commands live in their own file:
//   reference_data.cpp  members, accounts, instruments, fees
//   funding.cpp         deposits, withdrawals, registry operations, holds
//   day.cpp             business day, sessions, time (GTD expiry)
//   orders.cpp          order entry, cancel, modify, mass cancel
//   settlement.cpp      reservations, fills (DVP), book events
//   state_hash.cpp      the canonical state hash and check_invariants()

#include "engine/exchange/exchange.hpp"

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"

namespace erx::exchange {

std::string_view limits_problem(const ExchangeLimits& l) noexcept {
  if (l.max_open_orders_per_book == 0 || l.max_ladder_levels == 0)
    return "max_open_orders_per_book and max_ladder_levels must be at least 1";
  if (l.max_open_orders_per_book > kMaxOpenOrdersPerBook)
    return "max_open_orders_per_book x the largest order quantity must fit int64";
  if (l.max_ladder_levels > kMaxLadderLevels) return "max_ladder_levels must be at most 2^22 (kMaxLadderLevels)";
  if (l.max_members >= UINT32_MAX - 1) return "max_members + 1 (a book's owners) must be below 2^32 - 1";
  return {};
}

Exchange::Exchange(ExchangeSink& sink, ExchangeLimits limits)
    : sink_(sink), limits_(limits), book_events_(std::make_unique<BookEvents>(*this)), order_index_(4096) {
  // Limits out of range are a configuration error, caught before any command:
  // every book built later would refuse them (or its sums could overflow).
  ERX_ASSERT_MSG(limits_problem(limits).empty(), "ExchangeLimits out of range (limits_problem())");
  // Slot 0: the exchange's own account (External mirror and fee income).
  members_.emplace(kExchangeMember, MemberState{CreateMember{kExchangeMember, Label::of("ERX"), {}, {},
                                                             MemberCategory::MarketMaker, true, StpMode::None},
                                                {kExchangeAccount},
                                                {}});
  accounts_.push_back(AccountState{kExchangeAccount, kExchangeMember, true, 0, &members_.at(kExchangeMember)});
  account_index_.insert(std::uint64_t{kExchangeAccount} + 1, 0);
  balances_.add_account_slot();
}

Exchange::~Exchange() = default;

void Exchange::reserve_orders(std::uint32_t orders) {
  orders_.reserve(orders);
  free_orders_.reserve(orders);
  order_index_.reserve(orders);
  clord_ids_.reserve(orders);
}

void Exchange::apply(const Command& cmd) {
  seq_ = cmd.seq;
  command_kind_ = static_cast<std::uint8_t>(cmd.body.index());
  command_op_ = 0;  // order commands set it once their operator is checked
  // A command out of sequence or out of time order is refused and does not
  // consume its sequence number: the sequencer, not the member, is at fault.
  if (cmd.seq != last_seq_ + 1) return reject(RejectReason::SequenceGap);
  if (cmd.time < now_) return reject(RejectReason::TimeWentBackwards);
  last_seq_ = cmd.seq;
  advance_time(cmd.time);
  std::visit([this](const auto& body) { on(body); }, cmd.body);
  // Postconditions: a command in sequence consumes exactly its seq, whatever
  // its handler did (accepted or refused), and time never goes back.
  ERX_ASSERT(last_seq_ == cmd.seq && seq_ == cmd.seq);
  ERX_ASSERT(now_ == cmd.time);
}

// ---------------------------------------------------------------- helpers

void Exchange::emit(const Event& e) { sink_.on_event(seq_, e); }

void Exchange::reject(RejectReason r, AccountId account, const ClOrdId& clord) {
  emit(CommandRejected{seq_, command_kind_, r, account, clord});
}

TransferSpec Exchange::spec(AssetId asset, const AccountState& from, Bucket fb, const AccountState& to, Bucket tb,
                            const Money& amount, TransferKind kind, std::uint64_t ref) const {
  return TransferSpec{asset, from.id, from.slot, fb, to.id, to.slot, tb, amount, kind, ref};
}

void Exchange::transfer(const TransferSpec& t) {
  balances_.post(t);
  emit(Transfer{next_transfer_id_++, t.asset, t.from, t.from_bucket, t.to, t.to_bucket, t.amount, t.kind, t.ref});
}

const Exchange::AccountState* Exchange::account(AccountId id) const {
  const std::uint32_t slot = account_index_.find(std::uint64_t{id} + 1);
  return slot == book::IdIndex::kMissing ? nullptr : &accounts_[slot];
}

const Exchange::MemberState* Exchange::member(MemberId id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

Exchange::InstrumentState* Exchange::instrument(const Symbol& s) {
  auto it = symbols_.find(s);
  return it == symbols_.end() ? nullptr : &instruments_[it->second - 1];
}

const Exchange::InstrumentState* Exchange::instrument(InstrumentId id) const {
  return id >= 1 && id <= instruments_.size() ? &instruments_[id - 1] : nullptr;
}

Exchange::OrderState* Exchange::order(OrderId id) {
  if (id == 0) return nullptr;
  const std::uint32_t slot = order_index_.find(id);
  return slot == book::IdIndex::kMissing ? nullptr : &orders_[slot];
}

// ---------------------------------------------------------------- queries

std::optional<InstrumentId> Exchange::find_instrument(const Symbol& s) const {
  auto it = symbols_.find(s);
  if (it == symbols_.end()) return std::nullopt;
  return it->second;
}

const InstrumentSpec* Exchange::instrument_spec(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  return ins ? &ins->spec : nullptr;
}

std::optional<SessionState> Exchange::session(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  if (!ins) return std::nullopt;
  return ins->state;
}

Price Exchange::reference_price(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  return ins ? ins->reference : 0;
}

Exchange::DayStats Exchange::today_stats(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  return ins ? ins->day : DayStats{};
}

const book::OrderBook* Exchange::book(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  return ins ? ins->book.get() : nullptr;
}

std::pair<Price, Price> Exchange::price_band(InstrumentId id) const {
  const InstrumentState* ins = instrument(id);
  return ins ? std::pair{ins->band_lo, ins->band_hi} : std::pair<Price, Price>{0, 0};
}

const CreateMember* Exchange::member_spec(MemberId id) const {
  const MemberState* m = member(id);
  return m ? &m->spec : nullptr;
}

std::optional<CreateAccount> Exchange::account_spec(AccountId id) const {
  const AccountState* a = account(id);
  if (!a) return std::nullopt;
  return CreateAccount{a->id, a->member, a->restricted};
}

std::optional<Exchange::OperatorInfo> Exchange::operator_info(OperatorId id) const {
  auto it = operators_.find(id);
  if (it == operators_.end()) return std::nullopt;
  return OperatorInfo{it->second.spec, it->second.active};
}

Money Exchange::balance(AccountId id, AssetId asset, Bucket bucket) const {
  const AccountState* a = account(id);
  if (!a || asset >= balances_.assets()) return 0;
  return balances_.get(a->slot, asset, bucket);
}

}  // namespace erx::exchange
