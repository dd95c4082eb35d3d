// erxd end to end over FIX (label integration): a real erxd process on a free
// loopback port with the demo data, QuickFIX initiators as members.
#include <catch2/catch.hpp>

#include <set>
#include <tuple>

#include "tests/fix/fix_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::test;
using namespace std::chrono_literals;

namespace {

// The demo members of the embedded configuration (README).
struct Demo {
  explicit Demo(const TempDir& tmp) : erxd(tmp.path() / "erxd") {}
  ErxdProcess erxd;
  std::unique_ptr<FixMember> member(const std::string& comp, const std::string& user, const std::string& pass) {
    auto m = std::make_unique<FixMember>(comp, user, pass, erxd.port());
    REQUIRE(m->logon());
    return m;
  }
};

std::function<bool(const FIX::Message&)> of_type(const std::string& type) {
  return [type](const FIX::Message& m) { return msg_type(m) == type; };
}

}  // namespace

TEST_CASE("fix: partial and full fills carry the right quantities and average price, and drop copies follow",
          "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  auto m2 = demo.member("M2", "m2", "demo-m2");
  auto dc = demo.member("M1-DC", "m1", "demo-m1");
  INFO(demo.erxd.log());

  FIX::Message s1 = new_order("S1", "CEA25", '2', "100", "90.00");
  m2->send(s1);
  REQUIRE(m2->wait_for(exec_report("S1", '0')));

  FIX::Message b1 = new_order("B1", "CEA25", '1', "60", "90.50");
  m1->send(b1);
  REQUIRE(m1->wait_for(exec_report("B1", '0')));
  const auto fill = m1->wait_for(exec_report("B1", 'F'));
  REQUIRE(fill);
  CHECK(field(*fill, 31) == "90.00");   // LastPx: the resting order's price
  CHECK(field(*fill, 32) == "60");      // LastQty
  CHECK(field(*fill, 14) == "60");      // CumQty
  CHECK(field(*fill, 151) == "0");      // LeavesQty
  CHECK(field(*fill, 39) == "2");       // filled
  CHECK(field(*fill, 6) == "90.000000");  // AvgPx at price scale + 4
  CHECK(field(*fill, 60).size() == 21);    // TransactTime: the sequenced time, to the millisecond
  CHECK(field(*fill, 851) == "2");         // LastLiquidityInd: B1 was the incoming order (taker)
  CHECK(field(*fill, 381) == "5400.00");   // GrossTradeAmt: 60 x 90.00, CNY
  const auto partial = m2->wait_for(exec_report("S1", 'F'));
  REQUIRE(partial);
  CHECK(field(*partial, 39) == "1");
  CHECK(field(*partial, 14) == "60");
  CHECK(field(*partial, 151) == "40");
  CHECK(field(*partial, 851) == "1");      // S1 was resting (maker)

  FIX::Message b2 = new_order("B2", "CEA25", '1', "40", "91.00");
  m1->send(b2);
  const auto full = m2->wait_for(exec_report("S1", 'F'));
  REQUIRE(full);
  CHECK(field(*full, 39) == "2");
  CHECK(field(*full, 14) == "100");
  CHECK(field(*full, 151) == "0");
  CHECK(field(*full, 6) == "90.000000");
  CHECK(field(*full, 5803) == "9000.00");  // CumCashAmt: both fills' cash

  // M1's drop copy got M1's reports, marked as copies; none of M2's.
  const auto copy = dc->wait_for(exec_report("B1", 'F'));
  REQUIRE(copy);
  CHECK(field(*copy, 797) == "Y");
  for (const FIX::Message& m : dc->received()) CHECK(field(m, 11).rfind("S", 0) != 0);
  // The drop copy is read-only.
  FIX::Message sneaky = new_order("X1", "CEA25", '1', "1", "90.00");
  dc->send(sneaky);
  const auto refused = dc->wait_for(of_type("j"));
  REQUIRE(refused);
  CHECK(field(*refused, 380) == "6");
  CHECK(field(*refused, 379) == "X1");  // BusinessRejectRefID: the refused message's ClOrdID

  // An order the exchange rejects: its 150=8 is copied too.
  FIX::Message outside = new_order("R1", "CEA25", '1', "1", "200.00");
  m1->send(outside);
  REQUIRE(m1->wait_for(exec_report("R1", '8')));
  const auto rejected_copy = dc->wait_for(exec_report("R1", '8'));
  REQUIRE(rejected_copy);
  CHECK(field(*rejected_copy, 797) == "Y");
  CHECK(field(*rejected_copy, 39) == "8");
}

