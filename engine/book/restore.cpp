// Restoring a saved book (Exchange snapshots). Kept apart from the request
// path: nothing here runs while trading, and the hot path (add, cancel,
// modify, matching) is untouched by it.
//
// The saved state is the clock and band, the owners in slot order with their
// default STP modes, the resting orders in price-time priority and each
// owner's list order. Re-inserting the orders level by level, each at the
// back of its queue, rebuilds the queues, bitmaps, best prices, id index and
// expiry set exactly; node numbering may differ, but it never reaches the
// output (events, queries, state hash).

#include <algorithm>
#include <vector>

#include "engine/book/order_book.hpp"
#include "engine/core/assert.hpp"

namespace erx::book {

namespace {

bool known_side(Side s) { return s == Side::Buy || s == Side::Sell; }
bool resting_tif(TimeInForce t) { return t == TimeInForce::Day || t == TimeInForce::Gtc || t == TimeInForce::Gtd; }
bool resolved_stp(StpMode m) {
  return m != StpMode::OwnerDefault && static_cast<std::uint8_t>(m) <= static_cast<std::uint8_t>(StpMode::Decrement);
}

}  // namespace

bool OrderBook::restore_clock(Timestamp now, Price band_lo, Price band_hi) {
  if (open_orders_ != 0 || !owners_.empty()) return false;  // only on a fresh book
  const bool on_tick = band_lo % config_.tick == 0 && band_hi % config_.tick == 0;
  if (band_lo > band_hi || !on_tick || band_lo < config_.ladder_min || band_hi > config_.ladder_max) return false;
  now_ = now;
  band_lo_ = level_of(band_lo);
  band_hi_ = level_of(band_hi);
  return true;
}

bool OrderBook::restore_owner(OwnerId owner, StpMode default_stp) {
  if (open_orders_ != 0) return false;  // owners come before orders
  if (!resolved_stp(default_stp)) return false;
  if (owner_index_.find(std::uint64_t{owner} + 1) != IdIndex::kMissing) return false;
  const std::optional<std::uint32_t> slot = owner_slot_for(owner);
  if (!slot) return false;  // more owners than max_owners
  owners_[*slot].default_stp = default_stp;
  return true;
}

bool OrderBook::insert_resting(const OrderView& o) {
  if (o.id == 0 || order_index_.find(o.id) != IdIndex::kMissing) return false;
  if (!known_side(o.side) || !resting_tif(o.tif) || !resolved_stp(o.stp)) return false;
  if (validate_qty(o.leaves) != Reason::None) return false;
  // Inside the band (itself inside the ladder): a live book cancels what a
  // new band leaves outside, and check_invariants() asserts it.
  const auto [band_lo, band_hi] = price_band();
  if (o.price < band_lo || o.price > band_hi || o.price % config_.tick != 0) return false;
  if (o.tif == TimeInForce::Gtd ? o.expire_at <= now_ : o.expire_at != 0) return false;  // would have expired
  if (open_orders_ >= config_.limits.max_resting_orders) return false;
  const std::uint32_t owner_slot = owner_index_.find(std::uint64_t{o.owner} + 1);
  if (owner_slot == IdIndex::kMissing) return false;
  const std::uint32_t level = level_of(o.price);
  // A resting order never crosses the other side: it would have traded.
  const bool crosses = o.side == Side::Buy ? best_ask_ != kNil && level >= best_ask_
                                           : best_bid_ != kNil && level <= best_bid_;
  if (crosses) return false;
  const Taker t{o.id, o.owner, owner_slot, o.side, o.stp, o.leaves, o.price, level};
  rest(t, o.tif, o.expire_at, allocate_node());  // link_level() asserts the book is not crossed
  return true;
}

bool OrderBook::restore_owner_order(OwnerId owner, std::span<const OrderId> ids) {
  const std::uint32_t slot = owner_index_.find(std::uint64_t{owner} + 1);
  if (slot == IdIndex::kMissing) return false;
  Owner& ow = owners_[slot];
  if (ids.size() != std::size_t{ow.count[0]} + ow.count[1]) return false;
  std::vector<std::uint32_t> nodes;
  nodes.reserve(ids.size());
  for (OrderId id : ids) {
    const std::uint32_t node = id == 0 ? IdIndex::kMissing : order_index_.find(id);
    if (node == IdIndex::kMissing || nodes_[node].owner_slot != slot) return false;
    nodes.push_back(node);
  }
  std::vector<std::uint32_t> sorted = nodes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;  // an id twice
  // Right count, all the owner's, none twice: exactly its orders. Relink.
  for (std::uint32_t node : nodes) unlink_owner(node);
  ERX_ASSERT(ow.head == kNil && ow.tail == kNil && ow.count[0] == 0 && ow.count[1] == 0);
  for (std::uint32_t node : nodes) link_owner(node);
  return true;
}

}  // namespace erx::book
