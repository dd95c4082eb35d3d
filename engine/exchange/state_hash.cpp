// state_hash(): one 64-bit value over a canonical walk of the whole state, so
// two replays of the same commands can be compared. The walk is the state
// description (state_fields.hpp), which snapshots walk too: a fixed order
// (ids, slots, price-time priority), never hash-table order.
//
// check_invariants(): the whole-state checks the randomized tests run after
// every command.

#include <map>
#include <optional>
#include <type_traits>
#include <utility>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/state_fields.hpp"

namespace erx::exchange {

namespace {

class Hasher {
 public:
  void u64(std::uint64_t v) {
    h_ ^= v + 0x9E3779B97F4A7C15ull + (h_ << 6) + (h_ >> 2);
    h_ ^= h_ >> 31;
    h_ *= 0xBF58476D1CE4E5B9ull;
    h_ ^= h_ >> 29;
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void money(const Money& m) {
    const Money mag = m < 0 ? Money(-m) : m;
    const Money low_mask = Money(~std::uint64_t{0});
    u64(m < 0 ? 1 : 0);
    u64(static_cast<std::uint64_t>(mag & low_mask));
    u64(static_cast<std::uint64_t>(mag >> 64));
  }
  void text(std::string_view s) {
    u64(s.size());
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      word = word << 8 | static_cast<unsigned char>(s[i]);
      if (i % 8 == 7) {
        u64(word);
        word = 0;
      }
    }
    u64(word);
  }
  template <class E>
  void e(E v) {
    u64(static_cast<std::uint64_t>(v));
  }
  void dec(const Decimal& d) {
    i64(d.units);
    i64(d.scale);
  }
  [[nodiscard]] std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0x45525853'54415445ull;  // "ERXSTATE"
};

// Hashes what the state description hashes (field, hashed), in its order,
// each value in its hash encoding (state_fields.hpp).
class StateHasher : public MemberVisitor<StateHasher>, public detail::EveryField<StateHasher> {
 public:
  template <Role R, class T>
  void member(std::string_view, const T& m) {
    if constexpr (is_hashed(R)) read_value(*this, m);
  }

  // read_value()'s hooks. A table's count is not hashed (the hash predates it).
  void presence(bool present) { h_.u64(present); }
  void list_size(std::size_t n) { h_.u64(n); }
  void table_size(std::size_t) {}
  template <CommandSpec T>
  void spec(const T& s) {
    // The descriptions take non-const references (the parsers fill them);
    // the hasher only reads, so the const_cast never leads to a write.
    detail::fields(*this, const_cast<T&>(s));
  }
  template <class T>
  void scalar(const T& m) {
    if constexpr (std::is_same_v<T, bool>)
      h_.u64(m);
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
      h_.i64(m);
    else if constexpr (std::is_integral_v<T>)
      h_.u64(m);
    else if constexpr (std::is_enum_v<T>)
      h_.e(m);
    else if constexpr (detail::IsFixedString<T>::value)
      h_.text(m.view());
    else if constexpr (std::is_same_v<T, Decimal>)
      h_.dec(m);
    else {
      static_assert(std::is_same_v<T, Money>, "a value with no encoding");
      h_.money(m);
    }
  }
  void scalar(const Balances& bal) {
    for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
      for (AssetId asset = 0; asset < bal.assets(); ++asset)
        for (const Money& v : bal.row(slot, asset)) h_.money(v);
  }
  void scalar(const BookClock<const book::OrderBook>& clock) { h_.i64(clock.c.now()); }

  // A field of reference data (EveryField's hook).
  template <class T>
  void value(std::string_view, const T& m) {
    read_value(*this, m);
  }

  [[nodiscard]] std::uint64_t value() const { return h_.value(); }