TEST_CASE("fix: replace, cancel, cancel of a filled order, mass cancel", "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  auto m2 = demo.member("M2", "m2", "demo-m2");
  INFO(demo.erxd.log());

  FIX::Message b3 = new_order("B3", "CEA25", '1', "10", "85.00", '1');
  m1->send(b3);
  REQUIRE(m1->wait_for(exec_report("B3", '0')));
  FIX::Message r = replace_order("B4", "B3", "CEA25", '1', "20", "86.00");
  m1->send(r);
  const auto replaced = m1->wait_for(exec_report("B4", '5'));
  REQUIRE(replaced);
  CHECK(field(*replaced, 41) == "B3");
  CHECK(field(*replaced, 44) == "86.00");
  CHECK(field(*replaced, 38) == "20");
  CHECK(field(*replaced, 151) == "20");
  CHECK(field(*replaced, 5802) == "N");  // a price change loses time priority

  FIX::Message c1 = cancel_order("C1", "B4", "CEA25", '1');
  m1->send(c1);
  const auto cancelled = m1->wait_for(exec_report("C1", '4'));
  REQUIRE(cancelled);
  CHECK(field(*cancelled, 41) == "B4");
  CHECK(field(*cancelled, 39) == "4");
  CHECK(field(*cancelled, 151) == "0");
  CHECK(field(*cancelled, 5801) == "0");  // CancelReason: the member's own cancel

  // A filled order cannot be cancelled: OrderCancelReject, unknown order.
  FIX::Message s = new_order("S9", "CEA25", '2', "5", "88.00");
  m2->send(s);
  FIX::Message b = new_order("B9", "CEA25", '1', "5", "88.00");
  m1->send(b);
  REQUIRE(m1->wait_for(exec_report("B9", 'F')));
  FIX::Message late = cancel_order("C2", "B9", "CEA25", '1');
  m1->send(late);
  const auto rej = m1->wait_for(of_type("9"));
  REQUIRE(rej);
  CHECK(field(*rej, 11) == "C2");
  CHECK(field(*rej, 41) == "B9");
  CHECK(field(*rej, 102) == "1");
  CHECK(field(*rej, 434) == "1");
  CHECK(field(*rej, 39) == "2");  // the order's current status: filled

  // Another member's order is not yours to cancel.
  FIX::Message theirs = new_order("S10", "CEA25", '2', "5", "95.00", '1');
  m2->send(theirs);
  REQUIRE(m2->wait_for(exec_report("S10", '0')));
  FIX::Message steal = cancel_order("C3", "S10", "CEA25", '2');
  m1->send(steal);
  const auto not_yours = m1->wait_for(of_type("9"));
  REQUIRE(not_yours);
  CHECK(field(*not_yours, 102) == "1");

  // Mass cancel of all M1's orders.
  for (const char* id : {"B20", "B21"}) {
    FIX::Message o = new_order(id, "CEA25", '1', "1", "85.00", '1');
    m1->send(o);
    REQUIRE(m1->wait_for(exec_report(id, '0')));
  }
  FIX::Message mc;
  mc.getHeader().setField(FIX::FIELD::MsgType, "q");
  mc.setField(11, "MC1");
  mc.setField(530, "7");
  mc.setField(FIX::TransactTime());
  m1->send(mc);
  const auto report = m1->wait_for(of_type("r"));
  REQUIRE(report);
  CHECK(field(*report, 531) == "7");
  CHECK(field(*report, 533) == "2");
}

