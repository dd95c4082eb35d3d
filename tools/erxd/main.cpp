// erxd: the exchange daemon — ledger, sequencer, Exchange and FIX gateway in
// one process (docs/ERXD.md).
//
//   erxd [--config FILE] [--data-dir DIR] [--port N] [--demo | --no-demo]
//   erxd --print-default-config
//
// Start: open the ledger and recover; start the sequencer and the gateway;
// load the demo into an empty ledger when asked. SIGTERM / SIGINT: stop
// accepting, log every session out, drain and commit what is queued, exit 0.
#include <pthread.h>
#include <signal.h>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "engine/exchange/command_text.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "ledger/durable_exchange.hpp"
#include "tools/erxd/demo_data.hpp"

namespace {

using namespace erx;

struct Args {
  std::string config_file, data_dir;
  int port = -1;
  int demo = -1;  // -1: as configured
  bool print_default = false;
};

// A port number: digits only, 0 (any free port) to 65535. "70000" must not
// wrap to 4464, nor "abc" read as 0.
bool parse_port(std::string_view text, int& out) {
  unsigned value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || value > 65535) return false;
  out = static_cast<int>(value);
  return true;
}

// False with *why on a bad argument (usage error, exit 2).
bool parse_args(int argc, char** argv, Args& a, std::string* why) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "--print-default-config") a.print_default = true;
    else if (s == "--demo") a.demo = 1;
    else if (s == "--no-demo") a.demo = 0;
    else if (i + 1 < argc && s == "--config") a.config_file = argv[++i];
    else if (i + 1 < argc && s == "--data-dir") a.data_dir = argv[++i];
    else if (i + 1 < argc && s == "--port") {
      if (!parse_port(argv[++i], a.port)) return *why = "--port takes a number from 0 (any free port) to 65535", false;
    } else {
      return *why = "unknown or incomplete argument", false;
    }
  }
  return true;
}

