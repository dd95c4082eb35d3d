// erx-fix-load: the "FIX" workload of perf/README.md.
//
// N member sessions (QuickFIX initiators in this process) send a seeded flow of
// NewOrderSingles and time each one until its first ExecutionReport (New).
// Two targets in the same run, with the same clients, dictionary, validation
// and MemoryStore:
//   bare  a QuickFIX ThreadedSocketAcceptor in this process whose application
//         answers every NewOrderSingle at once with an ExecutionReport — the
//         cost of FIX itself, the baseline;
//   erxd  the exchange (a child process with a generated configuration of N
//         members and their demo data): gateway, sequencer, matching, the
//         ledger's durable commit, then the report.
// Each session keeps `window` orders outstanding (1 = ping-pong: the round
// trip; larger = pipelined throughput). Prints orders/s and round-trip
// percentiles (every order timed with steady_clock at send and at receive,
// on different threads; the clock reads are not inside a timed loop of ours),
// and the CPU time per order of the whole run (getrusage: the load generator
// plus the bare acceptor in this process, or plus erxd as a waited child).
//
// usage: erx-fix-load [--sessions N] [--orders K] [--window W] [--seed S] [--target both|bare|erxd] [--flow cross|passive]
//        (the erxd binary is the one built next to this program)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/credentials.hpp"
#include "gateway/quickfix.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  int sessions = 1;
  int orders = 5000;  // per session
  int window = 1;
  std::uint64_t seed = 42;
  std::string target = "both";
  bool passive = false;  // --flow passive: buys below 90.00, sells at or above it, so nothing trades
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// ------------------------------------------------------------------ clients

