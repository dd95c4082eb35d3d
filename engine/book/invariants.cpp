// Read-only views of the book (best, depth, find) and check_invariants().

#include <vector>

#include "engine/book/order_book.hpp"
#include "engine/core/assert.hpp"

namespace erx::book {

std::optional<LevelView> OrderBook::best(Side side) const {
  const std::uint32_t level = side == Side::Buy ? best_bid_ : best_ask_;
  if (level == kNil) return std::nullopt;
  return LevelView{price_of(level), levels_[level].total, levels_[level].count};
}

std::size_t OrderBook::depth(Side side, std::span<LevelView> out) const {
  std::size_t n = 0;
  for (std::uint32_t level = best_level(side); n < out.size() && level != kNil;
       level = next_worse_level(side, level))
    out[n++] = LevelView{price_of(level), levels_[level].total, levels_[level].count};
  return n;
}

OrderView OrderBook::view_of(std::uint32_t node) const {
  const OrderNode& n = nodes_[node];
  return OrderView{n.id, owners_[n.owner_slot].id, n.side, n.tif, n.stp, price_of(n.level), n.leaves, n.expire_at};
}

std::optional<OrderView> OrderBook::find(OrderId id) const {
  if (id == 0) return std::nullopt;
  const std::uint32_t node = order_index_.find(id);
  if (node == IdIndex::kMissing) return std::nullopt;
  return view_of(node);
}

// Costs O(non-empty levels + resting orders + owners + GTD orders), plus one
// pass over each bitmap's words (ladder / 64); it never visits an empty level.
// That the bitmaps mark exactly the non-empty levels is shown without a ladder
// scan:
//  - each bitmap's summaries agree with the words below (LevelBitmap::consistent()),
//    so walking it reaches every set bit;
//  - every walked level is non-empty, on one side only, and its FIFO queue
//    holds exactly its count and total (a set bit never marks an empty level);
//  - the walked queues hold open_orders_ distinct orders, each found by the id
//    index, and the owner lists hold open_orders_ distinct orders, each found by
//    the id index and sitting on a level whose bit is set: both are exactly the
//    live orders, so no order sits on a level the bitmaps miss (a non-empty
//    level always has a set bit).
// A level whose bit is clear is never read here (its count, head, tail and
// total): the unlink that emptied it leaves them 0 / nil by construction and
// asserts the total (unlink_level(), always on), and the book only reaches a
// level again through its bit or by linking an order into it.
void OrderBook::check_invariants() const {
  const auto level_count = static_cast<std::uint32_t>(levels_.size());
  ERX_ASSERT(bid_levels_.size() == level_count && ask_levels_.size() == level_count);
  ERX_ASSERT(bid_levels_.consistent());
  ERX_ASSERT(ask_levels_.consistent());
  ERX_ASSERT(band_lo_ <= band_hi_ && band_hi_ < level_count);

  std::uint32_t seen_orders = 0;
  std::uint32_t seen_gtd = 0;
  std::vector<std::uint32_t> per_owner_side(owners_.size() * 2, 0);

  for (const Side side : {Side::Buy, Side::Sell}) {
    const bool buy = side == Side::Buy;
    const LevelBitmap& mine = buy ? bid_levels_ : ask_levels_;
    const LevelBitmap& other = buy ? ask_levels_ : bid_levels_;
    // The side's best level found from the bitmap alone, not from best_bid_ / best_ask_.
    const std::uint32_t first = buy ? mine.prev_at_or_before(level_count - 1) : mine.next_at_or_after(0);
    ERX_ASSERT(best_level(side) == first);  // kNil == LevelBitmap::kNone

    std::uint32_t previous_level = kNil;
    for (std::uint32_t level = first; level != kNil; level = next_worse_level(side, level)) {
      ERX_ASSERT(level < level_count);
      ERX_ASSERT(previous_level == kNil || (buy ? level < previous_level : level > previous_level));
      previous_level = level;
      ERX_ASSERT(mine.test(level) && !other.test(level));
      ERX_ASSERT(level >= band_lo_ && level <= band_hi_);
      const Level& lv = levels_[level];
      ERX_ASSERT(lv.count > 0 && lv.head != kNil);  // a set bit never marks an empty level

      std::uint32_t count = 0;
      Qty total = 0;
      std::uint32_t prev = kNil;
      for (std::uint32_t i = lv.head; i != kNil; i = nodes_[i].next) {
        ERX_ASSERT(i < nodes_.size());
        const OrderNode& n = nodes_[i];
        ERX_ASSERT(n.prev == prev);
        ERX_ASSERT(n.level == level && n.side == side);
        ERX_ASSERT(n.id != 0 && n.leaves > 0 && n.leaves % config_.lot == 0);
        ERX_ASSERT(n.stp != StpMode::OwnerDefault);
        ERX_ASSERT(order_index_.find(n.id) == i);
        if (n.tif == TimeInForce::Gtd) {
          ERX_ASSERT(expiries_.count({n.expire_at, n.id}) == 1);
          ++seen_gtd;
        }
        ERX_ASSERT(n.owner_slot < owners_.size());
        ++per_owner_side[n.owner_slot * 2 + static_cast<std::uint32_t>(n.side)];
        ++count;
        total += n.leaves;
        prev = i;
        ERX_ASSERT(seen_orders + count <= open_orders_);  // also ends a cycle
      }
      ERX_ASSERT(lv.tail == prev);
      ERX_ASSERT(lv.count == count && lv.total == total);
      seen_orders += count;
    }
  }

  // The walked levels hold every open order: the sum of their counts is the book's.
  ERX_ASSERT(seen_orders == open_orders_);
  ERX_ASSERT(order_index_.size() == open_orders_);
  ERX_ASSERT(seen_gtd == expiries_.size());
  ERX_ASSERT(best_bid_ == kNil || best_ask_ == kNil || best_bid_ < best_ask_);  // never crossed

  // Owner lists hold exactly each owner's orders, with matching per-side counts,
  // and every order sits on a level whose bit (of its side) is set.
  std::uint32_t listed = 0;
  for (std::uint32_t slot = 0; slot < owners_.size(); ++slot) {
    const Owner& ow = owners_[slot];
    ERX_ASSERT(owner_index_.find(std::uint64_t{ow.id} + 1) == slot);
    std::uint32_t prev = kNil;
    std::uint32_t count = 0;
    for (std::uint32_t i = ow.head; i != kNil; i = nodes_[i].owner_next) {
      ERX_ASSERT(i < nodes_.size());
      const OrderNode& n = nodes_[i];
      ERX_ASSERT(n.owner_prev == prev && n.owner_slot == slot);
      ERX_ASSERT(n.id != 0 && order_index_.find(n.id) == i);
      ERX_ASSERT(n.level < level_count);
      ERX_ASSERT((n.side == Side::Buy ? bid_levels_ : ask_levels_).test(n.level));
      prev = i;
      ++count;
      ERX_ASSERT(listed + count <= open_orders_);  // also ends a cycle
    }
    ERX_ASSERT(ow.tail == prev);
    ERX_ASSERT(ow.count[0] == per_owner_side[slot * 2] && ow.count[1] == per_owner_side[slot * 2 + 1]);
    ERX_ASSERT(count == ow.count[0] + ow.count[1]);
    listed += count;
  }
  ERX_ASSERT(listed == open_orders_);
  ERX_ASSERT(owner_index_.size() == owners_.size());

  // Every expiry entry is a live GTD order.
  for (const auto& [at, id] : expiries_) {
    ERX_ASSERT(id != 0);
    const std::uint32_t node = order_index_.find(id);
    ERX_ASSERT(node != IdIndex::kMissing);
    ERX_ASSERT(nodes_[node].tif == TimeInForce::Gtd && nodes_[node].expire_at == at);
  }
}

}  // namespace erx::book
