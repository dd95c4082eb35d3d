// Order-book unit tests: add() — resting, crossing, price-time priority, level
// cleanup, market orders, and every add/request reject reason.
// Expectations come from docs/ORDER_BOOK.md and the field table in book_types.hpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

// ====================================================================== resting

TEST_CASE("add: a limit order on an empty book rests with only Accepted", "[book][add]") {
  BookFixture f;
  const NewOrder b = buy(1, 1000, 10, 7);
  CHECK(f.add(b) == Events{ev_accepted(b)});

  REQUIRE(f.book.best(Side::Buy).has_value());
  CHECK(*f.book.best(Side::Buy) == lv(1000, 10, 1));
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.book.open_orders() == 1);

  const auto v = f.book.find(1);
  REQUIRE(v.has_value());
  CHECK(v->id == 1);
  CHECK(v->owner == 7);
  CHECK(v->side == Side::Buy);
  CHECK(v->tif == TimeInForce::Gtc);
  CHECK(v->stp == StpMode::None);  // never-set owner default resolves to None
  CHECK(v->price == 1000);
  CHECK(v->leaves == 10);

  const NewOrder s = sell(2, 1005, 4, 8).day();
  CHECK(f.add(s) == Events{ev_accepted(s)});
  CHECK(*f.book.best(Side::Sell) == lv(1005, 4, 1));
  CHECK(f.book.find(2)->tif == TimeInForce::Day);
  CHECK(f.book.open_orders() == 2);
}

TEST_CASE("add: orders at the same price aggregate into one level", "[book][add]") {
  BookFixture f;
  f.rest(sell(1, 1200, 3));
  f.rest(sell(2, 1200, 4, 2));
  f.rest(sell(3, 1100, 5, 3));
  f.rest(buy(4, 1000, 6));
  f.rest(buy(5, 1000, 1, 2));
  f.rest(buy(6, 990, 2));
  CHECK(f.depth(Side::Sell) == Levels{lv(1100, 5, 1), lv(1200, 7, 2)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 7, 2), lv(990, 2, 1)});
  CHECK(f.book.open_orders() == 6);
}

// ====================================================================== crossing

TEST_CASE("add: a crossing buy trades at the resting ask's price (price improvement)", "[book][add][match]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, 1));
  const NewOrder t = buy(2, 1050, 5, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 1, 1000, 5, 0, 0)});
  CHECK_FALSE(f.book.best(Side::Buy).has_value());
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.book.open_orders() == 0);
  CHECK_FALSE(f.live(1));
  CHECK_FALSE(f.live(2));
}

TEST_CASE("add: a crossing sell trades at the resting bid's price (price improvement)", "[book][add][match]") {
  BookFixture f;
  f.rest(buy(1, 1000, 5, 1));
  const NewOrder t = sell(2, 900, 3, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 1, 1000, 3, 0, 2)});
  CHECK(*f.book.best(Side::Buy) == lv(1000, 2, 1));
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.leaves(1) == 2);
  CHECK_FALSE(f.live(2));
}

TEST_CASE("add: a buy walks several ask levels and partially fills the last maker", "[book][add][match]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 4, 12));
  f.rest(sell(3, 1010, 5, 13));
  f.rest(sell(4, 1020, 9, 14));
  const NewOrder t = buy(10, 1010, 10, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 3, 7, 0),
                        ev_trade(t, 2, 12, 1005, 4, 3, 0),
                        ev_trade(t, 3, 13, 1010, 3, 0, 2),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 2, 1), lv(1020, 9, 1)});
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.leaves(3) == 2);
  CHECK_FALSE(f.live(1));
  CHECK_FALSE(f.live(2));
  CHECK_FALSE(f.live(10));
  CHECK(f.book.open_orders() == 2);
}

TEST_CASE("add: a sell walks several bid levels from the highest down", "[book][add][match]") {
  BookFixture f;
  f.rest(buy(1, 990, 3, 11));
  f.rest(buy(2, 1000, 4, 12));
  f.rest(buy(3, 995, 5, 13));
  const NewOrder t = sell(10, 990, 11, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 2, 12, 1000, 4, 7, 0),
                        ev_trade(t, 3, 13, 995, 5, 2, 0),
                        ev_trade(t, 1, 11, 990, 2, 0, 1),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(990, 1, 1)});
}

TEST_CASE("add: the taker's limit stops the walk and the remainder rests at the limit", "[book][add][match]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1010, 5, 12));
  const NewOrder t = buy(10, 1005, 6, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 3, 3, 0)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1005, 3, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 5, 1)});
  const auto v = f.book.find(10);
  REQUIRE(v.has_value());
  CHECK(v->price == 1005);
  CHECK(v->leaves == 3);
  CHECK(v->side == Side::Buy);
}

