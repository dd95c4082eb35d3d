// The router on its own: committed events in, FIX messages out, to the right
// sessions — execution reports with copies, rejects in the request's terms,
// market data increments (depth, trades, statistics, the close).
#include <catch2/catch.hpp>

#include "gateway/router.hpp"

using namespace erx;
using namespace erx::gateway;
using exchange::Event;

namespace {

struct Fixture {
  InstrumentView instruments;
  OrderView orders;
  MarketView market;
  Directory dir;
  Router router{instruments, orders, market, dir};
  std::vector<Delivery> out;
  exchange::Seq seq = 100;

  Fixture() {
    exchange::InstrumentSpec spec;
    spec.symbol = exchange::Symbol::of("CEA25");
    spec.price_scale = 2;
    spec.qty_scale = 0;
    instruments.upsert(1, spec);
    dir.member_slot = {{1, 0}, {2, 1}};
    dir.drop_copy_slot = {{1, 2}};
    dir.regulator_slot = 3;
    dir.all_member_slots = {0, 1};
  }
  void commit(std::vector<Event> events, RequestInfo r = {}) {
    out.clear();
    router.committed(r, ++seq, 1'767'576'600'000'000'000, events, out);
  }
  std::vector<const Delivery*> to(SlotId slot, const std::string& type) const {
    std::vector<const Delivery*> v;
    for (const Delivery& d : out)
      if (d.slot == slot && d.msg.type == type) v.push_back(&d);
    return v;
  }
};

std::string get(const OutMsg& m, int tag) {
  const std::string* v = m.get(tag);
  return v ? *v : std::string("<absent>");
}

exchange::OrderAccepted accepted(exchange::OrderId id, exchange::MemberId member, exchange::Side side, Price price,
                                 Qty qty, const char* clord, exchange::TimeInForce tif = exchange::TimeInForce::Gtc) {
  exchange::OrderAccepted a;
  a.order = id;
  a.member = member;
  a.account = member * 100 + 1;
  a.instrument = 1;
  a.clord_id = exchange::ClOrdId::of(clord);
  a.side = side;
  a.price = price;
  a.qty = qty;
  a.tif = tif;
  return a;
}

}  // namespace

