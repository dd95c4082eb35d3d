// Gateway pieces without a network: framing, credentials, configuration,
// FIX timestamps, the throttle.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <variant>

#include "gateway/config.hpp"
#include "gateway/credentials.hpp"
#include "gateway/fix_fields.hpp"
#include "gateway/fix_framer.hpp"
#include "gateway/fix_store.hpp"
#include "gateway/fix_time.hpp"
#include "gateway/inbound.hpp"
#include "gateway/latency_probe.hpp"
#include "gateway/log_text.hpp"
#include "gateway/logon_check.hpp"
#include "gateway/logon_guard.hpp"
#include "gateway/reports.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::gateway;

namespace {

// A well-formed message with the right BodyLength (the checksum is not the
// framer's business, so any three digits do).
std::string fix_message(const std::string& body) {
  return "8=FIX.4.4\x01" "9=" + std::to_string(body.size()) + "\x01" + body + "10=000\x01";
}

}  // namespace

TEST_CASE("framer: whole messages out of any split of the stream", "[gateway][unit]") {
  const std::string a = fix_message("35=0\x01" "49=M1\x01"), b = fix_message("35=1\x01" "112=x\x01");
  const std::string stream = a + b;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FixFramer f(4096);
    std::vector<std::string> out;
    std::string m;
    for (const std::string& part : {stream.substr(0, cut), stream.substr(cut)}) {
      f.feed(part);
      FixFramer::Status s;
      while ((s = f.next(m)) == FixFramer::Status::Message) out.push_back(m);
      REQUIRE(s == FixFramer::Status::NeedMore);
    }
    REQUIRE(out == std::vector<std::string>{a, b});
    CHECK(f.buffered() == 0);
  }
}

TEST_CASE("framer: three messages over three reads, cut anywhere, come out whole and in order", "[gateway][unit]") {
  const std::string a = fix_message("35=0\x01"), b = fix_message("35=D\x01" "11=X1\x01"), c = fix_message("35=1\x01");
  const std::string stream = a + b + c;
  for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= stream.size(); ++cut2) {
      INFO("cuts at " << cut1 << " and " << cut2);
      FixFramer f(4096);
      std::vector<std::string> out;
      std::string m;
      for (const std::string& part : {stream.substr(0, cut1), stream.substr(cut1, cut2 - cut1), stream.substr(cut2)}) {
        f.feed(part);
        while (f.next(m) == FixFramer::Status::Message) out.push_back(m);
      }
      REQUIRE(out == std::vector<std::string>{a, b, c});
      REQUIRE(f.buffered() == 0);
    }
  }
}

TEST_CASE("framer: garbage, a bad BodyLength and an oversized message are refused", "[gateway][unit]") {
  std::string m;
  auto status = [&](const std::string& bytes, std::size_t limit = 4096) {
    FixFramer f(limit);
    f.feed(bytes);
    return f.next(m);
  };
  CHECK(status("GET / HTTP/1.1\r\n") == FixFramer::Status::Garbage);
  CHECK(status("8=FIX.4.4\x01" "35=D\x01") == FixFramer::Status::Garbage);          // no BodyLength
  CHECK(status("8=FIX.4.4\x01" "9=abc\x01") == FixFramer::Status::Garbage);         // not a number
  CHECK(status("8=FIX.4.4\x01" "9=\x01") == FixFramer::Status::Garbage);            // empty
  CHECK(status("8=FIX.4.4\x01" "9=3\x01" "35=0\x01" "10=000\x01") == FixFramer::Status::Garbage);  // BodyLength short by 2
  CHECK(status(fix_message(std::string(5000, 'x'))) == FixFramer::Status::TooLarge);
  CHECK(status("8=FIX.4.4\x01" "9=99999999\x01") == FixFramer::Status::Garbage);    // 8 digits
  // Exactly at the limit passes, one byte over does not.
  const std::string exact = fix_message("58=" + std::string(100, 'y') + "\x01");
  CHECK(status(exact, exact.size()) == FixFramer::Status::Message);
  CHECK(status(exact, exact.size() - 1) == FixFramer::Status::TooLarge);
}