TEST_CASE("fix: a wrong password or an unknown CompID is refused, and erxd keeps serving", "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  INFO(demo.erxd.log());
  FixMember wrong("M1", "m1", "not-the-password", demo.erxd.port());
  CHECK_FALSE(wrong.logon(2000ms));
  FixMember stranger("ZZ", "zz", "zz", demo.erxd.port());
  CHECK_FALSE(stranger.logon(2000ms));
  wrong.logout();
  stranger.logout();
  auto m3 = demo.member("M3", "m3", "demo-m3");
  FIX::Message o = new_order("OK1", "CEA25", '1', "1", "89.00");
  m3->send(o);
  REQUIRE(m3->wait_for(exec_report("OK1", '0')));
  const std::string log = demo.erxd.log();
  CHECK(log.find("logon refused") != std::string::npos);
  CHECK(log.find("not-the-password") == std::string::npos);  // never logged
}

TEST_CASE("fix: market data snapshot and increments follow the book and the trades", "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  auto m3 = demo.member("M3", "m3", "demo-m3");
  INFO(demo.erxd.log());
  FIX::Message rest = new_order("S1", "CCER-JX-01", '2', "30", "71.00", '1');
  m1->send(rest);
  REQUIRE(m1->wait_for(exec_report("S1", '0')));

  FIX::Message md = market_data_request("MD1", '1', {"0", "1", "2"}, "CCER-JX-01");
  m3->send(md);
  const auto snap = m3->wait_for(of_type("W"));
  REQUIRE(snap);
  REQUIRE(snap->groupCount(268) == 1);
  FIX::Group e(268, 269);
  snap->getGroup(1, e);
  CHECK(field(e, 269) == "1");
  CHECK(field(e, 270) == "71.00");
  CHECK(field(e, 271) == "30");
  CHECK(field(e, 290) == "1");     // MDEntryPositionNo: the best offer
  CHECK(field(e, 346) == "1");     // NumberOfOrders: S1 alone
  CHECK(field(*snap, 83) == "0");  // RptSeq: no increment of this instrument yet

  // A buy of 10 trades against it: the increment shows the trade and the
  // offer reduced to 20.
  FIX::Message buy = new_order("B1", "CCER-JX-01", '1', "10", "71.00");
  m3->send(buy);
  const auto inc = m3->wait_for(of_type("X"));
  REQUIRE(inc);
  bool saw_trade = false, saw_change = false, saw_vwap = false, saw_volume = false;
  for (unsigned i = 1; i <= inc->groupCount(268); ++i) {
    FIX::Group g(268, 279);
    inc->getGroup(i, g);
    if (field(g, 269) == "2") saw_trade = field(g, 270) == "71.00" && field(g, 271) == "10";
    if (field(g, 269) == "1") saw_change = field(g, 279) == "1" && field(g, 271) == "20";
    if (field(g, 269) == "9") saw_vwap = field(g, 270) == "71.00";
    if (field(g, 269) == "B") saw_volume = field(g, 271) == "10";
    CHECK(field(g, 83) == std::to_string(i));  // RptSeq: the entries after the snapshot's 0, in order
    if (field(g, 269) == "1") CHECK(field(g, 346) == "1");  // S1 still rests
    if (field(g, 269) == "2") {
      CHECK(field(g, 272).size() == 8);   // MDEntryDate YYYYMMDD
      CHECK(field(g, 273).size() == 12);  // MDEntryTime HH:MM:SS.sss
    }
    if (field(g, 269) == "B") {
      CHECK(field(g, 5840) == "710.00");  // Turnover: 10 x 71.00, CNY
      CHECK(field(g, 5841) == "1");       // NumberOfTrades
    }
  }
  CHECK(saw_trade);
  CHECK(saw_change);
  CHECK(saw_vwap);    // the day's statistics follow every trade
  CHECK(saw_volume);

  FIX::Message unknown = market_data_request("MD2", '0', {"0"}, "NOPE");
  m3->send(unknown);
  const auto rej = m3->wait_for(of_type("Y"));
  REQUIRE(rej);
  CHECK(field(*rej, 262) == "MD2");
  CHECK(field(*rej, 281) == "0");

  // What ERX does not offer is refused with its reason.
  FIX::Message full_refresh = unknown;
  full_refresh.setField(262, "MD3");
  full_refresh.setField(265, "0");  // full refresh updates: ERX sends increments
  m3->send(full_refresh);
  const auto rej6 = m3->wait_for(of_type("Y"));
  REQUIRE(rej6);
  CHECK(field(*rej6, 262) == "MD3");
  CHECK(field(*rej6, 281) == "6");
  FIX::Message imbalance = market_data_request("MD4", '0', {"A"}, "CEA25");  // imbalance: not offered
  m3->send(imbalance);
  const auto rej8 = m3->wait_for(of_type("Y"));
  REQUIRE(rej8);
  CHECK(field(*rej8, 281) == "8");
}

