// The router on its own: committed events in, FIX messages out, to the right
// sessions — execution reports with copies, rejects in the request's terms,
// market data increments (depth, trades, statistics, the close).
#include <catch2/catch.hpp>

#include "gateway/query_answers.hpp"
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

// M1's NewOrderSingle N1 (buy 5 CEA25) from session slot 0.
RequestInfo new_order_request() {
  RequestInfo r;
  r.kind = RequestInfo::Kind::NewOrder;
  r.slot = 0;
  r.member = 1;
  r.clord_id = "N1";
  r.symbol = "CEA25";
  r.side = '1';
  r.order_qty = "5";
  return r;
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
  RequestInfo r = new_order_request();
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
  const auto close_x = f.to(1, "X");
  REQUIRE(close_x.size() == 1);
  REQUIRE(close_x.front() != nullptr);
  const auto& entry = close_x.front()->msg.groups.at(0).entries.at(0);
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

// The replace of an accepted order: its new ClOrdID, price and open quantity.
exchange::OrderModified modified(const exchange::OrderAccepted& a, const char* new_clord, Price price, Qty leaves,
                                 bool priority_kept = false) {
  exchange::OrderModified m;
  m.order = a.order;
  m.account = a.account;
  m.member = a.member;
  m.instrument = a.instrument;
  m.clord_id = exchange::ClOrdId::of(new_clord);
  m.orig_clord_id = a.clord_id;
  m.side = a.side;
  m.price = price;
  m.leaves = leaves;
  m.priority_kept = priority_kept;
  return m;
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
  const OutMsg status = order_status_report(f.instruments, *f.orders.find(11));
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
  exchange::OrderModified m = modified(b5, "B6", 8500, 8, true);
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

namespace {

// A field of one market data entry ("<absent>" when it has none).
std::string entry_field(const std::vector<OutField>& e, int tag) {
  for (const OutField& f : e)
    if (f.tag == tag) return f.value;
  return "<absent>";
}

// The entries of a W or X message of the given MDEntryType, in order.
std::vector<std::vector<OutField>> entries_of(const OutMsg& m, const std::string& type) {
  std::vector<std::vector<OutField>> v;
  for (const auto& e : m.groups.at(0).entries)
    if (entry_field(e, tag::MDEntryType) == type) v.push_back(e);
  return v;
}

exchange::FillSide fill_side(exchange::OrderId order, exchange::MemberId member, const char* clord, Price limit,
                             Qty leaves, Qty cum_qty, erx::Money cum_cash) {
  return exchange::FillSide{order, member * 100 + 1, member, exchange::ClOrdId::of(clord), limit, leaves, cum_qty,
                            cum_cash, 0};
}

}  // namespace

TEST_CASE("router: reports carry ExpireTime for a GTD order only, and the order's resolved STP mode",
          "[gateway][unit]") {
  Fixture f;
  using exchange::Side;
  using exchange::StpMode;
  // 2026-01-06 07:00:00.123 UTC.
  const exchange::Timestamp expiry = 1'767'682'800'123'000'000;
  auto gtd = accepted(30, 1, Side::Buy, 8500, 10, "G1", exchange::TimeInForce::Gtd);
  gtd.expire_at = expiry;
  gtd.stp = StpMode::CancelMaker;
  f.commit({gtd});
  REQUIRE(f.to(0, "8").size() == 1);
  const OutMsg& g_new = f.to(0, "8")[0]->msg;
  CHECK(get(g_new, tag::TimeInForce) == "6");
  CHECK(get(g_new, tag::ExpireTime) == "20260106-07:00:00.123");
  CHECK(get(g_new, tag::SelfTradePreventionMode) == "3");
  // The copies carry them too.
  REQUIRE(f.to(2, "8").size() == 1);
  CHECK(get(f.to(2, "8")[0]->msg, tag::ExpireTime) == "20260106-07:00:00.123");
  CHECK(get(f.to(2, "8")[0]->msg, tag::SelfTradePreventionMode) == "3");

  // A DAY order has no expire time: no 126.
  auto day = accepted(31, 2, Side::Sell, 8500, 4, "D1", exchange::TimeInForce::Day);
  day.stp = StpMode::Decrement;
  f.commit({day});
  REQUIRE(f.to(1, "8").size() == 1);
  CHECK(get(f.to(1, "8")[0]->msg, tag::TimeInForce) == "0");
  CHECK(get(f.to(1, "8")[0]->msg, tag::ExpireTime) == "<absent>");
  CHECK(get(f.to(1, "8")[0]->msg, tag::SelfTradePreventionMode) == "5");

  // Every later report of the order carries them: a fill, a cancel, a status answer.
  f.commit({trade(40, 8500, 4, 34000, Side::Sell, fill_side(30, 1, "G1", 8500, 6, 4, 34000),
                  fill_side(31, 2, "D1", 8500, 0, 4, 34000))});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "F");
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExpireTime) == "20260106-07:00:00.123");
  CHECK(get(f.to(0, "8")[0]->msg, tag::SelfTradePreventionMode) == "3");
  REQUIRE(f.to(1, "8").size() == 1);
  CHECK(get(f.to(1, "8")[0]->msg, tag::ExpireTime) == "<absent>");
  CHECK(get(f.to(1, "8")[0]->msg, tag::SelfTradePreventionMode) == "5");
  const OutMsg status = order_status_report(f.instruments, *f.orders.find(30));
  CHECK(get(status, tag::ExpireTime) == "20260106-07:00:00.123");
  CHECK(get(status, tag::SelfTradePreventionMode) == "3");
  f.commit({cancelled(gtd, exchange::CancelReason::Expired, 6, 0, 4, 34000)});
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecType) == "C");
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExpireTime) == "20260106-07:00:00.123");
  CHECK(get(f.to(0, "8")[0]->msg, tag::SelfTradePreventionMode) == "3");

  // The other modes, with the FIX values of docs/FIX.md section 10.
  const std::pair<StpMode, const char*> modes[] = {
      {StpMode::None, "1"}, {StpMode::CancelTaker, "2"}, {StpMode::CancelBoth, "4"}};
  exchange::OrderId id = 32;
  for (const auto& [mode, value] : modes) {
    auto o = accepted(id, 1, Side::Buy, 8000, 1, ("M" + std::to_string(id)).c_str());
    o.stp = mode;
    f.commit({o});
    REQUIRE(f.to(0, "8").size() == 1);
    CHECK(get(f.to(0, "8")[0]->msg, tag::SelfTradePreventionMode) == value);
    CHECK(get(f.to(0, "8")[0]->msg, tag::ExpireTime) == "<absent>");  // GTC
    ++id;
  }
  // A rejected new order is no known order: neither field.
  RequestInfo r;
  r.kind = RequestInfo::Kind::NewOrder;
  r.slot = 0;
  r.member = 1;
  r.clord_id = "N1";
  exchange::CommandRejected rej;
  rej.reason = exchange::RejectReason::ExpiredOnEntry;
  f.commit({rej}, r);
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::SelfTradePreventionMode) == "<absent>");
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExpireTime) == "<absent>");
}

