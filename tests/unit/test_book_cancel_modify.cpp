// Order-book unit tests: cancel() and modify() — removal, level cleanup,
// priority rules of modify (kept / lost), modify on leaves, aggressive reprice,
// and modify validation. Expectations come from docs/ORDER_BOOK.md.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

Event user_cancel(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::UserCancel, Request::Cancel);
}

}  // namespace

// ====================================================================== cancel

TEST_CASE("cancel: removes the order with Cancelled(UserCancel) for its leaves and frees the level",
          "[book][cancel]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10, 7));
  f.rest(sell(2, 1100, 4, 8));
  CHECK(f.cancel(1) == Events{user_cancel(1, 7, Side::Buy, 1000, 10)});
  CHECK_FALSE(f.live(1));
  CHECK_FALSE(f.book.best(Side::Buy).has_value());
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.book.open_orders() == 1);
  CHECK(f.cancel(2) == Events{user_cancel(2, 8, Side::Sell, 1100, 4)});
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("cancel: twice, unknown, id 0, filled -> Rejected(UnknownOrderId)", "[book][cancel][reject]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10));
  CHECK(f.cancel(1).size() == 1);
  CHECK(f.cancel(1) == Events{ev_rejected_cancel(1)});
  CHECK(f.cancel(42) == Events{ev_rejected_cancel(42)});
  CHECK(f.cancel(0) == Events{ev_rejected_cancel(0)});

  f.rest(sell(2, 1000, 5, 1));
  const NewOrder t = buy(3, 1000, 5, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 2, 1, 1000, 5, 0, 0)});
  CHECK(f.cancel(2) == Events{ev_rejected_cancel(2)});  // filled maker
  CHECK(f.cancel(3) == Events{ev_rejected_cancel(3)});  // fully filled taker never rested

  const NewOrder ioc = buy(4, 1000, 5).ioc();
  CHECK(f.add(ioc) == Events{ev_accepted(ioc), ev_cancelled(ioc, 5, Reason::IocRemainder)});
  CHECK(f.cancel(4) == Events{ev_rejected_cancel(4)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("cancel: a rejected cancel changes nothing", "[book][cancel][reject]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10));
  f.rest(buy(2, 1000, 20));
  f.rest(sell(3, 1100, 30));
  const BookSnapshot before = f.snapshot();
  CHECK(f.cancel(99) == Events{ev_rejected_cancel(99)});
  CHECK(f.snapshot() == before);
}

TEST_CASE("cancel: a partially filled order is cancelled for its leaves", "[book][cancel]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 5));
  const NewOrder t = buy(2, 1000, 4, 6);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 5, 1000, 4, 0, 6)});
  CHECK(f.cancel(1) == Events{user_cancel(1, 5, Side::Sell, 1000, 6)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("cancel: head, middle or tail of a FIFO queue leaves the others in order", "[book][cancel]") {
  BookFixture f;
  for (OrderId id = 1; id <= 5; ++id) f.rest(sell(id, 1000, static_cast<Qty>(id), static_cast<OwnerId>(10 + id)));
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 15, 5)});
  CHECK(f.cancel(3) == Events{user_cancel(3, 13, Side::Sell, 1000, 3)});  // middle
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 12, 4)});
  CHECK(f.cancel(1) == Events{user_cancel(1, 11, Side::Sell, 1000, 1)});  // head
  CHECK(f.cancel(5) == Events{user_cancel(5, 15, Side::Sell, 1000, 5)});  // tail
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 6, 2)});
  f.rest(sell(6, 1000, 1, 16));  // new tail after a tail cancel
  const NewOrder t = buy(10, 1000, 7, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 2, 12, 1000, 2, 5, 0),
                        ev_trade(t, 4, 14, 1000, 4, 1, 0),
                        ev_trade(t, 6, 16, 1000, 1, 0, 0),
                    });
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("cancel: cancelling one order touches no other order or level", "[book][cancel]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10));
  f.rest(buy(2, 995, 20));
  f.rest(buy(3, 995, 30));
  f.rest(sell(4, 1100, 40));
  f.rest(sell(5, 1105, 50));
  CHECK(f.cancel(2).size() == 1);
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 10, 1), lv(995, 30, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1100, 40, 1), lv(1105, 50, 1)});
  CHECK(f.leaves(1) == 10);
  CHECK(f.leaves(3) == 30);
  CHECK(f.leaves(4) == 40);
  CHECK(f.leaves(5) == 50);
  CHECK(f.book.open_orders() == 4);
}