TEST_CASE("add: a limit exactly at the best opposite price trades - one tick short does not", "[book][add][match]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, 11));
  const NewOrder miss = buy(2, 995, 5, 2);
  CHECK(f.add(miss) == Events{ev_accepted(miss)});
  const NewOrder hit = buy(3, 1000, 5, 2);
  CHECK(f.add(hit) == Events{ev_accepted(hit), ev_trade(hit, 1, 11, 1000, 5, 0, 0)});
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 5, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

// ====================================================================== priority

TEST_CASE("add: FIFO within a price level", "[book][add][priority]") {
  BookFixture f;
  f.rest(sell(1, 1000, 2, 11));
  f.rest(sell(2, 1000, 3, 12));
  f.rest(sell(3, 1000, 4, 13));
  const NewOrder t = buy(10, 1000, 4, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 2, 2, 0),
                        ev_trade(t, 2, 12, 1000, 2, 0, 1),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 5, 2)});
  // The partially filled maker keeps its place at the head.
  const NewOrder t2 = buy(11, 1000, 2, 2);
  CHECK(f.add(t2) == Events{
                         ev_accepted(t2),
                         ev_trade(t2, 2, 12, 1000, 1, 1, 0),
                         ev_trade(t2, 3, 13, 1000, 1, 0, 3),
                     });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 3, 1)});
}

TEST_CASE("add: a better price trades first regardless of arrival time", "[book][add][priority]") {
  BookFixture f;
  f.rest(sell(1, 1010, 5, 11));
  f.rest(sell(2, 1005, 5, 12));
  f.rest(sell(3, 1000, 5, 13));
  f.rest(sell(4, 1005, 5, 14));
  const NewOrder t = buy(10, 1010, 12, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 3, 13, 1000, 5, 7, 0),
                        ev_trade(t, 2, 12, 1005, 5, 2, 0),
                        ev_trade(t, 4, 14, 1005, 2, 0, 3),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 3, 1), lv(1010, 5, 1)});

  // Bids: the highest first.
  f.rest(buy(20, 900, 1, 21));
  f.rest(buy(21, 950, 1, 22));
  f.rest(buy(22, 950, 1, 23));
  const NewOrder s = sell(30, 100, 3, 2).ioc();
  CHECK(f.add(s) == Events{
                        ev_accepted(s),
                        ev_trade(s, 21, 22, 950, 1, 2, 0),
                        ev_trade(s, 22, 23, 950, 1, 1, 0),
                        ev_trade(s, 20, 21, 900, 1, 0, 0),
                    });
  CHECK(f.depth(Side::Buy).empty());
}

TEST_CASE("add: a partially filled taker rests and later orders queue behind it", "[book][add][priority]") {
  BookFixture f;
  f.rest(sell(1, 1005, 3, 11));
  f.rest(buy(2, 1000, 2, 12));
  const NewOrder t = buy(3, 1005, 8, 13);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1005, 3, 5, 0)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1005, 5, 1), lv(1000, 2, 1)});
  f.rest(buy(4, 1005, 1, 14));
  CHECK(f.depth(Side::Buy) == Levels{lv(1005, 6, 2), lv(1000, 2, 1)});
  const NewOrder s = sell(5, 1000, 7, 15);
  CHECK(f.add(s) == Events{
                        ev_accepted(s),
                        ev_trade(s, 3, 13, 1005, 5, 2, 0),
                        ev_trade(s, 4, 14, 1005, 1, 1, 0),
                        ev_trade(s, 2, 12, 1000, 1, 0, 1),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 1, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

// ====================================================================== level cleanup

TEST_CASE("add: the best bid moves to the next level when the best level empties (trade and cancel)",
          "[book][add][levels]") {
  BookFixture f;
  f.rest(buy(1, 1000, 2, 11));
  f.rest(buy(2, 995, 3, 12));
  f.rest(buy(3, 990, 4, 13));
  f.rest(buy(4, 900, 1, 14));
  CHECK(*f.book.best(Side::Buy) == lv(1000, 2, 1));

  const NewOrder s = sell(10, 1000, 2, 2);
  CHECK(f.add(s) == Events{ev_accepted(s), ev_trade(s, 1, 11, 1000, 2, 0, 0)});
  CHECK(*f.book.best(Side::Buy) == lv(995, 3, 1));
  CHECK_FALSE(f.book.best(Side::Sell).has_value());

  CHECK(f.cancel(2) == Events{ev_cancelled(2, 12, Side::Buy, 995, 3, 0, Reason::UserCancel, Request::Cancel)});
  CHECK(*f.book.best(Side::Buy) == lv(990, 4, 1));
  CHECK(f.depth(Side::Buy) == Levels{lv(990, 4, 1), lv(900, 1, 1)});

  // A level in the middle emptying leaves best untouched and disappears from depth.
  f.rest(buy(5, 950, 6, 15));
  CHECK(f.cancel(5).size() == 1);
  CHECK(f.depth(Side::Buy) == Levels{lv(990, 4, 1), lv(900, 1, 1)});

  CHECK(f.cancel(3).size() == 1);
  CHECK(*f.book.best(Side::Buy) == lv(900, 1, 1));
  CHECK(f.cancel(4).size() == 1);
  CHECK_FALSE(f.book.best(Side::Buy).has_value());
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.book.open_orders() == 0);

  // The emptied levels can be reused.
  f.rest(buy(6, 1000, 1, 16));
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 1, 1)});
}