TEST_CASE("router: a snapshot numbers the levels, counts their orders, and carries the last trade and the turnover",
          "[gateway][unit]") {
  Fixture f;
  using exchange::Side;
  // Bids: 89.00 (two orders, 3 + 4), 88.50 (one, 2). Offers: 90.00 (one, 5), 90.50 (two, 1 + 1).
  f.commit({accepted(10, 1, Side::Buy, 8900, 3, "B1"), accepted(11, 1, Side::Buy, 8900, 4, "B2"),
            accepted(12, 1, Side::Buy, 8850, 2, "B3"), accepted(13, 2, Side::Sell, 9000, 5, "S1"),
            accepted(14, 2, Side::Sell, 9050, 1, "S2"), accepted(15, 2, Side::Sell, 9050, 1, "S3")});
  OutMsg snap = f.router.snapshot(*f.instruments.find(1), "S");
  CHECK(get(snap, tag::RptSeq) == "0");  // nothing published yet
  auto bids = entries_of(snap, "0");
  REQUIRE(bids.size() == 2);
  CHECK(entry_field(bids[0], tag::MDEntryPx) == "89.00");
  CHECK(entry_field(bids[0], tag::MDEntrySize) == "7");
  CHECK(entry_field(bids[0], tag::MDEntryPositionNo) == "1");
  CHECK(entry_field(bids[0], tag::NumberOfOrders) == "2");
  CHECK(entry_field(bids[1], tag::MDEntryPx) == "88.50");
  CHECK(entry_field(bids[1], tag::MDEntryPositionNo) == "2");
  CHECK(entry_field(bids[1], tag::NumberOfOrders) == "1");
  auto offers = entries_of(snap, "1");
  REQUIRE(offers.size() == 2);
  CHECK(entry_field(offers[0], tag::MDEntryPx) == "90.00");
  CHECK(entry_field(offers[0], tag::MDEntryPositionNo) == "1");
  CHECK(entry_field(offers[0], tag::NumberOfOrders) == "1");
  CHECK(entry_field(offers[1], tag::MDEntryPx) == "90.50");
  CHECK(entry_field(offers[1], tag::MDEntrySize) == "2");
  CHECK(entry_field(offers[1], tag::MDEntryPositionNo) == "2");
  CHECK(entry_field(offers[1], tag::NumberOfOrders) == "2");
  CHECK(entries_of(snap, "2").empty());  // nothing traded yet
  CHECK(entries_of(snap, "B").empty());

  // An IOC buys 2 then 5: S1 partly (level stays, one order), then S1's rest
  // and S2 (both off their levels), S3 remains alone at 90.50.
  f.commit({accepted(16, 1, Side::Buy, 9100, 7, "B4", exchange::TimeInForce::Ioc),
            trade(50, 9000, 2, 18000, Side::Buy, fill_side(16, 1, "B4", 9100, 5, 2, 18000),
                  fill_side(13, 2, "S1", 9000, 3, 2, 18000))});
  snap = f.router.snapshot(*f.instruments.find(1), "S");
  offers = entries_of(snap, "1");
  REQUIRE(offers.size() == 2);
  CHECK(entry_field(offers[0], tag::MDEntrySize) == "3");
  CHECK(entry_field(offers[0], tag::NumberOfOrders) == "1");
  f.commit({accepted(17, 1, Side::Buy, 9100, 4, "B5", exchange::TimeInForce::Ioc),
            trade(51, 9000, 3, 27000, Side::Buy, fill_side(17, 1, "B5", 9100, 1, 3, 27000),
                  fill_side(13, 2, "S1", 9000, 0, 5, 45000)),
            trade(52, 9050, 1, 9050, Side::Buy, fill_side(17, 1, "B5", 9100, 0, 4, 36050),
                  fill_side(14, 2, "S2", 9050, 0, 1, 9050))});
  snap = f.router.snapshot(*f.instruments.find(1), "S");
  offers = entries_of(snap, "1");
  REQUIRE(offers.size() == 1);
  CHECK(entry_field(offers[0], tag::MDEntryPx) == "90.50");
  CHECK(entry_field(offers[0], tag::MDEntrySize) == "1");
  CHECK(entry_field(offers[0], tag::MDEntryPositionNo) == "1");
  CHECK(entry_field(offers[0], tag::NumberOfOrders) == "1");
  // The last trade: price, quantity, and the date and time it was sequenced.
  const auto last = entries_of(snap, "2");
  REQUIRE(last.size() == 1);
  CHECK(entry_field(last[0], tag::MDEntryPx) == "90.50");
  CHECK(entry_field(last[0], tag::MDEntrySize) == "1");
  CHECK(entry_field(last[0], tag::MDEntryDate) == "20260105");
  CHECK(entry_field(last[0], tag::MDEntryTime) == "01:30:00.000");
  // The day's volume, its turnover (Σ trade cash: 180.00 + 270.00 + 90.50) and trade count.
  const auto volume = entries_of(snap, "B");
  REQUIRE(volume.size() == 1);
  CHECK(entry_field(volume[0], tag::MDEntrySize) == "6");
  CHECK(entry_field(volume[0], tag::Turnover) == "540.50");
  CHECK(entry_field(volume[0], tag::NumberOfTrades) == "3");

  // A cancel takes one order off 89.00; an STP decrement leaves the other there;
  // a replace moves it to 88.50, joining B3.
  f.commit({cancelled(accepted(10, 1, Side::Buy, 8900, 3, "B1"), exchange::CancelReason::UserCancel, 3, 0)});
  f.commit({cancelled(accepted(11, 1, Side::Buy, 8900, 4, "B2"), exchange::CancelReason::StpDecrement, 1, 3)});
  snap = f.router.snapshot(*f.instruments.find(1), "S");
  bids = entries_of(snap, "0");
  REQUIRE(bids.size() == 2);
  CHECK(entry_field(bids[0], tag::MDEntrySize) == "3");
  CHECK(entry_field(bids[0], tag::NumberOfOrders) == "1");
  f.commit({modified(accepted(11, 1, Side::Buy, 8900, 4, "B2"), "B6", 8850, 3)});
  snap = f.router.snapshot(*f.instruments.find(1), "S");
  bids = entries_of(snap, "0");
  REQUIRE(bids.size() == 1);
  CHECK(entry_field(bids[0], tag::MDEntryPx) == "88.50");
  CHECK(entry_field(bids[0], tag::MDEntrySize) == "5");
  CHECK(entry_field(bids[0], tag::MDEntryPositionNo) == "1");
  CHECK(entry_field(bids[0], tag::NumberOfOrders) == "2");

  // After a restart the day is restored from the engine, which keeps no last
  // trade quantity or time: the trade entry has the price only.
  MarketView restored;
  DayStats d;
  d.open = d.high = d.low = d.last = 9000;
  d.volume = 5;
  d.turnover = 45000;
  d.price_x_qty = 45000;
  d.trades = 2;
  restored.restore_day(1, d);
  restored.add_resting(1, Side::Buy, 8900, 3, 1);
  restored.add_resting(1, Side::Buy, 8900, 4, 1);
  Router after{f.instruments, f.orders, restored, f.dir};
  snap = after.snapshot(*f.instruments.find(1), "S");
  bids = entries_of(snap, "0");
  REQUIRE(bids.size() == 1);
  CHECK(entry_field(bids[0], tag::NumberOfOrders) == "2");
  const auto last_after = entries_of(snap, "2");
  REQUIRE(last_after.size() == 1);
  CHECK(entry_field(last_after[0], tag::MDEntryPx) == "90.00");
  CHECK(entry_field(last_after[0], tag::MDEntrySize) == "<absent>");
  CHECK(entry_field(last_after[0], tag::MDEntryDate) == "<absent>");
  CHECK(entry_field(last_after[0], tag::MDEntryTime) == "<absent>");
  const auto volume_after = entries_of(snap, "B");
  REQUIRE(volume_after.size() == 1);
  CHECK(entry_field(volume_after[0], tag::Turnover) == "450.00");
  CHECK(entry_field(volume_after[0], tag::NumberOfTrades) == "2");
}

