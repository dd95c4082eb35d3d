// erx: the operator's and regulator's command-line tool.
//
//   erx run SCRIPT          run a command script (docs/COMMANDS.md) through a
//                           fresh in-memory exchange and print every command and
//                           its events, one line each, then the state hash;
//                           invariants are checked after every command
//   erx check SCRIPT        parse only: report every error with its line number
//   erx journal DIR SCRIPT  submit the script's commands to the ledger in DIR
//                           (created if missing) through the sequencer, durably;
//                           the ledger assigns seq, the script's times are used
//                           (never earlier than the ledger's last time); a
//                           writer: refused (exit 3, naming its pid) while
//                           erxd or another writer holds the ledger
//   erx verify DIR          verify a ledger (docs/LEDGER.md): the data file's
//                           structure, hash chain, checkpoints, every derived
//                           row, in one consistent state (also of a live
//                           ledger); prints "verified up to seq N, state hash
//                           H" or "FAILED at seq S: <what>" (S = 0: the files
//                           are damaged), or "cannot verify: <why>"
//   erx backup DIR DEST     a consistent compacted copy of a (live) ledger, read
//                           only (works while erxd writes), fsynced and checked
//   erx hash-password       read a password from standard input (one line) and
//                           print its salted hash for erxd's configuration
//
// Exit status (every command):
//   0  success (verify: the ledger verified)
//   1  the script has errors, a command failed, or the ledger is damaged or
//      does not verify — the message names the damage or the first bad seq
//   2  usage error
//   3  I/O or environment error: a file or directory cannot be opened or
//      read (missing, permission, EIO), the ledger is held by another writer
//      (journal: the message names its pid); nothing is said about the
//      ledger's content
//   4  the tool itself was killed by SIGSEGV / SIGBUS / SIGILL / SIGFPE: a
//      defect (a damaged file must be refused with 1, never reach this); it
//      prints one line naming the signal. Not in sanitizer builds, whose own
//      reports are kept.

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/script_run.hpp"
#include "gateway/credentials.hpp"
#include "ledger/durable_exchange.hpp"
#include "ledger/verify.hpp"

namespace {

using namespace erx;

constexpr int kOk = 0;
constexpr int kFailed = 1;       // script errors, failed commands, damage, does not verify
constexpr int kUsage = 2;
constexpr int kEnvironment = 3;  // I/O or environment
constexpr int kFatalSignal = 4;

// The last line of defence: a fault signal prints one line (async-signal-safe
// calls only) and exits kFatalSignal, instead of dying silently. The real
// defence is the file check before LMDB maps anything (Ledger::open).
extern "C" void on_fatal_signal(int sig) {
  static const char head[] = "erx: fatal signal ";
  static const char tail[] = ": a defect (a damaged ledger must be reported, not crash the tool); exit 4\n";
  const char* name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGILL ? "SIGILL" : "SIGFPE";
  const std::size_t name_len = sig == SIGBUS ? 6 : 7;
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, head, sizeof head - 1);
  n = ::write(STDERR_FILENO, name, name_len);
  n = ::write(STDERR_FILENO, tail, sizeof tail - 1);
  ::_exit(kFatalSignal);
}

void catch_fatal_signals() {
#if !defined(__SANITIZE_ADDRESS__)
  static char stack[64 * 1024];  // a stack overflow is a SIGSEGV too
  stack_t ss{};
  ss.ss_sp = stack;
  ss.ss_size = sizeof stack;
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = static_cast<int>(SA_ONSTACK | SA_RESETHAND);
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) ::sigaction(sig, &sa, nullptr);
#endif
}

// The password comes on stdin, not the command line (which `ps` and shell
// histories show).
int hash_password() {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::fprintf(stderr, "erx hash-password: give the password on standard input\n");
    return kUsage;
  }
  std::printf("%s\n", gateway::hash_password(password).c_str());
  return kOk;
}

int usage() {
  std::fprintf(stderr,
               "usage: erx run SCRIPT | erx check SCRIPT | erx journal DIR SCRIPT | erx verify DIR |"
               " erx backup DIR DEST | erx hash-password < password\n"
               "exit: 0 ok, 1 errors / damaged / does not verify, 2 usage, 3 I/O or environment\n");
  return kUsage;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  out = buf.str();
  return true;
}

