// Order-book unit tests: self-trade prevention — every mode, per-order mode vs
// owner default, resolution at entry, STP in modify, and the FOK walk rule with
// self orders. Expectations come from docs/ORDER_BOOK.md ("Self-trade prevention").
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

constexpr OwnerId kSelf = 1;
constexpr OwnerId kOther = 2;

Event stp_cancel(OrderId id, OwnerId owner, Side side, Price price, Qty qty, Qty leaves, Reason reason,
                 Request request = Request::Add) {
  return ev_cancelled(id, owner, side, price, qty, leaves, reason, request);
}

// Asks at 1000, FIFO: 1 (other, 3), 2 (self, 5), 3 (other, 4).
void three_asks(BookFixture& f) {
  f.rest(sell(1, 1000, 3, kOther));
  f.rest(sell(2, 1000, 5, kSelf));
  f.rest(sell(3, 1000, 4, kOther));
}

}  // namespace

// ====================================================================== modes

TEST_CASE("stp: CancelTaker cancels the taker's leaves and stops - earlier trades remain", "[book][stp]") {
  BookFixture f;
  three_asks(f);
  const NewOrder t = buy(10, 1000, 10, kSelf).stp(StpMode::CancelTaker);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 7, 0),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 7, 0, Reason::StpCancelTaker),
                    });
  CHECK_FALSE(f.live(10));  // neither rests nor gets a remainder event
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 9, 2)});
  CHECK(f.leaves(2) == 5);
  CHECK(f.leaves(3) == 4);
}

TEST_CASE("stp: CancelMaker cancels the resting self order and keeps matching", "[book][stp]") {
  BookFixture f;
  three_asks(f);
  const NewOrder t = buy(10, 1000, 10, kSelf).stp(StpMode::CancelMaker);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 7, 0),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker),
                        ev_trade(t, 3, kOther, 1000, 4, 3, 0),
                    });
  CHECK(f.depth(Side::Sell).empty());
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 3, 1)});  // Gtc remainder rests
  CHECK(f.leaves(10) == 3);
  CHECK_FALSE(f.live(2));
}

TEST_CASE("stp: CancelBoth cancels the maker then the taker and stops", "[book][stp]") {
  BookFixture f;
  three_asks(f);
  const NewOrder t = buy(10, 1000, 10, kSelf).stp(StpMode::CancelBoth);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 7, 0),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelBoth),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 7, 0, Reason::StpCancelBoth),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 4, 1)});
  CHECK(f.depth(Side::Buy).empty());
  CHECK_FALSE(f.live(10));
}

TEST_CASE("stp: Decrement, taker larger than the self maker: maker gone, matching goes on", "[book][stp][decrement]") {
  BookFixture f;
  three_asks(f);
  const NewOrder t = buy(10, 1000, 10, kSelf).stp(StpMode::Decrement);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 7, 0),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpDecrement),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 5, 2, Reason::StpDecrement),
                        ev_trade(t, 3, kOther, 1000, 2, 0, 2),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 2, 1)});
  CHECK(f.depth(Side::Buy).empty());
  CHECK_FALSE(f.live(10));
}

TEST_CASE("stp: Decrement, maker larger: the maker keeps its place with reduced leaves", "[book][stp][decrement]") {
  BookFixture f;
  f.rest(sell(2, 1000, 8, kSelf));
  f.rest(sell(3, 1000, 4, kOther));
  const NewOrder t = buy(10, 1000, 5, kSelf).stp(StpMode::Decrement);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 3, Reason::StpDecrement),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 5, 0, Reason::StpDecrement),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 7, 2)});
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.leaves(2) == 3);
  CHECK_FALSE(f.live(10));
  // order 2 is still first in its level
  const NewOrder t2 = buy(11, 1000, 4, 9);
  CHECK(f.add(t2) == Events{
                         ev_accepted(t2),
                         ev_trade(t2, 2, kSelf, 1000, 3, 1, 0),
                         ev_trade(t2, 3, kOther, 1000, 1, 0, 3),
                     });
}

