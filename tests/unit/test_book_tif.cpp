// Order-book unit tests: time in force — IOC remainders, FOK all-or-nothing,
// GTD expiry through advance_time, DAY orders at cancel_day_orders, and the
// book clock. Expectations come from docs/ORDER_BOOK.md.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

Event expired(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::Expired, Request::AdvanceTime);
}
Event end_of_day(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::EndOfDay, Request::CancelDay);
}

}  // namespace

// ====================================================================== IOC

TEST_CASE("tif: IOC residual is cancelled (IocRemainder), never rested", "[book][tif][ioc]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1010, 9, 12));
  const NewOrder t = buy(10, 1005, 5, 2).ioc();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 3, 2, 0),
                        ev_cancelled(10, 2, Side::Buy, 1005, 2, 0, Reason::IocRemainder, Request::Add),
                    });
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 9, 1)});
  CHECK_FALSE(f.live(10));
  CHECK(f.book.open_orders() == 1);
}

TEST_CASE("tif: IOC with no liquidity is accepted and cancelled whole", "[book][tif][ioc]") {
  BookFixture f;
  const NewOrder t = sell(10, 1000, 5, 2).ioc();
  CHECK(f.add(t) == Events{ev_accepted(t), ev_cancelled(t, 5, Reason::IocRemainder)});
  CHECK(f.book.open_orders() == 0);
  // liquidity that does not cross is no liquidity
  f.rest(buy(1, 995, 5, 11));
  const NewOrder t2 = sell(11, 1000, 5, 2).ioc();
  CHECK(f.add(t2) == Events{ev_accepted(t2), ev_cancelled(t2, 5, Reason::IocRemainder)});
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 5, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("tif: a fully filled IOC emits no remainder event", "[book][tif][ioc]") {
  BookFixture f;
  f.rest(buy(1, 1000, 3, 11));
  f.rest(buy(2, 995, 3, 12));
  const NewOrder t = sell(10, 995, 6, 2).ioc();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 3, 3, 0),
                        ev_trade(t, 2, 12, 995, 3, 0, 0),
                    });
  CHECK(f.book.open_orders() == 0);
}

// ====================================================================== FOK

TEST_CASE("tif: FOK with insufficient liquidity is rejected and the book is untouched", "[book][tif][fok]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 4, 12));
  f.rest(sell(3, 1010, 100, 13));  // beyond the limit
  f.add_rejected(buy(10, 1005, 8, 2).fok(), Reason::FokNotFillable);
  CHECK(f.leaves(1) == 3);
  CHECK(f.leaves(2) == 4);
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 3, 1), lv(1005, 4, 1), lv(1010, 100, 1)});
  // nothing on an empty side
  f.add_rejected(sell(10, 1000, 1, 2).fok(), Reason::FokNotFillable);
  // the rejected id is free
  const NewOrder ok = buy(10, 1000, 1, 2);
  CHECK(f.add(ok) == Events{ev_accepted(ok), ev_trade(ok, 1, 11, 1000, 1, 0, 2)});
}

TEST_CASE("tif: FOK exactly fillable across levels fills fully", "[book][tif][fok]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, 11));
  f.rest(sell(2, 1005, 2, 12));
  f.rest(sell(3, 1005, 2, 13));
  f.rest(sell(4, 1010, 5, 14));
  const NewOrder t = buy(10, 1005, 7, 2).fok();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 3, 4, 0),
                        ev_trade(t, 2, 12, 1005, 2, 2, 0),
                        ev_trade(t, 3, 13, 1005, 2, 0, 0),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 5, 1)});
  CHECK(f.depth(Side::Buy).empty());
  CHECK_FALSE(f.live(10));
}

TEST_CASE("tif: FOK is limited by its price", "[book][tif][fok]") {
  BookFixture f;
  f.rest(buy(1, 1000, 3, 11));
  f.rest(buy(2, 995, 10, 12));
  // 13 in the book, but only 3 at >= 1000
  f.add_rejected(sell(10, 1000, 5, 2).fok(), Reason::FokNotFillable);
  f.add_rejected(sell(10, 1000, 4, 2).fok(), Reason::FokNotFillable);
  const NewOrder t = sell(10, 1000, 3, 2).fok();
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 3, 0, 0)});
  const NewOrder t2 = sell(11, 990, 4, 2).fok();
  CHECK(f.add(t2) == Events{ev_accepted(t2), ev_trade(t2, 2, 12, 995, 4, 0, 6)});
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 6, 1)});
}