TEST_CASE("credentials: salted hashes verify the right password only", "[gateway][unit]") {
  const std::string h1 = hash_password("s3cret", 1000), h2 = hash_password("s3cret", 1000);
  CHECK(h1 != h2);  // a new salt each time
  CHECK(verify_password("s3cret", h1));
  CHECK(verify_password("s3cret", h2));
  CHECK_FALSE(verify_password("s3cret ", h1));
  CHECK_FALSE(verify_password("", h1));
  CHECK(is_password_hash(h1));
  CHECK_FALSE(is_password_hash("s3cret"));
  CHECK_FALSE(verify_password("s3cret", "pbkdf2-sha256$1000$zz$00"));
  std::string flipped = h1;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(verify_password("s3cret", flipped));
}

TEST_CASE("config: the embedded default parses, mistakes are named by line", "[gateway][unit]") {
  std::string error;
  const auto c = parse_config(default_config_text(), &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->fix_host == "127.0.0.1");
  CHECK(c->members.size() == 3);
  CHECK(c->members[0].drop_copy_comp_id == "M1-DC");
  CHECK(c->regulator.comp_id == "REG");
  CHECK(c->reserved_orders == 262'144);
  CHECK(verify_password("demo-m1", c->members[0].password_hash));

  CHECK_FALSE(parse_config("fix.port = 70000\n", &error));
  CHECK(error.find("line 1") != std::string::npos);
  CHECK_FALSE(parse_config("colour = blue\n", &error));
  CHECK(parse_config("engine.reserved_orders = 16777216\n", &error));
  CHECK_FALSE(parse_config("engine.reserved_orders = 16777217\n", &error));
  CHECK_FALSE(parse_config("[member A]\ncomp_id = X\npassword = plain-text\n", &error));
  CHECK(error.find("line 3") != std::string::npos);
  CHECK(error.find("plain-text") == std::string::npos);  // a bad password value is not echoed
  const std::string h = hash_password("p", 1000);
  const std::string two = "[member A]\ncomp_id = X\nmember = 1\naccount = 1\noperator = 1\nusername = a\npassword = " + h +
                          "\n[member B]\ncomp_id = X\nmember = 2\naccount = 2\noperator = 2\nusername = b\npassword = " + h + "\n";
  CHECK_FALSE(parse_config(two, &error));
  CHECK(error.find("used twice") != std::string::npos);
  CHECK_FALSE(parse_config("[member A]\ncomp_id = X\n", &error));
  CHECK(error.find("required") != std::string::npos);
  CHECK_FALSE(parse_config("limits.max_connections = 5000\n", &error));  // descriptors must stay far below 1024
}

TEST_CASE("FIX UTCTimestamp to nanoseconds", "[gateway][unit]") {
  const auto ns = [](std::string_view t) {
    const FixTime r = parse_fix_timestamp(t);
    return r.ok() ? std::optional<std::int64_t>(r.ns) : std::nullopt;
  };
  CHECK(ns("19700101-00:00:00") == 0);
  CHECK(ns("20260105-01:30:00") == 1'767'576'600'000'000'000);
  CHECK(ns("20260105-01:30:00.250") == 1'767'576'600'250'000'000);
  CHECK(ns("20260105-01:30:00.123456789") == 1'767'576'600'123'456'789);
  CHECK(ns("20240229-00:00:00") == 1'709'164'800'000'000'000);  // a leap day
  CHECK(ns("20161231-23:59:60") == 1'483'228'800'000'000'000);  // a leap second reads as the next minute
  // And back (TransactTime on execution reports), at millisecond precision.
  CHECK(format_fix_timestamp(1'767'576'600'250'999'999) == "20260105-01:30:00.250");
  CHECK(format_fix_timestamp(0) == "19700101-00:00:00.000");
  CHECK(format_fix_timestamp(951'782'400'000'000'000) == "20000229-00:00:00.000");  // a leap day
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1'767'576'600'250'000'000}, std::int64_t{4'102'444'799'999'000'000}})
    CHECK(ns(format_fix_timestamp(t)) == t);
}