// ====================================================================== modify: priority

TEST_CASE("modify: a quantity decrease at the same price keeps priority", "[book][modify][priority]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 11));
  f.rest(sell(2, 1000, 10, 12));
  CHECK(f.modify(1, 1000, 4) == Events{ev_modified(1, 11, Side::Sell, 1000, 10, 4, true)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 14, 2)});
  CHECK(f.leaves(1) == 4);
  const NewOrder t = buy(10, 1000, 5, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 4, 1, 0),
                        ev_trade(t, 2, 12, 1000, 1, 0, 9),
                    });
}

TEST_CASE("modify: same quantity and same price keeps priority", "[book][modify][priority]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10, 11));
  f.rest(buy(2, 1000, 10, 12));
  CHECK(f.modify(1, 1000, 10) == Events{ev_modified(1, 11, Side::Buy, 1000, 10, 10, true)});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 20, 2)});
  const NewOrder t = sell(10, 1000, 10, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 10, 0, 0)});
}

TEST_CASE("modify: a quantity increase loses priority (goes behind)", "[book][modify][priority]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 11));
  f.rest(sell(2, 1000, 10, 12));
  CHECK(f.modify(1, 1000, 15) == Events{ev_modified(1, 11, Side::Sell, 1000, 10, 15, false)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 25, 2)});
  const NewOrder t = buy(10, 1000, 12, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 2, 12, 1000, 10, 2, 0),
                        ev_trade(t, 1, 11, 1000, 2, 0, 13),
                    });
}

TEST_CASE("modify: a price change loses priority even with the same or a smaller quantity",
          "[book][modify][priority]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10, 11));
  f.rest(buy(2, 995, 10, 12));
  f.rest(buy(3, 995, 10, 13));
  // move 1 down to 995: it joins the back of that level, its old level is freed
  CHECK(f.modify(1, 995, 10) == Events{ev_modified(1, 11, Side::Buy, 995, 10, 10, false)});
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 30, 3)});
  // move 2 away and back: it goes to the back
  CHECK(f.modify(2, 990, 5) == Events{ev_modified(2, 12, Side::Buy, 990, 10, 5, false)});
  CHECK(f.modify(2, 995, 5) == Events{ev_modified(2, 12, Side::Buy, 995, 5, 5, false)});
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 25, 3)});
  const NewOrder t = sell(10, 995, 25, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 3, 13, 995, 10, 15, 0),
                        ev_trade(t, 1, 11, 995, 10, 5, 0),
                        ev_trade(t, 2, 12, 995, 5, 0, 0),
                    });
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("modify: a price improvement that does not cross rests at the new best level", "[book][modify]") {
  BookFixture f;
  f.rest(sell(1, 1100, 10, 11));
  f.rest(sell(2, 1050, 10, 12));
  f.rest(buy(3, 1000, 10, 13));
  CHECK(f.modify(1, 1045, 10) == Events{ev_modified(1, 11, Side::Sell, 1045, 10, 10, false)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1045, 10, 1), lv(1050, 10, 1)});
  CHECK(f.book.find(1)->price == 1045);
}

// ====================================================================== modify: reprice crossing

