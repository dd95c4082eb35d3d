// Recovery over FIX after an erxd restart (issue 12, item 15; label
// integration): sequence numbers continue, a ResendRequest is answered with
// what was sent before the restart, reports the ledger committed but never
// sent are rebuilt and delivered at the next logon, and status requests know
// the day's finished orders.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <thread>

#include "tests/fix/fix_client.hpp"
#include "tests/fix/raw_fix.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::test;
using namespace std::chrono_literals;

namespace {

const std::string kSoh = "\x01";

bool is_fill(const FIX::Message& m, const std::string& clord) {
  return msg_type(m) == "8" && field(m, 150) == "F" && field(m, 11) == clord;
}
int seq_num(const FIX::Message& m) { return std::stoi(field(m.getHeader(), 34)); }

FIX::Message status_request(const std::string& clord, const std::string& req_id) {
  FIX::Message h;
  h.getHeader().setField(FIX::FIELD::MsgType, "H");
  h.setField(11, clord);
  h.setField(790, req_id);
  h.setField(55, "CEA25");
  h.setField(54, "1");
  return h;
}

// The value of `tag` in the first message of `type` found in raw bytes.
std::string raw_field(const std::string& bytes, const std::string& type, const std::string& tag) {
  const std::size_t msg = bytes.find(kSoh + "35=" + type + kSoh);
  const std::size_t at = bytes.find(kSoh + tag + "=", msg);
  if (msg == std::string::npos || at == std::string::npos) return {};
  const std::size_t from = at + tag.size() + 2;
  return bytes.substr(from, bytes.find(kSoh, from) - from);
}

// The whole raw message around position `at`.
std::string raw_message_at(const std::string& bytes, std::size_t at) {
  const std::size_t start = bytes.rfind("8=FIX.4.4", at);
  const std::size_t end = bytes.find(kSoh + "10=", at);
  return bytes.substr(start, end - start);
}

}  // namespace