TEST_CASE("stp: Decrement with equal quantities removes both, nothing rests", "[book][stp][decrement]") {
  BookFixture f;
  f.rest(sell(2, 1000, 5, kSelf));
  const NewOrder t = buy(10, 1000, 5, kSelf).stp(StpMode::Decrement);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpDecrement),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 5, 0, Reason::StpDecrement),
                    });
  CHECK(f.book.open_orders() == 0);
  CHECK(f.depth(Side::Sell).empty());
  CHECK(f.depth(Side::Buy).empty());
}

TEST_CASE("stp: Decrement against several self makers - the taker's rest follows its tif", "[book][stp][decrement]") {
  SECTION("Gtc remainder rests") {
    BookFixture f;
    f.rest(sell(2, 1000, 2, kSelf));
    f.rest(sell(3, 1005, 2, kSelf));
    const NewOrder t = buy(10, 1005, 5, kSelf).stp(StpMode::Decrement);
    CHECK(f.add(t) == Events{
                          ev_accepted(t),
                          stp_cancel(2, kSelf, Side::Sell, 1000, 2, 0, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 1005, 2, 3, Reason::StpDecrement),
                          stp_cancel(3, kSelf, Side::Sell, 1005, 2, 0, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 1005, 2, 1, Reason::StpDecrement),
                      });
    CHECK(f.depth(Side::Buy) == Levels{lv(1005, 1, 1)});
    CHECK(f.depth(Side::Sell).empty());
    CHECK(f.leaves(10) == 1);
  }
  SECTION("IOC remainder is cancelled") {
    BookFixture f;
    f.rest(sell(2, 1000, 3, kSelf));
    const NewOrder t = buy(10, 1000, 5, kSelf).stp(StpMode::Decrement).ioc();
    CHECK(f.add(t) == Events{
                          ev_accepted(t),
                          stp_cancel(2, kSelf, Side::Sell, 1000, 3, 0, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 1000, 3, 2, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 1000, 2, 0, Reason::IocRemainder),
                      });
    CHECK(f.book.open_orders() == 0);
  }
  SECTION("market remainder is cancelled") {
    BookFixture f;
    f.rest(sell(2, 1000, 3, kSelf));
    const NewOrder t = market(10, Side::Buy, 5, 0, kSelf).stp(StpMode::Decrement);
    CHECK(f.add(t) == Events{
                          ev_accepted(t),
                          stp_cancel(2, kSelf, Side::Sell, 1000, 3, 0, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 0, 3, 2, Reason::StpDecrement),
                          stp_cancel(10, kSelf, Side::Buy, 0, 2, 0, Reason::MarketRemainder),
                      });
    CHECK(f.book.open_orders() == 0);
  }
}

TEST_CASE("stp: a sell taker against its own bid (CancelMaker), then trades and rests", "[book][stp]") {
  BookFixture f;
  f.rest(buy(1, 1000, 5, kSelf));
  f.rest(buy(2, 995, 5, kOther));
  const NewOrder t = sell(10, 995, 8, kSelf).stp(StpMode::CancelMaker);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(1, kSelf, Side::Buy, 1000, 5, 0, Reason::StpCancelMaker),
                        ev_trade(t, 2, kOther, 995, 5, 3, 0),
                    });
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.depth(Side::Sell) == Levels{lv(995, 3, 1)});
}

TEST_CASE("stp: a market taker cancelled by CancelTaker reports its protection price and no remainder",
          "[book][stp]") {
  BookFixture f;
  f.rest(sell(1, 1000, 2, kOther));
  f.rest(sell(2, 1005, 5, kSelf));
  const NewOrder t = market(10, Side::Buy, 10, 0, kSelf).stp(StpMode::CancelTaker);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 2, 8, 0),
                        stp_cancel(10, kSelf, Side::Buy, 0, 8, 0, Reason::StpCancelTaker),
                    });
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 5, 1)});
}

TEST_CASE("stp: an IOC taker under CancelMaker gets IocRemainder after the maker is cancelled", "[book][stp]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, kSelf));
  const NewOrder t = buy(10, 1000, 3, kSelf).stp(StpMode::CancelMaker).ioc();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(1, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker),
                        stp_cancel(10, kSelf, Side::Buy, 1000, 3, 0, Reason::IocRemainder),
                    });
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("stp: different owners never trigger STP, whatever the mode", "[book][stp]") {
  for (StpMode m : {StpMode::CancelTaker, StpMode::CancelMaker, StpMode::CancelBoth, StpMode::Decrement}) {
    BookFixture f;
    f.rest(sell(1, 1000, 5, kOther).stp(m));
    const NewOrder t = buy(10, 1000, 5, kSelf).stp(m);
    CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, kOther, 1000, 5, 0, 0)});
  }
}

