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
