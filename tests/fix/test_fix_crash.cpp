// erxd SIGKILLed under FIX load (label crash): every ExecutionReport a member
// received must be backed by the ledger found after the restart — an
// acknowledgement is only ever sent after the commit that holds it.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "ledger/ledger.hpp"
#include "ledger/replay.hpp"
#include "tests/fix/fix_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
using namespace std::chrono_literals;

namespace {

// What the ledger holds: every accepted order (member, ClOrdID), every trade
// id, and the trades of each member (the member's side of each).
struct LedgerFacts final : public exchange::ExchangeSink {
  std::set<std::pair<exchange::MemberId, std::string>> accepted;
  std::set<std::string> trades;
  std::map<exchange::MemberId, std::set<std::string>> trades_of;
  void on_event(exchange::Seq, const exchange::Event& e) override {
    if (const auto* a = std::get_if<exchange::OrderAccepted>(&e)) accepted.emplace(a->member, std::string(a->clord_id.view()));
    if (const auto* t = std::get_if<exchange::Trade>(&e)) {
      trades.insert(std::to_string(t->trade));
      trades_of[t->buy.member].insert(std::to_string(t->trade));
      trades_of[t->sell.member].insert(std::to_string(t->trade));
    }
  }
};

LedgerFacts read_ledger(const std::filesystem::path& dir) {
  ledger::Ledger lg;
  ledger::LedgerOptions o;
  o.dir = dir.string();
  o.read_only = true;
  std::string error;
  REQUIRE(lg.open(o, &error) == 0);
  LedgerFacts facts;
  exchange::Exchange ex(facts, lg.limits());
  const ledger::ReplayResult r = ledger::replay_journal(lg, ex);
  INFO(r.problem);
  REQUIRE(r.ok);
  ex.check_invariants();
  return facts;
}

}  // namespace

