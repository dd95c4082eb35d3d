#pragma once
// ReferenceBook: a deliberately simple model of the order book, written from
// docs/ORDER_BOOK.md alone, for the differential test. It has the same request
// and query API as erx::book::OrderBook and must emit the same event stream.
//
// Design (simple over fast, but fast enough for millions of requests):
//   * every live (resting) order sits in one std::map keyed by its id;
//   * time priority is a global arrival number `seq` handed out whenever an
//     order (re)joins the back of a level;
//   * each side is one std::set of (priority price, seq, id), i.e. the whole side
//     already in matching order: its first element is the best maker, iterating
//     it walks "best price outward, FIFO within a level";
//   * everything else (owner order, expiries, band cuts, levels for best/depth)
//     is computed on demand by scanning, sorting and summing.
//
// Interpretations of the doc (where it leaves room) are marked "Reading:" in the
// .cpp file.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/book/book_types.hpp"
#include "engine/book/order_book.hpp"

namespace erx::test {

class ReferenceBook {
 public:
  // Deliberate bugs, only for proving that the differential harness notices a
  // wrong book (tests/property/test_comparator.cpp). Never used otherwise.
  enum class Fault : std::uint8_t {
    None = 0,
    LifoWithinLevel = 1,  // newest order first within a price level
  };

  // Throws std::invalid_argument for an inconsistent configuration.
  ReferenceBook(const book::BookConfig& config, book::EventSink& sink, Fault fault = Fault::None);

  ReferenceBook(const ReferenceBook&) = delete;
  ReferenceBook& operator=(const ReferenceBook&) = delete;

  // --- requests (same signatures as erx::book::OrderBook) ---
  void add(const book::NewOrder& order);
  void cancel(book::OrderId id);
  void modify(book::OrderId id, Price new_price, Qty new_qty);
  std::uint32_t mass_cancel(const book::MassCancelFilter& filter);
  std::uint32_t cancel_day_orders();
  void advance_time(book::Timestamp now);
  void set_price_band(Price lo, Price hi);
  void rebase_ladder(Price lo, Price hi);
  book::Reason set_owner_stp(book::OwnerId owner, book::StpMode mode);

  // --- queries ---
  [[nodiscard]] std::optional<book::LevelView> best(book::Side side) const;
  std::size_t depth(book::Side side, std::span<book::LevelView> out) const;
  [[nodiscard]] std::optional<book::OrderView> find(book::OrderId id) const;
  [[nodiscard]] std::uint32_t open_orders() const noexcept {
    return static_cast<std::uint32_t>(orders_.size());
  }
  [[nodiscard]] book::Timestamp now() const noexcept { return now_; }
  [[nodiscard]] std::pair<Price, Price> price_band() const noexcept { return {band_lo_, band_hi_}; }
  [[nodiscard]] const book::BookConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::size_t known_owners() const noexcept { return owner_stp_.size(); }

  // The model's own consistency (map vs priority sets, band, tick, lot, not
  // crossed). Throws std::logic_error on a violation. O(book size).
  void check_invariants() const;

 private:
  struct Order {
    book::OrderId id = 0;
    book::OwnerId owner = 0;
    book::Side side = book::Side::Buy;
    book::TimeInForce tif = book::TimeInForce::Gtc;
    book::StpMode stp = book::StpMode::None;  // resolved
    Price price = 0;
    Qty leaves = 0;
    book::Timestamp expire_at = 0;  // Gtd only, else 0
    std::uint64_t accepted = 0;     // order of first acceptance (mass cancel by owner)
    std::uint64_t seq = 0;          // time priority: arrival at the back of its level
  };

  // (price key, seq key, id): ascending order is priority order.
  using PriorityKey = std::tuple<Price, std::int64_t, book::OrderId>;

  // The incoming order while it matches (a new order, or a modify that lost priority).
  struct Taker {
    book::OrderId id = 0;
    book::OwnerId owner = 0;
    book::Side side = book::Side::Buy;
    book::StpMode stp = book::StpMode::None;
    Price price = 0;  // as given; reported on the taker's cancel events
    Price limit = 0;  // trades while the maker's price is within this
    Qty leaves = 0;
  };

  [[nodiscard]] PriorityKey key_of(const Order& o) const;
  [[nodiscard]] std::set<PriorityKey>& side_set(book::Side s) {
    return s == book::Side::Buy ? bids_ : asks_;
  }
  [[nodiscard]] const std::set<PriorityKey>& side_set(book::Side s) const {
    return s == book::Side::Buy ? bids_ : asks_;
  }

  [[nodiscard]] book::Reason check_qty(Qty qty) const;
  [[nodiscard]] book::Reason check_limit_price(Price price) const;
  [[nodiscard]] book::Reason validate_new(const book::NewOrder& o) const;
  [[nodiscard]] bool within_limit(const Taker& t, Price maker_price) const;
  [[nodiscard]] bool fok_fillable(const Taker& t, Qty qty) const;

  // Returns true when STP cancelled the taker (it must neither rest nor get a remainder event).
  bool match(Taker& t);
  void rest(Order o);                       // joins the back of its level
  void remove(book::OrderId id);            // from the map and its side set
  void cancel_resting(book::OrderId id, book::Reason reason);  // whole leaves
  // Ids of one side in priority order (best price outward, FIFO within a level).
  [[nodiscard]] std::vector<book::OrderId> side_in_priority(book::Side s) const;
  void note_owner(book::OwnerId owner);

  void emit(const book::Event& e);
  void emit_reject(book::OrderId id, book::Side side, Price price, Qty qty, book::Reason reason);
  void emit_cancelled(book::OrderId id, book::OwnerId owner, book::Side side, Price price, Qty qty,
                      Qty leaves, book::Reason reason);

  book::BookConfig config_;
  book::EventSink& sink_;
  Fault fault_;

  std::map<book::OrderId, Order> orders_;  // resting orders only
  std::set<PriorityKey> bids_;
  std::set<PriorityKey> asks_;
  std::map<book::OwnerId, book::StpMode> owner_stp_;  // every owner ever seen, with its default

  std::uint64_t next_seq_ = 1;
  std::uint64_t next_accepted_ = 1;
  book::Request request_ = book::Request::Add;  // the request being processed
  book::Timestamp now_ = 0;
  Price band_lo_ = 0;
  Price band_hi_ = 0;
};

}  // namespace erx::test