std::optional<gateway::ErxdConfig> load_config(const Args& a, std::string* error) {
  std::string text = gateway::default_config_text();
  if (!a.config_file.empty()) {
    std::ifstream in(a.config_file);
    if (!in) {
      *error = "cannot read " + a.config_file;
      return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto c = gateway::parse_config(text, error);
  if (!c) {
    *error = (a.config_file.empty() ? "embedded configuration" : a.config_file) + ": " + *error;
    return std::nullopt;
  }
  if (!a.data_dir.empty()) c->data_dir = a.data_dir;
  if (a.port >= 0) c->fix_port = static_cast<std::uint16_t>(a.port);
  if (a.demo >= 0) c->demo = a.demo == 1;
  if (c->dictionary.empty()) c->dictionary = ERX_FIX_DICTIONARY;
  return c;
}

// The console and <data_dir>/log/erxd.log. False with *error when the log
// cannot be written there (a read-only directory, a file owned by someone
// else, a directory in the file's place): a start-up error like any other.
bool setup_logging(const std::string& data_dir, std::string* error) {
  try {
    std::filesystem::create_directories(data_dir + "/log");
    auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(data_dir + "/log/erxd.log", 10 << 20, 5);
    auto logger = std::make_shared<spdlog::logger>("erxd", spdlog::sinks_init_list{console, file});
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return true;
  } catch (const std::exception& e) {
    *error = "cannot write its log in " + data_dir + "/log: " + e.what();
    return false;
  }
}

// Waits for SIGTERM / SIGINT, or for the ledger to fail (fail-stop): a
// sequencer that has stopped for good makes erxd useless, and a process that
// stays up answering rejects is never restarted by its supervisor. Returns
// the signal, or 0 when the ledger failed.
int wait_for_stop(const sigset_t& signals, ledger::DurableExchange& dx) {
  const timespec every{0, 100'000'000};  // 100 ms
  for (;;) {
    const int sig = sigtimedwait(&signals, nullptr, &every);
    if (sig > 0) return sig;
    if (dx.sequencer().failed()) return 0;
  }
}

exchange::BusinessDate today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

bool load_demo(gateway::Gateway& gw, std::uint32_t gw_members) {
  const exchange::ParsedScript script = exchange::parse_script(erxd::demo_script(today_utc(), gw_members));
  if (!script.ok()) {
    spdlog::error("demo data: {}", exchange::to_string(script.errors.front()));
    return false;
  }
  for (const exchange::Command& c : script.commands)
    if (!gw.submit_internal(c.body)) return false;
  gw.wait_idle();
  spdlog::info("demo data loaded: {} commands ({} members, one instrument per right class)", script.commands.size(), gw_members);
  return true;
}

// Submits a Timer every `ms` until stopped (GTD expiry needs time to pass).
class TimerThread {
 public:
  TimerThread(gateway::Gateway& gw, std::uint32_t ms) : thread_([this, &gw, ms] { run(gw, ms); }) {}
  ~TimerThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void run(gateway::Gateway& gw, std::uint32_t ms) {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_; }))
      if (!gw.submit_internal(exchange::Timer{})) return;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string bad_arg;
  if (!parse_args(argc, argv, args, &bad_arg)) {
    std::fprintf(stderr, "erxd: %s\nusage: erxd [--config FILE] [--data-dir DIR] [--port N] [--demo|--no-demo] | "
                         "--print-default-config\n", bad_arg.c_str());
    return 2;
  }
  if (args.print_default) {
    std::fputs(gateway::default_config_text(), stdout);
    return 0;
  }
  std::string error;
  const auto config = load_config(args, &error);
  if (!config) {
    std::fprintf(stderr, "erxd: %s\n", error.c_str());
    return 2;
  }
  // Signals are taken by sigwait() below: blocked here, before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  if (!setup_logging(config->data_dir, &error)) {
    std::fprintf(stderr, "erxd: %s\n", error.c_str());
    return 1;
  }

  ledger::SystemClock clock;
  ledger::DurableExchange dx(clock);
  ledger::DurableOptions options;
  options.ledger.dir = config->data_dir + "/ledger";
  options.sequencer.max_batch = config->sequencer_batch;
  options.sequencer.snapshot_every = config->snapshot_every;
  options.reserved_orders = config->reserved_orders;
  // The FIX sessions' stores first (recovery resumes each session after the
  // last report its store says was sent), then the ledger.
  gateway::Gateway gw(*config, dx);
  options.observer = &gw.recovery_observer();
  if (!gw.open_sessions(&error) || !dx.open(options, &error)) {
    spdlog::critical("erxd: {}", error);
    return 1;
  }
  const bool empty = dx.recovery().last_seq == 0;
  gw.after_recovery();
  dx.start();
  if (!gw.start(&error)) {
    spdlog::critical("erxd: {}", error);
    dx.stop();
    return 1;
  }
  if (config->demo && empty && !load_demo(gw, config->demo_members)) {
    gw.stop();
    dx.stop();
    return 1;
  }
  std::printf("erxd ready: FIX 4.4 on %s:%u, ledger %s\n", config->fix_host.c_str(), gw.port(), options.ledger.dir.c_str());
  std::fflush(stdout);
  {
    TimerThread timer(gw, config->timer_ms);
    const int sig = wait_for_stop(stop_signals, dx);
    if (sig != 0) spdlog::info("erxd: signal {}: stopping", sig);
    else spdlog::critical("erxd: the ledger failed: stopping now, last committed seq {}", dx.sequencer().last_committed());
  }
  gw.stop();
  dx.stop();
  if (dx.sequencer().failed()) {
    spdlog::critical("erxd: exiting with status 1 after a ledger failure; last committed seq {}: {}",
                     dx.sequencer().last_committed(), dx.sequencer().failure());
    return 1;
  }
  spdlog::info("erxd: inside erxd, {}", gw.latency_summary());
  const ledger::SequencerStats st = dx.sequencer().stats();
  // Per commit, on average: where the sequencer's two threads spent their time.
  const auto per_batch_us = [&](std::uint64_t total_ns) { return st.batches ? total_ns / st.batches / 1000 : 0; };
  spdlog::info("erxd: stopped at seq {}: {} commands in {} commits (largest {}); per commit, us: apply {}, rows {}, "
               "put {}, commit {}, reports {}",
               dx.sequencer().last_committed(), st.commands, st.batches, st.largest_batch, per_batch_us(st.apply_ns),
               per_batch_us(st.finish_ns), per_batch_us(st.write_ns), per_batch_us(st.commit_ns),
               per_batch_us(st.done_ns));
  return 0;
}
