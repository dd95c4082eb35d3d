// Order-book unit tests: session helpers and queries — mass cancel (owner,
// side, whole book, owner+side), set_price_band, top-N depth, and large books
// (a deep FIFO queue, a wide ladder with orders at both ends, levels on bitmap
// word boundaries). Expectations come from docs/ORDER_BOOK.md.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "tests/unit/book_test_helpers.hpp"

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

Event mass(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::MassCancel, Request::MassCancel);
}
Event out_of_band(OrderId id, OwnerId owner, Side side, Price price, Qty qty) {
  return ev_cancelled(id, owner, side, price, qty, 0, Reason::OutsideNewBand, Request::SetBand);
}

MassCancelFilter by_owner(OwnerId o) {
  MassCancelFilter f;
  f.owner = o;
  return f;
}
MassCancelFilter by_side(Side s) {
  MassCancelFilter f;
  f.side = s;
  return f;
}
MassCancelFilter by_owner_side(OwnerId o, Side s) {
  MassCancelFilter f;
  f.owner = o;
  f.side = s;
  return f;
}

// Owner 1: 5 (buy 990), 2 (sell 1010), 9 (buy 995), 3 (sell 1005) in that acceptance order.
// Owner 2: 1 (buy 1000), 4 (sell 1020). Owner 3: 7 (buy 1000), 8 (sell 1005).
void mixed_book(BookFixture& f) {
  f.rest(buy(5, 990, 1, 1));
  f.rest(buy(1, 1000, 5, 2));
  f.rest(sell(2, 1010, 2, 1));
  f.rest(sell(4, 1020, 6, 2));
  f.rest(buy(9, 995, 3, 1));
  f.rest(buy(7, 1000, 7, 3));
  f.rest(sell(3, 1005, 4, 1));
  f.rest(sell(8, 1005, 8, 3));
}

}  // namespace

// ====================================================================== mass cancel

TEST_CASE("session: mass cancel by owner goes in acceptance order", "[book][session][mass]") {
  BookFixture f;
  mixed_book(f);
  std::uint32_t n = 0;
  CHECK(f.mass_cancel(by_owner(1), &n) == Events{
                                              mass(5, 1, Side::Buy, 990, 1),
                                              mass(2, 1, Side::Sell, 1010, 2),
                                              mass(9, 1, Side::Buy, 995, 3),
                                              mass(3, 1, Side::Sell, 1005, 4),
                                          });
  CHECK(n == 4);
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 12, 2)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 8, 1), lv(1020, 6, 1)});
  CHECK(f.book.open_orders() == 4);
  // nothing left for owner 1
  CHECK(f.mass_cancel(by_owner(1), &n).empty());
  CHECK(n == 0);
}

TEST_CASE("session: mass cancel by owner keeps first-acceptance order after modifies and fills",
          "[book][session][mass]") {
  BookFixture f;
  mixed_book(f);
  // 5 loses priority (price change), 9 loses priority (qty up), 2 keeps it (qty down)
  CHECK(f.modify(5, 985, 1).size() == 1);
  CHECK(f.modify(9, 995, 30).size() == 1);
  CHECK(f.modify(2, 1010, 1).size() == 1);
  // 3 is partially filled
  const NewOrder t = buy(20, 1005, 1, 9);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 3, 1, 1005, 1, 0, 3)});
  // a later order of owner 1
  f.rest(sell(6, 1030, 9, 1));
  std::uint32_t n = 0;
  CHECK(f.mass_cancel(by_owner(1), &n) == Events{
                                              mass(5, 1, Side::Buy, 985, 1),
                                              mass(2, 1, Side::Sell, 1010, 1),
                                              mass(9, 1, Side::Buy, 995, 30),
                                              mass(3, 1, Side::Sell, 1005, 3),
                                              mass(6, 1, Side::Sell, 1030, 9),
                                          });
  CHECK(n == 5);
}

