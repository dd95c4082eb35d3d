#pragma once
// The order-book core: one instrument's book with price-time priority.
//
// A library with a small API of its own: add / cancel / modify with caller
// ids, plus session helpers (mass cancel, GTD expiry, day-order cancel, price
// band), and an EventSink that receives every outcome synchronously. It knows
// nothing of accounts, risk or persistence; the Exchange composes it.
//
// Rules: docs/ORDER_BOOK.md. Data structures and why: docs/ARCHITECTURE.md.
//
// Complexities: add / cancel / modify are O(1) apart from the trades they
// cause (id index + intrusive FIFO per level + hierarchical bitmap of
// non-empty levels); best bid/offer O(1); top-N depth O(N); GTD orders add
// O(log n) for their expiry set. Nothing scans a price level or the ladder.
// rebase_ladder() (a band that moves the ladder, at an open) rebuilds the
// ladder: O(its levels + resting orders), off the order path.

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "engine/book/book_types.hpp"
#include "engine/book/id_index.hpp"
#include "engine/book/level_bitmap.hpp"

namespace erx::book {

// Explicit limits: every one is checked, and reaching it is a documented reject.
struct BookLimits {
  Qty max_order_qty = 1'000'000'000'000;         // in quantity units
  std::uint32_t max_resting_orders = 4'000'000;  // orders that may rest at once
  std::uint32_t max_owners = 65'536;             // distinct owners ever seen by this book
  std::uint32_t max_ladder_levels = 1u << 20;    // (ladder_max - ladder_min) / tick + 1, also after rebase_ladder()
};

struct BookConfig {
  Price ladder_min = 1;        // lowest price the book can hold (> 0, on tick); rebase_ladder() moves it
  Price ladder_max = 100'000;  // highest price the book can hold (on tick); rebase_ladder() moves it
  Price tick = 1;              // price step, in price units
  Qty lot = 1;                 // quantity step, in quantity units
  std::uint32_t initial_order_capacity = 1024;  // pre-allocated order slots
  BookLimits limits{};
};

struct LevelView {
  Price price = 0;
  Qty qty = 0;
  std::uint32_t orders = 0;
  friend bool operator==(const LevelView&, const LevelView&) = default;
};

struct OrderView {
  OrderId id = 0;
  OwnerId owner = 0;
  Side side = Side::Buy;
  TimeInForce tif = TimeInForce::Gtc;
  StpMode stp = StpMode::None;  // resolved mode
  Price price = 0;
  Qty leaves = 0;
  Timestamp expire_at = 0;
};

struct MassCancelFilter {
  std::optional<OwnerId> owner;  // only this owner's orders
  std::optional<Side> side;      // only this side
};

class OrderBook {
 public:
  // Throws std::invalid_argument for an inconsistent configuration (this is
  // operator input, checked once, not a per-order reject).
  OrderBook(const BookConfig& config, EventSink& sink);

  OrderBook(const OrderBook&) = delete;
  OrderBook& operator=(const OrderBook&) = delete;

  // --- requests: each emits its events to the sink before returning ---
  void add(const NewOrder& order);
  void cancel(OrderId id);
  // new_qty is the new leaves quantity. Same price and new_qty <= leaves keeps
  // time priority; anything else re-queues at the back and may trade at once.
  void modify(OrderId id, Price new_price, Qty new_qty);
  // Returns the number of orders cancelled.
  std::uint32_t mass_cancel(const MassCancelFilter& filter);
  // Cancels every DAY order (reason EndOfDay). Returns the number cancelled.
  std::uint32_t cancel_day_orders();
  // Moves the book's clock forward and expires GTD orders with expire_at <= now.
  void advance_time(Timestamp now);
  // New price band [lo, hi] (inside the ladder). Resting orders outside it are cancelled.
  void set_price_band(Price lo, Price hi);
  // New price band [lo, hi] that also becomes the whole ladder, wherever the
  // old ladder was: resting orders outside [lo, hi] are cancelled
  // (OutsideNewBand, as set_price_band), then the ladder is re-based so that
  // it holds exactly [lo, hi]. The orders left keep their prices and time
  // priority. Rejected(InvalidBand) if lo <= 0, lo > hi, either is off tick,
  // or [lo, hi] has more than max_ladder_levels ticks. Costs
  // O(new ladder + resting orders) when the ladder moves; nothing when it is
  // already [lo, hi]. Never on the order path: the Exchange calls it when an
  // instrument's band is set (listing, every open-day).
  void rebase_ladder(Price lo, Price hi);
  // Default STP mode for an owner's orders that say OwnerDefault.
  // Returns Reason::None, InvalidStpMode or TooManyOwners.
  Reason set_owner_stp(OwnerId owner, StpMode mode);