TEST_CASE("add: the best ask moves to the next level when the best level empties (trade and cancel)",
          "[book][add][levels]") {
  BookFixture f;
  f.rest(sell(1, 1100, 2, 11));
  f.rest(sell(2, 1105, 3, 12));
  f.rest(sell(3, 1110, 4, 13));
  f.rest(sell(4, 2000, 1, 14));

  const NewOrder b = buy(10, 1100, 2, 2);
  CHECK(f.add(b) == Events{ev_accepted(b), ev_trade(b, 1, 11, 1100, 2, 0, 0)});
  CHECK(*f.book.best(Side::Sell) == lv(1105, 3, 1));

  CHECK(f.cancel(2) == Events{ev_cancelled(2, 12, Side::Sell, 1105, 3, 0, Reason::UserCancel, Request::Cancel)});
  CHECK(*f.book.best(Side::Sell) == lv(1110, 4, 1));

  const NewOrder b2 = buy(11, 1110, 4, 2);
  CHECK(f.add(b2) == Events{ev_accepted(b2), ev_trade(b2, 3, 13, 1110, 4, 0, 0)});
  CHECK(*f.book.best(Side::Sell) == lv(2000, 1, 1));
  CHECK(f.cancel(4).size() == 1);
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("add: a level with several orders empties only when its last order goes", "[book][add][levels]") {
  BookFixture f;
  f.rest(sell(1, 1000, 1, 11));
  f.rest(sell(2, 1000, 1, 12));
  f.rest(sell(3, 1005, 1, 13));
  CHECK(f.cancel(1).size() == 1);
  CHECK(*f.book.best(Side::Sell) == lv(1000, 1, 1));
  const NewOrder b = buy(10, 1000, 1, 2);
  CHECK(f.add(b) == Events{ev_accepted(b), ev_trade(b, 2, 12, 1000, 1, 0, 0)});
  CHECK(*f.book.best(Side::Sell) == lv(1005, 1, 1));
}

// ====================================================================== market orders

TEST_CASE("market: a buy with protection 0 trades through every level up to the band edge", "[book][market]") {
  BookFixture f;  // band = ladder = [100, 10000]
  f.rest(sell(1, 1000, 2, 11));
  f.rest(sell(2, 5000, 3, 12));
  f.rest(sell(3, 10'000, 4, 13));  // exactly at hi
  const NewOrder m = market(10, Side::Buy, 20, 0, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 2, 18, 0),
                        ev_trade(m, 2, 12, 5000, 3, 15, 0),
                        ev_trade(m, 3, 13, 10'000, 4, 11, 0),
                        ev_cancelled(10, 2, Side::Buy, 0, 11, 0, Reason::MarketRemainder, Request::Add),
                    });
  CHECK(f.book.open_orders() == 0);
  CHECK_FALSE(f.live(10));
  CHECK(f.depth(Side::Buy).empty());
}

TEST_CASE("market: a sell with protection 0 trades down to the band's low edge", "[book][market]") {
  BookFixture f;
  f.rest(buy(1, 100, 4, 11));  // exactly at lo
  f.rest(buy(2, 5000, 3, 12));
  const NewOrder m = market(10, Side::Sell, 5, 0, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 2, 12, 5000, 3, 2, 0),
                        ev_trade(m, 1, 11, 100, 2, 0, 2),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(100, 2, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("market: protection 0 means the current band edge after a band change", "[book][market]") {
  BookFixture f;
  CHECK(f.band(500, 1500).empty());
  f.rest(sell(1, 1000, 2, 11));
  f.rest(sell(2, 1500, 3, 12));
  f.rest(buy(3, 500, 1, 13));
  const NewOrder m = market(10, Side::Buy, 9, 0, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 2, 7, 0),
                        ev_trade(m, 2, 12, 1500, 3, 4, 0),
                        ev_cancelled(10, 2, Side::Buy, 0, 4, 0, Reason::MarketRemainder, Request::Add),
                    });
  const NewOrder s = market(11, Side::Sell, 1, 0, 2);
  CHECK(f.add(s) == Events{ev_accepted(s), ev_trade(s, 3, 13, 500, 1, 0, 0)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("market: a buy at its protection limit trades liquidity AT the limit, not one tick beyond",
          "[book][market]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 4, 12));
  const NewOrder m = market(10, Side::Buy, 10, 1000, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 3, 7, 0),
                        ev_cancelled(10, 2, Side::Buy, 1000, 7, 0, Reason::MarketRemainder, Request::Add),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 4, 1)});
  CHECK(f.depth(Side::Buy).empty());  // a market order never rests
  CHECK(f.book.open_orders() == 1);
}

TEST_CASE("market: a sell at its protection limit trades liquidity AT the limit, not one tick beyond",
          "[book][market]") {
  BookFixture f;
  f.rest(buy(1, 1000, 3, 11));
  f.rest(buy(2, 995, 4, 12));
  const NewOrder m = market(10, Side::Sell, 10, 1000, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 3, 7, 0),
                        ev_cancelled(10, 2, Side::Sell, 1000, 7, 0, Reason::MarketRemainder, Request::Add),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 4, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("market: protection limit beyond the best price walks levels up to it", "[book][market]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 4, 12));
  f.rest(sell(3, 1010, 5, 13));
  const NewOrder m = market(10, Side::Buy, 10, 1005, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 3, 7, 0),
                        ev_trade(m, 2, 12, 1005, 4, 3, 0),
                        ev_cancelled(10, 2, Side::Buy, 1005, 3, 0, Reason::MarketRemainder, Request::Add),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 5, 1)});
}