TEST_CASE("session: mass cancel by side goes from the best price outward, FIFO within a level",
          "[book][session][mass]") {
  BookFixture f;
  mixed_book(f);
  std::uint32_t n = 0;
  CHECK(f.mass_cancel(by_side(Side::Buy), &n) == Events{
                                                     mass(1, 2, Side::Buy, 1000, 5),
                                                     mass(7, 3, Side::Buy, 1000, 7),
                                                     mass(9, 1, Side::Buy, 995, 3),
                                                     mass(5, 1, Side::Buy, 990, 1),
                                                 });
  CHECK(n == 4);
  CHECK(f.depth(Side::Buy).empty());
  CHECK(f.depth(Side::Sell).size() == 3);
  CHECK(f.mass_cancel(by_side(Side::Sell), &n) == Events{
                                                      mass(3, 1, Side::Sell, 1005, 4),
                                                      mass(8, 3, Side::Sell, 1005, 8),
                                                      mass(2, 1, Side::Sell, 1010, 2),
                                                      mass(4, 2, Side::Sell, 1020, 6),
                                                  });
  CHECK(n == 4);
  CHECK(f.book.open_orders() == 0);
}

TEST_CASE("session: mass cancel of the whole book: Buy side then Sell side, best outward",
          "[book][session][mass]") {
  BookFixture f;
  mixed_book(f);
  std::uint32_t n = 0;
  CHECK(f.mass_cancel(MassCancelFilter{}, &n) == Events{
                                                     mass(1, 2, Side::Buy, 1000, 5),
                                                     mass(7, 3, Side::Buy, 1000, 7),
                                                     mass(9, 1, Side::Buy, 995, 3),
                                                     mass(5, 1, Side::Buy, 990, 1),
                                                     mass(3, 1, Side::Sell, 1005, 4),
                                                     mass(8, 3, Side::Sell, 1005, 8),
                                                     mass(2, 1, Side::Sell, 1010, 2),
                                                     mass(4, 2, Side::Sell, 1020, 6),
                                                 });
  CHECK(n == 8);
  CHECK(f.book.open_orders() == 0);
  CHECK_FALSE(f.book.best(Side::Buy).has_value());
  CHECK_FALSE(f.book.best(Side::Sell).has_value());
  CHECK(f.mass_cancel(MassCancelFilter{}, &n).empty());
  CHECK(n == 0);
}

TEST_CASE("session: mass cancel by owner and side", "[book][session][mass]") {
  BookFixture f;
  mixed_book(f);
  std::uint32_t n = 0;
  // acceptance order (2 before 3), not price order
  CHECK(f.mass_cancel(by_owner_side(1, Side::Sell), &n) == Events{
                                                               mass(2, 1, Side::Sell, 1010, 2),
                                                               mass(3, 1, Side::Sell, 1005, 4),
                                                           });
  CHECK(n == 2);
  CHECK(f.live(5));
  CHECK(f.live(9));
  CHECK(f.mass_cancel(by_owner_side(3, Side::Buy), &n) == Events{mass(7, 3, Side::Buy, 1000, 7)});
  CHECK(n == 1);
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 5, 1), lv(995, 3, 1), lv(990, 1, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1005, 8, 1), lv(1020, 6, 1)});
}

TEST_CASE("session: mass cancel of an unknown owner or empty selection cancels nothing", "[book][session][mass]") {
  BookFixture f;
  std::uint32_t n = 99;
  CHECK(f.mass_cancel(MassCancelFilter{}, &n).empty());  // empty book
  CHECK(n == 0);
  mixed_book(f);
  const BookSnapshot before = f.snapshot();
  n = 99;
  CHECK(f.mass_cancel(by_owner(424242), &n).empty());
  CHECK(n == 0);
  n = 99;
  CHECK(f.mass_cancel(by_owner_side(424242, Side::Sell), &n).empty());
  CHECK(n == 0);
  // owner 2 has no buy... it has: 1 is a buy. Owner 3 with only sells left after this:
  CHECK(f.mass_cancel(by_owner_side(3, Side::Buy), &n).size() == 1);
  n = 99;
  CHECK(f.mass_cancel(by_owner_side(3, Side::Buy), &n).empty());
  CHECK(n == 0);
  CHECK(f.snapshot().asks == before.asks);
}

