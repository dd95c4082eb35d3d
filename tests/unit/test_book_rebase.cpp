// Order-book unit tests: rebase_ladder(), the band that also moves the ladder
// (what the Exchange does at listing and at every open-day, docs/EXCHANGE.md
// "Price ladder"). The orders inside the new ladder keep their prices and
// time priority, those outside are cancelled exactly as set_price_band()
// cancels them, the bitmaps and best prices follow, and the book trades,
// modifies, expires and restores as before. Every fixture request runs
// check_invariants().
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

Event out_of_band(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::OutsideNewBand, Request::SetBand);
}

Events rebase(BookFixture& f, Price lo, Price hi) {
  f.rec.take();
  f.book.rebase_ladder(lo, hi);
  f.check();
  return f.rec.take();
}

std::pair<Price, Price> ladder(const BookFixture& f) { return {f.book.config().ladder_min, f.book.config().ladder_max}; }

// Every resting order of a side in priority order, as (id, price, leaves).
struct Resting {
  OrderId id;
  Price price;
  Qty leaves;
  friend bool operator==(const Resting&, const Resting&) = default;
};
std::vector<Resting> queue(const OrderBook& b, Side side) {
  std::vector<Resting> out;
  b.visit(side, [&out](const OrderView& v) { out.push_back({v.id, v.price, v.leaves}); });
  return out;
}

}  // namespace