TEST_CASE("market: fully filled market order emits no remainder event", "[book][market]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, 11));
  const NewOrder m = market(10, Side::Buy, 5, 0, 2);
  CHECK(f.add(m) == Events{ev_accepted(m), ev_trade(m, 1, 11, 1000, 5, 0, 0)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("market: on an empty side the whole quantity is cancelled as MarketRemainder", "[book][market]") {
  BookFixture f;
  f.rest(buy(1, 1000, 5, 11));  // same side only
  const NewOrder m = market(10, Side::Buy, 6, 0, 2);
  CHECK(f.add(m) == Events{ev_accepted(m),
                           ev_cancelled(10, 2, Side::Buy, 0, 6, 0, Reason::MarketRemainder, Request::Add)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 5, 1)});
  CHECK(f.book.open_orders() == 1);
}

TEST_CASE("market: FOK market fills fully or is rejected", "[book][market][fok]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 4, 12));
  f.add_rejected(market(9, Side::Buy, 8, 0, 2).fok(), Reason::FokNotFillable);
  f.add_rejected(market(9, Side::Buy, 4, 1000, 2).fok(), Reason::FokNotFillable);
  const NewOrder m = market(10, Side::Buy, 7, 0, 2).fok();
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 1, 11, 1000, 3, 4, 0),
                        ev_trade(m, 2, 12, 1005, 4, 0, 0),
                    });
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("market: a market order with Day, Gtc or Gtd is rejected InvalidTimeInForce", "[book][market][reject]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.add_rejected(market(10, Side::Buy, 1, 0, 2).day(), Reason::InvalidTimeInForce);
  f.add_rejected(market(10, Side::Buy, 1, 0, 2).tif(TimeInForce::Gtc), Reason::InvalidTimeInForce);
  f.add_rejected(market(10, Side::Buy, 1, 0, 2).gtd(1'000'000), Reason::InvalidTimeInForce);
  f.add_rejected(market(10, Side::Sell, 1, 1000, 2).day(), Reason::InvalidTimeInForce);
  // and the same ids are still free
  const NewOrder m = market(10, Side::Buy, 1, 0, 2);
  CHECK(f.add(m) == Events{ev_accepted(m), ev_trade(m, 1, 11, 1000, 1, 0, 2)});
}

TEST_CASE("market: protection price is validated like a limit price", "[book][market][reject]") {
  BookFixture f;
  CHECK(f.band(500, 1500).empty());
  f.add_rejected(market(10, Side::Buy, 1, -5), Reason::InvalidPrice);
  f.add_rejected(market(10, Side::Buy, 1, -3), Reason::InvalidPrice);
  f.add_rejected(market(10, Side::Buy, 1, 1002), Reason::OffTickPrice);
  f.add_rejected(market(10, Side::Buy, 1, 1505), Reason::PriceOutsideBand);
  f.add_rejected(market(10, Side::Sell, 1, 495), Reason::PriceOutsideBand);
  const NewOrder ok_hi = market(11, Side::Buy, 1, 1500);
  CHECK(f.add(ok_hi) == Events{ev_accepted(ok_hi), ev_cancelled(ok_hi, 1, Reason::MarketRemainder)});
  const NewOrder ok_lo = market(12, Side::Sell, 1, 500);
  CHECK(f.add(ok_lo) == Events{ev_accepted(ok_lo), ev_cancelled(ok_lo, 1, Reason::MarketRemainder)});
}

// ====================================================================== rejects

namespace {

// tick 5, lot 10, max order qty 1000, ladder [100, 10000].
BookConfig reject_config() {
  BookConfig c = default_config();
  c.lot = 10;
  c.limits.max_order_qty = 1000;
  return c;
}

}  // namespace

