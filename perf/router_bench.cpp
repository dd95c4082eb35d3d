// erx-router-bench: what erxd's gateway costs per committed command, on one
// thread, without sockets, QuickFIX sessions or the ledger:
//
//   route    Router::committed() for each command's events: the views kept
//            up to date and the OutMsgs built (erxd: the ledger's writer
//            thread, after the commit);
//   to text  each OutMsg made a FIX::Message and written out as FIX text,
//            then freed (erxd: the member's connection thread, in
//            Session::send, which also adds the header and keeps the text).
//
// The command streams are erx-exchange-bench's (hot / deep / wide): they run
// through an Exchange once, untimed, and their events are kept; every member
// has a session. The FIX text hash (FNV-1a over every message) changes when
// what members are sent changes, so a faster router that says something else
// shows.
//
// usage: erx-router-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/exchange/exchange.hpp"
#include "gateway/router.hpp"
#include "gateway/to_fix.hpp"
#include "perf/bench_common.hpp"
#include "perf/exchange_workload.hpp"

namespace {

using namespace erx;
using namespace erx::exchange;
using erx::gateway::Delivery;
using erx::gateway::RequestInfo;
using Clock = std::chrono::steady_clock;

// Commands routed between two hand-overs of the reports (erxd: one commit).
constexpr std::size_t kCommit = 512;

struct Recorded final : public ExchangeSink {
  void on_event(Seq, const Event& e) override { events.push_back(e); }
  std::vector<Event> events;
  std::vector<std::size_t> starts;  // first event of each command
};

// What the gateway would have remembered of each request.
RequestInfo request_of(const Command& c, const std::map<AccountId, MemberId>& member_of) {
  RequestInfo r;
  auto from = [&](AccountId account) {
    const auto m = member_of.find(account);
    r.member = m == member_of.end() ? 0 : m->second;
    r.slot = r.member;
  };
  if (const auto* n = std::get_if<NewOrder>(&c.body)) {
    r.kind = RequestInfo::Kind::NewOrder;
    from(n->account);
    r.clord_id = std::string(n->clord_id.view());
    r.symbol = std::string(n->symbol.view());
  } else if (const auto* x = std::get_if<CancelOrder>(&c.body)) {
    r.kind = RequestInfo::Kind::Cancel;
    from(x->account);
    r.orig_clord_id = std::string(x->orig_clord_id.view());
    r.clord_id = r.orig_clord_id + ".x";
  } else if (const auto* m = std::get_if<ModifyOrder>(&c.body)) {
    r.kind = RequestInfo::Kind::Replace;
    from(m->account);
    r.clord_id = std::string(m->clord_id.view());
    r.orig_clord_id = std::string(m->orig_clord_id.view());
  }
  return r;
}

struct RunResult {
  double route_ns = 0;  // per command
  double text_ns = 0;   // per message
  std::uint64_t messages = 0;
  std::uint64_t text_hash = 0;
};

RunResult run_once(const std::vector<Command>& commands, const Recorded& rec, const std::vector<RequestInfo>& requests) {
  gateway::InstrumentView instruments;
  gateway::OrderView orders;
  gateway::MarketView market;
  gateway::Directory directory;
  for (MemberId m = 1; m <= perf::kMembers; ++m) {
    directory.member_slot[m] = m;
    directory.all_member_slots.push_back(m);
  }
  gateway::Router router(instruments, orders, market, directory);

  RunResult r;
  r.text_hash = 1469598103934665603ull;
  Clock::duration route{}, text{};
  std::vector<Delivery> out;
  std::vector<std::string> texts;  // hashed after the timed part
  FIX::Message scratch;
  for (std::size_t at = 0; at < commands.size(); at += kCommit) {
    const std::size_t end = std::min(at + kCommit, commands.size());
    const auto t0 = Clock::now();
    for (std::size_t i = at; i < end; ++i) {
      const std::size_t first = rec.starts[i];
      const std::size_t last = i + 1 < rec.starts.size() ? rec.starts[i + 1] : rec.events.size();
      router.committed(requests[i], commands[i].seq, commands[i].time,
                       std::span<const Event>(rec.events.data() + first, last - first), out);
    }
    const auto t1 = Clock::now();
    texts.resize(std::max(texts.size(), out.size()));
    for (std::size_t k = 0; k < out.size(); ++k) {
      gateway::to_fix(out[k].msg, scratch);  // as a connection thread does: one message, reused
      scratch.toString(texts[k]);
    }
    r.messages += out.size();
    const std::size_t n = out.size();
    out.clear();
    const auto t2 = Clock::now();
    for (std::size_t k = 0; k < n; ++k)
      for (const char ch : texts[k]) r.text_hash = (r.text_hash ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    route += t1 - t0;
    text += t2 - t1;
  }
  r.route_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(route).count()) /
               static_cast<double>(commands.size());
  r.text_ns = r.messages ? static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(text).count()) /
                               static_cast<double>(r.messages)
                         : 0;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  perf::BenchArgs args{300'000, 3, 42, {}};
  if (!perf::parse_bench_args(argc, argv, args,
                              "erx-router-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide]"))
    return 2;
  const std::size_t ops = args.ops;
  const int runs = args.runs;
  const std::uint64_t seed = args.seed;
  const std::string& only = args.only;
  std::printf("erx-router-bench: ops=%zu runs=%d seed=%llu; medians; one thread\n", ops, runs,
              static_cast<unsigned long long>(seed));
  std::printf("%-5s %10s %14s %13s %12s  %-18s\n", "load", "msgs/cmd", "route ns/cmd", "text ns/msg", "ns/cmd all",
              "FIX text hash");
  using Maker = perf::Workload (*)(std::uint64_t, std::size_t);
  const std::pair<const char*, Maker> loads[] = {
      {"hot", perf::make_hot}, {"deep", perf::make_deep}, {"wide", perf::make_wide}};
  for (const auto& [name, make] : loads) {
    if (!only.empty() && only != name) continue;
    const perf::Workload w = make(seed, ops);
    std::vector<Command> commands = perf::setup_commands(w);
    const std::vector<Command> flow = perf::flow_commands(w, commands.size() + 1);
    commands.insert(commands.end(), flow.begin(), flow.end());

    Recorded rec;
    std::map<AccountId, MemberId> member_of;
    {
      Exchange ex(rec);
      for (const Command& c : commands) {
        rec.starts.push_back(rec.events.size());
        if (const auto* a = std::get_if<CreateAccount>(&c.body)) member_of[a->account] = a->member;
        ex.apply(c);
      }
    }
    std::vector<RequestInfo> requests;
    requests.reserve(commands.size());
    for (const Command& c : commands) requests.push_back(request_of(c, member_of));

    std::vector<RunResult> rs;
    for (int k = 0; k < runs; ++k) rs.push_back(run_once(commands, rec, requests));
    for (const RunResult& r : rs)
      if (r.text_hash != rs.front().text_hash || r.messages != rs.front().messages) {
        std::fprintf(stderr, "%s: runs differ: the router is not deterministic\n", name);
        return 1;
      }
    auto median = [&](auto field) { return perf::median_of(rs, field); };
    const double per_cmd = static_cast<double>(rs.front().messages) / static_cast<double>(commands.size());
    const double route = median(&RunResult::route_ns), text = median(&RunResult::text_ns);
    std::printf("%-5s %10.2f %14.0f %13.0f %12.0f  %016llx\n", name, per_cmd, route, text, route + per_cmd * text,
                static_cast<unsigned long long>(rs.front().text_hash));
  }
  return 0;
}