// ====================================================================== mode resolution

TEST_CASE("stp: owner default None (never set, or set) allows self trades", "[book][stp][owner]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, kSelf));
  const NewOrder t = buy(10, 1000, 2, kSelf);  // OwnerDefault, owner never set
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, kSelf, 1000, 2, 0, 3)});
  CHECK(f.owner_stp(kSelf, StpMode::None) == Reason::None);
  const NewOrder t2 = buy(11, 1000, 2, kSelf);
  CHECK(f.add(t2) == Events{ev_accepted(t2), ev_trade(t2, 1, kSelf, 1000, 2, 0, 1)});
  const NewOrder t3 = buy(12, 1000, 1, kSelf).stp(StpMode::None);
  CHECK(f.add(t3) == Events{ev_accepted(t3), ev_trade(t3, 1, kSelf, 1000, 1, 0, 0)});
}

TEST_CASE("stp: an explicit per-order mode overrides the owner default", "[book][stp][owner]") {
  BookFixture f;
  REQUIRE(f.owner_stp(kSelf, StpMode::CancelTaker) == Reason::None);
  f.rest(sell(1, 1000, 5, kSelf));
  f.rest(sell(2, 1000, 5, kOther));

  const NewOrder by_default = buy(10, 1000, 6, kSelf).ioc();  // OwnerDefault -> CancelTaker
  CHECK(f.add(by_default) == Events{
                                 ev_accepted(by_default),
                                 stp_cancel(10, kSelf, Side::Buy, 1000, 6, 0, Reason::StpCancelTaker),
                             });
  const NewOrder explicit_maker = buy(11, 1000, 6, kSelf).stp(StpMode::CancelMaker).ioc();
  CHECK(f.add(explicit_maker) == Events{
                                     ev_accepted(explicit_maker),
                                     stp_cancel(1, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker),
                                     ev_trade(explicit_maker, 2, kOther, 1000, 5, 1, 0),
                                     stp_cancel(11, kSelf, Side::Buy, 1000, 1, 0, Reason::IocRemainder),
                                 });
  f.rest(sell(3, 1000, 5, kSelf));
  const NewOrder explicit_none = buy(12, 1000, 5, kSelf).stp(StpMode::None);
  CHECK(f.add(explicit_none) == Events{ev_accepted(explicit_none), ev_trade(explicit_none, 3, kSelf, 1000, 5, 0, 0)});
}

TEST_CASE("stp: the taker's mode decides, not the maker's", "[book][stp][owner]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, kSelf).stp(StpMode::CancelTaker));
  CHECK(f.book.find(1)->stp == StpMode::CancelTaker);
  const NewOrder t = buy(10, 1000, 5, kSelf).stp(StpMode::None);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, kSelf, 1000, 5, 0, 0)});
}

TEST_CASE("stp: OwnerDefault is resolved at entry - a later owner default change does not affect resting orders",
          "[book][stp][owner]") {
  BookFixture f;
  REQUIRE(f.owner_stp(kSelf, StpMode::CancelMaker) == Reason::None);
  f.rest(buy(1, 990, 5, kSelf));
  CHECK(f.book.find(1)->stp == StpMode::CancelMaker);
  REQUIRE(f.owner_stp(kSelf, StpMode::None) == Reason::None);
  CHECK(f.book.find(1)->stp == StpMode::CancelMaker);
  f.rest(sell(2, 1000, 5, kSelf));  // OwnerDefault now resolves to None
  CHECK(f.book.find(2)->stp == StpMode::None);

  // Order 1 repriced into order 2: it matches with its own resolved mode (CancelMaker).
  CHECK(f.modify(1, 1000, 5) == Events{
                                    ev_modified(1, kSelf, Side::Buy, 1000, 5, 5, false),
                                    stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker,
                                               Request::Modify),
                                });
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 5, 1)});
  CHECK(f.depth(Side::Sell).empty());

  // A new owner-default order (None) self-trades against order 1.
  const NewOrder t = sell(3, 1000, 2, kSelf);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, kSelf, 1000, 2, 0, 3)});
}