TEST_CASE("modify: an aggressive reprice trades at resting prices and the remainder rests", "[book][modify][match]") {
  BookFixture f;
  f.rest(buy(1, 990, 10, 1));
  f.rest(sell(2, 1000, 3, 12));
  f.rest(sell(3, 1005, 4, 13));
  f.rest(sell(4, 1010, 5, 14));
  CHECK(f.modify(1, 1005, 10) ==
        Events{
            ev_modified(1, 1, Side::Buy, 1005, 10, 10, false),
            ev_trade(TradeSpec{1, 1, Side::Buy, 2, 12, 1000, 3, 7, 0, Request::Modify}),
            ev_trade(TradeSpec{1, 1, Side::Buy, 3, 13, 1005, 4, 3, 0, Request::Modify}),
        });
  CHECK(f.depth(Side::Buy) == Levels{lv(1005, 3, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1010, 5, 1)});
  const auto v = f.book.find(1);
  REQUIRE(v.has_value());
  CHECK(v->price == 1005);
  CHECK(v->leaves == 3);
  CHECK(f.book.open_orders() == 2);
}

TEST_CASE("modify: a reprice that is fully filled removes the order", "[book][modify][match]") {
  BookFixture f;
  f.rest(sell(1, 1100, 6, 1));
  f.rest(buy(2, 1000, 4, 12));
  f.rest(buy(3, 995, 4, 13));
  CHECK(f.modify(1, 995, 6) ==
        Events{
            ev_modified(1, 1, Side::Sell, 995, 6, 6, false),
            ev_trade(TradeSpec{1, 1, Side::Sell, 2, 12, 1000, 4, 2, 0, Request::Modify}),
            ev_trade(TradeSpec{1, 1, Side::Sell, 3, 13, 995, 2, 0, 2, Request::Modify}),
        });
  CHECK_FALSE(f.live(1));
  CHECK(f.depth(Side::Sell).empty());
  CHECK(f.depth(Side::Buy) == Levels{lv(995, 2, 1)});
  CHECK(f.book.open_orders() == 1);
  CHECK(f.cancel(1) == Events{ev_rejected_cancel(1)});
}

TEST_CASE("modify: a qty increase with a crossing price trades its new leaves", "[book][modify][match]") {
  BookFixture f;
  f.rest(buy(1, 1000, 2, 1));
  f.rest(sell(2, 1005, 10, 12));
  CHECK(f.modify(1, 1005, 8) == Events{
                                    ev_modified(1, 1, Side::Buy, 1005, 2, 8, false),
                                    ev_trade(TradeSpec{1, 1, Side::Buy, 2, 12, 1005, 8, 0, 2, Request::Modify}),
                                });
  CHECK_FALSE(f.live(1));
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 2, 1)});
}

// ====================================================================== modify: leaves

TEST_CASE("modify: new_qty is the new LEAVES after a partial fill", "[book][modify][leaves]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, 11));
  f.rest(sell(2, 1000, 10, 12));
  const NewOrder t = buy(5, 1000, 4, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 4, 0, 6)});
  CHECK(f.leaves(1) == 6);

  // == leaves: kept
  CHECK(f.modify(1, 1000, 6) == Events{ev_modified(1, 11, Side::Sell, 1000, 6, 6, true)});
  // < leaves: kept, leaves become 3 (not 10 - 4 - ...)
  CHECK(f.modify(1, 1000, 3) == Events{ev_modified(1, 11, Side::Sell, 1000, 6, 3, true)});
  CHECK(f.leaves(1) == 3);
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 13, 2)});
  // still first in line
  const NewOrder t2 = buy(6, 1000, 1, 2);
  CHECK(f.add(t2) == Events{ev_accepted(t2), ev_trade(t2, 1, 11, 1000, 1, 0, 2)});
  // > leaves (even though below the original 10): priority lost
  CHECK(f.modify(1, 1000, 5) == Events{ev_modified(1, 11, Side::Sell, 1000, 2, 5, false)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 15, 2)});
  const NewOrder t3 = buy(7, 1000, 11, 2);
  CHECK(f.add(t3) == Events{
                         ev_accepted(t3),
                         ev_trade(t3, 2, 12, 1000, 10, 1, 0),
                         ev_trade(t3, 1, 11, 1000, 1, 0, 4),
                     });
}