TEST_CASE("router: increments carry order counts, the trade's time, turnover and trade count, numbered by RptSeq",
          "[gateway][unit]") {
  Fixture f;
  using exchange::Side;
  f.router.subscribe(1, 1, "MD");
  CHECK(get(f.router.snapshot(*f.instruments.find(1), "S"), tag::RptSeq) == "0");

  // A new level: 279=0 with its order count, RptSeq 1.
  f.commit({accepted(10, 2, Side::Sell, 9000, 5, "S1")});
  REQUIRE(f.to(1, "X").size() == 1);
  auto entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(entries.size() == 1);
  CHECK(entry_field(entries[0], tag::MDUpdateAction) == "0");
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "1");
  CHECK(entry_field(entries[0], tag::RptSeq) == "1");
  CHECK(entry_field(entries[0], tag::MDEntryPositionNo) == "<absent>");  // levels are keyed by price

  // A second order at that price: 279=1, two orders, RptSeq 2.
  f.commit({accepted(11, 2, Side::Sell, 9000, 2, "S2")});
  REQUIRE(f.to(1, "X").size() == 1);
  entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(entries.size() == 1);
  CHECK(entry_field(entries[0], tag::MDUpdateAction) == "1");
  CHECK(entry_field(entries[0], tag::MDEntrySize) == "7");
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "2");
  CHECK(entry_field(entries[0], tag::RptSeq) == "2");

  // The order count alone changed (S1 leaves, S3 of the same size joins): still a 279=1.
  f.commit({cancelled(accepted(10, 2, Side::Sell, 9000, 5, "S1"), exchange::CancelReason::UserCancel, 5, 0),
            accepted(12, 2, Side::Sell, 9000, 3, "S3"), accepted(13, 2, Side::Sell, 9000, 2, "S4")});
  REQUIRE(f.to(1, "X").size() == 1);
  entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(entries.size() == 1);
  CHECK(entry_field(entries[0], tag::MDUpdateAction) == "1");
  CHECK(entry_field(entries[0], tag::MDEntrySize) == "7");
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "3");
  CHECK(entry_field(entries[0], tag::RptSeq) == "3");

  // A trade of 2 (S2 filled): the level, the trade with its date and time,
  // the statistics with turnover and trade count, numbered 4, 5, 6, ...
  f.router.subscribe(1, 0, "MD2");  // a second subscriber shares the instrument's numbering
  f.commit({accepted(14, 1, Side::Buy, 9000, 2, "B1", exchange::TimeInForce::Ioc),
            trade(60, 9000, 2, 18000, Side::Buy, fill_side(14, 1, "B1", 9000, 0, 2, 18000),
                  fill_side(11, 2, "S2", 9000, 0, 2, 18000))});
  REQUIRE(f.to(1, "X").size() == 1);
  REQUIRE(f.to(0, "X").size() == 1);
  entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  const auto& other = f.to(0, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(other.size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    CHECK(entry_field(other[i], tag::RptSeq) == entry_field(entries[i], tag::RptSeq));
  REQUIRE(entries.size() == 7);  // offer, trade, open, high, low, VWAP, volume
  for (std::size_t i = 0; i < entries.size(); ++i) CHECK(entry_field(entries[i], tag::RptSeq) == std::to_string(4 + i));
  CHECK(entry_field(entries[0], tag::MDEntryType) == "1");
  CHECK(entry_field(entries[0], tag::MDEntrySize) == "5");
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "2");
  CHECK(entry_field(entries[1], tag::MDEntryType) == "2");
  CHECK(entry_field(entries[1], tag::MDEntryPx) == "90.00");
  CHECK(entry_field(entries[1], tag::MDEntrySize) == "2");
  CHECK(entry_field(entries[1], tag::MDEntryDate) == "20260105");
  CHECK(entry_field(entries[1], tag::MDEntryTime) == "01:30:00.000");
  CHECK(entry_field(entries[6], tag::MDEntryType) == "B");
  CHECK(entry_field(entries[6], tag::MDEntrySize) == "2");
  CHECK(entry_field(entries[6], tag::Turnover) == "180.00");
  CHECK(entry_field(entries[6], tag::NumberOfTrades) == "1");
  for (std::size_t i = 2; i < 6; ++i) {  // open, high, low, VWAP: prices only
    CHECK(entry_field(entries[i], tag::Turnover) == "<absent>");
    CHECK(entry_field(entries[i], tag::MDEntryDate) == "<absent>");
  }

  // A snapshot now carries the last RptSeq: its increments start at 11.
  CHECK(get(f.router.snapshot(*f.instruments.find(1), "S"), tag::RptSeq) == "10");
  f.commit({cancelled(accepted(12, 2, Side::Sell, 9000, 3, "S3"), exchange::CancelReason::UserCancel, 3, 0)});
  REQUIRE(f.to(1, "X").size() == 1);
  entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(entries.size() == 1);
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "1");
  CHECK(entry_field(entries[0], tag::RptSeq) == "11");
  // A level leaving: 279=2, no size or count.
  f.commit({cancelled(accepted(13, 2, Side::Sell, 9000, 2, "S4"), exchange::CancelReason::UserCancel, 2, 0)});
  REQUIRE(f.to(1, "X").size() == 1);
  entries = f.to(1, "X")[0]->msg.groups.at(0).entries;
  REQUIRE(entries.size() == 1);
  CHECK(entry_field(entries[0], tag::MDUpdateAction) == "2");
  CHECK(entry_field(entries[0], tag::NumberOfOrders) == "<absent>");
  CHECK(entry_field(entries[0], tag::RptSeq) == "12");
}