// Issue 12 item 8: "99991231-23:59:59.999" overflowed a signed int64 (UB,
// the ASan build died), "26120101-..." wrapped into 2027, dates from 2262 on
// had the wrong reason and 20270231 became March 3rd.
TEST_CASE("FIX UTCTimestamp: out of range, impossible and malformed texts are refused, never wrapped", "[gateway][unit]") {
  using S = FixTime::Status;
  const auto status = [](std::string_view t) { return parse_fix_timestamp(t).status; };
  CHECK(status("99991231-23:59:59.999") == S::OutOfRange);
  CHECK(status("26120101-00:00:00") == S::OutOfRange);
  CHECK(status("22620411-23:47:16.854775807") == S::Ok);  // the last nanosecond an int64 holds
  CHECK(parse_fix_timestamp("22620411-23:47:16.854775807").ns == INT64_MAX);
  CHECK(status("22620411-23:47:16.854775808") == S::OutOfRange);
  CHECK(status("22620412-00:00:00") == S::OutOfRange);
  CHECK(status("19691231-23:59:59.999") == S::OutOfRange);
  CHECK(status("00000101-00:00:00") == S::OutOfRange);
  CHECK(status("20270231-00:00:00") == S::ImpossibleDate);
  CHECK(status("20230229-00:00:00") == S::ImpossibleDate);  // not a leap year
  CHECK(status("21000229-00:00:00") == S::ImpossibleDate);  // century, not a leap year
  CHECK(status("20000229-00:00:00") == S::Ok);              // divisible by 400: a leap year
  CHECK(status("20260431-00:00:00") == S::ImpossibleDate);
  CHECK(status("20261305-01:30:00") == S::ImpossibleDate);
  CHECK(status("20260100-01:30:00") == S::ImpossibleDate);
  CHECK(status("20260105-24:00:00") == S::ImpossibleDate);
  CHECK(status("20260105-23:60:00") == S::ImpossibleDate);
  CHECK(status("20260105-23:59:61") == S::ImpossibleDate);
  CHECK(status("2026-01-05T01:30:00") == S::Malformed);
  CHECK(status("20260105-01:30:00.") == S::Malformed);
  CHECK(status("20260105-01:30:00.1234567890") == S::Malformed);
  CHECK(status("20260105-01:30:0x") == S::Malformed);
  CHECK(status("+0260105-01:30:00") == S::Malformed);
  CHECK(status("20260105-01:30") == S::Malformed);
  CHECK(status("") == S::Malformed);
  CHECK_FALSE(describe(S::OutOfRange).empty());
}

TEST_CASE("throttle: over the limit rejected, far over logged out, a new window starts afresh", "[gateway][unit]") {
  Throttle t(3, 1000, 2);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) CHECK(t.admit(t0) == Throttle::Verdict::Ok);
  for (int i = 0; i < 3; ++i) CHECK(t.admit(t0) == Throttle::Verdict::Reject);
  CHECK(t.admit(t0) == Throttle::Verdict::Logout);
  CHECK(t.admit(t0 + std::chrono::milliseconds(1000)) == Throttle::Verdict::Ok);
}

TEST_CASE("latency probe: percentiles of each stage, and samples past its capacity are counted not kept",
          "[gateway][unit]") {
  erx::gateway::LatencyProbe probe;
  CHECK(probe.summary() == "no samples");
  // 100 requests: inbound i us, sequencer 10 * i us, outbound 3 us.
  for (std::int64_t i = 1; i <= 100; ++i) {
    const erx::gateway::LatencyStamps s{1'000'000, 1'000'000 + i * 1000, 1'000'000 + i * 1000 + 10 * i * 1000};
    probe.record(s, s.committed + 3000);
  }
  CHECK(probe.samples() == 100);
  CHECK(probe.summary() ==
        "100 samples (1 in 16), inbound p50 50 / p99 99 us, sequencer p50 500 / p99 990 us, outbound p50 3 / p99 3 us");
  for (std::size_t i = 100; i < erx::gateway::LatencyProbe::kCapacity + 2; ++i) probe.record({1, 2, 3}, 4);
  CHECK(probe.samples() == erx::gateway::LatencyProbe::kCapacity);
  CHECK(probe.dropped() == 2);
  CHECK(probe.summary().find("(2 more not kept: capacity 65536)") != std::string::npos);
}

