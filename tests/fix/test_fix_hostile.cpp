// Hostile FIX clients (issue 12, A and item 8; label integration): strangers
// that try to hold a member's session or every connection slot, logons that
// probe for usernames or brute-force passwords, bytes meant for the log, tags
// and times QuickFIX would misread. Each gets its documented answer
// (docs/FIX.md sections 2 and 3), and the real member can always log on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <thread>

#include "tests/fix/fix_client.hpp"
#include "tests/fix/raw_fix.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSoh = "\x01";

// The body of a Logon after its header: EncryptMethod, HeartBtInt, reset,
// then whatever a case adds (credentials, or not).
std::string logon_body(RawFix& raw, const std::string& rest, const std::string& heartbeat = "30") {
  return raw.header_fields("A") + "98=0" + kSoh + "108=" + heartbeat + kSoh + "141=Y" + kSoh + rest;
}

bool answered_with_logout(RawFix& raw) { return raw.read_until("35=5").find("35=5") != std::string::npos; }

bool can_log_on(const std::string& comp, const std::string& user, const std::string& password, std::uint16_t port) {
  FixMember m(comp, user, password, port);
  const bool ok = m.logon();
  m.logout();
  return ok;
}

// One logon attempt on a raw connection (a QuickFIX initiator would retry):
// whether it was answered with a Logon.
bool one_logon_accepted(std::uint16_t port, const std::string& comp, const std::string& user, const std::string& password) {
  RawFix raw(port, comp);
  raw.send_bytes(RawFix::frame(raw.header_fields("A") + "98=0" + kSoh + "108=30" + kSoh + "141=Y" + kSoh + "553=" + user +
                               kSoh + "554=" + password + kSoh));
  raw.read_until("35=", 5000ms);
  return raw.received().find(std::string(kSoh) + "35=A" + kSoh) != std::string::npos;
}


}  // namespace

// A1: a Logon that fails validation got no answer and left the connection
// bound to the CompID: the real member's logons were closed ("already
// connected") for as long as the stranger kept the socket.
TEST_CASE("fix hostile: a logon that fails its checks is answered and never holds the member's session",
          "[fix][integration]") {
  TempDir tmp("erx-fix-squat");
  ErxdProcess erxd(tmp.path() / "erxd",
                   {"--config", config_with(tmp.path(), {{"limits.logon_failure_delay_ms", "50"}})});
  INFO(erxd.log());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty Password", std::string("553=m1") + kSoh + "554=" + kSoh},
      {"Password twice", std::string("553=m1") + kSoh + "554=demo-m1" + kSoh + "554=demo-m1" + kSoh},
      {"NewPassword without Username and Password", std::string("925=new-secret") + kSoh},
      {"RawData", std::string("553=m1") + kSoh + "554=demo-m1" + kSoh + "95=3" + kSoh + "96=abc" + kSoh},
      {"no Username", std::string("554=demo-m1") + kSoh},
      {"wrong password", std::string("553=m1") + kSoh + "554=not-it" + kSoh},
  };
  for (const auto& [what, fields] : cases) {
    INFO(what);
    RawFix squatter(erxd.port(), "M1");
    squatter.send_bytes(RawFix::frame(logon_body(squatter, fields)));
    CHECK(answered_with_logout(squatter));
    CHECK(squatter.received().find("35=A") == std::string::npos);
    // While the stranger still holds its socket, the member logs on.
    CHECK(can_log_on("M1", "m1", "demo-m1", erxd.port()));
    CHECK(squatter.closed_by_peer());
  }
  SECTION("a first message that is not a Logon") {
    RawFix squatter(erxd.port(), "M1");
    squatter.send_bytes(RawFix::frame(squatter.header_fields("0")));
    CHECK(answered_with_logout(squatter));
    CHECK(can_log_on("M1", "m1", "demo-m1", erxd.port()));
  }
}