TEST_CASE("fix: after a restart a member sees its open orders and the day's filled ones (mass status)", "[fix][integration]") {
  TempDir tmp("erx-fix");
  {
    Demo demo(tmp);
    auto m1 = demo.member("M1", "m1", "demo-m1");
    auto m3 = demo.member("M3", "m3", "demo-m3");
    FIX::Message o = new_order("G1", "EU-JX-25", '1', "100", "49.00", '1');
    m1->send(o);
    REQUIRE(m1->wait_for(exec_report("G1", '0')));
    // A trade today, so the day's statistics have something to survive.
    FIX::Message sell = new_order("T-S", "CEA25", '2', "5", "91.00", '1');
    FIX::Message buy = new_order("T-B", "CEA25", '1', "5", "91.00");
    m3->send(sell);
    REQUIRE(m3->wait_for(exec_report("T-S", '0')));
    m1->send(buy);
    REQUIRE(m1->wait_for(exec_report("T-B", 'F')));
    m1->logout();
    m3->logout();
    CHECK(demo.erxd.terminate() == 0);
  }
  Demo again(tmp);
  INFO(again.erxd.log());
  auto m1 = again.member("M1", "m1", "demo-m1");
  FIX::Message af = mass_status_request("ST1");
  m1->send(af);
  const auto st = m1->wait_for(exec_report("G1", 'I'));
  REQUIRE(st);
  CHECK(field(*st, 39) == "0");
  CHECK(field(*st, 151) == "100");
  CHECK(field(*st, 44) == "49.00");
  CHECK(field(*st, 911) == "2");  // the day's orders: G1 open, and T-B filled
  CHECK(field(*st, 5800) == "2");  // the STP mode recovered with the order: M1's default, cancel taker
  CHECK(field(*st, 126).empty());  // GTC: no ExpireTime
  const auto filled = m1->wait_for(exec_report("T-B", 'I'));
  REQUIRE(filled);
  CHECK(field(*filled, 39) == "2");
  CHECK(field(*filled, 14) == "5");

  // The day's statistics were recovered with the exchange.
  FIX::Message md = market_data_request("AFTER", '0', {"2"}, "CEA25");
  m1->send(md);
  const auto w = m1->wait_for(of_type("W"));
  REQUIRE(w);
  bool last = false, volume = false, turnover = false;
  for (unsigned i = 1; i <= w->groupCount(268); ++i) {
    FIX::Group e(268, 269);
    w->getGroup(i, e);
    last = last || (field(e, 269) == "2" && field(e, 270) == "91.00");
    volume = volume || (field(e, 269) == "B" && field(e, 271) == "5");
    turnover = turnover || (field(e, 269) == "B" && field(e, 5840) == "455.00" && field(e, 5841) == "1");
  }
  CHECK(last);
  CHECK(volume);
  CHECK(turnover);  // Turnover and NumberOfTrades recovered too
}