TEST_CASE("tif: FOK with more than enough liquidity trades only its quantity", "[book][tif][fok]") {
  BookFixture f;
  f.rest(buy(1, 1000, 5, 11));
  f.rest(buy(2, 995, 5, 12));
  const NewOrder t = sell(10, 995, 7, 2).fok();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 5, 2, 0),
                        ev_trade(t, 2, 12, 995, 2, 0, 3),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 3, 1)});
}

// ====================================================================== GTD / advance_time

TEST_CASE("tif: GTD orders expire via advance_time at expire_at, ordered by (expire_at, id)", "[book][tif][gtd]") {
  BookFixture f;
  CHECK(f.advance(100).empty());
  f.rest(buy(5, 1000, 10, 1).gtd(200));
  f.rest(sell(3, 1100, 20, 2).gtd(200));
  f.rest(buy(9, 990, 30, 3).gtd(150));
  f.rest(sell(7, 1105, 40, 4).gtd(300));
  f.rest(buy(1, 980, 50, 5));  // Gtc
  f.rest(sell(30, 1200, 1, 6).gtd(350));
  f.rest(sell(20, 1205, 2, 6).gtd(400));

  CHECK(f.advance(149).empty());
  CHECK(f.book.now() == 149);
  CHECK(f.advance(150) == Events{expired(9, 3, Side::Buy, 990, 30)});  // expire_at == now
  CHECK(f.advance(150).empty());                                       // same time is fine
  CHECK(f.advance(199).empty());
  // both at 200: by id, not by side or acceptance order
  CHECK(f.advance(250) == Events{expired(3, 2, Side::Sell, 1100, 20), expired(5, 1, Side::Buy, 1000, 10)});
  CHECK(f.book.now() == 250);
  // several expiry times in one step: by expire_at first
  CHECK(f.advance(1000) == Events{
                               expired(7, 4, Side::Sell, 1105, 40),
                               expired(30, 6, Side::Sell, 1200, 1),
                               expired(20, 6, Side::Sell, 1205, 2),
                           });
  CHECK(f.depth(Side::Buy) == Levels{lv(980, 50, 1)});
  CHECK(f.depth(Side::Sell).empty());
  CHECK(f.book.open_orders() == 1);
  CHECK(f.advance(1'000'000).empty());
}

TEST_CASE("tif: advance_time backwards is Rejected(TimeWentBackwards) and changes nothing", "[book][tif][gtd][reject]") {
  BookFixture f;
  CHECK(f.advance(100).empty());
  f.rest(buy(1, 1000, 10).gtd(150));
  CHECK(f.advance(99) == Events{ev_rejected_bare(Request::AdvanceTime, Reason::TimeWentBackwards)});
  CHECK(f.book.now() == 100);
  CHECK(f.live(1));
  // the clock did not move, so 149 is still forward
  CHECK(f.advance(149).empty());
  CHECK(f.advance(100) == Events{ev_rejected_bare(Request::AdvanceTime, Reason::TimeWentBackwards)});
  CHECK(f.book.now() == 149);
  CHECK(f.advance(150) == Events{expired(1, 1, Side::Buy, 1000, 10)});
}