// A2: 1,000 connections that sent nothing kept all 64 slots for a minute; a
// Logon sent at 1 byte/s held a slot for its whole length.
TEST_CASE("fix hostile: idle and slow connections cannot keep a member from logging on", "[fix][integration]") {
  TempDir tmp("erx-fix-idle");
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config_with(tmp.path(), {{"limits.logon_timeout_ms", "1000"}})});
  INFO(erxd.log());
  std::vector<std::unique_ptr<RawFix>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<RawFix>(erxd.port(), "M1"));
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(can_log_on("M1", "m1", "demo-m1", erxd.port()));
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);

  // A Logon written one byte every 100 ms (it would take ~15 s): closed at the timeout.
  RawFix slow(erxd.port(), "M2");
  const std::string logon = RawFix::frame(logon_body(slow, std::string("553=m2") + kSoh + "554=demo-m2" + kSoh));
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < logon.size() && !closed; ++i) {
    slow.send_bytes(logon.substr(i, 1));
    closed = slow.closed_by_peer(100ms);
  }
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - started < 2500ms);
  CHECK(slow.received().find("35=A") == std::string::npos);

  // The idle ones are all gone by now: each was closed to make room or at its timeout.
  std::size_t still_open = 0;
  for (auto& c : idle) still_open += c->closed_by_peer(10ms) ? 0u : 1u;
  CHECK(still_open == 0);
  CHECK(erxd.log().find("no logon within 1000 ms") != std::string::npos);
}

// A3: a throttle logout left the QuickFIX session disabled, so every later
// logon with the right credentials was closed without an answer until erxd
// restarted. Every kind of logout is followed by a successful logon here.
TEST_CASE("fix hostile: after every kind of logout the member logs on again", "[fix][integration]") {
  TempDir tmp("erx-fix-relogon");
  const std::string config =
      config_with(tmp.path(), {{"limits.throttle_messages", "5"}, {"limits.throttle_logout_multiple", "3"}});
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config});
  INFO(erxd.log());
  SECTION("the member's own Logout") {
    CHECK(can_log_on("M3", "m3", "demo-m3", erxd.port()));
  }
  SECTION("the throttle's Logout") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    std::string burst;
    for (int i = 0; i < 20; ++i) burst += raw.build(new_order("FL" + std::to_string(i), "CEA25", '1', "1", "89.00"));
    raw.send_bytes(burst);
    CHECK(answered_with_logout(raw));
    CHECK(raw.closed_by_peer());
  }
  SECTION("a heartbeat timeout (no answer to a TestRequest)") {
    RawFix raw(erxd.port(), "M3");
    raw.send_bytes(RawFix::frame(logon_body(raw, std::string("553=m3") + kSoh + "554=demo-m3" + kSoh, "1")));
    CHECK(raw.read_until("35=A").find("35=A") != std::string::npos);
    CHECK(raw.closed_by_peer(8000ms));  // silent: TestRequest, then disconnected
  }
  SECTION("a MsgSeqNum lower than expected") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    raw.rewind();
    FIX::Message hb;
    hb.getHeader().setField(FIX::FIELD::MsgType, "0");
    raw.send(hb);
    CHECK(answered_with_logout(raw));
    CHECK(raw.closed_by_peer());
  }
  SECTION("a SendingTime far from the exchange's clock") {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    std::string body = raw.header_fields("1");
    body.replace(body.find("52=") + 3, 21, "19700101-00:00:00.000");
    raw.send_bytes(RawFix::frame(body + "112=OLD" + kSoh));
    const std::string got = raw.read_until("35=5");
    CHECK(got.find("373=10") != std::string::npos);  // SendingTime accuracy problem
    CHECK(got.find("35=5") != std::string::npos);
    CHECK(raw.closed_by_peer());
  }
  CHECK(can_log_on("M3", "m3", "demo-m3", erxd.port()));
}

