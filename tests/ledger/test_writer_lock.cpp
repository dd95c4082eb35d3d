// One writer per ledger (issue 12, item 11): the writer lock (kWriterLock, an
// flock held from before anything is written until close) refuses a second
// writer — in the same process, another erxd, `erx journal` — with a message
// naming the holder's pid and the lock file; readers (`erx verify`,
// `erx backup`) work while the writer holds it; the kernel frees it when the
// holder dies.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ledger/verify.hpp"
#include "ledger/writer_lock.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/ledger/tool_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

ledger::LedgerOptions writer(const fs::path& dir) {
  ledger::LedgerOptions o;
  o.dir = dir.string();
  o.limits = exchange::test::flow_limits();
  return o;
}

std::string pid_text(pid_t pid) { return "pid " + std::to_string(pid) + " "; }

// erxd on `data`, up and ready (its demo loaded into the empty ledger).
crash::Child start_erxd(const fs::path& data, const fs::path& log) {
  crash::Child::Options o;
  o.argv = {ERX_ERXD, "--data-dir", data.string(), "--port", "0"};
  o.output = log;
  crash::Child child = crash::Child::spawn(o);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (crash::slurp(log).find("erxd ready") != std::string::npos) return child;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("erxd did not start: " << crash::slurp(log));
  return child;
}

}  // namespace

TEST_CASE("writer lock: a second writer in the same process is refused, naming the pid and the lock file",
          "[ledger][lock]") {
  TempDir tmp("erx-lock");
  const fs::path dir = tmp.path() / "ledger";
  const RecordedStream s = record_stream(3, 200);
  ReplayClock clock(s);
  ledger::DurableExchange first(clock);
  std::string error;
  REQUIRE(first.open(durable_options(dir.string()), &error));
  first.start();
  run_stretch(first, s, 0, 100);

  ledger::Ledger second;
  const int rc = second.open(writer(dir), &error);
  INFO(error);
  CHECK(rc == EBUSY);
  CHECK_FALSE(second.damaged());
  CHECK(error.find("already open for writing by " + pid_text(::getpid())) != std::string::npos);
  CHECK(error.find((dir / "ERX-WRITER.lock").string()) != std::string::npos);
  {
    ReplayClock other_clock(s);
    ledger::DurableExchange third(other_clock);
    error.clear();
    CHECK_FALSE(third.open(durable_options(dir.string()), &error));
    CHECK_FALSE(third.damaged());
    CHECK(error.find(pid_text(::getpid())) != std::string::npos);
  }
  run_stretch(first, s, 100, 200);  // the refused writers changed nothing
  first.stop();
  first.ledger().close();
  REQUIRE(second.open(writer(dir), &error) == 0);  // free once the first one closed
  second.close();
  const ledger::VerifyReport v = ledger::verify_ledger(dir.string());
  INFO(v.summary());
  CHECK(v.ok);
  CHECK(v.verified_seq == 200);
}