namespace {

FIX::Message app_message(const char* type, std::vector<std::pair<int, std::string>> fields) {
  FIX::Message m;
  m.getHeader().setField(FIX::FIELD::MsgType, type);
  for (const auto& [t, v] : fields) m.setField(t, v);
  return m;
}

std::string out_field(const OutMsg& m, int t) {
  const std::string* v = m.get(t);
  return v ? *v : std::string("<absent>");
}

struct InboundFixture {
  MemberSession member;
  OrderView orders;
  InstrumentView instruments;
  InboundFixture() {
    member.member = 1;
    member.account = 101;
    member.op = 1001;
    erx::exchange::InstrumentSpec spec;
    spec.symbol = erx::exchange::Symbol::of("CEA25");
    spec.price_scale = 2;
    spec.qty_scale = 0;
    instruments.upsert(1, spec);
  }
  Inbound in(const char* type, std::vector<std::pair<int, std::string>> fields) {
    const std::string t = type;
    const FIX::Message m = app_message(type, std::move(fields));
    return t == "D" || t == "q" ? translate_entry(m, t, member) : translate_amend(m, t, member, orders, instruments);
  }
};

}  // namespace

TEST_CASE("inbound: a mass cancel carries its Account and Side, and 530=1 needs a Symbol it can name",
          "[gateway][unit]") {
  InboundFixture f;
  using erx::exchange::MassCancel;
  // Account and Side narrow the cancel; 530=7 is every instrument.
  Inbound a = f.in("q", {{11, "Q1"}, {530, "7"}, {1, "101"}, {54, "2"}});
  REQUIRE(a.command);
  const MassCancel& c = std::get<MassCancel>(*a.command);
  CHECK(c.member == 1);
  CHECK(c.account == 101);
  REQUIRE(c.side);
  CHECK(*c.side == erx::exchange::Side::Sell);
  CHECK(c.symbol.empty());
  // Absent: every account, both sides.
  Inbound b = f.in("q", {{11, "Q2"}, {530, "1"}, {55, "CEA25"}});
  REQUIRE(b.command);
  CHECK(std::get<MassCancel>(*b.command).account == 0);
  CHECK_FALSE(std::get<MassCancel>(*b.command).side);
  CHECK(std::get<MassCancel>(*b.command).symbol.view() == "CEA25");
  // 530=1 without Symbol: refused, never "all instruments".
  Inbound n = f.in("q", {{11, "Q3"}, {530, "1"}});
  CHECK_FALSE(n.command);
  REQUIRE(n.reject);
  CHECK(out_field(*n.reject, tag::MassCancelResponse) == "0");
  CHECK(out_field(*n.reject, tag::MassCancelRejectReason) == "99");
  // A Symbol too long to be one: unknown symbol.
  Inbound l = f.in("q", {{11, "Q4"}, {530, "1"}, {55, std::string(30, 'Z')}});
  REQUIRE(l.reject);
  CHECK(out_field(*l.reject, tag::MassCancelRejectReason) == "1");
  // An Account that is not a number.
  Inbound x = f.in("q", {{11, "Q5"}, {530, "7"}, {1, "abc"}});
  REQUIRE(x.reject);
  CHECK(out_field(*x.reject, tag::MassCancelRejectReason) == "99");
}

TEST_CASE("inbound: the gateway's refusal of a known order's replace reports the order's id and status",
          "[gateway][unit]") {
  InboundFixture f;
  OrderInfo o;
  o.id = 42;
  o.member = 1;
  o.account = 101;
  o.instrument = 1;
  o.clord_id = erx::exchange::ClOrdId::of("B1");
  o.order_qty = 10;
  o.leaves = 6;
  o.cum_qty = 4;
  o.status = OrderStatus::PartiallyFilled;
  f.orders.add(o);
  Inbound r = f.in("G", {{11, "B2"}, {41, "B1"}, {55, "CEA25"}, {54, "1"}, {38, "10.5"}, {40, "2"}, {44, "90.00"}});
  REQUIRE(r.reject);
  CHECK(out_field(*r.reject, tag::OrderID) == "42");
  CHECK(out_field(*r.reject, tag::OrdStatus) == "1");
  Inbound u = f.in("G", {{11, "B3"}, {41, "NOPE"}, {55, "CEA25"}, {54, "1"}, {38, "x"}, {40, "2"}, {44, "90.00"}});
  REQUIRE(u.reject);
  CHECK(out_field(*u.reject, tag::OrderID) == "NONE");
  CHECK(out_field(*u.reject, tag::OrdStatus) == "8");
}