TEST_CASE("router: a resting order, a trade against it, copies and market data", "[gateway][unit]") {
  Fixture f;
  f.router.subscribe(1, 1, "MD");
  f.commit({accepted(10, 2, exchange::Side::Sell, 9000, 5, "S1")});
  REQUIRE(f.to(1, "8").size() == 1);
  const OutMsg& er = f.to(1, "8")[0]->msg;
  CHECK(get(er, tag::ExecType) == "0");
  CHECK(get(er, tag::Price) == "90.00");
  CHECK(get(er, tag::LeavesQty) == "5");
  CHECK(get(er, tag::TransactTime) == "20260105-01:30:00.000");
  CHECK(f.to(3, "8").size() == 1);  // the regulator's copy
  CHECK(f.to(2, "8").empty());      // M1's drop copy: not M1's order
  REQUIRE(f.to(1, "X").size() == 1);  // the new offer level

  // M1 buys 2 IOC: both sides get a fill, M1's drop copy and the regulator copies.
  exchange::Trade t;
  t.trade = 7;
  t.instrument = 1;
  t.price = 9000;
  t.qty = 2;
  t.cash = 18000;
  t.buy = exchange::FillSide{11, 101, 1, exchange::ClOrdId::of("B1"), 9100, 0, 2, 18000, 0};
  t.sell = exchange::FillSide{10, 201, 2, exchange::ClOrdId::of("S1"), 9000, 3, 2, 18000, 0};
  f.commit({accepted(11, 1, exchange::Side::Buy, 9100, 2, "B1", exchange::TimeInForce::Ioc), t});
  REQUIRE(f.to(0, "8").size() == 2);  // new, fill
  const OutMsg& fill = f.to(0, "8")[1]->msg;
  CHECK(get(fill, tag::ExecType) == "F");
  CHECK(get(fill, tag::OrdStatus) == "2");
  CHECK(get(fill, tag::LastPx) == "90.00");
  CHECK(get(fill, tag::AvgPx) == "90.000000");
  CHECK(get(fill, tag::TrdMatchID) == "7");
  const auto seller = f.to(1, "8");
  REQUIRE(seller.size() == 1);
  CHECK(get(seller[0]->msg, tag::OrdStatus) == "1");
  CHECK(get(seller[0]->msg, tag::LeavesQty) == "3");
  REQUIRE(f.to(2, "8").size() == 2);
  CHECK(get(f.to(2, "8")[0]->msg, tag::CopyMsgIndicator) == "Y");
  CHECK(f.to(3, "8").size() == 3);

  // The increment: the offer reduced to 3, the trade, the statistics.
  REQUIRE(f.to(1, "X").size() == 1);
  const OutGroup& g = f.to(1, "X")[0]->msg.groups.at(0);
  std::map<std::string, std::string> by_type;
  for (const auto& e : g.entries) {
    std::string type, value;
    for (const OutField& fld : e) {
      if (fld.tag == tag::MDEntryType) type = fld.value;
      if (fld.tag == tag::MDEntrySize && (type == "1" || type == "B")) value = fld.value;
      if (fld.tag == tag::MDEntryPx && type != "1" && type != "B") value = fld.value;
    }
    by_type[type] = value;
  }
  CHECK(by_type["1"] == "3");
  CHECK(by_type["2"] == "90.00");
  CHECK(by_type["9"] == "90.00");
  CHECK(by_type["B"] == "2");
  // The IOC never rested: the depth has one level only.
  CHECK(f.market.top(1, exchange::Side::Buy).empty());
}

TEST_CASE("router: a rejected request is answered in its own terms", "[gateway][unit]") {
  Fixture f;
  RequestInfo r;
  r.kind = RequestInfo::Kind::NewOrder;
  r.slot = 0;
  r.member = 1;
  r.clord_id = "N1";
  r.symbol = "CEA25";
  r.side = '1';
  r.order_qty = "5";
  exchange::CommandRejected rej;
  rej.reason = exchange::RejectReason::PriceOutsideBand;
  f.commit({rej}, r);
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "8");
  CHECK(get(f.to(0, "8")[0]->msg, tag::ClOrdID) == "N1");
  r.kind = RequestInfo::Kind::Cancel;
  r.orig_clord_id = "N0";
  rej.reason = exchange::RejectReason::UnknownOrder;
  f.commit({rej}, r);
  REQUIRE(f.to(0, "9").size() == 1);
  CHECK(get(f.to(0, "9")[0]->msg, tag::CxlRejReason) == "1");
  CHECK(get(f.to(0, "9")[0]->msg, tag::CxlRejResponseTo) == "1");
  // An internal command (timer, cancel on disconnect) answers nobody.
  f.commit({rej}, RequestInfo{});
  CHECK(f.out.empty());
}

TEST_CASE("router: the day's close reaches subscribers and snapshots", "[gateway][unit]") {
  Fixture f;
  f.router.subscribe(1, 1, "MD");
  exchange::DailyStatistics d;
  d.instrument = 1;
  d.close = 9123;
  f.commit({d});
  REQUIRE(f.to(1, "X").size() == 1);
  const auto& entry = f.to(1, "X")[0]->msg.groups.at(0).entries.at(0);
  CHECK(entry.at(1).value == "5");
  CHECK(entry.at(3).value == "91.23");
  const OutMsg snap = f.router.snapshot(*f.instruments.find(1), "S");
  bool close = false;
  for (const auto& e : snap.groups.at(0).entries) close = close || (e.at(0).value == "5" && e.at(1).value == "91.23");
  CHECK(close);
}