TEST_CASE("reject: reason codes are the documented stable numbers", "[book][reject]") {
  auto code = [](Reason r) { return static_cast<unsigned>(r); };
  CHECK(code(Reason::None) == 0);
  CHECK(code(Reason::InvalidOrderId) == 1);
  CHECK(code(Reason::DuplicateOrderId) == 2);
  CHECK(code(Reason::UnknownOrderId) == 3);
  CHECK(code(Reason::InvalidSide) == 4);
  CHECK(code(Reason::InvalidOrderType) == 5);
  CHECK(code(Reason::InvalidTimeInForce) == 6);
  CHECK(code(Reason::InvalidStpMode) == 7);
  CHECK(code(Reason::InvalidQuantity) == 8);
  CHECK(code(Reason::QuantityTooLarge) == 9);
  CHECK(code(Reason::OffLotQuantity) == 10);
  CHECK(code(Reason::InvalidPrice) == 11);
  CHECK(code(Reason::OffTickPrice) == 12);
  CHECK(code(Reason::PriceOutsideBand) == 13);
  CHECK(code(Reason::ExpiredOnEntry) == 14);
  CHECK(code(Reason::BookFull) == 15);
  CHECK(code(Reason::TooManyOwners) == 16);
  CHECK(code(Reason::FokNotFillable) == 17);
  CHECK(code(Reason::InvalidBand) == 18);
  CHECK(code(Reason::TimeWentBackwards) == 19);
  CHECK(code(Reason::UserCancel) == 100);
  CHECK(code(Reason::IocRemainder) == 101);
  CHECK(code(Reason::MarketRemainder) == 102);
  CHECK(code(Reason::StpCancelTaker) == 103);
  CHECK(code(Reason::StpCancelMaker) == 104);
  CHECK(code(Reason::StpCancelBoth) == 105);
  CHECK(code(Reason::StpDecrement) == 106);
  CHECK(code(Reason::MassCancel) == 107);
  CHECK(code(Reason::Expired) == 108);
  CHECK(code(Reason::EndOfDay) == 109);
  CHECK(code(Reason::OutsideNewBand) == 110);
}

TEST_CASE("reject: InvalidOrderId for id 0, before any other check", "[book][reject]") {
  BookFixture f(reject_config());
  f.rest(buy(1, 1000, 100));
  f.add_rejected(buy(0, 1000, 100), Reason::InvalidOrderId);
  f.add_rejected(sell(0, 1000, 100), Reason::InvalidOrderId);
  f.add_rejected(buy(0, 0, 0).side(static_cast<Side>(9)).type(static_cast<OrderType>(9)), Reason::InvalidOrderId);
  f.add_rejected(market(0, Side::Buy, 100).fok(), Reason::InvalidOrderId);
}

TEST_CASE("reject: DuplicateOrderId for a live id on either side - filled or cancelled ids are reusable",
          "[book][reject]") {
  BookFixture f(reject_config());
  f.rest(buy(1, 1000, 100, 1));
  f.rest(sell(2, 1100, 100, 2));
  f.add_rejected(buy(1, 995, 10, 1), Reason::DuplicateOrderId);
  f.add_rejected(sell(1, 1200, 10, 3), Reason::DuplicateOrderId);  // the other side
  f.add_rejected(buy(2, 900, 10, 2), Reason::DuplicateOrderId);
  f.add_rejected(market(2, Side::Buy, 10, 0, 3), Reason::DuplicateOrderId);
  // check 2 comes before checks 3..12
  f.add_rejected(buy(1, -5, 0).side(static_cast<Side>(7)), Reason::DuplicateOrderId);

  // Fill order 2 completely: its id becomes free.
  const NewOrder t = buy(3, 1100, 100, 4);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 2, 2, 1100, 100, 0, 0)});
  CHECK_FALSE(f.live(2));
  const NewOrder reuse = sell(2, 1200, 20, 5);
  CHECK(f.add(reuse) == Events{ev_accepted(reuse)});
  CHECK(f.book.find(2)->owner == 5);

  // The taker id of a fully filled incoming order was never live afterwards either.
  CHECK_FALSE(f.live(3));
  const NewOrder reuse3 = buy(3, 900, 10, 6);
  CHECK(f.add(reuse3) == Events{ev_accepted(reuse3)});

  // A cancelled id is reusable.
  CHECK(f.cancel(1).size() == 1);
  const NewOrder reuse1 = sell(1, 1300, 10, 7);
  CHECK(f.add(reuse1) == Events{ev_accepted(reuse1)});

  // An IOC remainder's id is reusable.
  const NewOrder ioc = buy(50, 950, 10, 8).ioc();
  CHECK(f.add(ioc) == Events{ev_accepted(ioc), ev_cancelled(ioc, 10, Reason::IocRemainder)});
  const NewOrder reuse50 = buy(50, 950, 10, 8);
  CHECK(f.add(reuse50) == Events{ev_accepted(reuse50)});
}