TEST_CASE("fix: security list with the environmental-right attributes, session status, order status, regulator copy",
          "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  auto reg = demo.member("REG", "regulator", "demo-reg");
  INFO(demo.erxd.log());

  FIX::Message x;
  x.getHeader().setField(FIX::FIELD::MsgType, "x");
  x.setField(320, "SL1");
  x.setField(559, "4");  // all securities
  m1->send(x);
  const auto y = m1->wait_for(of_type("y"));
  REQUIRE(y);
  CHECK(field(*y, 320) == "SL1");
  REQUIRE(y->groupCount(146) == 6);  // one instrument per right class
  bool saw_water = false;
  for (unsigned i = 1; i <= 6; ++i) {
    FIX::Group g(146, 55);
    y->getGroup(i, g);
    if (field(g, 55) != "WR-GAN-1Y") continue;
    saw_water = true;
    CHECK(field(g, 5810) == "5");      // RightClass: water right
    CHECK(field(g, 5816) == "Gan");    // Basin
    CHECK(field(g, 5817) == "1");      // TermYears
    CHECK(field(g, 5820) == "1");      // priced per unit per year
    CHECK(field(g, 561) == "1000");    // RoundLot
    CHECK(field(g, 340) == "2");       // open
  }
  CHECK(saw_water);
  CHECK(field(*y, 560) == "0");
  CHECK(field(*y, 893) == "Y");
  CHECK(field(*y, 393) == "6");

  // 559=0: the one instrument named by 55; unknown: 560=2; no 55: 560=1.
  const auto list_request = [](const std::string& id, const std::string& symbol) {
    FIX::Message r;
    r.getHeader().setField(FIX::FIELD::MsgType, "x");
    r.setField(320, id);
    r.setField(559, "0");
    if (!symbol.empty()) r.setField(55, symbol);
    return r;
  };
  const auto list_answer = [](const std::string& id) {
    return [id](const FIX::Message& m) { return msg_type(m) == "y" && field(m, 320) == id; };
  };
  FIX::Message one = list_request("SL2", "CCER-JX-01");
  m1->send(one);
  const auto y2 = m1->wait_for(list_answer("SL2"));
  REQUIRE(y2);
  CHECK(field(*y2, 560) == "0");
  CHECK(field(*y2, 393) == "1");
  REQUIRE(y2->groupCount(146) == 1);
  FIX::Group only(146, 55);
  y2->getGroup(1, only);
  CHECK(field(only, 55) == "CCER-JX-01");
  CHECK(field(only, 5810) == "1");  // RightClass: CCER
  FIX::Message unknown_symbol = list_request("SL3", "NO-SUCH");
  m1->send(unknown_symbol);
  const auto y3 = m1->wait_for(list_answer("SL3"));
  REQUIRE(y3);
  CHECK(field(*y3, 560) == "2");
  CHECK(field(*y3, 393) == "0");
  CHECK(y3->groupCount(146) == 0);
  FIX::Message unnamed = list_request("SL4", "");
  m1->send(unnamed);
  const auto y4 = m1->wait_for(list_answer("SL4"));
  REQUIRE(y4);
  CHECK(field(*y4, 560) == "1");

  FIX::Message g;
  g.getHeader().setField(FIX::FIELD::MsgType, "g");
  g.setField(335, "TS1");
  g.setField(263, "0");
  m1->send(g);
  const auto h = m1->wait_for(of_type("h"));
  REQUIRE(h);
  CHECK(field(*h, 335) == "TS1");
  CHECK(field(*h, 340) == "2");
  FIX::Message g_unknown = g;
  g_unknown.setField(335, "TS2");
  g_unknown.setField(336, "NOPE");
  m1->send(g_unknown);
  const auto h_unknown = m1->wait_for([](const FIX::Message& m) { return msg_type(m) == "h" && field(m, 335) == "TS2"; });
  REQUIRE(h_unknown);
  CHECK(field(*h_unknown, 340) == "6");
  CHECK(field(*h_unknown, 567) == "1");

  FIX::Message o = new_order("Q1", "SO2-NC-5Y", '1', "2", "380.00", '1');
  m1->send(o);
  REQUIRE(m1->wait_for(exec_report("Q1", '0')));
  FIX::Message status;
  status.getHeader().setField(FIX::FIELD::MsgType, "H");
  status.setField(11, "Q1");
  status.setField(55, "SO2-NC-5Y");
  status.setField(54, "1");
  m1->send(status);
  const auto st = m1->wait_for(exec_report("Q1", 'I'));
  REQUIRE(st);
  // Asked again: the same order's state, a new ExecID (unique per report).
  FIX::Message status_again = status;
  m1->send(status_again);
  const auto st2 = m1->wait_for(exec_report("Q1", 'I'));
  REQUIRE(st2);
  CHECK_FALSE(field(*st, 17).empty());
  CHECK(field(*st, 17) != field(*st2, 17));
  // A ClOrdID the gateway refuses twice: two reports, two ExecIDs.
  FIX::Message long_symbol = new_order("GWR", std::string(30, 'Z'), '1', "1", "1.00");
  FIX::Message long_symbol_again = long_symbol;
  m1->send(long_symbol);
  m1->send(long_symbol_again);
  const auto gw1 = m1->wait_for(exec_report("GWR", '8'));
  const auto gw2 = m1->wait_for(exec_report("GWR", '8'));
  REQUIRE(gw1);
  REQUIRE(gw2);
  CHECK(field(*gw1, 17) != field(*gw2, 17));
  CHECK(field(*st, 39) == "0");
  CHECK(field(*st, 151) == "2");
  CHECK(field(*st, 5800) == "2");  // STP mode: M1's default (cancel taker), resolved at entry
  CHECK(field(*st, 126).empty());  // GTC: no ExpireTime
  // A GTD order's reports carry its ExpireTime as entered.
  FIX::Message gtd = new_order("Q2", "SO2-NC-5Y", '1', "2", "380.00", '6');
  gtd.setField(126, "20991231-10:00:00.250");
  m1->send(gtd);
  const auto gtd_new = m1->wait_for(exec_report("Q2", '0'));
  REQUIRE(gtd_new);
  CHECK(field(*gtd_new, 59) == "6");
  CHECK(field(*gtd_new, 126) == "20991231-10:00:00.250");
  CHECK(field(*gtd_new, 5800) == "2");
  FIX::Message unknown = status;
  unknown.setField(11, "NOPE");
  m1->send(unknown);
  const auto none = m1->wait_for(exec_report("NOPE", 'I'));
  REQUIRE(none);
  CHECK(field(*none, 39) == "8");

  // The regulator's drop copy saw M1's order, marked as a copy.
  const auto copy = reg->wait_for(exec_report("Q1", '0'));
  REQUIRE(copy);
  CHECK(field(*copy, 797) == "Y");
}