  // --- queries ---
  [[nodiscard]] std::optional<LevelView> best(Side side) const;
  // Fills `out` with up to out.size() levels from the best price outward.
  // Returns how many were written.
  std::size_t depth(Side side, std::span<LevelView> out) const;
  [[nodiscard]] std::optional<OrderView> find(OrderId id) const;
  [[nodiscard]] std::uint32_t open_orders() const noexcept { return open_orders_; }
  [[nodiscard]] Timestamp now() const noexcept { return now_; }
  [[nodiscard]] std::pair<Price, Price> price_band() const noexcept;
  [[nodiscard]] const BookConfig& config() const noexcept { return config_; }

  // Calls fn(const OrderView&) for every resting order of one side in
  // priority order: best price first, FIFO within a level. O(orders visited).
  template <class Fn>
  void visit(Side side, Fn&& fn) const {
    for (std::uint32_t level = best_level(side); level != kNil; level = next_worse_level(side, level))
      for (std::uint32_t i = levels_[level].head; i != kNil; i = nodes_[i].next) fn(view_of(i));
  }

  // --- saving and restoring (snapshots; never on the trading path, see restore.cpp) ---
  // Calls fn(OwnerId, StpMode default_stp) for every owner the book has seen,
  // in the order it first saw them (that order decides when max_owners is hit).
  template <class Fn>
  void visit_owners(Fn&& fn) const {
    for (const Owner& o : owners_) fn(o.id, o.default_stp);
  }
  // Calls fn(OrderId) for each resting order of `owner` in its list order
  // (acceptance order: a modify that loses priority keeps its place here),
  // which is the order a mass cancel by owner walks.
  template <class Fn>
  void visit_owner_orders(OwnerId owner, Fn&& fn) const {
    const std::uint32_t slot = owner_index_.find(std::uint64_t{owner} + 1);
    if (slot == IdIndex::kMissing) return;
    for (std::uint32_t i = owners_[slot].head; i != kNil; i = nodes_[i].owner_next) fn(nodes_[i].id);
  }

  // A freshly constructed book is brought to a saved state by, in this order:
  // restore_clock(); restore_owner() for every owner in visit_owners() order;
  // insert_resting() for every resting order in price-time priority (each
  // joins the back of its level's queue, never matches, emits nothing); then
  // restore_owner_order() for every owner with orders. Each returns false and
  // changes nothing for input no live book could hold (a crossing order, a
  // duplicate id, a price outside the band...): the caller reads untrusted bytes.
  // The book must be built with the saved ladder (a band that re-based the
  // ladder is saved with it: the Exchange's ladder is always its band).
  [[nodiscard]] bool restore_clock(Timestamp now, Price band_lo, Price band_hi);
  [[nodiscard]] bool restore_owner(OwnerId owner, StpMode default_stp);
  [[nodiscard]] bool insert_resting(const OrderView& order);
  // `ids` must be exactly the owner's resting orders; its list takes that order.
  [[nodiscard]] bool restore_owner_order(OwnerId owner, std::span<const OrderId> ids);

  // Walks every structure and aborts (ERX_ASSERT) on any inconsistency:
  // level totals and counts, FIFO links, bitmap bits, best prices, no crossed
  // book, the id index, owner lists, the expiry set. For tests. Visits only the
  // non-empty levels (through the bitmaps), never the whole ladder:
  // O(non-empty levels + resting orders + owners), plus one pass over the
  // bitmap words (ladder / 64) to check their summaries. See invariants.cpp.
  void check_invariants() const;

 private:
  friend struct OrderBookTestAccess;  // tests/unit/test_book_invariants.cpp corrupts state on purpose

  static constexpr std::uint32_t kNil = UINT32_MAX;

  // One resting order; 64 bytes, one cache line.
  struct alignas(64) OrderNode {
    OrderId id;
    Qty leaves;
    Timestamp expire_at;
    std::uint32_t prev;        // FIFO neighbours within the price level
    std::uint32_t next;
    std::uint32_t owner_prev;  // neighbours in the owner's list (insertion order)
    std::uint32_t owner_next;
    std::uint32_t owner_slot;
    std::uint32_t level;       // ladder index of the order's price
    Side side;
    TimeInForce tif;
    StpMode stp;               // resolved (never OwnerDefault)
  };
  static_assert(sizeof(OrderNode) == 64, "a resting order is one cache line: matching walks them in FIFO order");

