// erxd SIGKILLed under FIX load (label crash): every ExecutionReport a member
// received must be backed by the ledger found after the restart — an
// acknowledgement is only ever sent after the commit that holds it.
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "ledger/ledger.hpp"
#include "ledger/replay.hpp"
#include "tests/fix/fix_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
using namespace std::chrono_literals;

namespace {

// What the ledger holds: every accepted order (member, ClOrdID) and every trade id.
struct LedgerFacts final : public exchange::ExchangeSink {
  std::set<std::pair<exchange::MemberId, std::string>> accepted;
  std::set<std::string> trades;
  void on_event(exchange::Seq, const exchange::Event& e) override {
    if (const auto* a = std::get_if<exchange::OrderAccepted>(&e)) accepted.emplace(a->member, std::string(a->clord_id.view()));
    if (const auto* t = std::get_if<exchange::Trade>(&e)) trades.insert(std::to_string(t->trade));
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