namespace {

FIX::Message mass_cancel_request(const std::string& id, const std::string& type, const std::string& symbol = "",
                                 const std::string& side = "", const std::string& account = "") {
  FIX::Message m;
  m.getHeader().setField(FIX::FIELD::MsgType, "q");
  m.setField(11, id);
  m.setField(530, type);
  if (!symbol.empty()) m.setField(55, symbol);
  if (!side.empty()) m.setField(54, side);
  if (!account.empty()) m.setField(1, account);
  m.setField(FIX::TransactTime());
  return m;
}

FIX::Message mass_status(const std::string& id, const std::string& type, const std::string& symbol = "",
                         const std::string& side = "", const std::string& account = "") {
  FIX::Message m = mass_status_request(id);
  m.setField(585, type);
  if (!symbol.empty()) m.setField(55, symbol);
  if (!side.empty()) m.setField(54, side);
  if (!account.empty()) m.setField(1, account);
  return m;
}

// The live orders (39=0 or 1) among a mass status request's answers: it lists
// the day's finished orders too.
std::set<std::string> open_orders(FixMember& member, FIX::Message request) {
  std::set<std::string> ids;
  for (const FIX::Message& m : mass_status_answers(member, std::move(request)))
    if (field(m, 37) != "NONE" && (field(m, 39) == "0" || field(m, 39) == "1")) ids.insert(field(m, 11));
  return ids;
}

std::function<bool(const FIX::Message&)> mass_cancel_report(const std::string& id) {
  return [id](const FIX::Message& m) { return msg_type(m) == "r" && field(m, 11) == id; };
}

// M1's resting orders on both sides of CEA25 and on CCER-JX-01.
void three_orders(FixMember& m1) {
  for (const auto& [id, symbol, side, price] :
       {std::tuple{"CB", "CEA25", '1', "85.00"}, std::tuple{"CS", "CEA25", '2', "95.00"},
        std::tuple{"XB", "CCER-JX-01", '1', "65.00"}}) {
    FIX::Message o = new_order(id, symbol, side, "1", price, '1');
    m1.send(o);
    REQUIRE(m1.wait_for(exec_report(id, '0')));
  }
}

}  // namespace