TEST_CASE("fix recovery: after a restart sequence numbers continue, a resend is served and unsent fills are delivered",
          "[fix][integration]") {
  TempDir tmp("erx-fix-recovery");
  const auto data = tmp.path() / "erxd";
  const std::string m1_store = (tmp.path() / "m1-store").string();
  int last_seq_before = 0;
  std::string new_exec_id;
  {
    ErxdProcess erxd(data);
    INFO(erxd.log());
    {
      FixMember m1("M1", "m1", "demo-m1", erxd.port(), m1_store);
      REQUIRE(m1.logon());
      FIX::Message buy = new_order("RB1", "CEA25", '1', "5", "90.00", '1');
      m1.send(buy);
      const auto accepted = m1.wait_for(exec_report("RB1", '0'));
      REQUIRE(accepted);
      new_exec_id = field(*accepted, 17);
      for (const FIX::Message& m : m1.received()) last_seq_before = std::max(last_seq_before, seq_num(m));
      m1.logout();
    }
    // While M1 is away its order fills: the report waits at erxd, which is then killed.
    FixMember m3("M3", "m3", "demo-m3", erxd.port());
    REQUIRE(m3.logon());
    FIX::Message sell = new_order("RS1", "CEA25", '2', "5", "90.00");
    m3.send(sell);
    REQUIRE(m3.wait_for(exec_report("RS1", 'F')));
    m3.logout();
    erxd.kill();
  }
  ErxdProcess erxd(data);
  INFO(erxd.log());
  {
    // M1 logs on without resetting: the fill made while it was away, rebuilt
    // from the ledger, comes with the next sequence numbers.
    FixMember m1("M1", "m1", "demo-m1", erxd.port(), m1_store);
    REQUIRE(m1.logon());
    const auto fill = m1.wait_for([](const FIX::Message& m) { return is_fill(m, "RB1"); });
    REQUIRE(fill);
    CHECK(field(*fill, 39) == "2");
    CHECK(field(*fill, 32) == "5");
    CHECK(seq_num(*fill) > last_seq_before);  // numbering went on, it did not restart at 1
    CHECK(erxd.log().find("fix M1: 1 reports of the business day rebuilt from the ledger") != std::string::npos);
    m1.logout();
  }
  {
    // A connection of M1 that asks for everything ever sent to M1 (as a
    // member that lost its own store would): what was sent before the
    // restart comes again from erxd's store, PossDupFlag=Y.
    RawFix raw(erxd.port(), "M1");
    raw.set_next_seq(100'000);
    raw.send_bytes(RawFix::frame(raw.header_fields("A") + "98=0" + kSoh + "108=30" + kSoh + "553=m1" + kSoh +
                                 "554=demo-m1" + kSoh));
    // erxd answers the Logon and asks for the gap this connection's number left: gap-filled.
    const std::string asked = raw.read_until(kSoh + "35=2" + kSoh);
    REQUIRE(asked.find(kSoh + "35=A" + kSoh) != std::string::npos);
    const std::string begin = raw_field(asked, "2", "7");
    REQUIRE_FALSE(begin.empty());
    raw.set_next_seq(std::stoi(begin));
    const std::string gap = raw.header_fields("4");
    const std::string sent_at = gap.substr(gap.find("52=") + 3, 21);
    raw.send_bytes(RawFix::frame(gap + "43=Y" + kSoh + "122=" + sent_at + kSoh + "123=Y" + kSoh + "36=100001" + kSoh));
    raw.set_next_seq(100'001);
    raw.send_bytes(RawFix::frame(raw.header_fields("2") + "7=1" + kSoh + "16=0" + kSoh));
    const std::string needle = kSoh + "17=" + new_exec_id + kSoh;
    const std::string got = raw.read_until(needle);
    const std::size_t resent = got.find(needle);
    REQUIRE(resent != std::string::npos);
    const std::string message = raw_message_at(got, resent);
    CHECK(message.find(kSoh + "43=Y" + kSoh) != std::string::npos);
    CHECK(message.find(kSoh + "11=RB1" + kSoh) != std::string::npos);
    CHECK(message.find(kSoh + "150=0" + kSoh) != std::string::npos);
  }
  // Status of the finished order by its ClOrdID, and of an unknown one with its request id.
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  FIX::Message h = status_request("RB1", "SQ1");
  m1.send(h);
  const auto status = m1.wait_for([](const FIX::Message& m) { return field(m, 790) == "SQ1"; });
  REQUIRE(status);
  CHECK(field(*status, 39) == "2");
  CHECK(field(*status, 14) == "5");
  FIX::Message unknown = status_request("NO-SUCH", "SQ2");
  m1.send(unknown);
  const auto none = m1.wait_for([](const FIX::Message& m) { return field(m, 790) == "SQ2"; });
  REQUIRE(none);
  CHECK(field(*none, 39) == "8");
  CHECK(field(*none, 58) == "unknown order");
}

TEST_CASE("fix recovery: a report sent before a restart is not sent again as new", "[fix][integration]") {
  TempDir tmp("erx-fix-recovery-once");
  const auto data = tmp.path() / "erxd";
  {
    ErxdProcess erxd(data);
    FixMember m1("M1", "m1", "demo-m1", erxd.port());
    REQUIRE(m1.logon());
    FIX::Message buy = new_order("ONCE1", "CEA25", '1', "1", "89.00", '1');
    m1.send(buy);
    REQUIRE(m1.wait_for(exec_report("ONCE1", '0')));
    erxd.kill();  // M1 got its report; its drop copy M1-DC and the regulator did not
  }
  ErxdProcess erxd(data);
  INFO(erxd.log());
  FixMember m1("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1.logon());
  CHECK_FALSE(m1.wait_for(exec_report("ONCE1", '0'), 1000ms));
  // The drop copy, which was never logged on, gets it now.
  FixMember dc("M1-DC", "m1", "demo-m1", erxd.port());
  REQUIRE(dc.logon());
  const auto copy = dc.wait_for(exec_report("ONCE1", '0'));
  REQUIRE(copy);
  CHECK(field(*copy, 797) == "Y");
}
