// Bad input at the FIX gateway (label integration): raw bytes on a socket of
// our own, so nothing in between fixes them up. Each case gets its documented
// answer (docs/FIX.md "Session behaviour"), and erxd keeps serving a
// well-behaved member throughout.

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "gateway/config.hpp"
#include "tests/fix/fix_client.hpp"
#include "tests/fix/raw_fix.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::test;
using namespace std::chrono_literals;

namespace {

FIX::Message order(const std::string& clord, const std::string& symbol, const std::string& qty) {
  return new_order(clord, symbol, '1', qty, "89.00");
}

}  // namespace

TEST_CASE("fix bad input: each gets its documented answer and erxd keeps serving", "[fix][integration]") {
  TempDir tmp("erx-fix-bad");
  // A small throttle: 5 messages a second, logout at 15.
  const std::string config =
      config_with(tmp.path(), {{"limits.throttle_messages", "5"}, {"limits.throttle_logout_multiple", "3"}});
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config});
  INFO(erxd.log());
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  int n = 0;
  auto m1_still_trades = [&] {
    const std::string id = "OK" + std::to_string(++n);
    FIX::Message o = new_order(id, "CEA25", '1', "1", "88.00");
    m1.send(o);
    return m1.wait_for(exec_report(id, '0')).has_value();
  };

  SECTION("garbage bytes close the connection") {
    RawFix raw(erxd.port(), "M3");
    raw.send_bytes("GET / HTTP/1.1\r\nHost: erx\r\n\r\n");
    CHECK(raw.closed_by_peer());
  }
  SECTION("an oversized message closes the connection") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    FIX::Message big = order("BIG", "CEA25", "1");
    big.setField(58, std::string(5000, 'x'));
    raw.send(big);
    CHECK(raw.closed_by_peer());
  }
  SECTION("a BodyLength that does not match closes the connection") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    std::string m = raw.build(order("BL1", "CEA25", "1"));
    const std::size_t at = m.find("\x01" "9=") + 3;
    m.replace(at, m.find('\x01', at) - at, "12");
    raw.send_bytes(m);
    CHECK(raw.closed_by_peer());
  }
  SECTION("a bad checksum is dropped as garbled without using its sequence number") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    std::string bad = raw.build(order("CK1", "CEA25", "1"));
    bad.replace(bad.size() - 4, 3, bad.substr(bad.size() - 4, 3) == "000" ? "001" : "000");
    raw.send_bytes(bad);
    // The same sequence number again, valid this time: it is the one processed.
    raw.rewind();
    FIX::Message test_request;
    test_request.getHeader().setField(FIX::FIELD::MsgType, "1");
    test_request.setField(112, "PING-1");
    raw.send(test_request);
    const std::string got = raw.read_until("112=PING-1");
    CHECK(got.find("112=PING-1") != std::string::npos);
    CHECK(got.find("11=CK1") == std::string::npos);
  }
  SECTION("a missing required tag and a wrong type get a session Reject naming the tag") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    FIX::Message no_side = order("MS1", "CEA25", "1");
    no_side.removeField(54);
    raw.send(no_side);
    const std::string r1 = raw.read_until("371=54");
    CHECK(r1.find("35=3") != std::string::npos);
    CHECK(r1.find("371=54") != std::string::npos);
    CHECK(r1.find("373=1") != std::string::npos);  // required tag missing
    FIX::Message bad_qty = order("WT1", "CEA25", "1");
    bad_qty.setField(38, "ten");
    raw.send(bad_qty);
    const std::string r2 = raw.read_until("371=38");
    CHECK(r2.find("371=38") != std::string::npos);
    CHECK(r2.find("373=6") != std::string::npos);  // incorrect data format
  }
  SECTION("an unknown symbol is an order reject") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    raw.send(order("US1", "NO-SUCH", "1"));
    const std::string r = raw.read_until("11=US1");
    CHECK(r.find("150=8") != std::string::npos);
    CHECK(r.find("103=1") != std::string::npos);
  }
  SECTION("a flood past the throttle is rejected, then logged out") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    std::string burst;
    for (int i = 0; i < 20; ++i) burst += raw.build(order("FL" + std::to_string(i), "CEA25", "1"));
    raw.send_bytes(burst);
    const std::string r = raw.read_until("35=5");
    INFO(r);
    CHECK(r.find("35=j") != std::string::npos);
    CHECK(r.find("throttle") != std::string::npos);
    CHECK(r.find("\x01" "379=FL") != std::string::npos);  // BusinessRejectRefID: the order's ClOrdID
    CHECK(r.find("35=5") != std::string::npos);
    // Every message over the throttle is rejected before the Logout, those
    // past the logout line too (they were dropped without a word: the member
    // could not tell which it must send again). The first 5 were taken; their
    // reports come when the engine has committed them, or at the next logon.
    for (int i = 5; i < 20; ++i) {
      const std::string clord = "FL" + std::to_string(i);
      INFO(clord);
      CHECK(r.find("\x01" "379=" + clord + "\x01") != std::string::npos);
    }
    CHECK(raw.closed_by_peer());
  }
  CHECK(m1_still_trades());
}