TEST_CASE("inbound: a BusinessMessageReject names the message by its ClOrdID or request id", "[gateway][unit]") {
  CHECK(out_field(business_reject(app_message("D", {{11, "A1"}}), "D", 0, "throttle"), tag::BusinessRejectRefID) == "A1");
  CHECK(out_field(business_reject(app_message("V", {{262, "MD1"}}), "V", 0, "t"), tag::BusinessRejectRefID) == "MD1");
  CHECK(out_field(business_reject(app_message("x", {{320, "SL"}}), "x", 0, "t"), tag::BusinessRejectRefID) == "SL");
  CHECK(out_field(business_reject(app_message("g", {{335, "TS"}}), "g", 0, "t"), tag::BusinessRejectRefID) == "TS");
  CHECK(out_field(business_reject(app_message("AF", {{584, "MS"}}), "AF", 0, "t"), tag::BusinessRejectRefID) == "MS");
  CHECK(out_field(business_reject(app_message("H", {{11, "C"}, {790, "OS"}}), "H", 0, "t"), tag::BusinessRejectRefID) == "C");
  CHECK(out_field(business_reject(app_message("j", {}), "j", 3, "t"), tag::BusinessRejectRefID) == "<absent>");
}

TEST_CASE("gateway ExecID serials: one counter per process, never repeated", "[gateway][unit]") {
  const std::string a = next_gateway_exec_serial(), b = next_gateway_exec_serial();
  CHECK(a != b);
  CHECK(std::stoull(b) == std::stoull(a) + 1);
}

TEST_CASE("order view: found by id and by (member, ClOrdID) only, finished orders forgotten oldest first",
          "[gateway][unit]") {
  OrderView view(2);  // keeps 2 finished orders
  auto order = [](erx::exchange::OrderId id, erx::exchange::MemberId member, const std::string& clord) {
    OrderInfo o;
    o.id = id;
    o.member = member;
    o.clord_id = erx::exchange::ClOrdId::of(clord);
    o.order_qty = o.leaves = 1;
    return o;
  };
  const std::string long_id(32, 'A');
  view.add(order(7, 1, long_id));
  view.add(order(3, 1, "B"));
  view.add(order(5, 2, "B"));
  REQUIRE(view.find(1, long_id) != nullptr);
  CHECK(view.find(1, long_id)->id == 7);
  CHECK(view.find(1, long_id + "X") == nullptr);  // 33 characters: never cut down to a known ClOrdID
  CHECK(view.find(1, "B")->id == 3);
  CHECK(view.find(2, "B")->id == 5);              // the same ClOrdID of another member
  CHECK(view.find(3, "B") == nullptr);
  // of(): by order id, whatever the table's order.
  const auto live = view.of(1, false);
  REQUIRE(live.size() == 2);
  CHECK(live[0]->id == 3);
  CHECK(live[1]->id == 7);
  // A replace gives the order a new ClOrdID; only that one names it now (as
  // in the engine), so a day of replaces does not pile keys up.
  view.rekey(*view.find(3), erx::exchange::ClOrdId::of("B-2"));
  CHECK(view.find(1, "B-2")->id == 3);
  CHECK(view.find(1, "B") == nullptr);
  view.rekey(*view.find(3), erx::exchange::ClOrdId::of("B-2"));  // a replace that keeps its ClOrdID
  CHECK(view.find(1, "B-2")->id == 3);
  // Three finish; only the newest two stay known.
  for (const erx::exchange::OrderId id : {7u, 3u, 5u}) {
    OrderInfo* o = view.find(id);
    REQUIRE(o != nullptr);
    o->status = OrderStatus::Filled;
    view.finished(*o);
  }
  CHECK(view.find(7) == nullptr);
  CHECK(view.find(1, long_id) == nullptr);
  CHECK(view.find(3) != nullptr);
  CHECK(view.find(5) != nullptr);
  CHECK(view.of(1, false).empty());
}