int report(const std::vector<exchange::ParseError>& errors, const std::string& path) {
  for (const auto& e : errors) std::fprintf(stderr, "%s: %s\n", path.c_str(), exchange::to_string(e).c_str());
  return errors.empty() ? kOk : kFailed;
}

// The script's times, in order, for the sequencer.
class ScriptClock final : public ledger::Clock {
 public:
  explicit ScriptClock(const std::vector<exchange::Command>& c) : commands_(c) {}
  exchange::Timestamp now() override { return next_ < commands_.size() ? commands_[next_++].time : 0; }

 private:
  const std::vector<exchange::Command>& commands_;
  std::size_t next_ = 0;
};

class Tally final : public ledger::Completion {
 public:
  void done(const ledger::Outcome& o) override {
    (o.status == ledger::Outcome::Status::Committed ? committed : failed)++;
    last = std::max(last, o.seq);
  }
  std::uint64_t committed = 0, failed = 0;
  exchange::Seq last = 0;
};

int journal(const std::string& dir, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) {
    std::fprintf(stderr, "erx: cannot read %s\n", path.c_str());
    return kEnvironment;
  }
  const auto script = exchange::parse_script(text);
  if (const int rc = report(script.errors, path); rc != 0) return rc;
  ScriptClock clock(script.commands);
  ledger::DurableExchange dx(clock);
  ledger::DurableOptions options;
  options.ledger.dir = dir;
  std::string error;
  if (!dx.open(options, &error)) {
    std::fprintf(stderr, "erx: %s\n", error.c_str());
    return dx.damaged() ? kFailed : kEnvironment;
  }
  dx.start();
  Tally tally;  // completions run on the sequencer thread; read only after stop()
  for (const exchange::Command& c : script.commands)
    if (!dx.submit(c.body, &tally)) break;
  dx.stop();
  std::printf("%s: %llu commands committed (last seq %llu), %llu failed\n", dir.c_str(),
              static_cast<unsigned long long>(tally.committed), static_cast<unsigned long long>(tally.last),
              static_cast<unsigned long long>(tally.failed));
  return tally.failed == 0 ? kOk : kFailed;
}

int verify(const std::string& dir) {
  const ledger::VerifyReport r = ledger::verify_ledger(dir);
  std::printf("%s: %s\n", dir.c_str(), r.summary().c_str());
  return r.ok ? kOk : r.environment ? kEnvironment : kFailed;
}

int backup(const std::string& dir, const std::string& dest) {
  ledger::Ledger l;
  ledger::LedgerOptions o;
  o.dir = dir;
  o.read_only = true;  // a reader: it works while erxd holds the ledger
  std::string error;
  if (l.open(o, &error) != 0) {
    std::fprintf(stderr, "erx: %s\n", error.c_str());
    return l.damaged() ? kFailed : kEnvironment;
  }
  if (const int rc = l.backup(dest, &error); rc != 0) {
    std::fprintf(stderr, "erx: %s\n", error.c_str());
    return ledger::lmdb::is_damage(rc) ? kFailed : kEnvironment;
  }
  std::printf("%s: copied to %s\n", dir.c_str(), dest.c_str());
  return kOk;
}

int script_command(const std::string& cmd, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) {
    std::fprintf(stderr, "erx: cannot read %s\n", path.c_str());
    return kEnvironment;
  }
  if (cmd == "check") {
    const auto script = exchange::parse_script(text);
    if (const int rc = report(script.errors, path); rc != 0) return rc;
    std::printf("%s: %zu commands, no errors\n", path.c_str(), script.commands.size());
    return kOk;
  }
  const exchange::ScriptRun run = exchange::run_script(text, true);
  if (const int rc = report(run.errors, path); rc != 0) return rc;
  for (const std::string& line : run.lines) std::cout << line << '\n';
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  catch_fatal_signals();
  if (argc == 2 && std::string(argv[1]) == "hash-password") return hash_password();
  if (argc < 3) return usage();
  const std::string cmd = argv[1];
  spdlog::set_level(spdlog::level::warn);  // the tool prints its own results
  if ((cmd == "run" || cmd == "check") && argc == 3) return script_command(cmd, argv[2]);
  if (cmd == "journal" && argc == 4) return journal(argv[2], argv[3]);
  if (cmd == "verify" && argc == 3) return verify(argv[2]);
  if (cmd == "backup" && argc == 4) return backup(argv[2], argv[3]);
  return usage();
}