TEST_CASE("fix: cancel on disconnect cancels the member's orders in one mass cancel", "[fix][integration]") {
  TempDir tmp("erx-fix-cod");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  {
    FixMember m2("M2", "m2", "demo-m2", erxd.port());  // cancel_on_disconnect = all
    REQUIRE(m2.logon());
    for (const char* id : {"K1", "K2"}) {
      FIX::Message o = new_order(id, "CEA25", '2', "5", "95.00", '1');
      m2.send(o);
      REQUIRE(m2.wait_for(exec_report(id, '0')));
    }
    m2.logout();
  }
  FixMember m2("M2", "m2", "demo-m2", erxd.port());
  REQUIRE(m2.logon());
  // The mass cancel is asynchronous to the logout: ask until it has happened.
  const auto st = live_orders_until(m2, 0);
  REQUIRE(st);
  CHECK(st->empty());
  CHECK(erxd.log().find("cancel on disconnect") != std::string::npos);
}

// Cancel on disconnect is made by the exchange for the member (operator 0),
// not by the session's operator: here M1's session, on a restart, names an
// operator the exchange does not know — it could not cancel anything itself.
TEST_CASE("fix: cancel on disconnect cancels even when the session's operator may not", "[fix][integration]") {
  TempDir tmp("erx-fix-cod-op");
  {
    ErxdProcess erxd(tmp.path() / "erxd");
    FixMember m1("M1", "m1", "demo-m1", erxd.port());  // cancel_on_disconnect = none
    REQUIRE(m1.logon());
    FIX::Message o = new_order("KEEP1", "CEA25", '1', "1", "85.00", '1');
    m1.send(o);
    REQUIRE(m1.wait_for(exec_report("KEEP1", '0')));
    m1.logout();
    REQUIRE(erxd.terminate() == 0);
  }
  const std::string config =
      config_with(tmp.path(), {{"operator", "9999"}, {"cancel_on_disconnect", "all"}});  // M1's section comes first
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config});
  INFO(erxd.log());
  {
    FixMember m1("M1", "m1", "demo-m1", erxd.port());
    REQUIRE(m1.logon());
    // Operator 9999 cannot trade: the exchange refuses its orders.
    FIX::Message o = new_order("NOPE1", "CEA25", '1', "1", "85.00", '1');
    m1.send(o);
    const auto refused = m1.wait_for(exec_report("NOPE1", '8'));
    REQUIRE(refused);
    CHECK(field(*refused, 58) == "unknown operator");
    const auto before = live_orders_until(m1, 1);
    REQUIRE(before);
    CHECK(field(before->front(), 11) == "KEEP1");
    m1.logout();
  }
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  const auto st = live_orders_until(m1, 0);
  REQUIRE(st);
  CHECK(st->empty());
  CHECK(erxd.log().find("internal command mass-cancel") == std::string::npos);  // nothing refused
}