// A4: a Logon field written "554SECRETPW..." (no '=') was logged verbatim as
// an invalid tag; a value holding line feeds wrote a forged log line.
TEST_CASE("fix hostile: no password reaches the log, and nothing a client sent is written unescaped",
          "[fix][integration]") {
  TempDir tmp("erx-fix-log");
  ErxdProcess erxd(tmp.path() / "erxd",
                   {"--config", config_with(tmp.path(), {{"limits.logon_failure_delay_ms", "10"}})});
  {
    RawFix raw(erxd.port(), "M1");
    raw.send_bytes(RawFix::frame(logon_body(raw, std::string("553=m1") + kSoh + "554SECRETPW-ONE" + kSoh)));
    CHECK(answered_with_logout(raw));
  }
  {
    RawFix raw(erxd.port(), "M1");
    raw.send_bytes(RawFix::frame(logon_body(raw, std::string("553=m1") + kSoh + "554=SECRETPW-TWO" + kSoh)));
    CHECK(answered_with_logout(raw));
  }
  {
    RawFix raw(erxd.port(), "M1");
    raw.send_bytes(RawFix::frame(logon_body(raw, std::string("553=m1\nFORGED-LINE one") + kSoh + "554=x" + kSoh)));
    CHECK(answered_with_logout(raw));
  }
  {
    RawFix raw(erxd.port(), "M3");
    raw.logon("m3", "demo-m3");
    // An unknown tag whose value holds a line feed and a would-be password.
    raw.send_bytes(RawFix::frame(raw.header_fields("1") + "112=T" + kSoh + "9999=x\nFORGED-LINE two 554=SECRETPW-THREE" + kSoh));
    CHECK(raw.read_until("35=3").find("35=3") != std::string::npos);
  }
  REQUIRE(erxd.terminate() == 0);
  const std::string log = erx::crash::slurp(tmp.path() / "erxd" / "log" / "erxd.log") + erxd.log();
  CHECK(log.find("SECRETPW") == std::string::npos);
  CHECK(log.find("\nFORGED-LINE") == std::string::npos);
  CHECK(log.find("demo-m") == std::string::npos);
}

// A5: a wrong username was answered in 1.0 ms and a wrong password in 5.9 ms,
// and a correct logon worked after 40 failures.
TEST_CASE("fix hostile: failed logons take the same time whatever failed, and repeated failures back off",
          "[fix][integration]") {
  TempDir tmp("erx-fix-timing");
  const std::string config = config_with(tmp.path(), {{"limits.logon_failure_delay_ms", "300"},
                                                      {"limits.logon_backoff_after", "3"},
                                                      {"limits.logon_backoff_first_ms", "1500"}});
  ErxdProcess erxd(tmp.path() / "erxd", {"--config", config});
  INFO(erxd.log());
  const auto time_refusal = [&](const std::string& comp, const std::string& user, const std::string& password) {
    RawFix raw(erxd.port(), comp);
    const std::string bytes =
        RawFix::frame(logon_body(raw, "553=" + user + kSoh + "554=" + password + kSoh));
    const auto t0 = std::chrono::steady_clock::now();
    raw.send_bytes(bytes);
    const bool answered = answered_with_logout(raw);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(answered);
    return ms;
  };
  std::vector<std::int64_t> times;
  for (int round = 0; round < 2; ++round) {
    times.push_back(time_refusal("M9", "m9", "whatever"));    // unknown CompID
    times.push_back(time_refusal("M1", "nobody", "demo-m1"));  // wrong username
    times.push_back(time_refusal("M2", "m2", "not-it"));       // wrong password
  }
  INFO("answer times in ms: " << times[0] << " " << times[1] << " " << times[2] << " " << times[3] << " " << times[4]
                              << " " << times[5]);
  const auto [lo, hi] = std::minmax_element(times.begin(), times.end());
  CHECK(*lo >= 300);
  CHECK(*hi - *lo < 100);

  // Three failures of M3: its back-off starts, and even the right password is refused.
  for (int i = 0; i < 3; ++i) time_refusal("M3", "m3", "guess-" + std::to_string(i));
  {
    RawFix raw(erxd.port(), "M3");
    raw.send_bytes(RawFix::frame(logon_body(raw, std::string("553=m3") + kSoh + "554=demo-m3" + kSoh)));
    CHECK(raw.read_until("35=5").find("too many failed logons") != std::string::npos);
  }
  CHECK_FALSE(one_logon_accepted(erxd.port(), "M3", "m3", "demo-m3"));
  std::this_thread::sleep_for(1600ms);
  CHECK(one_logon_accepted(erxd.port(), "M3", "m3", "demo-m3"));
  // Other members were never affected.
  CHECK(can_log_on("M1", "m1", "demo-m1", erxd.port()));
}