TEST_CASE("reject: InvalidSide / InvalidOrderType / InvalidTimeInForce / InvalidStpMode for out-of-range values",
          "[book][reject]") {
  BookFixture f(reject_config());
  f.rest(buy(1, 1000, 100));
  f.add_rejected(buy(5, 1000, 100).side(static_cast<Side>(2)), Reason::InvalidSide);
  f.add_rejected(buy(5, 1000, 100).side(static_cast<Side>(255)), Reason::InvalidSide);
  // side (3) is checked before type (4)
  f.add_rejected(buy(5, 1000, 100).side(static_cast<Side>(2)).type(static_cast<OrderType>(2)), Reason::InvalidSide);

  f.add_rejected(buy(5, 1000, 100).type(static_cast<OrderType>(2)), Reason::InvalidOrderType);
  f.add_rejected(buy(5, 1000, 100).type(static_cast<OrderType>(200)), Reason::InvalidOrderType);
  // type (4) before tif (5)
  f.add_rejected(buy(5, 1000, 100).type(static_cast<OrderType>(2)).tif(static_cast<TimeInForce>(9)),
                 Reason::InvalidOrderType);

  f.add_rejected(buy(5, 1000, 100).tif(static_cast<TimeInForce>(5)), Reason::InvalidTimeInForce);
  f.add_rejected(buy(5, 1000, 100).tif(static_cast<TimeInForce>(255)), Reason::InvalidTimeInForce);
  // tif (5) before stp (6)
  f.add_rejected(buy(5, 1000, 100).tif(static_cast<TimeInForce>(5)).stp(static_cast<StpMode>(6)),
                 Reason::InvalidTimeInForce);
  f.add_rejected(market(5, Side::Sell, 100).day().stp(static_cast<StpMode>(6)), Reason::InvalidTimeInForce);

  f.add_rejected(buy(5, 1000, 100).stp(static_cast<StpMode>(6)), Reason::InvalidStpMode);
  f.add_rejected(buy(5, 1000, 100).stp(static_cast<StpMode>(255)), Reason::InvalidStpMode);
  // stp (6) before quantity (7)
  f.add_rejected(buy(5, 1000, 0).stp(static_cast<StpMode>(6)), Reason::InvalidStpMode);

  // Every valid StpMode value is accepted.
  OrderId id = 10;
  for (StpMode m : {StpMode::OwnerDefault, StpMode::None, StpMode::CancelTaker, StpMode::CancelMaker,
                    StpMode::CancelBoth, StpMode::Decrement}) {
    const NewOrder o = buy(id++, 900, 10).stp(m);
    CHECK(f.add(o) == Events{ev_accepted(o)});
  }
}

TEST_CASE("reject: quantity checks (InvalidQuantity, QuantityTooLarge at max + lot, OffLotQuantity)",
          "[book][reject]") {
  BookFixture f(reject_config());  // lot 10, max 1000
  f.rest(sell(1, 2000, 100));
  f.add_rejected(buy(5, 1000, 0), Reason::InvalidQuantity);
  f.add_rejected(buy(5, 1000, -10), Reason::InvalidQuantity);
  f.add_rejected(buy(5, 1000, -1), Reason::InvalidQuantity);
  f.add_rejected(market(5, Side::Buy, 0), Reason::InvalidQuantity);
  // quantity (7) before price (8)
  f.add_rejected(buy(5, 0, 0), Reason::InvalidQuantity);

  f.add_rejected(buy(5, 1000, 1010), Reason::QuantityTooLarge);  // max + lot
  f.add_rejected(buy(5, 1000, 1005), Reason::QuantityTooLarge);  // too large is checked before off-lot
  f.add_rejected(sell(5, 2000, 1'000'000), Reason::QuantityTooLarge);

  f.add_rejected(buy(5, 1000, 15), Reason::OffLotQuantity);
  f.add_rejected(buy(5, 1000, 1), Reason::OffLotQuantity);
  f.add_rejected(buy(5, 1000, 999), Reason::OffLotQuantity);
  f.add_rejected(buy(5, 1002, 15), Reason::OffLotQuantity);  // quantity before price

  const NewOrder at_max = buy(6, 1000, 1000);
  CHECK(f.add(at_max) == Events{ev_accepted(at_max)});
  const NewOrder one_lot = buy(7, 1000, 10);
  CHECK(f.add(one_lot) == Events{ev_accepted(one_lot)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 1010, 2)});
}