TEST_CASE("stp: set_owner_stp validates the mode", "[book][stp][owner]") {
  BookFixture f;
  CHECK(f.owner_stp(7, static_cast<StpMode>(6)) == Reason::InvalidStpMode);
  CHECK(f.owner_stp(7, static_cast<StpMode>(255)) == Reason::InvalidStpMode);
  CHECK(f.owner_stp(7, StpMode::Decrement) == Reason::None);
  f.rest(buy(1, 1000, 1, 7));
  CHECK(f.book.find(1)->stp == StpMode::Decrement);
}

// ====================================================================== STP in modify

TEST_CASE("stp: a repriced order cancelled by CancelTaker disappears (request Modify)", "[book][stp][modify]") {
  BookFixture f;
  f.rest(buy(1, 990, 5, kSelf).stp(StpMode::CancelTaker));
  f.rest(sell(2, 1000, 2, kOther));
  f.rest(sell(3, 1000, 5, kSelf));
  CHECK(f.modify(1, 1000, 5) ==
        Events{
            ev_modified(1, kSelf, Side::Buy, 1000, 5, 5, false),
            ev_trade(TradeSpec{1, kSelf, Side::Buy, 2, kOther, 1000, 2, 3, 0, Request::Modify}),
            stp_cancel(1, kSelf, Side::Buy, 1000, 3, 0, Reason::StpCancelTaker, Request::Modify),
        });
  CHECK_FALSE(f.live(1));
  CHECK(f.book.open_orders() == 1);
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 5, 1)});
}

TEST_CASE("stp: a repriced order under Decrement reduces both and rests its rest", "[book][stp][modify]") {
  BookFixture f;
  f.rest(sell(1, 1010, 8, kSelf).stp(StpMode::Decrement));
  f.rest(buy(2, 1000, 3, kSelf));
  f.rest(buy(3, 1000, 1, kOther));
  CHECK(f.modify(1, 1000, 8) ==
        Events{
            ev_modified(1, kSelf, Side::Sell, 1000, 8, 8, false),
            stp_cancel(2, kSelf, Side::Buy, 1000, 3, 0, Reason::StpDecrement, Request::Modify),
            stp_cancel(1, kSelf, Side::Sell, 1000, 3, 5, Reason::StpDecrement, Request::Modify),
            ev_trade(TradeSpec{1, kSelf, Side::Sell, 3, kOther, 1000, 1, 4, 0, Request::Modify}),
        });
  CHECK(f.depth(Side::Sell) == Levels{lv(1000, 4, 1)});
  CHECK(f.depth(Side::Buy).empty());
}

// ====================================================================== FOK walk

TEST_CASE("stp: FOK walk: a self order under CancelMaker counts 0 and the walk goes on", "[book][stp][fok]") {
  BookFixture f;
  f.rest(sell(1, 1000, 5, kSelf));
  f.rest(sell(2, 1000, 4, kOther));
  f.rest(sell(3, 1005, 3, kOther));
  // 4 + 3 = 7 tradable; the self order's 5 does not count
  f.add_rejected(buy(10, 1005, 8, kSelf).stp(StpMode::CancelMaker).fok(), Reason::FokNotFillable);
  CHECK(f.leaves(1) == 5);  // untouched by the rejected FOK
  const NewOrder t = buy(10, 1005, 7, kSelf).stp(StpMode::CancelMaker).fok();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(1, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker),
                        ev_trade(t, 2, kOther, 1000, 4, 3, 0),
                        ev_trade(t, 3, kOther, 1005, 3, 0, 0),
                    });
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("stp: FOK walk: a self order under CancelTaker, CancelBoth or Decrement stops the walk",
          "[book][stp][fok]") {
  for (StpMode m : {StpMode::CancelTaker, StpMode::CancelBoth, StpMode::Decrement}) {
    INFO("mode " << static_cast<int>(m));
    BookFixture f;
    f.rest(sell(1, 1000, 3, kOther));
    f.rest(sell(2, 1000, 5, kSelf));
    f.rest(sell(3, 1000, 10, kOther));
    const BookSnapshot before = f.snapshot();
    // 3 accumulated before the walk stops at order 2
    f.add_rejected(buy(10, 1000, 4, kSelf).stp(m).fok(), Reason::FokNotFillable);
    f.add_rejected(buy(10, 1000, 13, kSelf).stp(m).fok(), Reason::FokNotFillable);
    CHECK(f.snapshot() == before);
    // exactly the quantity before the self order: fillable, and it never reaches the self order
    const NewOrder t = buy(10, 1000, 3, kSelf).stp(m).fok();
    CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 1, kOther, 1000, 3, 0, 0)});
    CHECK(f.depth(Side::Sell) == Levels{lv(1000, 15, 2)});
  }
}