TEST_CASE("fix: connections past the configured maximum are refused at accept", "[fix][integration]") {
  TempDir tmp("erx-fix-max");
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config_with(tmp.path(), {{"limits.max_connections", "2"}})});
  INFO(erxd.log());
  RawFix a(erxd.port(), "M1"), b(erxd.port(), "M2");
  a.logon("m1", "demo-m1");
  b.logon("m2", "demo-m2");
  RawFix c(erxd.port(), "M3");
  CHECK(c.closed_by_peer());
  CHECK(erxd.log().find("refused") != std::string::npos);
  // The two admitted sessions still work.
  FIX::Message test_request;
  test_request.getHeader().setField(FIX::FIELD::MsgType, "1");
  test_request.setField(112, "STILL-HERE");
  a.send(test_request);
  CHECK(a.read_until("112=STILL-HERE").find("112=STILL-HERE") != std::string::npos);
}

TEST_CASE("fix: cancel on disconnect \"day\" cancels only the member's DAY orders", "[fix][integration]") {
  TempDir tmp("erx-fix-cod-day");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  {
    FixMember m3("M3", "m3", "demo-m3", erxd.port());  // cancel_on_disconnect = day
    REQUIRE(m3.logon());
    FIX::Message day = new_order("DAY1", "CEA25", '1', "1", "85.00", '0');
    FIX::Message gtc = new_order("GTC1", "CEA25", '1', "1", "85.00", '1');
    m3.send(day);
    m3.send(gtc);
    REQUIRE(m3.wait_for(exec_report("DAY1", '0')));
    REQUIRE(m3.wait_for(exec_report("GTC1", '0')));
    m3.logout();
  }
  FixMember m3("M3", "m3", "demo-m3", erxd.port());
  REQUIRE(m3.logon());
  const auto st = live_orders_until(m3, 1);
  REQUIRE(st);
  REQUIRE(st->size() == 1);
  CHECK(field(st->front(), 11) == "GTC1");
}


TEST_CASE("fix: a member that stops reading is disconnected, and the others keep trading", "[fix][integration]") {
  TempDir tmp("erx-fix-slow");
  // This test floods on purpose: no throttle; a small unsent-bytes cap.
  const std::string config = config_with(
      tmp.path(), {{"limits.max_unsent_bytes", "16384"}, {"limits.throttle_messages", "1000000"}});
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config});
  INFO(erxd.log());
  // M3 subscribes to market data, then never reads again (a small receive
  // buffer, so the kernel cannot hide it for long).
  RawFix slow(erxd.port(), "M3", 2048);
  slow.logon("m3", "demo-m3");
  slow.send(market_data_request("SLOW", '1', {"2"}, "CEA25"));
  FixMember m1("M1", "m1", "demo-m1", erxd.port()), m2("M2", "m2", "demo-m2", erxd.port());
  REQUIRE(m1.logon());
  REQUIRE(m2.logon());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int n = 0;
  while (erxd.log().find("does not read") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 100; ++i, ++n) {
      FIX::Message s = new_order("S" + std::to_string(n), "CEA25", '2', "1", "90.00");
      FIX::Message b = new_order("B" + std::to_string(n), "CEA25", '1', "1", "90.00");
      m2.send(s);
      m1.send(b);
    }
    REQUIRE(m1.wait_for(exec_report("B" + std::to_string(n - 1), 'F'), 10000ms));
  }
  CHECK(erxd.log().find("M3: member does not read") != std::string::npos);
  // The others were never held up: one more trade goes through.
  FIX::Message s = new_order("S-last", "CEA25", '2', "1", "90.00");
  FIX::Message b = new_order("B-last", "CEA25", '1', "1", "90.00");
  m2.send(s);
  m1.send(b);
  CHECK(m1.wait_for(exec_report("B-last", 'F')));
}