TEST_CASE("router: an engine reject of a new order is copied to the drop copy and the regulator, a cancel reject is not",
          "[gateway][unit]") {
  Fixture f;
  RequestInfo r = new_order_request();
  exchange::CommandRejected rej;
  rej.reason = exchange::RejectReason::PriceOutsideBand;
  f.commit({rej}, r);
  REQUIRE(f.to(0, "8").size() == 1);
  CHECK(get(f.to(0, "8")[0]->msg, tag::CopyMsgIndicator) == "<absent>");
  for (const SlotId copy : {SlotId{2}, SlotId{3}}) {  // M1's drop copy, the regulator
    const std::vector<const Delivery*> copies = f.to(copy, "8");
    REQUIRE(copies.size() == 1);
    REQUIRE(copies[0] != nullptr);
    const OutMsg& m = copies[0]->msg;
    CHECK(get(m, tag::ExecType) == "8");
    CHECK(get(m, tag::ClOrdID) == "N1");
    CHECK(get(m, tag::CopyMsgIndicator) == "Y");
  }
  CHECK(f.to(1, "8").empty());  // M2 sees nothing
  r.kind = RequestInfo::Kind::Cancel;
  r.orig_clord_id = "N0";
  rej.reason = exchange::RejectReason::UnknownOrder;
  f.commit({rej}, r);
  CHECK(f.out.size() == 1);  // the OrderCancelReject, to the requester only
  CHECK(f.to(0, "9").size() == 1);
}