// All sessions of one run: sends with a window per session, records round trips.
class Clients final : public FIX::Application {
 public:
  Clients(const Options& o, std::vector<std::string> comps) : o_(o), comps_(std::move(comps)), per_(comps_.size()) {
    for (std::size_t i = 0; i < comps_.size(); ++i) {
      index_[comps_[i]] = i;
      per_[i].sent.assign(static_cast<std::size_t>(o.orders), 0);
      per_[i].rtt.reserve(static_cast<std::size_t>(o.orders));
    }
  }
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard lock(mu_);
    ++logged_on_;
    cv_.notify_all();
    (void)id;
  }
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message& m, const FIX::SessionID& id) override {
    if (m.getHeader().getField(FIX::FIELD::MsgType) != "A") return;
    const std::string comp = id.getSenderCompID().getValue();
    m.setField(553, "u-" + comp);
    m.setField(554, "p-" + comp);
  }
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& id) override {
    // An order's first report answers it: New, or Rejected (counted, so a run
    // that outgrows the demo balances says so instead of stalling).
    if (m.getHeader().getField(FIX::FIELD::MsgType) != "8") return;
    const std::string exec_type = m.getField(150);
    if (exec_type != "0" && exec_type != "8") return;
    const std::int64_t t = now_ns();
    Session& s = per_[index_.at(id.getSenderCompID().getValue())];
    if (exec_type == "8") {
      std::lock_guard lock(s.mu);
      if (s.rejected++ == 0 && m.isSetField(58)) s.first_reject = m.getField(58);
    }
    const std::string clord = m.getField(11);
    const std::size_t i = std::stoul(clord.substr(clord.rfind('-') + 1));
    s.rtt.push_back(t - s.sent[i]);
    s.acked.fetch_add(1);
    std::lock_guard lock(s.mu);
    s.cv.notify_all();
  }

  bool wait_logons(std::size_t n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return logged_on_ >= n; });
  }

  // One thread per session; returns the seconds from the first send to the last ack.
  double run() {
    std::vector<std::thread> threads;
    const auto t0 = SteadyClock::now();
    for (std::size_t i = 0; i < comps_.size(); ++i) threads.emplace_back([this, i] { drive(i); });
    for (auto& t : threads) t.join();
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }

  std::vector<std::int64_t> all_rtts() const {
    std::vector<std::int64_t> v;
    for (const Session& s : per_) v.insert(v.end(), s.rtt.begin(), s.rtt.end());
    std::sort(v.begin(), v.end());
    return v;
  }
  // Orders answered with a reject, and the first reject's Text.
  std::pair<std::size_t, std::string> rejected() {
    std::pair<std::size_t, std::string> r;
    for (Session& s : per_) {
      std::lock_guard lock(s.mu);
      if (r.first == 0) r.second = s.first_reject;
      r.first += s.rejected;
    }
    return r;
  }
  std::size_t acked() const {
    std::size_t n = 0;
    for (const Session& s : per_) n += s.acked.load();
    return n;
  }

 private:
  struct Session {
    std::vector<std::int64_t> sent, rtt;
    std::atomic<std::size_t> acked{0};
    std::size_t rejected = 0;  // of the acked (guarded by mu)
    std::string first_reject;
    std::mutex mu;
    std::condition_variable cv;
  };

  void drive(std::size_t i) {
    Session& s = per_[i];
    std::mt19937_64 rng(o_.seed * 1000 + i);
    const FIX::SessionID id("FIX.4.4", comps_[i], "ERX");
    for (int k = 0; k < o_.orders; ++k) {
      {
        std::unique_lock lock(s.mu);
        const bool room = s.cv.wait_for(lock, std::chrono::seconds(10), [&] {
          return static_cast<int>(static_cast<std::size_t>(k) - s.acked.load()) < o_.window;
        });
        if (!room) {
          std::fprintf(stderr, "%s: no report for 10 s (order %d): giving up\n", comps_[i].c_str(), k);
          return;
        }
      }
      FIX::Message m;
      m.getHeader().setField(FIX::FIELD::MsgType, "D");
      m.setField(11, comps_[i] + "-" + std::to_string(k));
      m.setField(55, "CEA25");
      const bool buy = rng() % 2 == 0;
      m.setField(54, buy ? "1" : "2");
      m.setField(FIX::TransactTime());
      m.setField(38, std::to_string(1 + rng() % 5));
      m.setField(40, "2");
      // Prices around 90.00 inside the ±10% band: some orders trade. With
      // --flow passive buys stay below 90.00 and sells at or above it, so each
      // order gets exactly one report from erxd, as from the bare acceptor.
      const int offset = static_cast<int>(rng() % 400);
      const int cents = o_.passive ? (buy ? 8800 + offset / 2 : 9000 + offset / 2) : 8800 + offset;
      char price[16];
      std::snprintf(price, sizeof price, "%d.%02d", cents / 100, cents % 100);
      m.setField(44, price);
      m.setField(59, "0");
      s.sent[static_cast<std::size_t>(k)] = now_ns();
      FIX::Session::sendToTarget(m, id);
    }
    std::unique_lock lock(s.mu);
    s.cv.wait_for(lock, std::chrono::seconds(30), [&] { return s.acked.load() >= static_cast<std::size_t>(o_.orders); });
  }

  const Options& o_;
  std::vector<std::string> comps_;
  std::map<std::string, std::size_t> index_;
  std::vector<Session> per_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t logged_on_ = 0;
};

// ------------------------------------------------------------------ bare QuickFIX acceptor

class EchoAcceptor final : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {}
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& id) override {
    if (m.getHeader().getField(FIX::FIELD::MsgType) != "D") return;
    FIX::Message er;
    er.getHeader().setField(FIX::FIELD::MsgType, "8");
    const std::string n = std::to_string(++ids_);
    er.setField(37, n);
    er.setField(11, m.getField(11));
    er.setField(17, n);
    er.setField(150, "0");
    er.setField(39, "0");
    er.setField(55, m.getField(55));
    er.setField(54, m.getField(54));
    er.setField(151, m.getField(38));
    er.setField(14, "0");
    er.setField(6, "0");
    FIX::Session::sendToTarget(er, id);
  }

 private:
  std::atomic<std::uint64_t> ids_{0};
};

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string session_block(const std::string& sender, const std::string& target) {
  return "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" + sender + "\nTargetCompID=" + target + "\n";
}