TEST_CASE("fix: replace of a partly filled order leaves OrderQty - CumQty open, at or below CumQty is refused",
          "[fix][integration]") {
  TempDir tmp("erx-fix-replace-total");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  FixMember m1("M1", "m1", "demo-m1", erxd.port()), m2("M2", "m2", "demo-m2", erxd.port());
  REQUIRE(m1.logon());
  REQUIRE(m2.logon());
  FIX::Message b1 = new_order("RB1", "CEA25", '1', "100", "89.00");
  m1.send(b1);
  REQUIRE(m1.wait_for(exec_report("RB1", '0')));
  FIX::Message s1 = new_order("RS1", "CEA25", '2', "40", "89.00");
  m2.send(s1);
  const auto fill = m1.wait_for(exec_report("RB1", 'F'));
  REQUIRE(fill);
  CHECK(field(*fill, 14) == "40");

  // OrderQty 70 with 40 executed: 30 open (the engine subtracts CumQty).
  FIX::Message r = replace_order("RB2", "RB1", "CEA25", '1', "70", "89.00");
  m1.send(r);
  const auto replaced = m1.wait_for(exec_report("RB2", '5'));
  REQUIRE(replaced);
  CHECK(field(*replaced, 38) == "70");
  CHECK(field(*replaced, 14) == "40");
  CHECK(field(*replaced, 151) == "30");

  // OrderQty 40 = CumQty: OrderCancelReject 102=99, the order as it was.
  const auto cancel_reject = [](const std::string& clord) {
    return [clord](const FIX::Message& m) { return msg_type(m) == "9" && field(m, 11) == clord; };
  };
  FIX::Message at = replace_order("RB3", "RB2", "CEA25", '1', "40", "89.00");
  m1.send(at);
  const auto refused = m1.wait_for(cancel_reject("RB3"));
  REQUIRE(refused);
  CHECK(field(*refused, 41) == "RB2");
  CHECK(field(*refused, 102) == "99");
  CHECK(field(*refused, 58) == "OrderQty must be above the quantity already executed");
  // More decimals than the quantity scale: refused by the gateway.
  FIX::Message fine = replace_order("RB4", "RB2", "CEA25", '1', "70.5", "89.00");
  m1.send(fine);
  const auto misfit = m1.wait_for(cancel_reject("RB4"));
  REQUIRE(misfit);
  CHECK(field(*misfit, 102) == "99");
  CHECK(field(*misfit, 39) == "1");                    // the order's current status: partly filled
  CHECK(field(*misfit, 37) == field(*replaced, 37));   // and its OrderID
  CHECK(field(*misfit, 58) == "OrderQty does not fit the instrument's quantity scale");
  // The order still has 30 open: a sell of 50 fills exactly those.
  FIX::Message s2 = new_order("RS2", "CEA25", '2', "50", "89.00");
  m2.send(s2);
  const auto rest = m1.wait_for(exec_report("RB2", 'F'));
  REQUIRE(rest);
  CHECK(field(*rest, 32) == "30");
  CHECK(field(*rest, 14) == "70");
  CHECK(field(*rest, 151) == "0");
}

// 5800 on a NewOrderSingle is the order's own self-trade prevention mode: M1's
// default (2, cancel the incoming order) would cancel the second order below;
// with 5800=1 (none) the member's two orders trade with each other.
TEST_CASE("fix: SelfTradePreventionMode on a new order overrides the member default", "[fix][integration]") {
  TempDir tmp("erx-fix-stp");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  FIX::Message buy = new_order("STP1", "CEA25", '1', "10", "89.50");
  m1.send(buy);
  const auto rested = m1.wait_for(exec_report("STP1", '0'));
  REQUIRE(rested);
  CHECK(field(*rested, 5800) == "2");  // the member's default, as resolved
  // Default mode: the incoming sell would trade with M1's own buy, so it is cancelled.
  FIX::Message s1 = new_order("STP2", "CEA25", '2', "4", "89.50");
  m1.send(s1);
  const auto cancelled = m1.wait_for(exec_report("STP2", '4'));
  REQUIRE(cancelled);
  CHECK(field(*cancelled, 14) == "0");
  // 5800=1: self trades allowed, the sell fills against the buy.
  FIX::Message s2 = new_order("STP3", "CEA25", '2', "4", "89.50");
  s2.setField(5800, "1");
  m1.send(s2);
  const auto accepted = m1.wait_for(exec_report("STP3", '0'));
  REQUIRE(accepted);
  CHECK(field(*accepted, 5800) == "1");
  const auto filled = m1.wait_for(exec_report("STP3", 'F'));
  REQUIRE(filled);
  CHECK(field(*filled, 32) == "4");
  CHECK(field(*filled, 39) == "2");
}