TEST_CASE("fix: mass cancel cancels only the orders of its Side, Symbol and Account", "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  INFO(demo.erxd.log());
  three_orders(*m1);
  const std::set<std::string> all{"CB", "CS", "XB"};

  // 530=1 without Symbol: refused (it would have been every instrument).
  FIX::Message no_symbol = mass_cancel_request("Q1", "1");
  m1->send(no_symbol);
  const auto r1 = m1->wait_for(mass_cancel_report("Q1"));
  REQUIRE(r1);
  CHECK(field(*r1, 531) == "0");
  CHECK(field(*r1, 532) == "99");
  CHECK(field(*r1, 58) == "MassCancelRequestType 1 requires Symbol (55)");
  CHECK(open_orders(*m1, mass_status("S1", "7")) == all);

  // A Symbol longer than any symbol is unknown.
  FIX::Message long_symbol = mass_cancel_request("Q2", "1", std::string(30, 'Z'));
  m1->send(long_symbol);
  const auto r2 = m1->wait_for(mass_cancel_report("Q2"));
  REQUIRE(r2);
  CHECK(field(*r2, 531) == "0");
  CHECK(field(*r2, 532) == "1");

  // Another member's account: refused, nothing cancelled.
  FIX::Message theirs = mass_cancel_request("Q3", "7", "", "", "201");
  m1->send(theirs);
  const auto r3 = m1->wait_for(mass_cancel_report("Q3"));
  REQUIRE(r3);
  CHECK(field(*r3, 531) == "0");
  CHECK(open_orders(*m1, mass_status("S2", "7")) == all);

  // Side 2: only the sell.
  FIX::Message sells = mass_cancel_request("Q4", "7", "", "2", "101");
  m1->send(sells);
  CHECK(m1->wait_for(exec_report("CS", '4')));  // the cancel comes before the report
  const auto r4 = m1->wait_for(mass_cancel_report("Q4"));
  REQUIRE(r4);
  CHECK(field(*r4, 531) == "7");
  CHECK(field(*r4, 533) == "1");
  CHECK(open_orders(*m1, mass_status("S3", "7")) == std::set<std::string>{"CB", "XB"});

  // 530=1 with Symbol: only that instrument's.
  FIX::Message ccer = mass_cancel_request("Q5", "1", "CCER-JX-01");
  m1->send(ccer);
  const auto r5 = m1->wait_for(mass_cancel_report("Q5"));
  REQUIRE(r5);
  CHECK(field(*r5, 531) == "1");
  CHECK(field(*r5, 533) == "1");
  CHECK(open_orders(*m1, mass_status("S4", "7")) == std::set<std::string>{"CB"});
}