TEST_CASE("stp: FOK walk: under None self orders count their leaves", "[book][stp][fok]") {
  BookFixture f;
  f.rest(sell(1, 1000, 3, kOther));
  f.rest(sell(2, 1000, 5, kSelf));
  f.rest(sell(3, 1005, 10, kOther));
  const NewOrder t = buy(10, 1005, 18, kSelf).stp(StpMode::None).fok();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 15, 0),
                        ev_trade(t, 2, kSelf, 1000, 5, 10, 0),
                        ev_trade(t, 3, kOther, 1005, 10, 0, 0),
                    });
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("stp: FOK walk uses the resolved owner default", "[book][stp][fok]") {
  BookFixture f;
  REQUIRE(f.owner_stp(kSelf, StpMode::CancelMaker) == Reason::None);
  f.rest(sell(1, 1000, 3, kOther));
  f.rest(sell(2, 1000, 5, kSelf));
  f.rest(sell(3, 1000, 10, kOther));
  f.add_rejected(buy(10, 1000, 14, kSelf).fok(), Reason::FokNotFillable);  // 3 + 0 + 10 = 13
  const NewOrder t = buy(10, 1000, 13, kSelf).fok();
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, kOther, 1000, 3, 10, 0),
                        stp_cancel(2, kSelf, Side::Sell, 1000, 5, 0, Reason::StpCancelMaker),
                        ev_trade(t, 3, kOther, 1000, 10, 0, 0),
                    });
  REQUIRE(f.owner_stp(kSelf, StpMode::CancelTaker) == Reason::None);
  f.rest(sell(4, 1000, 3, kOther));
  f.rest(sell(5, 1000, 5, kSelf));
  f.rest(sell(6, 1000, 10, kOther));
  f.add_rejected(buy(11, 1000, 4, kSelf).fok(), Reason::FokNotFillable);  // stops after 3
}

TEST_CASE("stp: STP cancel of a partially filled maker reports its leaves", "[book][stp]") {
  BookFixture f;
  f.rest(sell(1, 1000, 10, kSelf));
  const NewOrder other = buy(2, 1000, 4, kOther);
  CHECK(f.add(other) == Events{ev_accepted(other), ev_trade(other, 1, kSelf, 1000, 4, 0, 6)});
  const NewOrder t = buy(10, 1000, 2, kSelf).stp(StpMode::CancelMaker);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        stp_cancel(1, kSelf, Side::Sell, 1000, 6, 0, Reason::StpCancelMaker),
                    });
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 2, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("stp: set_owner_stp for a known owner still works when max_owners is reached", "[book][stp][owner]") {
  BookConfig c = default_config();
  c.limits.max_owners = 2;
  BookFixture f(c);
  f.rest(sell(1, 1000, 5, kSelf));
  f.rest(sell(2, 1005, 5, kOther));
  CHECK(f.owner_stp(3, StpMode::CancelTaker) == Reason::TooManyOwners);
  CHECK(f.owner_stp(kSelf, StpMode::CancelTaker) == Reason::None);
  const NewOrder t = buy(10, 1005, 5, kSelf).ioc();
  CHECK(f.add(t) == Events{ev_accepted(t), stp_cancel(10, kSelf, Side::Buy, 1005, 5, 0, Reason::StpCancelTaker)});
}