TEST_CASE("reject: limit price checks (InvalidPrice, OffTickPrice, PriceOutsideBand at the edges)",
          "[book][reject]") {
  BookFixture f(reject_config());  // tick 5, ladder [100, 10000]
  f.add_rejected(buy(5, 0, 10), Reason::InvalidPrice);
  f.add_rejected(buy(5, -5, 10), Reason::InvalidPrice);
  f.add_rejected(sell(5, -3, 10), Reason::InvalidPrice);  // negative is InvalidPrice even if off tick
  f.add_rejected(buy(5, 1002, 10), Reason::OffTickPrice);
  f.add_rejected(buy(5, 1, 10), Reason::OffTickPrice);
  f.add_rejected(sell(5, 10'003, 10), Reason::OffTickPrice);  // off tick is checked before the band
  // initial band = the ladder
  f.add_rejected(buy(5, 95, 10), Reason::PriceOutsideBand);
  f.add_rejected(sell(5, 10'005, 10), Reason::PriceOutsideBand);
  const NewOrder lo = buy(6, 100, 10);
  CHECK(f.add(lo) == Events{ev_accepted(lo)});
  const NewOrder hi = sell(7, 10'000, 10);
  CHECK(f.add(hi) == Events{ev_accepted(hi)});

  CHECK(f.band(500, 1500) == Events{
                                 ev_cancelled(6, 1, Side::Buy, 100, 10, 0, Reason::OutsideNewBand, Request::SetBand),
                                 ev_cancelled(7, 1, Side::Sell, 10'000, 10, 0, Reason::OutsideNewBand,
                                              Request::SetBand),
                             });
  f.add_rejected(buy(5, 495, 10), Reason::PriceOutsideBand);
  f.add_rejected(sell(5, 495, 10), Reason::PriceOutsideBand);
  f.add_rejected(buy(5, 1505, 10), Reason::PriceOutsideBand);
  f.add_rejected(sell(5, 1505, 10), Reason::PriceOutsideBand);
  f.add_rejected(buy(5, 1505, 10).ioc(), Reason::PriceOutsideBand);
  const NewOrder b_lo = buy(8, 500, 10);
  CHECK(f.add(b_lo) == Events{ev_accepted(b_lo)});
  const NewOrder s_hi = sell(9, 1500, 10);
  CHECK(f.add(s_hi) == Events{ev_accepted(s_hi)});
  const NewOrder b_hi = buy(10, 1500, 10, 2);  // at hi: trades with the ask there
  CHECK(f.add(b_hi) == Events{ev_accepted(b_hi), ev_trade(b_hi, 9, 1, 1500, 10, 0, 0)});
  const NewOrder s_lo = sell(11, 500, 10, 2);
  CHECK(f.add(s_lo) == Events{ev_accepted(s_lo), ev_trade(s_lo, 8, 1, 500, 10, 0, 0)});
}

TEST_CASE("reject: ExpiredOnEntry for a Gtd order with expire_at <= now - other tifs ignore expire_at",
          "[book][reject][gtd]") {
  BookFixture f(reject_config());
  CHECK(f.advance(1000).empty());
  CHECK(f.book.now() == 1000);
  f.add_rejected(buy(5, 1000, 10).gtd(1000), Reason::ExpiredOnEntry);  // == now
  f.add_rejected(buy(5, 1000, 10).gtd(999), Reason::ExpiredOnEntry);
  f.add_rejected(sell(5, 1000, 10).gtd(0), Reason::ExpiredOnEntry);
  f.add_rejected(sell(5, 1000, 10).gtd(-50), Reason::ExpiredOnEntry);
  // price (8) before expiry (9)
  f.add_rejected(buy(5, 1002, 10).gtd(999), Reason::OffTickPrice);

  const NewOrder ok = buy(6, 1000, 10).gtd(1001);
  CHECK(f.add(ok) == Events{ev_accepted(ok)});
  CHECK(f.book.find(6)->expire_at == 1001);
  const NewOrder gtc = buy(7, 995, 10).expire_at(5);
  CHECK(f.add(gtc) == Events{ev_accepted(gtc)});
  const NewOrder day = buy(8, 990, 10).day().expire_at(5);
  CHECK(f.add(day) == Events{ev_accepted(day)});
  const NewOrder ioc = buy(9, 990, 10).ioc().expire_at(5);
  CHECK(f.add(ioc) == Events{ev_accepted(ioc), ev_cancelled(ioc, 10, Reason::IocRemainder)});
  // the Gtc and Day orders with a past expire_at never expire
  CHECK(f.advance(5000) == Events{ev_cancelled(6, 1, Side::Buy, 1000, 10, 0, Reason::Expired, Request::AdvanceTime)});
  CHECK(f.live(7));
  CHECK(f.live(8));
}

TEST_CASE("reject: BookFull rejects an order that could rest - IOC, FOK and market still work",
          "[book][reject][limits]") {
  BookConfig c = default_config();
  c.limits.max_resting_orders = 3;
  BookFixture f(c);
  f.rest(buy(1, 1000, 10, 11));
  f.rest(buy(2, 995, 10, 12));
  f.rest(sell(3, 1100, 10, 13));
  CHECK(f.book.open_orders() == 3);

  f.add_rejected(buy(4, 990, 10, 2), Reason::BookFull);
  f.add_rejected(sell(4, 1200, 10, 2).day(), Reason::BookFull);
  f.add_rejected(sell(4, 1200, 10, 2).gtd(100), Reason::BookFull);
  // "could rest" is about the order's kind: a Gtc limit that would fully trade is still refused
  f.add_rejected(buy(4, 1100, 5, 2), Reason::BookFull);
  // checks 1..9 come first
  f.add_rejected(buy(4, 1002, 10, 2), Reason::OffTickPrice);
  CHECK(f.advance(50).empty());
  f.add_rejected(buy(4, 990, 10, 2).gtd(50), Reason::ExpiredOnEntry);

  const NewOrder ioc = buy(4, 1100, 4, 2).ioc();
  CHECK(f.add(ioc) == Events{ev_accepted(ioc), ev_trade(ioc, 3, 13, 1100, 4, 0, 6)});
  const NewOrder ioc_rest = buy(5, 990, 4, 2).ioc();
  CHECK(f.add(ioc_rest) == Events{ev_accepted(ioc_rest), ev_cancelled(ioc_rest, 4, Reason::IocRemainder)});
  const NewOrder fok = sell(6, 995, 12, 2).fok();
  CHECK(f.add(fok) == Events{
                          ev_accepted(fok),
                          ev_trade(fok, 1, 11, 1000, 10, 2, 0),
                          ev_trade(fok, 2, 12, 995, 2, 0, 8),
                      });
  // order 1 was filled: there is room for one again
  CHECK(f.book.open_orders() == 2);
  const NewOrder fits = buy(7, 990, 10, 2);
  CHECK(f.add(fits) == Events{ev_accepted(fits)});
  f.add_rejected(buy(8, 990, 10, 2), Reason::BookFull);
  const NewOrder m = market(8, Side::Buy, 20, 0, 2);
  CHECK(f.add(m) == Events{
                        ev_accepted(m),
                        ev_trade(m, 3, 13, 1100, 6, 14, 0),
                        ev_cancelled(8, 2, Side::Buy, 0, 14, 0, Reason::MarketRemainder, Request::Add),
                    });
  // a cancel frees a slot too
  const NewOrder again = sell(9, 1200, 10, 2);
  CHECK(f.add(again) == Events{ev_accepted(again)});
  f.add_rejected(sell(10, 1200, 10, 2), Reason::BookFull);
  CHECK(f.cancel(9).size() == 1);
  const NewOrder after_cancel = sell(10, 1200, 10, 2);
  CHECK(f.add(after_cancel) == Events{ev_accepted(after_cancel)});
}

TEST_CASE("reject: TooManyOwners once max_owners distinct owners were seen", "[book][reject][limits]") {
  BookConfig c = default_config();
  c.limits.max_owners = 2;
  BookFixture f(c);
  f.rest(buy(1, 1000, 10, 100));
  // A rejected add does not make its owner "seen" (a rejected request changes nothing).
  f.add_rejected(buy(2, 1000, 0, 200), Reason::InvalidQuantity);
  f.rest(buy(2, 995, 10, 300));
  f.add_rejected(buy(3, 990, 10, 200), Reason::TooManyOwners);
  f.add_rejected(sell(3, 1100, 10, 400).ioc(), Reason::TooManyOwners);
  f.add_rejected(market(3, Side::Sell, 10, 0, 400), Reason::TooManyOwners);
  // checks 1..10 come first
  f.add_rejected(buy(3, 990, 15, 200).side(static_cast<Side>(3)), Reason::InvalidSide);
  // TooManyOwners (11) before FokNotFillable (12)
  f.add_rejected(sell(3, 1000, 1000, 400).fok(), Reason::TooManyOwners);
  // known owners keep trading, also after all their orders are gone ("ever seen")
  const NewOrder s = sell(3, 1000, 10, 300);
  CHECK(f.add(s) == Events{ev_accepted(s), ev_trade(s, 1, 100, 1000, 10, 0, 0)});
  CHECK(f.cancel(2).size() == 1);
  CHECK(f.book.open_orders() == 0);
  f.add_rejected(buy(4, 990, 10, 500), Reason::TooManyOwners);
  const NewOrder back = buy(4, 990, 10, 100);
  CHECK(f.add(back) == Events{ev_accepted(back)});
}

TEST_CASE("reject: set_owner_stp registers an owner and counts against max_owners", "[book][reject][limits]") {
  BookConfig c = default_config();
  c.limits.max_owners = 1;
  BookFixture f(c);
  CHECK(f.owner_stp(5, StpMode::CancelTaker) == Reason::None);
  CHECK(f.owner_stp(6, StpMode::CancelTaker) == Reason::TooManyOwners);
  CHECK(f.owner_stp(5, static_cast<StpMode>(6)) == Reason::InvalidStpMode);
  f.add_rejected(buy(1, 1000, 10, 6), Reason::TooManyOwners);
  const NewOrder o = buy(1, 1000, 10, 5);
  CHECK(f.add(o) == Events{ev_accepted(o)});
  CHECK(f.book.find(1)->stp == StpMode::CancelTaker);
}

TEST_CASE("reject: a rejected add changes nothing, also in a busy book", "[book][reject]") {
  BookFixture f(reject_config());
  f.rest(buy(1, 1000, 100, 1));
  f.rest(buy(2, 995, 50, 2));
  f.rest(sell(3, 1100, 70, 3));
  f.rest(sell(4, 1105, 30, 4));
  const BookSnapshot before = f.snapshot();
  // crossing orders that are rejected must not trade
  f.add_rejected(buy(3, 1105, 100, 9), Reason::DuplicateOrderId);
  f.add_rejected(buy(9, 1105, 105, 9), Reason::OffLotQuantity);
  f.add_rejected(buy(9, 1107, 100, 9), Reason::OffTickPrice);
  f.add_rejected(sell(9, 995, 200, 9).fok(), Reason::FokNotFillable);
  f.add_rejected(market(9, Side::Sell, 100, 0, 9).day(), Reason::InvalidTimeInForce);
  CHECK(f.snapshot() == before);
  CHECK(f.leaves(1) == 100);
  CHECK(f.leaves(3) == 70);
  // the queue order is also untouched: order 1 trades first at 1000
  const NewOrder s = sell(9, 1000, 10, 9);
  CHECK(f.add(s) == Events{ev_accepted(s), ev_trade(s, 1, 1, 1000, 10, 0, 90)});
}