TEST_CASE("fix: mass status answers only the orders its Symbol, Side and Account select", "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  INFO(demo.erxd.log());
  three_orders(*m1);
  CHECK(open_orders(*m1, mass_status("A1", "7")) == std::set<std::string>{"CB", "CS", "XB"});
  CHECK(open_orders(*m1, mass_status("A2", "1", "CEA25")) == std::set<std::string>{"CB", "CS"});
  CHECK(open_orders(*m1, mass_status("A3", "7", "", "1")) == std::set<std::string>{"CB", "XB"});
  CHECK(open_orders(*m1, mass_status("A4", "7", "CEA25", "2")) == std::set<std::string>{"CS"});
  CHECK(open_orders(*m1, mass_status("A5", "7", "", "", "101")).size() == 3);
  const auto counted = mass_status_answers(*m1, mass_status("A6", "1", "CEA25"));
  REQUIRE(counted.size() == 2);
  CHECK(field(counted[0], 911) == "2");
  CHECK(field(counted[1], 912) == "Y");

  // Nothing matches: the single empty answer.
  const auto none = mass_status_answers(*m1, mass_status("A7", "1", "FS-JX-24"));
  REQUIRE(none.size() == 1);
  CHECK(field(none[0], 150) == "I");
  CHECK(field(none[0], 39) == "8");
  CHECK(field(none[0], 37) == "NONE");
  CHECK(field(none[0], 911) == "0");
  CHECK(field(none[0], 912) == "Y");
  CHECK(field(none[0], 58) == "no matching orders");
  CHECK(mass_status_answers(*m1, mass_status("A8", "7", "", "", "999")).size() == 1);

  // 585=1 without Symbol: BusinessMessageReject, conditionally required field missing.
  FIX::Message unnamed = mass_status("A9", "1");
  m1->send(unnamed);
  const auto j = m1->wait_for(of_type("j"));
  REQUIRE(j);
  CHECK(field(*j, 372) == "AF");
  CHECK(field(*j, 380) == "5");
  CHECK(field(*j, 379) == "A9");
}

TEST_CASE("fix: market data offers the closing price, and an MDReqID is unique among live subscriptions",
          "[fix][integration]") {
  TempDir tmp("erx-fix");
  Demo demo(tmp);
  auto m1 = demo.member("M1", "m1", "demo-m1");
  auto m3 = demo.member("M3", "m3", "demo-m3");
  INFO(demo.erxd.log());
  const auto answer = [](const std::string& id) {
    return [id](const FIX::Message& m) { return (msg_type(m) == "W" || msg_type(m) == "Y") && field(m, 262) == id; };
  };
  // 269=5 (closing price) is offered: a snapshot, not a reject.
  FIX::Message closing = market_data_request("CL", '0', {"5"}, "CEA25");
  m3->send(closing);
  const auto w = m3->wait_for(answer("CL"));
  REQUIRE(w);
  CHECK(msg_type(*w) == "W");

  FIX::Message sub = market_data_request("MD1", '1', {"0", "1"}, "CCER-JX-01");
  m3->send(sub);
  REQUIRE(m3->wait_for(answer("MD1")));
  FIX::Message again = sub;
  m3->send(again);
  const auto dup = m3->wait_for(answer("MD1"));
  REQUIRE(dup);
  CHECK(msg_type(*dup) == "Y");
  CHECK(field(*dup, 281) == "1");

  // One book change: one increment, not two.
  int n = 0;
  const auto increments_after_change = [&] {
    const std::string id = "O" + std::to_string(++n);
    FIX::Message o = new_order(id, "CCER-JX-01", '2', "1", "7" + std::to_string(n) + ".00", '1');
    m1->send(o);
    REQUIRE(m3->wait_for(of_type("X")));
    // A request answered after the increments were queued: whatever came
    // for this change has arrived by its answer.
    FIX::Message x;
    x.getHeader().setField(FIX::FIELD::MsgType, "x");
    x.setField(320, "SYNC" + id);
    x.setField(559, "4");
    m3->send(x);
    REQUIRE(m3->wait_for([&](const FIX::Message& m) { return msg_type(m) == "y" && field(m, 320) == "SYNC" + id; }));
    int count = 0;
    for (const FIX::Message& m : m3->received()) count += msg_type(m) == "X" && field(m, 262) == "MD1";
    return count;
  };
  CHECK(increments_after_change() == 1);

  // Unsubscribed, the id can be used again.
  FIX::Message stop = market_data_request("MD1", '2', {"0"}, "CCER-JX-01");
  m3->send(stop);
  FIX::Message reuse = market_data_request("MD1", '1', {"0", "1"}, "CCER-JX-01");
  m3->send(reuse);
  const auto w2 = m3->wait_for(answer("MD1"));
  REQUIRE(w2);
  CHECK(msg_type(*w2) == "W");
  CHECK(increments_after_change() == 2);  // one more, on the one subscription
}