namespace {

exchange::Trade trade(exchange::TradeId id, Price price, Qty qty, erx::Money cash, exchange::Side aggressor,
                      exchange::FillSide buy, exchange::FillSide sell) {
  exchange::Trade t;
  t.trade = id;
  t.instrument = 1;
  t.price = price;
  t.qty = qty;
  t.cash = cash;
  t.aggressor = aggressor;
  t.buy = std::move(buy);
  t.sell = std::move(sell);
  return t;
}

exchange::OrderCancelled cancelled(const exchange::OrderAccepted& a, exchange::CancelReason why, Qty cancelled_qty,
                                   Qty leaves, Qty cum_qty = 0, erx::Money cum_cash = 0) {
  exchange::OrderCancelled c;
  c.order = a.order;
  c.account = a.account;
  c.member = a.member;
  c.instrument = a.instrument;
  c.clord_id = a.clord_id;
  c.side = a.side;
  c.price = a.price;
  c.cancelled = cancelled_qty;
  c.leaves = leaves;
  c.cum_qty = cum_qty;
  c.cum_cash = cum_cash;
  c.reason = why;
  return c;
}

// The request of a member's OrderCancelRequest.
RequestInfo cancel_request(SlotId slot, exchange::MemberId member, std::string clord, std::string orig) {
  RequestInfo r;
  r.kind = RequestInfo::Kind::Cancel;
  r.slot = slot;
  r.member = member;
  r.clord_id = std::move(clord);
  r.orig_clord_id = std::move(orig);
  return r;
}

}  // namespace