TEST_CASE("modify: back to the original quantity after a partial fill loses priority", "[book][modify][leaves]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10, 11));
  f.rest(buy(2, 1000, 10, 12));
  const NewOrder t = sell(5, 1000, 4, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 4, 0, 6)});
  CHECK(f.modify(1, 1000, 10) == Events{ev_modified(1, 11, Side::Buy, 1000, 6, 10, false)});
  const NewOrder t2 = sell(6, 1000, 10, 2);
  CHECK(f.add(t2) == Events{ev_accepted(t2), ev_trade(t2, 2, 12, 1000, 10, 0, 0)});
  CHECK(f.leaves(1) == 10);
}

// ====================================================================== modify: keeps tif / expiry / id

TEST_CASE("modify: the order keeps its tif, expiry, owner and acceptance identity", "[book][modify]") {
  BookFixture f;
  f.rest(buy(1, 1000, 10, 3).day());
  f.rest(buy(2, 995, 10, 3).gtd(500));
  CHECK(f.modify(1, 990, 12).size() == 1);
  CHECK(f.modify(2, 985, 7).size() == 1);
  auto v1 = f.book.find(1);
  auto v2 = f.book.find(2);
  REQUIRE(v1.has_value());
  REQUIRE(v2.has_value());
  CHECK(v1->tif == TimeInForce::Day);
  CHECK(v1->owner == 3);
  CHECK(v2->tif == TimeInForce::Gtd);
  CHECK(v2->expire_at == 500);
  CHECK(v2->price == 985);
  CHECK(f.advance(500) ==
        Events{ev_cancelled(2, 3, Side::Buy, 985, 7, 0, Reason::Expired, Request::AdvanceTime)});
  CHECK(f.cancel_day() == Events{ev_cancelled(1, 3, Side::Buy, 990, 12, 0, Reason::EndOfDay, Request::CancelDay)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("modify: allowed when the book is full (the order already rests)", "[book][modify][limits]") {
  BookConfig c = default_config();
  c.limits.max_resting_orders = 2;
  BookFixture f(c);
  f.rest(buy(1, 1000, 10));
  f.rest(sell(2, 1100, 10, 2));
  f.add_rejected(buy(3, 990, 10), Reason::BookFull);
  CHECK(f.modify(1, 995, 20) == Events{ev_modified(1, 1, Side::Buy, 995, 10, 20, false)});
  CHECK(f.modify(1, 995, 5) == Events{ev_modified(1, 1, Side::Buy, 995, 20, 5, true)});
  CHECK(f.book.open_orders() == 2);
}

// ====================================================================== modify: validation

TEST_CASE("modify: UnknownOrderId for unknown, cancelled or filled ids (before other checks)",
          "[book][modify][reject]") {
  BookFixture f;
  CHECK(f.modify(9, 1000, 10) == Events{ev_rejected_modify(9, 1000, 10, Side::Buy, Reason::UnknownOrderId)});
  CHECK(f.modify(9, -1, 0) == Events{ev_rejected_modify(9, -1, 0, Side::Buy, Reason::UnknownOrderId)});
  CHECK(f.modify(0, 1000, 10) == Events{ev_rejected_modify(0, 1000, 10, Side::Buy, Reason::UnknownOrderId)});
  f.rest(sell(1, 1000, 10));
  CHECK(f.cancel(1).size() == 1);
  CHECK(f.modify(1, 1000, 5) == Events{ev_rejected_modify(1, 1000, 5, Side::Buy, Reason::UnknownOrderId)});
  f.rest(sell(2, 1000, 10, 5));
  const NewOrder t = buy(3, 1000, 10, 6);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 2, 5, 1000, 10, 0, 0)});
  CHECK(f.modify(2, 1000, 5) == Events{ev_rejected_modify(2, 1000, 5, Side::Buy, Reason::UnknownOrderId)});
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("modify: quantity and price checks, in order, change nothing and keep priority",
          "[book][modify][reject]") {
  BookConfig c = default_config();
  c.lot = 10;
  c.limits.max_order_qty = 1000;
  BookFixture f(c);
  f.rest(sell(1, 1000, 100, 11));
  f.rest(sell(2, 1000, 100, 12));
  f.rest(buy(3, 900, 50, 13));
  const BookSnapshot before = f.snapshot();

  auto rej = [&](OrderId id, Price p, Qty q, Side s, Reason r) {
    INFO("modify " << id << " to " << p << " x " << q);
    CHECK(f.modify(id, p, q) == Events{ev_rejected_modify(id, p, q, s, r)});
    CHECK(f.snapshot() == before);
  };
  rej(1, 1000, 0, Side::Sell, Reason::InvalidQuantity);
  rej(1, 1000, -10, Side::Sell, Reason::InvalidQuantity);
  rej(1, 1000, 1010, Side::Sell, Reason::QuantityTooLarge);
  rej(1, 1000, 15, Side::Sell, Reason::OffLotQuantity);
  rej(1, 0, 0, Side::Sell, Reason::InvalidQuantity);  // quantity before price
  rej(1, 1002, 15, Side::Sell, Reason::OffLotQuantity);
  rej(1, 0, 100, Side::Sell, Reason::InvalidPrice);
  rej(1, -5, 100, Side::Sell, Reason::InvalidPrice);
  rej(1, 1002, 100, Side::Sell, Reason::OffTickPrice);
  rej(3, 95, 50, Side::Buy, Reason::PriceOutsideBand);       // one tick below ladder_min
  rej(3, 10'005, 50, Side::Buy, Reason::PriceOutsideBand);   // one tick above ladder_max
  rej(3, 903, 50, Side::Buy, Reason::OffTickPrice);

  // the at-max quantity passes
  CHECK(f.modify(3, 900, 1000) == Events{ev_modified(3, 13, Side::Buy, 900, 50, 1000, false)});
  CHECK(f.modify(3, 900, 50) == Events{ev_modified(3, 13, Side::Buy, 900, 1000, 50, true)});

  // order 1 is still first at 1000
  const NewOrder t = buy(9, 1000, 10, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, 11, 1000, 10, 0, 90)});
}

