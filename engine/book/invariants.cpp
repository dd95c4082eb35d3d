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

void OrderBook::check_invariants() const {
  const auto level_count = static_cast<std::uint32_t>(levels_.size());
  std::uint32_t seen_orders = 0;
  std::uint32_t seen_gtd = 0;
  std::uint32_t top_bid = kNil;
  std::uint32_t low_ask = kNil;
  std::vector<std::uint32_t> per_owner_side(owners_.size() * 2, 0);

  for (std::uint32_t level = 0; level < level_count; ++level) {
    const Level& lv = levels_[level];
    const bool bid_bit = bid_levels_.test(level);
    const bool ask_bit = ask_levels_.test(level);
    ERX_ASSERT(!(bid_bit && ask_bit));
    ERX_ASSERT((lv.count > 0) == (bid_bit || ask_bit));
    if (lv.count == 0) {
      ERX_ASSERT(lv.head == kNil && lv.tail == kNil && lv.total == 0);
      continue;
    }
    const Side side = bid_bit ? Side::Buy : Side::Sell;
    if (side == Side::Buy) top_bid = level;
    if (side == Side::Sell && low_ask == kNil) low_ask = level;
    ERX_ASSERT(level >= band_lo_ && level <= band_hi_);

    std::uint32_t count = 0;
    Qty total = 0;
    std::uint32_t prev = kNil;
    for (std::uint32_t i = lv.head; i != kNil; i = nodes_[i].next) {
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
      ERX_ASSERT(count <= open_orders_);
    }
    ERX_ASSERT(lv.tail == prev);
    ERX_ASSERT(lv.count == count && lv.total == total);
    seen_orders += count;
  }

  ERX_ASSERT(seen_orders == open_orders_);
  ERX_ASSERT(order_index_.size() == open_orders_);
  ERX_ASSERT(seen_gtd == expiries_.size());
  ERX_ASSERT(best_bid_ == top_bid && best_ask_ == low_ask);
  ERX_ASSERT(best_bid_ == kNil || best_ask_ == kNil || best_bid_ < best_ask_);  // never crossed

  // Owner lists hold exactly each owner's orders, with matching per-side counts.
  std::uint32_t listed = 0;
  for (std::uint32_t slot = 0; slot < owners_.size(); ++slot) {
    const Owner& ow = owners_[slot];
    ERX_ASSERT(owner_index_.find(std::uint64_t{ow.id} + 1) == slot);
    std::uint32_t prev = kNil;
    std::uint32_t count = 0;
    for (std::uint32_t i = ow.head; i != kNil; i = nodes_[i].owner_next) {
      ERX_ASSERT(nodes_[i].owner_prev == prev && nodes_[i].owner_slot == slot);
      prev = i;
      ++count;
      ERX_ASSERT(count <= open_orders_);
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
    const std::uint32_t node = order_index_.find(id);
    ERX_ASSERT(node != IdIndex::kMissing);
    ERX_ASSERT(nodes_[node].tif == TimeInForce::Gtd && nodes_[node].expire_at == at);
  }
}

}  // namespace erx::book