TEST_CASE("tif: a partially filled GTD order expires with its leaves", "[book][tif][gtd]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 11).gtd(50));
  const NewOrder t = buy(2, 1000, 4, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 4, 0, 6)});
  CHECK(f.advance(50) == Events{expired(1, 11, Side::Sell, 1000, 6)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("tif: filled, cancelled or STP-cancelled GTD orders never expire later - reused ids use the new expiry",
          "[book][tif][gtd]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, 11).gtd(100));
  f.rest(sell(2, 1005, 5, 11).gtd(100));
  f.rest(sell(3, 1010, 5, 11).gtd(100));
  const NewOrder t = buy(10, 1000, 5, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 5, 0, 0)});
  CHECK(f.cancel(2).size() == 1);
  const NewOrder self = buy(11, 1010, 5, 11).stp(StpMode::CancelMaker).ioc();
  CHECK(f.add(self) == Events{
                           ev_accepted(self),
                           ev_cancelled(3, 11, Side::Sell, 1010, 5, 0, Reason::StpCancelMaker, Request::Add),
                           ev_cancelled(self, 5, Reason::IocRemainder),
                       });
  f.rest(sell(2, 1005, 7, 12).gtd(300));  // id 2 reused with a later expiry
  CHECK(f.advance(200).empty());
  CHECK(f.advance(300) == Events{expired(2, 12, Side::Sell, 1005, 7)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("tif: advance_time expires orders on both sides and frees their levels", "[book][tif][gtd]") {
  BookFixture f;
  f.rest(buy(1, 1000, 1, 1).gtd(10));
  f.rest(buy(2, 995, 1, 1));
  f.rest(sell(3, 1005, 1, 1).gtd(10));
  f.rest(sell(4, 1010, 1, 1));
  CHECK(f.advance(10) == Events{expired(1, 1, Side::Buy, 1000, 1), expired(3, 1, Side::Sell, 1005, 1)});
  CHECK(*f.book.best(Side::Buy) == lv(995, 1, 1));
  CHECK(*f.book.best(Side::Sell) == lv(1010, 1, 1));
}

// ====================================================================== DAY

TEST_CASE("tif: cancel_day_orders cancels every DAY order (EndOfDay), best price outward, GTC/GTD stay",
          "[book][tif][day]") {
  BookFixture f;
  f.rest(buy(4, 995, 4, 1).day());
  f.rest(sell(8, 1105, 8, 2).day());
  f.rest(buy(30, 1000, 3, 3).day());
  f.rest(buy(2, 1000, 2, 4));  // Gtc in the middle of the level
  f.rest(buy(10, 1000, 1, 5).day());
  f.rest(sell(5, 1100, 5, 6).day());
  f.rest(sell(6, 1100, 6, 7).gtd(1'000'000));
  f.rest(sell(7, 1100, 7, 8).day());
  f.rest(sell(9, 1200, 9, 9));  // Gtc
  f.rest(buy(11, 900, 11, 10).day());

  std::uint32_t n = 0;
  CHECK(f.cancel_day(&n) == Events{
                                end_of_day(30, 3, Side::Buy, 1000, 3),
                                end_of_day(10, 5, Side::Buy, 1000, 1),
                                end_of_day(4, 1, Side::Buy, 995, 4),
                                end_of_day(11, 10, Side::Buy, 900, 11),
                                end_of_day(5, 6, Side::Sell, 1100, 5),
                                end_of_day(7, 8, Side::Sell, 1100, 7),
                                end_of_day(8, 2, Side::Sell, 1105, 8),
                            });
  CHECK(n == 7);
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 2, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1100, 6, 1), lv(1200, 9, 1)});
  CHECK(f.book.open_orders() == 3);
  CHECK(f.live(2));
  CHECK(f.live(6));
  CHECK(f.live(9));

  CHECK(f.cancel_day(&n).empty());
  CHECK(n == 0);
}

TEST_CASE("tif: a partially filled DAY order is cancelled at the close for its leaves", "[book][tif][day]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 11).day());
  const NewOrder t = buy(2, 1000, 3, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 3, 0, 7)});
  std::uint32_t n = 0;
  CHECK(f.cancel_day(&n) == Events{end_of_day(1, 11, Side::Sell, 1000, 7)});
  CHECK(n == 1);
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("tif: cancel_day_orders on an empty book or a book without DAY orders does nothing", "[book][tif][day]") {
  BookFixture f;
  std::uint32_t n = 99;
  CHECK(f.cancel_day(&n).empty());
  CHECK(n == 0);
  f.rest(buy(1, 1000, 1));
  f.rest(sell(2, 1100, 1).gtd(5));
  n = 99;
  CHECK(f.cancel_day(&n).empty());
  CHECK(n == 0);
  CHECK(f.book.open_orders() == 2);
}

TEST_CASE("tif: a cancelled GTD id reused as a Gtc order is not expired at the old time", "[book][tif][gtd]") {
  BookFixture f;
  f.rest(buy(5, 1000, 10, 1).gtd(100));
  CHECK(f.cancel(5).size() == 1);
  f.rest(buy(5, 995, 3, 2));  // Gtc, same id
  CHECK(f.advance(100).empty());
  CHECK(f.advance(10'000).empty());
  CHECK(f.leaves(5) == 3);
  // and a GTD filled by a trade, id reused as Day
  f.rest(sell(6, 1100, 2, 3).gtd(20'000));
  const NewOrder t = buy(7, 1100, 2, 4);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 6, 3, 1100, 2, 0, 0)});
  f.rest(sell(6, 1100, 4, 3).day());
  CHECK(f.advance(30'000).empty());
  CHECK(f.leaves(6) == 4);
}
