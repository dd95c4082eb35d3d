// Matching: an incoming order (the taker) against the opposite side, best
// price first, FIFO within a level, with self-trade prevention.

#include "engine/book/order_book.hpp"

#include <algorithm>

#include "engine/core/assert.hpp"

namespace erx::book {

namespace {

// Can a maker at `level` trade with a taker whose limit is `limit`?
bool within_limit(Side taker_side, std::uint32_t level, std::uint32_t limit) {
  return taker_side == Side::Buy ? level <= limit : level >= limit;
}

Side opposite(Side s) { return s == Side::Buy ? Side::Sell : Side::Buy; }

}  // namespace

OrderBook::MatchEnd OrderBook::match(Taker& taker) {
  const bool buy = taker.side == Side::Buy;
  MatchEnd end = MatchEnd::Done;
  while (taker.leaves > 0 && end == MatchEnd::Done) {
    const std::uint32_t best = buy ? best_ask_ : best_bid_;
    if (best == kNil || !within_limit(taker.side, best, taker.limit_level)) break;
    const std::uint32_t maker = levels_[best].head;
    ERX_ASSERT(maker != kNil);
    const bool self = nodes_[maker].owner_slot == taker.owner_slot;
    if (self && taker.stp != StpMode::None)
      stp_collide(taker, maker, end);
    else
      trade(taker, maker);
  }
  // Resting orders never cross; only the taker (not in the book) may.
  ERX_ASSERT(best_bid_ == kNil || best_ask_ == kNil || best_bid_ < best_ask_);
  return end;
}

void OrderBook::trade(Taker& taker, std::uint32_t maker) {
  OrderNode& m = nodes_[maker];
  const Qty qty = std::min(taker.leaves, m.leaves);
  taker.leaves -= qty;
  m.leaves -= qty;
  levels_[m.level].total -= qty;

  Event e;
  e.kind = EventKind::Trade;
  e.request = request_;
  e.side = taker.side;
  e.owner = taker.owner;
  e.maker_owner = owners_[m.owner_slot].id;
  e.order_id = taker.id;
  e.maker_id = m.id;
  e.price = price_of(m.level);
  e.qty = qty;
  e.leaves = taker.leaves;
  e.maker_leaves = m.leaves;
  sink_.on_event(e);

  if (m.leaves == 0) {
    // Fully filled: the level total already dropped by qty, so unlink with 0 leaves.
    unlink_level(maker);
    remove_order(maker);
  }
}

void OrderBook::stp_collide(Taker& taker, std::uint32_t maker, MatchEnd& end) {
  switch (taker.stp) {
    case StpMode::CancelTaker:
      emit_cancelled_taker(taker, taker.leaves, Reason::StpCancelTaker);
      taker.leaves = 0;
      end = MatchEnd::TakerCancelled;
      return;
    case StpMode::CancelMaker:
      cancel_node(maker, Reason::StpCancelMaker, nodes_[maker].leaves);
      return;
    case StpMode::CancelBoth:
      cancel_node(maker, Reason::StpCancelBoth, nodes_[maker].leaves);
      emit_cancelled_taker(taker, taker.leaves, Reason::StpCancelBoth);
      taker.leaves = 0;
      end = MatchEnd::TakerCancelled;
      return;
    case StpMode::Decrement: {
      const Qty overlap = std::min(taker.leaves, nodes_[maker].leaves);
      cancel_node(maker, Reason::StpDecrement, overlap);
      emit_cancelled_taker(taker, overlap, Reason::StpDecrement);
      taker.leaves -= overlap;
      if (taker.leaves == 0) end = MatchEnd::TakerCancelled;
      return;
    }
    case StpMode::None:
    case StpMode::OwnerDefault:
      break;
  }
  ERX_ASSERT_MSG(false, "stp_collide with a mode that allows self trades");
}

// Would a FOK taker fill completely now? Walks what matching would walk,
// without changing anything. When the owner has no resting order on the
// opposite side (or self trades are allowed), level totals suffice: O(levels).
bool OrderBook::fok_fillable(const Taker& taker) const {
  const Side maker_side = opposite(taker.side);
  // An owner not yet registered (owner_slot == kNil) has no resting orders.
  const bool per_order = taker.stp != StpMode::None && taker.owner_slot != kNil &&
                         owners_[taker.owner_slot].count[static_cast<int>(maker_side)] > 0;
  Qty available = 0;
  for (std::uint32_t level = best_level(maker_side);
       level != kNil && within_limit(taker.side, level, taker.limit_level);
       level = next_worse_level(maker_side, level)) {
    if (!per_order) {
      available += levels_[level].total;
    } else {
      for (std::uint32_t i = levels_[level].head; i != kNil; i = nodes_[i].next) {
        const OrderNode& m = nodes_[i];
        if (m.owner_slot != taker.owner_slot) {
          available += m.leaves;
        } else if (taker.stp != StpMode::CancelMaker) {
          return available >= taker.leaves;  // matching would stop here
        }
        if (available >= taker.leaves) return true;
      }
    }
    if (available >= taker.leaves) return true;
  }
  return available >= taker.leaves;
}

}  // namespace erx::book