std::string common_settings(const char* type, std::uint16_t port) {
  std::ostringstream s;
  s << "[DEFAULT]\nConnectionType=" << type << "\nReconnectInterval=1\nHeartBtInt=30\nStartTime=00:00:00\n"
    << "EndTime=00:00:00\nUseDataDictionary=Y\nDataDictionary=" << ERX_FIX_DICTIONARY << "\nResetOnLogon=Y\n"
    << "CheckLatency=N\nSocketNodelay=Y\n"
    << (std::string(type) == "acceptor" ? "SocketAcceptPort=" : "SocketConnectHost=127.0.0.1\nSocketConnectPort=")
    << port << "\n";
  return s.str();
}

struct Result {
  double seconds = 0;
  std::size_t acked = 0;
  std::size_t rejected = 0;  // of the acked: answered with ExecType 8
  std::string first_reject;
  std::vector<std::int64_t> rtts;
  double cpu_seconds = 0;  // user + system of everything in the run: load generator and target
};

// User + system CPU seconds of this process (RUSAGE_SELF) or of its waited-for
// children (RUSAGE_CHILDREN: erxd, once it has exited).
double cpu_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  const auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

Result drive_clients(const Options& o, const std::vector<std::string>& comps, std::uint16_t port) {
  std::string text = common_settings("initiator", port);
  for (const std::string& c : comps) text += session_block(c, "ERX");
  std::istringstream in(text);
  FIX::SessionSettings settings(in);
  Clients clients(o, comps);
  FIX::MemoryStoreFactory store;
  FIX::SocketInitiator initiator(clients, store, settings);
  initiator.start();
  Result r;
  if (!clients.wait_logons(comps.size(), std::chrono::seconds(20))) {
    std::fprintf(stderr, "not every session logged on\n");
    initiator.stop(true);
    return r;
  }
  r.seconds = clients.run();
  r.acked = clients.acked();
  std::tie(r.rejected, r.first_reject) = clients.rejected();
  r.rtts = clients.all_rtts();
  initiator.stop(true);
  return r;
}

Result run_bare(const Options& o, const std::vector<std::string>& comps) {
  const std::uint16_t port = free_port();
  std::string text = common_settings("acceptor", port);
  for (const std::string& c : comps) text += session_block("ERX", c);
  std::istringstream in(text);
  FIX::SessionSettings settings(in);
  EchoAcceptor app;
  FIX::MemoryStoreFactory store;
  FIX::ThreadedSocketAcceptor acceptor(app, store, settings);
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  acceptor.start();
  Result r = drive_clients(o, comps, port);
  acceptor.stop(true);
  r.cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu0;
  return r;
}

// erxd with N members (demo data for each), its FIX port read from its log.
Result run_erxd(const Options& o, const std::vector<std::string>& comps, const fs::path& erxd_path) {
  const fs::path dir = fs::temp_directory_path() / ("erx-fix-load-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ostringstream cfg;
  cfg << "data_dir = " << (dir / "data").string() << "\nfix.port = 0\ndemo = true\ndemo_members = " << comps.size()
      << "\nlimits.throttle_messages = 10000000\nlimits.max_connections = 64\n";
  for (std::size_t i = 0; i < comps.size(); ++i) {
    const std::size_t n = i + 1;
    cfg << "[member L" << n << "]\ncomp_id = " << comps[i] << "\nmember = " << n << "\naccount = " << n * 100 + 1
        << "\noperator = " << n * 1000 + 1 << "\nusername = u-" << comps[i] << "\npassword = "
        << erx::gateway::hash_password("p-" + comps[i], 1000) << "\n";
  }
  std::ofstream(dir / "erxd.conf") << cfg.str();
  const std::string log = (dir / "erxd.out").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  const std::string conf = (dir / "erxd.conf").string(), bin = erxd_path.string();
  std::vector<char*> argv = {const_cast<char*>(bin.c_str()), const_cast<char*>("--config"), const_cast<char*>(conf.c_str()), nullptr};
  pid_t pid = -1;
  Result r;
  if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "cannot start %s\n", bin.c_str());
    return r;
  }
  std::uint16_t port = 0;
  for (int i = 0; i < 400 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const std::size_t at = text.find("erxd ready: FIX 4.4 on 127.0.0.1:");
    if (at != std::string::npos) port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 33)));
  }
  const double cpu0 = cpu_seconds(RUSAGE_SELF), children0 = cpu_seconds(RUSAGE_CHILDREN);
  if (port != 0) r = drive_clients(o, comps, port);
  else std::fprintf(stderr, "erxd did not start (see %s)\n", log.c_str());
  const double clients = cpu_seconds(RUSAGE_SELF) - cpu0;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // erxd's whole life, its start (demo data) and stop included.
  r.cpu_seconds = clients + cpu_seconds(RUSAGE_CHILDREN) - children0;
  {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      if (line.find("stopped at seq") != std::string::npos || line.find("inside erxd") != std::string::npos)
        std::printf("      %s\n", line.substr(line.find("erxd:")).c_str());
    }
  }
  fs::remove_all(dir);
  return r;
}