TEST_CASE("router: fills say who took liquidity, and carry the fill's cash, its fees and the cash so far",
          "[gateway][unit]") {
  Fixture f;
  // M2 rests two offers; M1's buy of 5 at 90.10 takes 3 at 90.00 and 2 at 90.05.
  f.commit({accepted(10, 2, exchange::Side::Sell, 9000, 3, "S1"), accepted(11, 2, exchange::Side::Sell, 9005, 5, "S2")});
  const auto new_offer = f.to(1, "8");
  REQUIRE(new_offer.size() == 2);
  CHECK(get(new_offer[0]->msg, tag::CumCashAmt) == "0.00");  // before any fill
  CHECK(get(new_offer[0]->msg, tag::LastLiquidityInd) == "<absent>");

  using exchange::FillSide;
  using exchange::Side;
  f.commit({accepted(12, 1, Side::Buy, 9010, 5, "B1", exchange::TimeInForce::Day),
            trade(7, 9000, 3, 27000, Side::Buy, FillSide{12, 101, 1, exchange::ClOrdId::of("B1"), 9010, 2, 3, 27000, 100},
                  FillSide{10, 201, 2, exchange::ClOrdId::of("S1"), 9000, 0, 3, 27000, 14}),
            trade(8, 9005, 2, 18010, Side::Buy, FillSide{12, 101, 1, exchange::ClOrdId::of("B1"), 9010, 0, 5, 45010, 0},
                  FillSide{11, 201, 2, exchange::ClOrdId::of("S2"), 9005, 3, 2, 18010, 9})});

  // The buyer, the incoming order: taker (851=2) on both fills.
  const auto buyer = f.to(0, "8");
  REQUIRE(buyer.size() == 3);  // new, fill, fill
  const OutMsg& first = buyer[1]->msg;
  CHECK(get(first, tag::ExecType) == "F");
  CHECK(get(first, tag::LastLiquidityInd) == "2");
  CHECK(get(first, tag::GrossTradeAmt) == "270.00");
  CHECK(get(first, tag::Commission) == "1.00");
  CHECK(get(first, tag::CommType) == "3");
  CHECK(get(first, tag::CumCashAmt) == "270.00");
  const OutMsg& second = buyer[2]->msg;
  CHECK(get(second, tag::LastLiquidityInd) == "2");
  CHECK(get(second, tag::GrossTradeAmt) == "180.10");
  CHECK(get(second, tag::Commission) == "0.00");  // no fee on this fill: said, not omitted
  CHECK(get(second, tag::CommType) == "3");
  CHECK(get(second, tag::CumCashAmt) == "450.10");  // 270.00 + 180.10, exact
  CHECK(get(second, tag::AvgPx) == "90.020000");
  // The drop copy carries the same fields.
  const auto copies = f.to(2, "8");
  REQUIRE(copies.size() == 3);
  CHECK(get(copies[2]->msg, tag::CumCashAmt) == "450.10");
  CHECK(get(copies[2]->msg, tag::LastLiquidityInd) == "2");

  // The seller's resting orders: maker (851=1), each with its own fee and cash so far.
  const auto seller = f.to(1, "8");
  REQUIRE(seller.size() == 2);
  CHECK(get(seller[0]->msg, tag::ClOrdID) == "S1");
  CHECK(get(seller[0]->msg, tag::LastLiquidityInd) == "1");
  CHECK(get(seller[0]->msg, tag::GrossTradeAmt) == "270.00");
  CHECK(get(seller[0]->msg, tag::Commission) == "0.14");
  CHECK(get(seller[0]->msg, tag::CumCashAmt) == "270.00");
  CHECK(get(seller[1]->msg, tag::ClOrdID) == "S2");
  CHECK(get(seller[1]->msg, tag::LastLiquidityInd) == "1");
  CHECK(get(seller[1]->msg, tag::Commission) == "0.09");
  CHECK(get(seller[1]->msg, tag::CumCashAmt) == "180.10");

  // An incoming sell is the taker: the resting buy is the maker.
  f.commit({accepted(13, 1, Side::Buy, 8900, 4, "B2")});
  f.commit({accepted(14, 2, Side::Sell, 8900, 1, "S3", exchange::TimeInForce::Ioc),
            trade(9, 8900, 1, 8900, Side::Sell, FillSide{13, 101, 1, exchange::ClOrdId::of("B2"), 8900, 3, 1, 8900, 0},
                  FillSide{14, 201, 2, exchange::ClOrdId::of("S3"), 8900, 0, 1, 8900, 5})});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::LastLiquidityInd) == "1");
  REQUIRE(f.to(1, "8").size() == 2);  // new, fill
  CHECK(get(f.to(1, "8")[1]->msg, tag::LastLiquidityInd) == "2");
  CHECK(get(f.to(1, "8")[1]->msg, tag::GrossTradeAmt) == "89.00");

  // A status answer carries the cash so far from the views.
  const OutMsg status = f.router.status_report(*f.orders.find(11), 'I');
  CHECK(get(status, tag::CumCashAmt) == "180.10");
  CHECK(get(status, tag::CumQty) == "2");
  CHECK(get(status, tag::LastLiquidityInd) == "<absent>");
}