TEST_CASE("order view: a ClOrdID used again (a new day) names the newest order, and the older one after it goes",
          "[gateway][unit]") {
  OrderView view(100);
  auto order = [](erx::exchange::OrderId id, const char* clord) {
    OrderInfo o;
    o.id = id;
    o.member = 4;
    o.clord_id = erx::exchange::ClOrdId::of(clord);
    o.order_qty = o.leaves = 1;
    return o;
  };
  view.add(order(10, "R"));
  view.add(order(11, "S"));
  view.add(order(12, "R"));  // the same key as order 10: both in one chain, newest first
  CHECK(view.find(4, "R")->id == 12);
  view.rekey(*view.find(12), erx::exchange::ClOrdId::of("T"));  // leaves the chain from its head
  CHECK(view.find(4, "R")->id == 10);
  CHECK(view.find(4, "T")->id == 12);
  view.add(order(13, "R"));
  view.rekey(*view.find(10), erx::exchange::ClOrdId::of("U"));  // leaves from behind the head
  CHECK(view.find(4, "R")->id == 13);
  CHECK(view.find(4, "U")->id == 10);
  CHECK(view.find(4, "S")->id == 11);
  // Freed slots are reused without mixing the orders up.
  OrderView small(0);
  OrderInfo done = order(20, "R");
  done.status = OrderStatus::Filled;
  small.add(done);  // finished at once, and forgotten (nothing finished is kept)
  CHECK(small.find(20) == nullptr);
  CHECK(small.find(4, "R") == nullptr);
  small.add(order(21, "R"));
  CHECK(small.find(4, "R")->id == 21);
  CHECK(small.of(4, false).size() == 1);
}

// ------------------------------------------------------------------ issue 12, A

TEST_CASE("fix fields: every tag must be a number of at most nine digits, and every field end with SOH",
          "[gateway][unit]") {
  const auto problem = [](std::string_view m) { return check_fields(m); };
  CHECK(problem("8=FIX.4.4\x01" "9=5\x01" "35=0\x01" "10=000\x01").ok());
  CHECK(problem("58=a=b=c\x01").ok());  // '=' inside a value is fine
  const FieldScan wrap = problem("35=D\x01" "4294967297=201\x01");
  CHECK(wrap.problem == FieldProblem::TagOutOfRange);
  CHECK(wrap.field == 2);
  CHECK(problem("999999999=x\x01").ok());
  CHECK(problem("1000000000=x\x01").problem == FieldProblem::TagOutOfRange);
  CHECK(problem("35=A\x01" "554SECRETPW\x01").problem == FieldProblem::TagNotNumber);
  CHECK(problem("5x4=1\x01").problem == FieldProblem::TagNotNumber);
  CHECK(problem("=1\x01").problem == FieldProblem::TagNotNumber);
  CHECK(problem("054=1\x01").problem == FieldProblem::TagNotNumber);  // a leading zero
  CHECK(problem("0=1\x01").problem == FieldProblem::TagNotNumber);
  CHECK(problem("-1=1\x01").problem == FieldProblem::TagNotNumber);
  CHECK(problem("35=A\x01" "58=x").problem == FieldProblem::Unterminated);
  CHECK(problem("35").problem == FieldProblem::TagNotNumber);
  CHECK(first_field("35=D\x01" "34=7\x01" "34=8\x01", 34) == "7");
  CHECK(first_field("35=D\x01" "5x=1\x01" "34=7\x01", 34).empty());  // not read past a bad field
  for (const FieldProblem p : {FieldProblem::TagNotNumber, FieldProblem::TagOutOfRange, FieldProblem::Unterminated})
    CHECK(describe(p).find("SECRET") == std::string_view::npos);
}