// A6: "4294967297=201" was read as Account 201; a tag that is not a number
// made the message vanish without a word; SendingTime was not checked.
TEST_CASE("fix hostile: tags that are not numbers or too large are refused with a session Reject",
          "[fix][integration]") {
  TempDir tmp("erx-fix-tags");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  RawFix raw(erxd.port(), "M3");
  raw.logon("m3", "demo-m3");
  SECTION("a tag past 2^32 does not become a small one") {
    const int seq = raw.next_seq();
    std::string order = raw.build(new_order("TG1", "CEA25", '1', "1", "89.00"));
    // Hand-insert the field before the trailer and re-frame.
    const std::string body = order.substr(order.find("35="), order.find("10=") - order.find("35="));
    raw.send_bytes(RawFix::frame(body + "4294967297=201" + kSoh));
    const std::string got = raw.read_until("373=0");
    CHECK(got.find("35=3") != std::string::npos);
    CHECK(got.find("45=" + std::to_string(seq) + kSoh) != std::string::npos);
    CHECK(raw.read_until("11=TG1", 500ms).find("11=TG1") == std::string::npos);  // not an order at all
  }
  SECTION("a tag that is not a number") {
    const int seq = raw.next_seq();
    raw.send_bytes(RawFix::frame(raw.header_fields("1") + "112=A" + kSoh + "5x4=1" + kSoh));
    const std::string got = raw.read_until("373=0");
    CHECK(got.find("45=" + std::to_string(seq) + kSoh) != std::string::npos);
    // Its sequence number was used: the next message is processed.
    raw.send_bytes(RawFix::frame(raw.header_fields("1") + "112=AFTER" + kSoh));
    CHECK(raw.read_until("112=AFTER").find("112=AFTER") != std::string::npos);
  }
  SECTION("a SendingTime in 9999 ends the session") {
    std::string body = raw.header_fields("1");
    body.replace(body.find("52=") + 3, 21, "99991231-23:59:59.999");
    raw.send_bytes(RawFix::frame(body + "112=FUTURE" + kSoh));
    CHECK(raw.read_until("35=5").find("373=10") != std::string::npos);
  }
  SECTION("a Logon with a SendingTime in 1970 is refused") {
    RawFix other(erxd.port(), "M2");
    std::string body = logon_body(other, std::string("553=m2") + kSoh + "554=demo-m2" + kSoh);
    body.replace(body.find("52=") + 3, 21, "19700101-00:00:00.000");
    other.send_bytes(RawFix::frame(body));
    CHECK(other.read_until("35=5").find("SendingTime") != std::string::npos);
  }
}

// Item 8: ExpireTime 99991231 overflowed (UB), 26120101 wrapped into 2027,
// 20270231 became March 3rd.
TEST_CASE("fix hostile: an ExpireTime out of range or not a date is refused with its reason", "[fix][integration]") {
  TempDir tmp("erx-fix-expire");
  ErxdProcess erxd(tmp.path() / "erxd");
  INFO(erxd.log());
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"99991231-23:59:59.999", "outside"},
      {"26120101-00:00:00", "outside"},
      {"22620412-00:00:00", "outside"},
      {"20270231-12:00:00", "not a calendar date"},
      {"20270431-12:00:00", "not a calendar date"},
  };
  int n = 0;
  for (const auto& [expire, reason] : cases) {
    INFO(expire);
    const std::string id = "GTD" + std::to_string(++n);
    FIX::Message o = new_order(id, "CEA25", '1', "1", "88.00", '6');
    o.setField(126, expire);
    m1.send(o);
    const auto rejected = m1.wait_for([&](const FIX::Message& m) { return field(m, 11) == id; });
    REQUIRE(rejected);
    CHECK(field(*rejected, 150) == "8");
    CHECK(field(*rejected, 58).find(reason) != std::string::npos);
  }
}