double pct_us(const std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  return static_cast<double>(v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]) / 1000.0;
}

void print(const char* name, const Options& o, const Result& r) {
  std::printf("%-5s %8d %6d %8zu %10.0f | %8.1f %8.1f %8.1f | %8.1f\n", name, o.sessions, o.window, r.acked,
              r.seconds > 0 ? static_cast<double>(r.acked) / r.seconds : 0.0, pct_us(r.rtts, 0.5), pct_us(r.rtts, 0.99),
              pct_us(r.rtts, 0.999), r.acked ? r.cpu_seconds * 1e6 / static_cast<double>(r.acked) : 0.0);
  if (r.rejected > 0)
    std::printf("      %s rejected %zu of those orders (first: %s): not a like-for-like run\n", name, r.rejected,
                r.first_reject.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 < argc && a == "--sessions") o.sessions = std::atoi(argv[++i]);
    else if (i + 1 < argc && a == "--orders") o.orders = std::atoi(argv[++i]);
    else if (i + 1 < argc && a == "--window") o.window = std::atoi(argv[++i]);
    else if (i + 1 < argc && a == "--seed") o.seed = std::strtoull(argv[++i], nullptr, 10);
    else if (i + 1 < argc && a == "--target") o.target = argv[++i];
    else if (i + 1 < argc && a == "--flow" && (std::string(argv[i + 1]) == "passive" || std::string(argv[i + 1]) == "cross"))
      o.passive = std::string(argv[++i]) == "passive";
    else {
      std::fprintf(stderr, "usage: erx-fix-load [--sessions N] [--orders K] [--window W] [--seed S] [--target both|bare|erxd] [--flow cross|passive]\n");
      return 2;
    }
  }
  if (o.sessions < 1 || o.sessions > 60 || o.orders < 1 || o.window < 1) {
    std::fprintf(stderr, "erx-fix-load: sessions 1..60, orders and window >= 1\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> comps;
  for (int i = 1; i <= o.sessions; ++i) comps.push_back("L" + std::to_string(i));
  const fs::path erxd = fs::canonical("/proc/self/exe").parent_path().parent_path() / "tools" / "erxd";
  std::printf("erx-fix-load: %s flow, %d sessions x %d orders, window %d, seed %llu; round trip = NewOrderSingle -> its first ExecutionReport\n",
              o.passive ? "passive" : "crossing", o.sessions, o.orders, o.window, static_cast<unsigned long long>(o.seed));
  std::printf("%-5s %8s %6s %8s %10s | %8s %8s %8s | %8s\n", "target", "sessions", "window", "reports", "orders/s", "p50 us",
              "p99 us", "p99.9 us", "cpu us/order (load generator + target)");
  Result bare, ex;
  if (o.target != "erxd") print("bare", o, bare = run_bare(o, comps));
  if (o.target != "bare") print("erxd", o, ex = run_erxd(o, comps, erxd));
  if (o.target == "both" && bare.seconds > 0 && ex.seconds > 0) {
    const double tb = static_cast<double>(bare.acked) / bare.seconds, te = static_cast<double>(ex.acked) / ex.seconds;
    std::printf("erxd / bare: throughput %.0f%% (target >= 80%%), p50 %.2fx (target <= 1.25x)\n", 100.0 * te / tb,
                pct_us(ex.rtts, 0.5) / pct_us(bare.rtts, 0.5));
  }
  return 0;
}