namespace {

// A Logon's body with the given extra fields, checked against "now" = its SendingTime.
LogonCheck check_logon(const std::string& extra, const std::string& sending_time = "20261207-10:00:00.000",
                       std::int64_t skew_s = 120) {
  const std::string body = "35=A\x01" "34=1\x01" "49=M1\x01" "52=" + sending_time + "\x01" "56=ERX\x01" + extra;
  const std::string msg = fix_message(body);
  return read_logon(msg, LogonRules{"ERX", parse_fix_timestamp("20261207-10:00:00").ns, skew_s * 1'000'000'000});
}
const std::string kGood = "98=0\x01" "108=30\x01" "141=Y\x01" "553=m1\x01" "554=pw\x01";

}  // namespace

TEST_CASE("logon check: a Logon goes on to the credential check only when every rule holds", "[gateway][unit]") {
  const LogonCheck ok = check_logon(kGood);
  REQUIRE(ok.request);
  CHECK(ok.request->sender_comp_id == "M1");
  CHECK(ok.request->username == "m1");
  CHECK(ok.request->password == "pw");
  CHECK(ok.request->heartbeat_seconds == 30);
  CHECK(ok.request->reset_seq_num);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"98=0\x01" "108=30\x01" "553=m1\x01" "554=\x01", "Password (554)"},
      {"98=0\x01" "108=30\x01" "553=m1\x01" "554=a\x01" "554=a\x01", "tag 554 appears more than once"},
      {"98=0\x01" "108=30\x01" "925=new\x01", "NewPassword"},
      {"98=0\x01" "108=30\x01" "553=m1\x01" "554=pw\x01" "95=3\x01" "96=abc\x01", "RawData"},
      {"98=0\x01" "108=30\x01" "554=pw\x01", "Username (553)"},
      {"98=0\x01" "108=30\x01" "553=m1\x01" "554SECRETPW\x01", "field 11"},
      {"98=1\x01" "108=30\x01" "553=m1\x01" "554=pw\x01", "EncryptMethod"},
      {"98=0\x01" "108=0\x01" "553=m1\x01" "554=pw\x01", "HeartBtInt"},
      {"98=0\x01" "108=3601\x01" "553=m1\x01" "554=pw\x01", "HeartBtInt"},
      {"98=0\x01" "108=30\x01" "141=X\x01" "553=m1\x01" "554=pw\x01", "ResetSeqNumFlag"},
      {"98=0\x01" "108=30\x01" "553=" + std::string(65, 'u') + "\x01" "554=pw\x01", "Username (553)"},
      {"98=0\x01" "108=30\x01" "553=m1\x01" "554=" + std::string(129, 'p') + "\x01", "Password (554)"},
  };
  for (const auto& [extra, why] : refused) {
    INFO(why);
    const LogonCheck c = check_logon(extra);
    CHECK_FALSE(c.request);
    CHECK(c.refusal.find(why) != std::string::npos);
    CHECK(c.refusal.find("SECRET") == std::string::npos);  // never the bytes themselves
  }
  // SendingTime: within the skew only, and a real time.
  CHECK(check_logon(kGood, "20261207-10:01:59.000").request);
  CHECK(check_logon(kGood, "20261207-10:02:01.000").refusal.find("SendingTime") != std::string::npos);
  CHECK(check_logon(kGood, "19700101-00:00:00.000").refusal.find("SendingTime") != std::string::npos);
  CHECK(check_logon(kGood, "99991231-23:59:59.999").refusal.find("SendingTime") != std::string::npos);
  // Not a Logon, or not to the exchange.
  CHECK(read_logon(fix_message("35=D\x01" "34=1\x01"), LogonRules{"ERX", 0, 0}).refusal.find("Logon") != std::string::npos);
  CHECK(read_logon(fix_message("35=A\x01" "34=1\x01" "49=M1\x01" "56=XYZ\x01" + kGood), LogonRules{"ERX", 0, 0})
            .refusal.find("TargetCompID") != std::string::npos);
}

TEST_CASE("logon guard: back-off after repeated failures per CompID and per address, cleared by a success",
          "[gateway][unit]") {
  LogonGuardPolicy p;
  p.comp_id_failures = 3;
  p.address_failures = 5;
  p.first_backoff = std::chrono::milliseconds(1000);
  p.max_backoff = std::chrono::milliseconds(4000);
  LogonGuard g(p);
  const auto t0 = LogonGuard::Clock::time_point{} + std::chrono::hours(1);
  using std::chrono::milliseconds;
  for (int i = 0; i < 2; ++i) g.failed("M1", "10.0.0.1", t0);
  CHECK_FALSE(g.blocked("M1", "10.0.0.1", t0));
  g.failed("M1", "10.0.0.1", t0);  // the third: 1 s
  CHECK(g.blocked("M1", "10.0.0.1", t0) == milliseconds(1000));
  CHECK(g.blocked("M1", "10.0.0.2", t0 + milliseconds(400)) == milliseconds(600));  // the CompID, from anywhere
  CHECK_FALSE(g.blocked("M2", "10.0.0.2", t0));                                     // others are not affected
  CHECK_FALSE(g.blocked("M1", "10.0.0.1", t0 + milliseconds(1000)));
  g.failed("M1", "10.0.0.1", t0 + milliseconds(1000));  // the fourth: 2 s
  CHECK(g.blocked("M1", "10.0.0.1", t0 + milliseconds(1000)) == milliseconds(2000));
  for (int i = 0; i < 10; ++i) g.failed("M1", "10.0.0.1", t0 + milliseconds(1000));
  CHECK(g.blocked("M1", "10.0.0.1", t0 + milliseconds(1000)) == milliseconds(4000));  // capped
  g.succeeded("M1", "10.0.0.1");
  CHECK_FALSE(g.blocked("M1", "10.0.0.1", t0 + milliseconds(1000)));
  // An address that fails for unknown CompIDs backs off on its own.
  for (int i = 0; i < 5; ++i) g.failed("", "10.0.0.9", t0);
  CHECK(g.blocked("M2", "10.0.0.9", t0));
  CHECK_FALSE(g.blocked("M2", "10.0.0.8", t0));
}