TEST_CASE("router: status answers get a new ExecID each time", "[gateway][unit]") {
  Fixture f;
  f.commit({accepted(10, 1, exchange::Side::Buy, 9000, 5, "B1")});
  const OutMsg a = order_status_report(f.instruments, *f.orders.find(10));
  const OutMsg b = order_status_report(f.instruments, *f.orders.find(10));
  CHECK(get(a, tag::ExecID).rfind("status.10.", 0) == 0);
  CHECK(get(a, tag::ExecID) != get(b, tag::ExecID));
  CHECK(get(f.to(0, "8")[0]->msg, tag::ExecID) != get(a, tag::ExecID));
}

TEST_CASE("router: a subscription's MDReqID is live until unsubscribed", "[gateway][unit]") {
  Fixture f;
  CHECK_FALSE(f.router.subscribed(1, "MD"));
  f.router.subscribe(1, 1, "MD");
  CHECK(f.router.subscribed(1, "MD"));
  CHECK_FALSE(f.router.subscribed(0, "MD"));  // per session
  f.router.unsubscribe(1, "MD");
  CHECK_FALSE(f.router.subscribed(1, "MD"));
  f.router.subscribe(1, 1, "MD");
  f.router.unsubscribe_all(1);
  CHECK_FALSE(f.router.subscribed(1, "MD"));
}