TEST_CASE("rebase: the ladder moves up past its old top, orders inside keep price and priority",
          "[book][rebase]") {
  BookFixture f;  // ladder [100, 10000], tick 5
  f.rest(buy(1, 1000, 1, 11));
  f.rest(buy(2, 1000, 2, 12));  // behind 1 at 1000
  f.rest(buy(3, 995, 3, 13));
  f.rest(buy(4, 500, 4, 14));   // below the new ladder
  f.rest(sell(5, 1200, 5, 15));
  f.rest(sell(6, 1200, 6, 16));  // behind 5 at 1200
  f.rest(sell(7, 9000, 7, 17));
  f.rest(sell(8, 10'000, 8, 18));  // the old top

  // New ladder [900, 20000]: 1,300 levels shifted down by 160, top far above the old one.
  CHECK(rebase(f, 900, 20'000) == Events{out_of_band(4, 14, Side::Buy, 500, 4)});
  CHECK(ladder(f) == std::pair<Price, Price>{900, 20'000});
  CHECK(f.book.price_band() == std::pair<Price, Price>{900, 20'000});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 3, 2), lv(995, 3, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1200, 11, 2), lv(9000, 7, 1), lv(10'000, 8, 1)});
  CHECK(*f.book.best(Side::Buy) == lv(1000, 3, 2));
  CHECK(*f.book.best(Side::Sell) == lv(1200, 11, 2));
  CHECK(queue(f.book, Side::Buy) == std::vector<Resting>{{1, 1000, 1}, {2, 1000, 2}, {3, 995, 3}});
  CHECK(queue(f.book, Side::Sell) ==
        std::vector<Resting>{{5, 1200, 5}, {6, 1200, 6}, {7, 9000, 7}, {8, 10'000, 8}});
  CHECK(f.book.find(7)->price == 9000);
  CHECK_FALSE(f.live(4));

  // The new ladder's prices are open, the old bottom is not.
  f.rest(sell(9, 20'000, 1, 19));
  f.rest(sell(10, 15'005, 1, 19));
  f.add_rejected(sell(11, 20'005, 1, 19), Reason::PriceOutsideBand);
  f.add_rejected(buy(11, 895, 1, 19), Reason::PriceOutsideBand);
  f.rest(buy(11, 900, 1, 19));

  // Matching after the re-base: price, then time priority as before it.
  const NewOrder t = buy(20, 1200, 8, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 5, 15, 1200, 5, 3, 0), ev_trade(t, 6, 16, 1200, 3, 0, 3)});
  const NewOrder s = sell(21, 995, 4, 2);
  CHECK(f.add(s) == Events{ev_accepted(s), ev_trade(s, 1, 11, 1000, 1, 3, 0), ev_trade(s, 2, 12, 1000, 2, 1, 0),
                           ev_trade(s, 3, 13, 995, 1, 0, 2)});
  // A market buy walks to the new top (the band edge), past the old one.
  const NewOrder m = market(22, Side::Buy, 20, 0, 2);
  CHECK(f.add(m) == Events{ev_accepted(m), ev_trade(m, 6, 16, 1200, 3, 17, 0), ev_trade(m, 7, 17, 9000, 7, 10, 0),
                           ev_trade(m, 8, 18, 10'000, 8, 2, 0), ev_trade(m, 10, 19, 15'005, 1, 1, 0),
                           ev_trade(m, 9, 19, 20'000, 1, 0, 0)});
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(*f.book.best(Side::Buy) == lv(995, 2, 1));
}

TEST_CASE("rebase: the ladder moves below its old bottom, narrows and widens", "[book][rebase]") {
  BookFixture f;  // ladder [100, 10000], tick 5
  f.rest(buy(1, 150, 1, 11));
  f.rest(buy(2, 200, 2, 12).gtd(50));
  f.rest(sell(3, 300, 3, 13));
  f.rest(sell(4, 300, 4, 14).day());

  // Down: [5, 400], 80 levels, below the old bottom.
  CHECK(rebase(f, 5, 400).empty());
  CHECK(ladder(f) == std::pair<Price, Price>{5, 400});
  f.rest(buy(5, 5, 5, 15));
  f.add_rejected(buy(6, 0, 1, 15), Reason::InvalidPrice);
  CHECK(f.depth(Side::Buy) == Levels{lv(200, 2, 1), lv(150, 1, 1), lv(5, 5, 1)});

  // Narrow: [200, 300] cancels the bids below, bids first from the best, then asks.
  CHECK(rebase(f, 200, 300) ==
        Events{out_of_band(1, 11, Side::Buy, 150, 1), out_of_band(5, 15, Side::Buy, 5, 5)});
  CHECK(f.depth(Side::Buy) == Levels{lv(200, 2, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(300, 7, 2)});

  // Wide again, a ladder of exactly max_ladder_levels (2^20) levels.
  const Price top = 5 + 5 * ((Price{1} << 20) - 1);
  CHECK(rebase(f, 5, top).empty());
  CHECK(ladder(f) == std::pair<Price, Price>{5, top});
  f.rest(sell(7, top, 1, 17));
  CHECK(f.depth(Side::Sell) == Levels{lv(300, 7, 2), lv(top, 1, 1)});

  // Modify, expiry, day cancel and mass cancel by owner still find their orders.
  CHECK(f.modify(3, 300, 2) == Events{ev_modified(3, 13, Side::Sell, 300, 3, 2, true)});
  CHECK(f.modify(4, 250, 4) == Events{ev_modified(4, 14, Side::Sell, 250, 4, 4, false)});
  CHECK(*f.book.best(Side::Sell) == lv(250, 4, 1));
  CHECK(f.advance(50) == Events{ev_cancelled(2, 12, Side::Buy, 200, 2, 0, Reason::Expired, Request::AdvanceTime)});
  CHECK(f.cancel_day() == Events{ev_cancelled(4, 14, Side::Sell, 250, 4, 0, Reason::EndOfDay, Request::CancelDay)});
  MassCancelFilter by17;
  by17.owner = 17;
  CHECK(f.mass_cancel(by17) ==
        Events{ev_cancelled(7, 17, Side::Sell, top, 1, 0, Reason::MassCancel, Request::MassCancel)});
  CHECK(queue(f.book, Side::Sell) == std::vector<Resting>{{3, 300, 2}});
}

TEST_CASE("rebase: inside the ladder it gives set_price_band's events, then re-indexes", "[book][rebase]") {
  // Two books with the same orders: one narrows its band, the other moves its
  // ladder onto the same range. Same events, same book seen from outside.
  BookFixture a;
  BookFixture b;
  for (BookFixture* f : {&a, &b}) {
    f->rest(buy(1, 990, 1, 11));
    f->rest(buy(2, 940, 2, 12));
    f->rest(buy(3, 1000, 3, 13));
    f->rest(sell(4, 1260, 4, 14));
    f->rest(sell(5, 1100, 5, 15));
    f->rest(sell(6, 1250, 6, 16));
  }
  const Events expected{out_of_band(2, 12, Side::Buy, 940, 2), out_of_band(4, 14, Side::Sell, 1260, 4)};
  CHECK(a.band(950, 1250) == expected);
  CHECK(rebase(b, 950, 1250) == expected);
  CHECK(a.snapshot() == b.snapshot());
  CHECK(a.book.price_band() == b.book.price_band());
  CHECK(ladder(a) == std::pair<Price, Price>{100, 10'000});
  CHECK(ladder(b) == std::pair<Price, Price>{950, 1250});
  // The same ladder again: nothing to cancel, nothing moves.
  CHECK(rebase(b, 950, 1250).empty());
  CHECK(a.snapshot() == b.snapshot());
}

TEST_CASE("rebase: validation: InvalidBand changes nothing", "[book][rebase][reject]") {
  BookConfig c = default_config();  // ladder [100, 10000], tick 5
  c.limits.max_ladder_levels = 2'000;
  BookFixture f(c);
  f.rest(buy(1, 100, 1, 11));
  f.rest(sell(2, 10'000, 1, 12));
  const BookSnapshot before = f.snapshot();
  const Events invalid{ev_rejected_bare(Request::SetBand, Reason::InvalidBand)};
  CHECK(rebase(f, 1000, 995) == invalid);             // lo > hi
  CHECK(rebase(f, 1002, 2000) == invalid);            // lo off tick
  CHECK(rebase(f, 1000, 2003) == invalid);            // hi off tick
  CHECK(rebase(f, 0, 2000) == invalid);               // no price 0
  CHECK(rebase(f, -5, 2000) == invalid);
  CHECK(rebase(f, 5, 5 + 5 * 2'000) == invalid);      // 2,001 levels, one more than the limit
  CHECK(f.snapshot() == before);
  CHECK(ladder(f) == std::pair<Price, Price>{100, 10'000});
  CHECK(rebase(f, 105, 105 + 5 * 1'999) == Events{out_of_band(1, 11, Side::Buy, 100, 1)});  // 2,000 levels
  CHECK(ladder(f) == std::pair<Price, Price>{105, 10'100});
}

TEST_CASE("rebase: a shift off the 64-level words keeps the bitmaps and best prices right",
          "[book][rebase][large]") {
  BookFixture f(wide_unit_ladder_config());  // levels 0 .. 2^18 - 1, price = level + 1
  // Prices on and around word boundaries of every layer; bids below 100,000, asks above.
  const std::vector<Price> bids{64, 65, 128, 4096, 4097, 8192, 65'536, 65'537, 99'999};
  const std::vector<Price> asks{100'001, 131'072, 131'073, 200'000, 262'143, 262'144};
  OrderId id = 1;
  std::map<Price, OrderId> bid_at, ask_at;
  for (Price p : bids) {
    f.rest(buy(id, p, 1, 1));
    bid_at[p] = id++;
  }
  for (Price p : asks) {
    f.rest(sell(id, p, 1, 1));
    ask_at[p] = id++;
  }
  // Up by 37 levels and 64 + 37 more at the top: every order keeps its price.
  CHECK(rebase(f, 38, (1 << 18) + 101).empty());
  CHECK(f.depth(Side::Buy, 64).size() == bids.size());
  CHECK(f.depth(Side::Sell, 64).size() == asks.size());
  // Take the best away repeatedly: each next best is found through the new bitmaps.
  for (auto it = bid_at.rbegin(); it != bid_at.rend(); ++it) {
    REQUIRE(f.book.best(Side::Buy).has_value());
    CHECK(f.book.best(Side::Buy)->price == it->first);
    CHECK(f.cancel(it->second).size() == 1);
  }
  CHECK_FALSE(f.book.best(Side::Buy).has_value());
  // Down again by 37 levels, to price 1: the asks are still found in order.
  CHECK(rebase(f, 1, (1 << 18) + 101).empty());
  for (const auto& [price, oid] : ask_at) {
    REQUIRE(f.book.best(Side::Sell).has_value());
    CHECK(f.book.best(Side::Sell)->price == price);
    CHECK(f.cancel(oid).size() == 1);
  }
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("rebase: a re-based book restores into a fresh book built with the new ladder",
          "[book][rebase][restore]") {
  BookFixture f;  // ladder [100, 10000], tick 5
  f.rest(buy(1, 9000, 1, 11));
  f.rest(buy(2, 9000, 2, 12));
  f.add_rejected(sell(3, 12'000, 3, 11), Reason::PriceOutsideBand);  // above the ladder, for now
  CHECK(rebase(f, 8000, 14'000).empty());
  f.rest(sell(3, 12'000, 3, 11));
  f.rest(sell(4, 13'995, 4, 13).gtd(99));

  BookConfig c = default_config();
  c.ladder_min = f.book.config().ladder_min;
  c.ladder_max = f.book.config().ladder_max;
  Recorder rec;
  OrderBook back(c, rec);
  const auto [lo, hi] = f.book.price_band();
  REQUIRE(back.restore_clock(f.book.now(), lo, hi));
  f.book.visit_owners([&](OwnerId o, StpMode m) { REQUIRE(back.restore_owner(o, m)); });
  for (Side s : {Side::Buy, Side::Sell}) f.book.visit(s, [&](const OrderView& v) { REQUIRE(back.insert_resting(v)); });
  f.book.visit_owners([&](OwnerId o, StpMode) {
    std::vector<OrderId> ids;
    f.book.visit_owner_orders(o, [&ids](OrderId id) { ids.push_back(id); });
    REQUIRE(back.restore_owner_order(o, ids));
  });
  back.check_invariants();
  CHECK(rec.all().empty());
  for (Side s : {Side::Buy, Side::Sell}) CHECK(queue(back, s) == queue(f.book, s));

  // A saved order outside the band is refused, as no live book could hold it.
  Recorder rec2;
  OrderBook narrow(default_config(), rec2);
  REQUIRE(narrow.restore_clock(0, 1000, 2000));
  REQUIRE(narrow.restore_owner(11, StpMode::None));
  CHECK_FALSE(narrow.insert_resting(OrderView{1, 11, Side::Buy, TimeInForce::Gtc, StpMode::None, 995, 1, 0}));
  CHECK(narrow.insert_resting(OrderView{1, 11, Side::Buy, TimeInForce::Gtc, StpMode::None, 1000, 1, 0}));
  narrow.check_invariants();
}