TEST_CASE("log text: control bytes, backslashes and high bytes escaped, length bounded", "[gateway][unit]") {
  CHECK(log_text("M1") == "M1");
  CHECK(log_text("a\nb\r\x01" "c\\d\x7f\xff") == "a\\x0ab\\x0d\\x01c\\x5cd\\x7f\\xff");
  CHECK(log_text(std::string(500, 'x'), 10) == std::string(10, 'x') + "...");
  CHECK(log_text("").empty());
}

// ------------------------------------------------------------ issue 12, D

TEST_CASE("fix store: sequence numbers, sent messages and report origins survive a reopen, a torn tail is cut",
          "[gateway][unit]") {
  erx::test::TempDir tmp("erx-fix-store");
  const std::string path = (tmp.path() / "M1.store").string();
  const auto msg = [](int seq, const char* type) {
    return "8=FIX.4.4\x01" "9=20\x01" "35=" + std::string(type) + "\x01" "34=" + std::to_string(seq) + "\x01" "10=000\x01";
  };
  {
    FixStore s(path, "M1");
    CHECK(s.getNextSenderMsgSeqNum() == 1);
    CHECK(s.last_origin().none());
    s.set_origin_of_next({40, 1});
    s.set(1, msg(1, "8"));
    s.incrNextSenderMsgSeqNum();
    s.incrNextSenderMsgSeqNum();  // an admin message: not kept
    s.set(3, msg(3, "X"));        // market data: not kept
    s.incrNextSenderMsgSeqNum();
    s.set_origin_of_next({41, 2});
    s.set(4, msg(4, "8"));
    s.incrNextSenderMsgSeqNum();
    s.incrNextTargetMsgSeqNum();
    s.incrNextTargetMsgSeqNum();
    CHECK(s.flush());
  }
  {
    FixStore s(path, "M1");
    CHECK(s.getNextSenderMsgSeqNum() == 5);
    CHECK(s.getNextTargetMsgSeqNum() == 3);
    CHECK(s.last_origin() == ReportOrigin{41, 2});
    std::vector<std::string> got;
    s.get(1, 10, got);
    CHECK(got == std::vector<std::string>{msg(1, "8"), msg(4, "8")});
    s.get(2, 3, got);
    CHECK(got.empty());
    // A reset restarts the numbers, keeps what was delivered.
    s.reset();
    CHECK(s.getNextSenderMsgSeqNum() == 1);
    CHECK(s.messages() == 0);
    CHECK(s.last_origin() == ReportOrigin{41, 2});
    s.set(1, msg(1, "8"));
    s.incrNextSenderMsgSeqNum();
    s.flush();
  }
  // A torn last record (a power cut) is cut off; what came before stays.
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 3);
  {
    FixStore s(path, "M1");
    CHECK(s.messages() == 1);
    CHECK(s.getNextSenderMsgSeqNum() == 2);  // the torn increment is lost, the message's number is not
    CHECK(s.last_origin() == ReportOrigin{41, 2});
  }
  // Garbage from the start: a new store.
  std::ofstream(path, std::ios::trunc) << "not a store at all";
  {
    FixStore s(path, "M1");
    CHECK(s.getNextSenderMsgSeqNum() == 1);
    CHECK(s.messages() == 0);
    CHECK(s.last_origin().none());
  }
}