// Reports made while a trading session is logged off wait for its next logon:
// M1 (no cancel on disconnect) gets the fill of its resting order, M2 (cancel
// on disconnect "all") the cancel of its own.
TEST_CASE("fix: reports made while a session is logged off are delivered at its next logon", "[fix][integration]") {
  TempDir tmp("erx-fix-away");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  FixMember m3("M3", "m3", "demo-m3", erxd.port());
  REQUIRE(m3.logon());
  {
    FixMember m1("M1", "m1", "demo-m1", erxd.port()), m2("M2", "m2", "demo-m2", erxd.port());
    REQUIRE(m1.logon());
    REQUIRE(m2.logon());
    FIX::Message buy = new_order("AW1", "CEA25", '1', "10", "89.70", '1');
    m1.send(buy);
    REQUIRE(m1.wait_for(exec_report("AW1", '0')));
    FIX::Message sell = new_order("AW2", "CEA25", '2', "3", "95.00", '1');
    m2.send(sell);
    REQUIRE(m2.wait_for(exec_report("AW2", '0')));
    m1.logout();
    m2.logout();
  }
  // While both are away: M3 trades 4 against M1's buy; M2's sell is cancelled on disconnect.
  FIX::Message hit = new_order("AW3", "CEA25", '2', "4", "89.70");
  m3.send(hit);
  REQUIRE(m3.wait_for(exec_report("AW3", 'F')));
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  const auto fill = m1.wait_for(exec_report("AW1", 'F'));
  REQUIRE(fill);
  CHECK(field(*fill, 32) == "4");
  CHECK(field(*fill, 14) == "4");
  CHECK(field(*fill, 151) == "6");
  FixMember m2("M2", "m2", "demo-m2", erxd.port());
  REQUIRE(m2.logon());
  const auto cancelled = m2.wait_for(exec_report("AW2", '4'));
  REQUIRE(cancelled);
  CHECK(field(*cancelled, 5801) == "1");  // mass cancel (on disconnect)
  CHECK(field(*cancelled, 151) == "0");
}

// The outbound queue limit, at its edge: a mass status answer of 5 reports to
// a session whose queue holds 4 is a slow consumer — that session is
// disconnected, another keeps trading, and at the next logon the member gets
// what was kept and erxd logs how much was not.
TEST_CASE("fix: a session whose outbound queue overflows is disconnected, the others go on", "[fix][integration]") {
  TempDir tmp("erx-fix-queue");
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config_with(tmp.path(), {{"limits.outbound_queue", "4"}})});
  INFO(erxd.log());
  FixMember m2("M2", "m2", "demo-m2", erxd.port());
  REQUIRE(m2.logon());
  {
    FixMember m1("M1", "m1", "demo-m1", erxd.port());
    REQUIRE(m1.logon());
    for (int i = 1; i <= 4; ++i) {
      const std::string id = "Q" + std::to_string(i);
      FIX::Message o = new_order(id, "CEA25", '1', "1", "88.0" + std::to_string(i), '1');
      m1.send(o);
      REQUIRE(m1.wait_for(exec_report(id, '0')));
    }
    // One command, five reports (four cancels and the mass cancel's own):
    // 4 fit, the 5th finds the queue full.
    FIX::Message q;
    q.getHeader().setField(FIX::FIELD::MsgType, "q");
    q.setField(11, "MC-Q");
    q.setField(530, "7");
    q.setField(FIX::TransactTime());
    m1.send(q);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (m1.logged_on() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(m1.logged_on());
  }
  CHECK(erxd.log().find("fix M1: outbound queue full (member too slow): disconnecting") != std::string::npos);
  // The other member was not held up.
  FIX::Message o = new_order("Q-M2", "CEA25", '2', "1", "95.00");
  m2.send(o);
  CHECK(m2.wait_for(exec_report("Q-M2", '0')));
  // M1 again: the answer that did not fit is reported in the log.
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (erxd.log().find("messages not kept") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(erxd.log().find("fix M1: messages not kept (its queue of 4 was full): 1;") != std::string::npos);
}
