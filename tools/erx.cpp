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
//                           (never earlier than the ledger's last time)
//   erx verify DIR          verify a ledger (docs/LEDGER.md): hash chain,
//                           checkpoints, every derived row; prints "verified up
//                           to seq N, state hash H" or the first bad seq
//   erx backup DIR DEST     a consistent compacted copy of a (live) ledger
//   erx hash-password       read a password from standard input (one line) and
//                           print its salted hash for erxd's configuration
//
// Exit status: 0 success, 1 the script has errors / the ledger does not
// verify, 2 usage or I/O error.

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

// The password comes on stdin, not the command line (which `ps` and shell
// histories show).
int hash_password() {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::fprintf(stderr, "erx hash-password: give the password on standard input\n");
    return 2;
  }
  std::printf("%s\n", gateway::hash_password(password).c_str());
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: erx run SCRIPT | erx check SCRIPT | erx journal DIR SCRIPT | erx verify DIR |"
               " erx backup DIR DEST | erx hash-password < password\n");
  return 2;
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
  return errors.empty() ? 0 : 1;
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
    return 2;
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
    return 2;
  }
  dx.start();
  Tally tally;  // completions run on the sequencer thread; read only after stop()
  for (const exchange::Command& c : script.commands)
    if (!dx.submit(c.body, &tally)) break;
  dx.stop();
  std::printf("%s: %llu commands committed (last seq %llu), %llu failed\n", dir.c_str(),
              static_cast<unsigned long long>(tally.committed), static_cast<unsigned long long>(tally.last),
              static_cast<unsigned long long>(tally.failed));
  return tally.failed == 0 ? 0 : 1;
}

int verify(const std::string& dir) {
  const ledger::VerifyReport r = ledger::verify_ledger(dir);
  std::printf("%s: %s\n", dir.c_str(), r.summary().c_str());
  return r.ok ? 0 : 1;
}

int backup(const std::string& dir, const std::string& dest) {
  ledger::Ledger l;
  ledger::LedgerOptions o;
  o.dir = dir;
  std::string error;
  if (l.open(o, &error) != 0 || l.backup(dest, &error) != 0) {
    std::fprintf(stderr, "erx: %s\n", error.c_str());
    return 2;
  }
  std::printf("%s: copied to %s\n", dir.c_str(), dest.c_str());
  return 0;
}

int script_command(const std::string& cmd, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) {
    std::fprintf(stderr, "erx: cannot read %s\n", path.c_str());
    return 2;
  }
  if (cmd == "check") {
    const auto script = exchange::parse_script(text);
    if (const int rc = report(script.errors, path); rc != 0) return rc;
    std::printf("%s: %zu commands, no errors\n", path.c_str(), script.commands.size());
    return 0;
  }
  const exchange::ScriptRun run = exchange::run_script(text, true);
  if (const int rc = report(run.errors, path); rc != 0) return rc;
  for (const std::string& line : run.lines) std::cout << line << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
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