TEST_CASE("fix crash: erxd SIGKILLed under load, every execution report received is in the ledger", "[fix][crash]") {
  TempDir tmp("erx-fix-crash");
  const auto data = tmp.path() / "erxd";
  const std::uint64_t seed = crash::seed_from_environment();
  std::mt19937_64 rng(seed);
  INFO("seed " << seed);
  std::vector<std::pair<exchange::MemberId, FIX::Message>> reports;
  for (int round = 0; round < 3; ++round) {
    ErxdProcess erxd(data);
    FixMember m1("M1", "m1", "demo-m1", erxd.port()), m2("M2", "m2", "demo-m2", erxd.port());
    REQUIRE(m1.logon());
    REQUIRE(m2.logon());
    std::atomic<bool> stop{false};
    std::thread load([&] {
      for (int i = 0; !stop; ++i) {
        const std::string tag = "R" + std::to_string(round) + "-" + std::to_string(i);
        FIX::Message s = new_order("S" + tag, "CEA25", '2', "3", "90.00");
        FIX::Message b = new_order("B" + tag, "CEA25", '1', "3", "90.00");
        m2.send(s);
        m1.send(b);
        if (i % 50 == 49) std::this_thread::sleep_for(1ms);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    erxd.kill();  // SIGKILL, mid-flow
    stop = true;
    load.join();
    for (const FIX::Message& m : m1.received()) reports.emplace_back(1, m);
    for (const FIX::Message& m : m2.received()) reports.emplace_back(2, m);
  }
  // One more start: recovery must succeed after the last kill too.
  { ErxdProcess check(data); }
  const LedgerFacts facts = read_ledger(data / "ledger");
  std::size_t news = 0, fills = 0;
  for (const auto& [member, m] : reports) {
    if (msg_type(m) != "8") continue;
    const std::string exec_type = field(m, 150);
    if (exec_type == "0") {
      ++news;
      CHECK(facts.accepted.count({member, field(m, 11)}) == 1);
    } else if (exec_type == "F") {
      ++fills;
      CHECK(facts.trades.count(field(m, 880)) == 1);
    }
  }
  INFO(news << " New and " << fills << " fill reports received");
  CHECK(news > 100);  // not vacuous: the load ran
  CHECK(fills > 50);
}

namespace {

// What a member learned over FIX: the trades of its fill reports (first sent
// or resent), and every order an execution report told it about.
struct Learned {
  std::set<std::string> trades;
  std::set<std::string> orders;
  std::size_t reports = 0, resent = 0;
  void take(const std::vector<FIX::Message>& messages) {
    for (const FIX::Message& m : messages) {
      if (msg_type(m) != "8") continue;
      ++reports;
      if (field(m.getHeader(), 43) == "Y") ++resent;
      if (field(m, 150) == "F") trades.insert(field(m, 880));
      if (field(m, 37) != "NONE" && !field(m, 11).empty()) orders.insert(field(m, 11));
    }
  }
};

int kills_from_environment(int fallback) {
  const char* v = std::getenv("ERX_FIX_KILLS");
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

// Waits until the member has received nothing new for `quiet`.
void drain(FixMember& m, std::chrono::milliseconds quiet) {
  std::size_t seen = m.received().size();
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(quiet);
    const std::size_t now = m.received().size();
    if (now == seen) return;
    seen = now;
  }
}

}  // namespace

// Issue 12, D: after each of N kills of erxd under load (30 in CI), and one
// more restart, the members learn over FIX alone — reports as they came,
// reports resent on their ResendRequests, reports rebuilt from the ledger at
// their next logon, and the mass status of the day's orders — every fill the
// ledger committed for them, and the state of every order it accepted.
TEST_CASE("fix crash: after every kill each member learns every fill the ledger committed, over FIX", "[fix][crash]") {
  TempDir tmp("erx-fix-kills");
  const auto data = tmp.path() / "erxd";
  const std::uint64_t seed = crash::seed_from_environment();
  const int kills = kills_from_environment(30);
  std::mt19937_64 rng(seed);
  INFO("seed " << seed << ", " << kills << " kills");
  const std::string store1 = (tmp.path() / "m1-store").string(), store2 = (tmp.path() / "m2-store").string();
  std::map<exchange::MemberId, Learned> learned;
  std::size_t sent_orders = 0;
  std::string warnings;  // erxd's warnings of every round, for a failure's report
  for (int round = 0; round < kills; ++round) {
    ErxdProcess erxd(data);
    auto m1 = std::make_unique<FixMember>("M1", "m1", "demo-m1", erxd.port(), store1);
    auto m2 = std::make_unique<FixMember>("M2", "m2", "demo-m2", erxd.port(), store2);
    INFO("round " << round << "\n" << erxd.log());
    REQUIRE(m1->logon());
    REQUIRE(m2->logon());
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> sent{0};
    std::thread load([&] {
      for (int i = 0; !stop; ++i) {
        const std::string tag = "K" + std::to_string(round) + "-" + std::to_string(i);
        FIX::Message s = new_order("S" + tag, "CEA25", '2', "1", "90.00");
        FIX::Message b = new_order("B" + tag, "CEA25", '1', "1", "90.00");
        m2->send(s);
        m1->send(b);
        sent += 2;
        if (i % 20 == 19) std::this_thread::sleep_for(2ms);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 500));
    erxd.kill();  // SIGKILL, mid-flow
    stop = true;
    load.join();
    std::istringstream lines(erxd.log());
    for (std::string line; std::getline(lines, line);)
      if (line.find("[warning]") != std::string::npos || line.find("rebuilt") != std::string::npos)
        warnings += "round " + std::to_string(round) + ": " + line + "\n";
    sent_orders += sent;
    // What a member learned is what its store counted: a report still in the
    // socket's buffer after the kill would otherwise be processed (and its
    // number taken) after received() was read, and never resent.
    m1->stop();
    m2->stop();
    learned[1].take(m1->received());
    learned[2].take(m2->received());
  }
  // The restart after the last kill: the members log on as they are and
  // learn what they missed; then they ask for the state of the day's orders.
  {
    ErxdProcess erxd(data);
    INFO(erxd.log());
    FixMember m1("M1", "m1", "demo-m1", erxd.port(), store1);
    FixMember m2("M2", "m2", "demo-m2", erxd.port(), store2);
    REQUIRE(m1.logon());
    REQUIRE(m2.logon());
    // Resends of thousands of messages take a while in a sanitizer build.
    drain(m1, 1000ms);
    drain(m2, 1000ms);
    for (auto* m : {&m1, &m2}) {
      const auto answers = mass_status_answers(*m, mass_status_request("FINAL"), 60s);
      if (answers.empty()) {
        INFO("logged on: " << m->logged_on() << ", logout text: " << m->logout_text() << ", "
                           << m->received().size() << " messages received; erxd's log now:\n" << erxd.log());
        FAIL("no mass status answer within 60 s");
      }
    }
    learned[1].take(m1.received());
    learned[2].take(m2.received());
    std::istringstream lines(erxd.log());
    for (std::string line; std::getline(lines, line);)
      if (line.find("[warning]") != std::string::npos || line.find("rebuilt") != std::string::npos)
        warnings += "final: " + line + "\n";
  }
  const LedgerFacts facts = read_ledger(data / "ledger");
  for (const exchange::MemberId member : {1u, 2u}) {
    const Learned& l = learned[member];
    std::size_t missing_trades = 0, missing_orders = 0;
    std::string first_missing;
    for (const std::string& t : facts.trades_of.at(member))
      if (!l.trades.count(t)) {
        if (missing_trades++ == 0) first_missing = "trade " + t;
      }
    for (const auto& [m, clord] : facts.accepted)
      if (m == member && !l.orders.count(clord)) {
        if (missing_orders++ == 0 && first_missing.empty()) first_missing = "order " + clord;
      }
    INFO(warnings);
    INFO("member " << member << ": " << facts.trades_of.at(member).size() << " trades committed, " << l.trades.size()
                   << " learned; " << l.reports << " reports received (" << l.resent << " resent); " << sent_orders
                   << " orders sent in all; first missing: " << first_missing);
    CHECK(facts.trades_of.at(member).size() > 100);  // not vacuous: the load ran
    CHECK(missing_trades == 0);
    CHECK(missing_orders == 0);
  }
}