TEST_CASE("session: mass cancel with an invalid side filter is Rejected(InvalidSide)", "[book][session][mass][reject]") {
  BookFixture f;
  mixed_book(f);
  const BookSnapshot before = f.snapshot();
  std::uint32_t n = 99;
  CHECK(f.mass_cancel(by_side(static_cast<Side>(2)), &n) ==
        Events{ev_rejected_bare(Request::MassCancel, Reason::InvalidSide)});
  CHECK(n == 0);
  CHECK(f.mass_cancel(by_owner_side(1, static_cast<Side>(200)), &n) ==
        Events{ev_rejected_bare(Request::MassCancel, Reason::InvalidSide)});
  CHECK(n == 0);
  CHECK(f.snapshot() == before);
}

// ====================================================================== price band

TEST_CASE("session: set_price_band cancels resting orders outside with OutsideNewBand", "[book][session][band]") {
  BookFixture f;
  f.rest(buy(1, 1000, 1, 11));
  f.rest(buy(2, 940, 2, 12));
  f.rest(buy(4, 900, 4, 14));
  f.rest(buy(3, 940, 3, 13));
  f.rest(buy(9, 950, 9, 19));  // exactly at the new lo: stays
  f.rest(sell(5, 1100, 5, 15));
  f.rest(sell(7, 1300, 7, 17));
  f.rest(sell(6, 1260, 6, 16));
  f.rest(sell(8, 1260, 8, 18));
  f.rest(sell(10, 1250, 10, 20));  // exactly at the new hi: stays
  CHECK(f.band(950, 1250) == Events{
                                 out_of_band(2, 12, Side::Buy, 940, 2),
                                 out_of_band(3, 13, Side::Buy, 940, 3),
                                 out_of_band(4, 14, Side::Buy, 900, 4),
                                 out_of_band(6, 16, Side::Sell, 1260, 6),
                                 out_of_band(8, 18, Side::Sell, 1260, 8),
                                 out_of_band(7, 17, Side::Sell, 1300, 7),
                             });
  CHECK(f.book.price_band() == std::pair<Price, Price>{950, 1250});
  CHECK(f.depth(Side::Buy) == Levels{lv(1000, 1, 1), lv(950, 9, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(1100, 5, 1), lv(1250, 10, 1)});
  CHECK(f.book.open_orders() == 4);

  // later adds and modifies outside are rejected; the edges pass
  f.add_rejected(buy(20, 945, 1), Reason::PriceOutsideBand);
  f.add_rejected(sell(20, 1255, 1), Reason::PriceOutsideBand);
  f.add_rejected(market(20, Side::Buy, 1, 1255), Reason::PriceOutsideBand);
  CHECK(f.modify(1, 945, 1) == Events{ev_rejected_modify(1, 945, 1, Side::Buy, Reason::PriceOutsideBand)});
  f.rest(buy(21, 950, 1));
  f.rest(sell(22, 1250, 1));

  // widening the band cancels nothing and allows the prices again
  CHECK(f.band(100, 10'000).empty());
  CHECK(f.book.price_band() == std::pair<Price, Price>{100, 10'000});
  f.rest(buy(23, 945, 1));
  f.rest(sell(24, 1255, 1));
}

TEST_CASE("session: set_price_band validation: InvalidBand changes nothing", "[book][session][band][reject]") {
  BookFixture f;  // ladder [100, 10000], tick 5
  f.rest(buy(1, 100, 1));
  f.rest(sell(2, 10'000, 1));
  const BookSnapshot before = f.snapshot();
  const Events invalid{ev_rejected_bare(Request::SetBand, Reason::InvalidBand)};
  CHECK(f.band(1000, 995) == invalid);      // lo > hi
  CHECK(f.band(1002, 2000) == invalid);     // lo off tick
  CHECK(f.band(1000, 2003) == invalid);     // hi off tick
  CHECK(f.band(95, 2000) == invalid);       // below the ladder
  CHECK(f.band(1000, 10'005) == invalid);   // above the ladder
  CHECK(f.band(-5, 2000) == invalid);
  CHECK(f.band(0, 2000) == invalid);
  CHECK(f.snapshot() == before);
  CHECK(f.book.price_band() == std::pair<Price, Price>{100, 10'000});
  // the ladder itself and a single price are valid bands
  CHECK(f.band(100, 10'000).empty());
  CHECK(f.band(5000, 5000) == Events{
                                  out_of_band(1, 1, Side::Buy, 100, 1),
                                  out_of_band(2, 1, Side::Sell, 10'000, 1),
                              });
  CHECK(f.book.price_band() == std::pair<Price, Price>{5000, 5000});
  f.rest(buy(3, 5000, 1));
  f.add_rejected(sell(4, 5005, 1), Reason::PriceOutsideBand);
}

// ====================================================================== depth

TEST_CASE("session: depth gives top-N levels with price, total qty and order count", "[book][session][depth]") {
  BookFixture f;
  CHECK(f.depth(Side::Buy, 5).empty());
  f.rest(buy(1, 1000, 1, 11));
  f.rest(buy(2, 1000, 2, 12));
  f.rest(buy(3, 1000, 3, 13));
  f.rest(buy(4, 995, 4, 14));
  f.rest(buy(5, 990, 5, 15));
  f.rest(buy(6, 990, 5, 16));
  f.rest(buy(7, 980, 7, 17));
  f.rest(sell(8, 1010, 1, 18));
  f.rest(sell(9, 1005, 2, 19));
  f.rest(sell(10, 1020, 3, 20));

  CHECK(f.depth(Side::Buy, 2) == Levels{lv(1000, 6, 3), lv(995, 4, 1)});
  CHECK(f.depth(Side::Buy, 4) == Levels{lv(1000, 6, 3), lv(995, 4, 1), lv(990, 10, 2), lv(980, 7, 1)});
  CHECK(f.depth(Side::Buy, 10).size() == 4);  // fewer levels than asked
  CHECK(f.depth(Side::Sell, 10) == Levels{lv(1005, 2, 1), lv(1010, 1, 1), lv(1020, 3, 1)});
  CHECK(f.depth(Side::Sell, 1) == Levels{lv(1005, 2, 1)});
  LevelView none[1];
  CHECK(f.book.depth(Side::Buy, std::span<LevelView>(none, std::size_t{0})) == 0);

  // after fills: a sell takes the 1000 level and part of 995
  const NewOrder t = sell(11, 995, 7, 2);
  CHECK(f.add(t) == Events{
                        ev_accepted(t),
                        ev_trade(t, 1, 11, 1000, 1, 6, 0),
                        ev_trade(t, 2, 12, 1000, 2, 4, 0),
                        ev_trade(t, 3, 13, 1000, 3, 1, 0),
                        ev_trade(t, 4, 14, 995, 1, 0, 3),
                    });
  CHECK(f.depth(Side::Buy, 3) == Levels{lv(995, 3, 1), lv(990, 10, 2), lv(980, 7, 1)});
  CHECK(f.depth(Side::Sell, 3) == Levels{lv(1005, 2, 1), lv(1010, 1, 1), lv(1020, 3, 1)});
  // after a partial cancel of a level
  CHECK(f.cancel(5).size() == 1);
  CHECK(f.depth(Side::Buy, 3) == Levels{lv(995, 3, 1), lv(990, 5, 1), lv(980, 7, 1)});
}

// ====================================================================== large books

TEST_CASE("session: a deep queue of hundreds of orders at one level keeps FIFO", "[book][session][large]") {
  BookFixture f;
  constexpr OrderId kN = 600;
  for (OrderId id = 1; id <= kN; ++id) {
    f.rest(sell(id, 1000, static_cast<Qty>(id % 7 + 1), static_cast<OwnerId>(id % 13 + 10)));
  }
  f.rest(sell(10'000, 1005, 50, 99));
  Qty total = 0;
  for (OrderId id = 1; id <= kN; ++id) total += static_cast<Qty>(id % 7 + 1);
  CHECK(f.depth(Side::Sell, 2) == Levels{lv(1000, total, static_cast<std::uint32_t>(kN)), lv(1005, 50, 1)});

  // cancel every 10th order, shrink order 15 (keeps its place), grow order 16 (goes to the back)
  std::set<OrderId> cancelled;
  for (OrderId id = 10; id <= kN; id += 10) {
    const Qty q = static_cast<Qty>(id % 7 + 1);
    CHECK(f.cancel(id) ==
          Events{ev_cancelled(id, static_cast<OwnerId>(id % 13 + 10), Side::Sell, 1000, q, 0, Reason::UserCancel,
                              Request::Cancel)});
    total -= q;
    cancelled.insert(id);
  }
  std::map<OrderId, Qty> qty_of;
  for (OrderId id = 1; id <= kN; ++id) qty_of[id] = static_cast<Qty>(id % 7 + 1);
  CHECK(f.modify(15, 1000, 1).size() == 1);
  total -= qty_of[15] - 1;
  qty_of[15] = 1;
  CHECK(f.modify(16, 1000, 20).size() == 1);
  total += 20 - qty_of[16];
  qty_of[16] = 20;
  const auto count = static_cast<std::uint32_t>(kN - cancelled.size());
  CHECK(*f.book.best(Side::Sell) == lv(1000, total, count));

  // a buy for exactly the level: trades in FIFO order, then the next level is best
  std::vector<OrderId> fifo;
  for (OrderId id = 1; id <= kN; ++id) {
    if (cancelled.count(id) == 0 && id != 16) fifo.push_back(id);
  }
  fifo.push_back(16);
  const NewOrder t = buy(20'000, 1000, total, 2).ioc();
  Events expected{ev_accepted(t)};
  Qty left = total;
  for (OrderId id : fifo) {
    left -= qty_of[id];
    expected.push_back(ev_trade(t, id, static_cast<OwnerId>(id % 13 + 10), 1000, qty_of[id], left, 0));
  }
  REQUIRE(left == 0);
  CHECK(f.add(t) == expected);
  CHECK(*f.book.best(Side::Sell) == lv(1005, 50, 1));
  CHECK(f.book.open_orders() == 1);
}

TEST_CASE("session: a wide ladder (40,000 ticks) with orders at both ends", "[book][session][large]") {
  BookConfig c;
  c.tick = 5;
  c.lot = 1;
  c.ladder_min = 5000;
  c.ladder_max = 5000 + 5 * 40'000;  // 40,001 levels
  c.initial_order_capacity = 8;
  BookFixture f(c);
  const Price lo = c.ladder_min;
  const Price hi = c.ladder_max;
  const Price mid = lo + 5 * 20'000;

  f.rest(buy(1, lo, 1, 11));
  f.rest(buy(2, mid, 2, 12));
  f.rest(sell(3, mid + 5, 3, 13));
  f.rest(sell(4, hi, 4, 14));
  CHECK(f.depth(Side::Buy) == Levels{lv(mid, 2, 1), lv(lo, 1, 1)});
  CHECK(f.depth(Side::Sell) == Levels{lv(mid + 5, 3, 1), lv(hi, 4, 1)});

  // best bid level empties by cancel: next best is 20,000 ticks away
  CHECK(f.cancel(2).size() == 1);
  CHECK(*f.book.best(Side::Buy) == lv(lo, 1, 1));
  // best ask level empties by a trade
  const NewOrder t = buy(5, mid + 5, 3, 2);
  CHECK(f.add(t) == Events{ev_accepted(t), ev_trade(t, 3, 13, mid + 5, 3, 0, 0)});
  CHECK(*f.book.best(Side::Sell) == lv(hi, 4, 1));

  // a new best in the gap, then removed again
  f.rest(buy(6, lo + 5 * 33'333, 1, 16));
  CHECK(f.book.best(Side::Buy)->price == lo + 5 * 33'333);
  CHECK(f.cancel(6).size() == 1);
  CHECK(f.book.best(Side::Buy)->price == lo);

  // market orders walk the whole gap up to the band edges
  const NewOrder mb = market(7, Side::Buy, 5, 0, 2);
  CHECK(f.add(mb) == Events{
                         ev_accepted(mb),
                         ev_trade(mb, 4, 14, hi, 4, 1, 0),
                         ev_cancelled(7, 2, Side::Buy, 0, 1, 0, Reason::MarketRemainder, Request::Add),
                     });
  const NewOrder ms = market(8, Side::Sell, 1, 0, 2);
  CHECK(f.add(ms) == Events{ev_accepted(ms), ev_trade(ms, 1, 11, lo, 1, 0, 0)});
  CHECK(f.book.open_orders() == 0);

  // an ask at the low end and a bid-less book: a buy at the top walks from lo to hi
  f.rest(sell(9, lo, 1, 19));
  f.rest(sell(10, hi, 1, 20));
  const NewOrder sweep = buy(11, hi, 3, 2);
  CHECK(f.add(sweep) == Events{
                            ev_accepted(sweep),
                            ev_trade(sweep, 9, 19, lo, 1, 2, 0),
                            ev_trade(sweep, 10, 20, hi, 1, 1, 0),
                        });
  CHECK(f.depth(Side::Buy) == Levels{lv(hi, 1, 1)});
  CHECK(f.depth(Side::Sell).empty());
}

TEST_CASE("session: best price stays right across bitmap word boundaries on a 2^18-level ladder",
          "[book][session][large]") {
  BookFixture f(wide_unit_ladder_config());  // levels 0 .. 2^18 - 1, price = level + 1
  const std::vector<Price> levels{0,    1,    62,    63,    64,    65,    127,    128,    4031,   4032,
                                  4095, 4096, 4097,  8191,  8192,  65535, 65536,  131071, 131072, 200000,
                                  262079, 262080, 262142, 262143};

  SECTION("bids: cancel the best repeatedly") {
    OrderId id = 1;
    std::map<Price, OrderId> at;
    for (Price l : levels) {
      f.rest(buy(id, l + 1, 1, 1));
      at[l + 1] = id++;
    }
    Levels all = f.depth(Side::Buy, levels.size() + 5);
    REQUIRE(all.size() == levels.size());
    for (std::size_t i = 0; i < levels.size(); ++i) CHECK(all[i].price == levels[levels.size() - 1 - i] + 1);
    for (auto it = at.rbegin(); it != at.rend(); ++it) {
      REQUIRE(f.book.best(Side::Buy).has_value());
      CHECK(f.book.best(Side::Buy)->price == it->first);
      CHECK(f.cancel(it->second).size() == 1);
    }
    CHECK_FALSE(f.book.best(Side::Buy).has_value());
  }
  SECTION("asks: cancel the best repeatedly") {
    OrderId id = 1;
    std::map<Price, OrderId> at;
    for (Price l : levels) {
      f.rest(sell(id, l + 1, 1, 1));
      at[l + 1] = id++;
    }
    Levels all = f.depth(Side::Sell, levels.size());
    REQUIRE(all.size() == levels.size());
    for (std::size_t i = 0; i < levels.size(); ++i) CHECK(all[i].price == levels[i] + 1);
    for (const auto& [price, oid] : at) {
      REQUIRE(f.book.best(Side::Sell).has_value());
      CHECK(f.book.best(Side::Sell)->price == price);
      CHECK(f.cancel(oid).size() == 1);
    }
    CHECK_FALSE(f.book.best(Side::Sell).has_value());
  }
  SECTION("a market sell sweeps every bid level across the boundaries") {
    OrderId id = 1;
    for (Price l : levels) f.rest(buy(id++, l + 1, 1, 1));
    const NewOrder m = market(1000, Side::Sell, static_cast<Qty>(levels.size()), 0, 2);
    Events expected{ev_accepted(m)};
    Qty left = static_cast<Qty>(levels.size());
    for (std::size_t i = levels.size(); i-- > 0;) {
      --left;
      expected.push_back(ev_trade(m, static_cast<OrderId>(i + 1), 1, levels[i] + 1, 1, left, 0));
    }
    CHECK(f.add(m) == expected);
    CHECK(f.book.open_orders() == 0);
  }
}