TEST_CASE("router: cancels say why, a decrement is a restatement, a replace says whether priority was kept",
          "[gateway][unit]") {
  Fixture f;
  using exchange::CancelReason;
  using exchange::Side;

  // The member's own cancel: 5801=0, answering the request's ClOrdID.
  const auto b1 = accepted(20, 1, Side::Buy, 8500, 10, "B1");
  f.commit({b1});
  const RequestInfo cancel = cancel_request(0, 1, "C1", "B1");
  f.commit({cancelled(b1, CancelReason::UserCancel, 10, 0)}, cancel);
  REQUIRE(f.to(0, "8").size() == 1);
  const OutMsg& own = f.to(0, "8")[0]->msg;
  CHECK(get(own, tag::ExecType) == "4");
  CHECK(get(own, tag::ClOrdID) == "C1");
  CHECK(get(own, tag::CancelReason) == "0");
  CHECK(get(own, tag::ExecRestatementReason) == "<absent>");
  CHECK(get(own, tag::CumCashAmt) == "0.00");

  // A mass cancel: 5801=1.
  const auto b2 = accepted(21, 1, Side::Buy, 8500, 10, "B2");
  f.commit({b2});
  f.commit({cancelled(b2, CancelReason::MassCancel, 10, 0)});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "4");
  CHECK(get(f.to(0, "8")[0]->msg, tag::CancelReason) == "1");
  CHECK(get(f.to(0, "8")[0]->msg, tag::Text) == "mass-cancel");

  // An IOC's unfilled rest: 5801=2.
  const auto ioc = accepted(22, 1, Side::Buy, 8500, 10, "B3", exchange::TimeInForce::Ioc);
  f.commit({ioc, cancelled(ioc, CancelReason::IocRemainder, 10, 0)});
  REQUIRE(f.to(0, "8").size() == 2);
  CHECK(get(f.to(0, "8")[1]->msg, tag::ExecType) == "4");
  CHECK(get(f.to(0, "8")[1]->msg, tag::CancelReason) == "2");

  // A GTD expiry: 150=C, 5801=4.
  const auto gtd = accepted(23, 1, Side::Buy, 8500, 10, "B4", exchange::TimeInForce::Gtd);
  f.commit({gtd});
  f.commit({cancelled(gtd, CancelReason::Expired, 10, 0)});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "C");
  CHECK(get(f.to(0, "8")[0]->msg, tag::CancelReason) == "4");

  // A resting order reduced by an STP decrement, still open: restated, 378=8, 5801=9.
  const auto s1 = accepted(24, 2, Side::Sell, 9000, 10, "S1");
  f.commit({s1});
  f.commit({cancelled(s1, CancelReason::StpDecrement, 4, 6)});
  REQUIRE(f.to(1, "8").size() == 1);
  const OutMsg& restated = f.to(1, "8")[0]->msg;
  CHECK(get(restated, tag::ExecType) == "D");
  CHECK(get(restated, tag::OrdStatus) == "0");
  CHECK(get(restated, tag::LeavesQty) == "6");
  CHECK(get(restated, tag::ExecRestatementReason) == "8");
  CHECK(get(restated, tag::CancelReason) == "9");
  // Decremented to nothing: a cancel (no restatement), still 5801=9.
  f.commit({cancelled(s1, CancelReason::StpDecrement, 6, 0)});
  REQUIRE(f.to(1, "8").size() == 1);
  CHECK(get(f.to(1, "8")[0]->msg, tag::ExecType) == "4");
  CHECK(get(f.to(1, "8")[0]->msg, tag::ExecRestatementReason) == "<absent>");
  CHECK(get(f.to(1, "8")[0]->msg, tag::CancelReason) == "9");

  // Replaces: a size decrease keeps priority (5802=Y), a price change loses it (5802=N).
  const auto b5 = accepted(25, 1, Side::Buy, 8500, 10, "B5");
  f.commit({b5});
  exchange::OrderModified m;
  m.order = 25;
  m.account = b5.account;
  m.member = 1;
  m.instrument = 1;
  m.clord_id = exchange::ClOrdId::of("B6");
  m.orig_clord_id = exchange::ClOrdId::of("B5");
  m.side = Side::Buy;
  m.price = 8500;
  m.leaves = 8;
  m.priority_kept = true;
  f.commit({m});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "5");
  CHECK(get(f.to(0, "8")[0]->msg, tag::OrigClOrdID) == "B5");
  CHECK(get(f.to(0, "8")[0]->msg, tag::PriorityKept) == "Y");
  CHECK(get(f.to(0, "8")[0]->msg, tag::CancelReason) == "<absent>");
  m.clord_id = exchange::ClOrdId::of("B7");
  m.orig_clord_id = exchange::ClOrdId::of("B6");
  m.price = 8600;
  m.priority_kept = false;
  f.commit({m});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::Price) == "86.00");
  CHECK(get(f.to(0, "8")[0]->msg, tag::PriorityKept) == "N");
}