 private:
  Hasher h_;
};

}  // namespace

std::uint64_t Exchange::state_hash() const {
  StateHasher h;
  StateFields::fields(h, *this);
  return h.value();
}

void Exchange::check_invariants() const {
  // Conservation: per asset, every balance sums to zero (External mirrors the rest),
  // and what the exchange holds of each asset is within its limit (amount_limits.hpp).
  for (AssetId asset = 0; asset < balances_.assets(); ++asset) {
    ERX_ASSERT(balances_.sum(asset) == 0);
    const Money total = outstanding(asset);
    ERX_ASSERT(total >= 0 && total <= (asset == kCash ? kMaxCashFen : kMaxRightsUnits));
  }

  // No member balance is negative; the exchange holds only its External mirror and fees.
  for (std::uint32_t slot = 0; slot < balances_.slots(); ++slot)
    for (AssetId asset = 0; asset < balances_.assets(); ++asset)
      for (int b = 0; b < kBuckets; ++b) {
        const auto bucket = static_cast<Bucket>(b);
        const Money& v = balances_.get(slot, asset, bucket);
        if (slot == 0 && bucket == Bucket::External) continue;
        ERX_ASSERT(v >= 0);
        if (slot == 0) ERX_ASSERT(v == 0 || (bucket == Bucket::Fees && asset == kCash));
        if (slot != 0) ERX_ASSERT(v == 0 || (bucket != Bucket::External && bucket != Bucket::Fees));
        if (asset == kCash) ERX_ASSERT(v == 0 || (bucket != Bucket::Locked && bucket != Bucket::Registry));
      }

  // Reservations equal what the open orders need, order by order and in total.
  std::map<std::pair<std::uint32_t, AssetId>, Money> reserved;
  std::map<std::pair<MemberId, InstrumentId>, Qty> open_buys;
  std::vector<std::uint32_t> per_book(instruments_.size(), 0);
  std::size_t live = 0;
  for (const OrderState& o : orders_) {
    if (o.id == 0) continue;
    ++live;
    ERX_ASSERT(order_index_.find(o.id) == static_cast<std::uint32_t>(&o - orders_.data()));
    const Need need = need_of(o);
    ERX_ASSERT(o.reserved_cash == need.cash && o.reserved_qty == need.qty);
    ERX_ASSERT(o.leaves > 0 && o.cum_qty + o.leaves <= o.qty);
    ERX_ASSERT(o.qty <= kMaxOrderLifetimeQtyUnits);
    // A buy has paid for everything it received, less than one fen beyond it.
    ERX_ASSERT(o.prepaid >= 0 && o.prepaid < sub_fen_per_fen(instruments_[o.instrument - 1].cash_rule));
    ERX_ASSERT(o.side == Side::Buy || o.prepaid == 0);
    ERX_ASSERT(o.fees_from_proceeds == (o.side == Side::Sell && proceeds_cover_fees(o)));
    // Only a party that may trade has a live order (restrictions and
    // eligibility changes cancel the others).
    ERX_ASSERT(check_account_may_trade(accounts_[o.account_slot]) == RejectReason::None);
    ERX_ASSERT(check_eligible(*member(o.member), instruments_[o.instrument - 1]) == RejectReason::None);
    reserved[{o.account_slot, kCash}] += o.reserved_cash;
    reserved[{o.account_slot, o.instrument}] += o.reserved_qty;
    if (o.side == Side::Buy) open_buys[{o.member, o.instrument}] += o.leaves;
    ERX_ASSERT(clord_ids_.find(o.member, o.clord_id) == o.id);
    // The book holds the same order, same side, same leaves.
    const std::optional<book::OrderView> v = instruments_[o.instrument - 1].book->find(o.id);
    ERX_ASSERT(v.has_value() && v->leaves == o.leaves && v->owner == o.member);
    ERX_ASSERT((v->side == book::Side::Buy) == (o.side == Side::Buy));
    ++per_book[o.instrument - 1];
  }
  ERX_ASSERT(live == order_index_.size());
  for (std::uint32_t slot = 0; slot < balances_.slots(); ++slot)
    for (AssetId asset = 0; asset < balances_.assets(); ++asset) {
      auto it = reserved.find({slot, asset});
      const Money expect = it == reserved.end() ? Money(0) : it->second;
      ERX_ASSERT(balances_.get(slot, asset, Bucket::Reserved) == expect);
    }
  for (const auto& [id, m] : members_)
    for (std::size_t i = 0; i < m.open_buy_qty.size(); ++i) {
      auto it = open_buys.find({id, static_cast<InstrumentId>(i + 1)});
      ERX_ASSERT(m.open_buy_qty[i] == (it == open_buys.end() ? 0 : it->second));
    }

  // Every book is internally consistent, not crossed, and holds exactly the open orders.
  for (const InstrumentState& ins : instruments_) {
    ins.book->check_invariants();
    ERX_ASSERT(ins.book->open_orders() == per_book[ins.id - 1]);
    const auto [lo, hi] = ins.book->price_band();
    ERX_ASSERT(lo == ins.band_lo && hi == ins.band_hi);
    // A right past its term has nothing resting and stays closed.
    if (term_ended(ins)) ERX_ASSERT(per_book[ins.id - 1] == 0 && ins.state == SessionState::Closed);
    // A listed instrument trades under a resolved rule, never "default".
    ERX_ASSERT(ins.spec.eligibility != Eligibility::Default);
    ERX_ASSERT(!ins.pending || ins.pending->eligibility != Eligibility::Default);
    // The ladder is the band (set_band() re-bases it), around the reference
    // (a close is inside the day's band), never above the largest price.
    ERX_ASSERT(ins.book->config().ladder_min == lo && ins.book->config().ladder_max == hi);
    ERX_ASSERT(lo <= ins.reference && ins.reference <= hi && hi <= kMaxPriceUnits);
  }
}

}  // namespace erx::exchange