TEST_CASE("modify: to a price outside the band is rejected - the band edges pass", "[book][modify][reject]") {
  BookFixture f;
  CHECK(f.band(500, 1500).empty());
  f.rest(buy(1, 1000, 10, 11));
  f.rest(sell(2, 1200, 10, 12));
  CHECK(f.modify(1, 495, 10) == Events{ev_rejected_modify(1, 495, 10, Side::Buy, Reason::PriceOutsideBand)});
  CHECK(f.modify(2, 1505, 10) == Events{ev_rejected_modify(2, 1505, 10, Side::Sell, Reason::PriceOutsideBand)});
  CHECK(f.modify(2, 10'000, 10) == Events{ev_rejected_modify(2, 10'000, 10, Side::Sell, Reason::PriceOutsideBand)});
  CHECK(f.book.find(1)->price == 1000);
  CHECK(f.book.find(2)->price == 1200);
  CHECK(f.modify(1, 500, 10) == Events{ev_modified(1, 11, Side::Buy, 500, 10, 10, false)});
  CHECK(f.modify(2, 1500, 10) == Events{ev_modified(2, 12, Side::Sell, 1500, 10, 10, false)});
  CHECK(f.depth(Side::Buy) == Levels{lv(500, 10, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1500, 10, 1)});
}