TEST_CASE("writer lock: while erxd runs, a second erxd and erx journal are refused, erx verify and backup work",
          "[ledger][lock]") {
  TempDir tmp("erx-lock");
  const fs::path data = tmp.path() / "erxd", ledger_dir = data / "ledger";
  crash::Child erxd = start_erxd(data, tmp.path() / "erxd-1.log");
  const std::string holder = pid_text(erxd.pid());

  // A second erxd on the same data directory: refused before it says ready.
  const ToolRun second = run_tool({ERX_ERXD, "--data-dir", data.string(), "--port", "0"}, tmp.path() / "erxd-2.log", 30s);
  INFO("second erxd: " << second.describe());
  CHECK(second.exited);
  CHECK(second.exit_code != 0);
  CHECK(second.output.find("already open for writing by " + holder) != std::string::npos);
  CHECK(second.output.find("erxd ready") == std::string::npos);

  const fs::path script = tmp.path() / "one.erx";
  std::ofstream(script) << "at 2026-01-05T09:00:00Z\ntimer\n";
  const ToolRun journal = run_tool({ERX_TOOL, "journal", ledger_dir.string(), script.string()}, tmp.path() / "journal.out");
  INFO("erx journal: " << journal.describe());
  CHECK(journal.exit_code == 3);
  CHECK(journal.output.find("already open for writing by " + holder) != std::string::npos);

  // Readers, while erxd holds the ledger (and commits its timer commands).
  const ToolRun verify = run_tool({ERX_TOOL, "verify", ledger_dir.string()}, tmp.path() / "verify.out");
  INFO("erx verify: " << verify.describe());
  CHECK(verify.exit_code == 0);
  const fs::path copy = tmp.path() / "copy";
  const ToolRun backup = run_tool({ERX_TOOL, "backup", ledger_dir.string(), copy.string()}, tmp.path() / "backup.out");
  INFO("erx backup: " << backup.describe());
  CHECK(backup.exit_code == 0);
  const ToolRun verify_copy = run_tool({ERX_TOOL, "verify", copy.string()}, tmp.path() / "verify-copy.out");
  INFO("erx verify of the copy: " << verify_copy.describe());
  CHECK(verify_copy.exit_code == 0);
  CHECK(fs::exists(copy / ledger::kCreationMarker));

  ::kill(erxd.pid(), SIGTERM);
  const auto [status, killed] = erxd.wait_or_kill(20s);
  CHECK_FALSE(killed);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  // The lock went with erxd: a writer may open it now.
  const ToolRun after = run_tool({ERX_TOOL, "journal", ledger_dir.string(), script.string()}, tmp.path() / "after.out");
  INFO("erx journal after erxd stopped: " << after.describe());
  CHECK(after.exit_code == 0);
}

TEST_CASE("writer lock: a writer SIGKILLed while holding it leaves it free", "[ledger][lock]") {
  TempDir tmp("erx-lock");
  const fs::path dir = tmp.path() / "ledger";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    ledger::Ledger l;
    std::string e;
    if (l.open(writer(dir), &e) != 0) ::_exit(2);
    const char ok = 'y';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(3);
    for (;;) ::pause();  // holds the lock until killed
  }
  ::close(ready[1]);
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  std::string error;
  {
    ledger::Ledger l;
    CHECK(l.open(writer(dir), &error) == EBUSY);
    INFO(error);
    CHECK(error.find("already open for writing by " + pid_text(child)) != std::string::npos);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  ledger::Ledger l;
  error.clear();
  CHECK(l.open(writer(dir), &error) == 0);
  INFO(error);
}

// The lock file is read to name its holder: whatever it holds (a damaged or
// planted file, control characters, a forged log line) reaches the message
// only as the pid's digits, else "pid unknown".
TEST_CASE("writer lock: a lock file holding anything but a pid is named 'pid unknown', never copied into the message",
          "[ledger][lock]") {
  TempDir tmp("erx-lock-text");
  const fs::path path = tmp.path() / "ERX-WRITER.lock";
  const std::string content = GENERATE(std::string("\n[critical] forged line\x1b[31m"), std::string(40, 'A'),
                                       std::string("12\n34"), std::string("-1"), std::string());
  std::ofstream(path, std::ios::binary) << content;
  // Held through another open file description (flock locks conflict across them).
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  ledger::WriterLock lock;
  std::string holder, error;
  CHECK(lock.take(path.string(), &holder, &error) == EBUSY);
  CHECK(holder == "pid unknown");
  ::close(fd);
  // A real pid is named.
  {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << "4242\n";
    const int fd2 = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(::flock(fd2, LOCK_EX | LOCK_NB) == 0);
    CHECK(lock.take(path.string(), &holder, &error) == EBUSY);
    CHECK(holder == "pid 4242");
    ::close(fd2);
  }
  CHECK(lock.take(path.string(), &holder, &error) == 0);
}