  struct Level {
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
    std::uint32_t count = 0;
    Qty total = 0;
  };

  struct Owner {
    OwnerId id = 0;
    StpMode default_stp = StpMode::None;
    std::uint32_t head = kNil;  // oldest order
    std::uint32_t tail = kNil;
    std::uint32_t count[2] = {0, 0};  // resting orders per side
  };

  // The incoming order while it matches (an add, or a modify that lost priority).
  struct Taker {
    OrderId id;
    OwnerId owner;
    std::uint32_t owner_slot;
    Side side;
    StpMode stp;
    Qty leaves;
    Price price;                // as given (reported on the taker's cancel events)
    std::uint32_t limit_level;  // may trade at levels up to (buy) / down to (sell) this index
  };

  [[nodiscard]] OrderView view_of(std::uint32_t node) const;

  // The side's best non-empty level, or kNil.
  [[nodiscard]] std::uint32_t best_level(Side side) const noexcept { return side == Side::Buy ? best_bid_ : best_ask_; }
  // The side's next non-empty level after `level` going away from the best
  // (down for bids, up for asks), or kNil. Uses the bitmaps: no ladder scan.
  [[nodiscard]] std::uint32_t next_worse_level(Side side, std::uint32_t level) const noexcept {
    static_assert(kNil == LevelBitmap::kNone);
    if (side == Side::Buy) return level == 0 ? kNil : bid_levels_.prev_at_or_before(level - 1);
    return ask_levels_.next_at_or_after(level + 1);
  }

  // validation
  Reason validate_new(const NewOrder& o, std::uint32_t known_owner) const;
  Reason validate_price(Price price) const;
  Reason validate_qty(Qty qty) const;
  [[nodiscard]] std::uint32_t level_of(Price price) const noexcept;
  [[nodiscard]] Price price_of(std::uint32_t level) const noexcept;
  [[nodiscard]] std::uint32_t limit_level_for(const NewOrder& o) const noexcept;

  // matching (matching.cpp)
  enum class MatchEnd : std::uint8_t { Done, TakerCancelled };
  MatchEnd match(Taker& taker);
  [[nodiscard]] bool fok_fillable(const Taker& taker) const;
  void trade(Taker& taker, std::uint32_t maker);
  void stp_collide(Taker& taker, std::uint32_t maker, MatchEnd& end);

  // resting orders
  std::uint32_t allocate_node();
  void rest(const Taker& taker, TimeInForce tif, Timestamp expire_at, std::uint32_t node);
  void link_level(std::uint32_t node);
  void unlink_level(std::uint32_t node);
  void link_owner(std::uint32_t node);
  void unlink_owner(std::uint32_t node);
  void remove_order(std::uint32_t node);  // unlinks everything and frees the node
  void move_ladder(Price lo, Price hi);   // rebase_ladder()'s re-indexing, once no order is outside [lo, hi]
  void cancel_node(std::uint32_t node, Reason reason, Qty qty);
  std::optional<std::uint32_t> owner_slot_for(OwnerId owner);  // finds or creates
  template <class Pred>
  std::uint32_t cancel_side_where(Side side, Reason reason, Pred pred);

  // events
  void emit_reject(Request req, OrderId id, Side side, Price price, Qty qty, Reason reason);
  void emit_cancelled(const OrderNode& n, Qty qty, Reason reason);
  void emit_cancelled_taker(const Taker& t, Qty qty, Reason reason);

  BookConfig config_;
  EventSink& sink_;
  Request request_ = Request::Add;  // the request being processed, stamped on its events

  std::vector<OrderNode> nodes_;
  std::uint32_t free_head_ = kNil;  // free list threaded through OrderNode::next
  std::uint32_t open_orders_ = 0;
  IdIndex order_index_;  // OrderId -> node

  std::vector<Level> levels_;
  LevelBitmap bid_levels_;  // bit set = level holds bids
  LevelBitmap ask_levels_;
  std::uint32_t best_bid_ = kNil;
  std::uint32_t best_ask_ = kNil;
  std::uint32_t band_lo_ = 0;  // ladder indices, inclusive
  std::uint32_t band_hi_ = 0;

  std::vector<Owner> owners_;
  IdIndex owner_index_;  // OwnerId + 1 -> owners_ slot

  std::set<std::pair<Timestamp, OrderId>> expiries_;  // GTD orders only
  Timestamp now_ = 0;
};

}  // namespace erx::book
