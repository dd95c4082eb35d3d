// erxd as a process (issue 12, items 10 and 13; label integration): a bad
// argument or a log it cannot write is a start-up error with a message and an
// exit status, never an abort; a ledger failure (fail-stop) makes it exit
// non-zero promptly instead of staying up answering rejects.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <thread>

#include "tests/fix/fix_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx::test;
using namespace std::chrono_literals;

namespace {

struct Exit {
  int status = -1;  // exit code, or 128 + signal
  std::string output;
};

Exit run_erxd(const std::vector<std::string>& args, const std::filesystem::path& output) {
  erx::crash::Child::Options o;
  o.argv = {ERX_ERXD};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.output = output;
  erx::crash::Child c = erx::crash::Child::spawn(o);
  const auto [status, killed] = c.wait_or_kill(10s);
  Exit e;
  e.status = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  e.output = erx::crash::slurp(output);
  return e;
}

}  // namespace

// Item 10: "--port 70000" wrapped to 4464 and "--port abc" meant "any port".
TEST_CASE("erxd: a port that is not a number from 0 to 65535 is a usage error", "[erxd][integration]") {
  TempDir tmp("erx-erxd-port");
  for (const std::string port : {"70000", "65536", "abc", "-1", "", "98x", "4294967297"}) {
    INFO("--port '" << port << "'");
    const Exit e = run_erxd({"--data-dir", (tmp.path() / "d").string(), "--port", port}, tmp.path() / "out.txt");
    CHECK(e.status == 2);
    CHECK(e.output.find("--port takes a number from 0") != std::string::npos);
    CHECK(e.output.find("erxd ready") == std::string::npos);
  }
}

// Item 10: an unwritable log location aborted erxd with an uncaught exception (exit 134).
TEST_CASE("erxd: a log location it cannot write is a start-up error with a message, not an abort",
          "[erxd][integration]") {
  TempDir tmp("erx-erxd-log");
  SECTION("the log directory's place is taken by a file") {
    std::filesystem::create_directories(tmp.path() / "d");
    std::ofstream(tmp.path() / "d" / "log") << "not a directory";
  }
  SECTION("the log file's place is taken by a directory") {
    std::filesystem::create_directories(tmp.path() / "d" / "log" / "erxd.log");
  }
  SECTION("a read-only log directory (unless root, who may write anyway)") {
    if (::geteuid() == 0) return;
    std::filesystem::create_directories(tmp.path() / "d" / "log");
    ::chmod((tmp.path() / "d" / "log").c_str(), 0500);
  }
  const Exit e = run_erxd({"--data-dir", (tmp.path() / "d").string(), "--port", "0"}, tmp.path() / "out.txt");
  INFO(e.output);
  CHECK(e.status == 1);
  CHECK(e.output.find("erxd: cannot write its log in") != std::string::npos);
}

// Item 13: after a fail-stop erxd stayed up, answering every order with a
// reject until SIGTERM, so no supervisor ever restarted it. The fsync EIO is
// injected by the crash tests' I/O shim (docs/CRASH_TESTING.md).
TEST_CASE("erxd: after a ledger failure it exits with status 1 at once, naming the last committed seq",
          "[erxd][integration]") {
  TempDir tmp("erx-erxd-failstop");
  const auto data = tmp.path() / "d";
  std::filesystem::create_directories(data / "ledger");  // the shim watches it from erxd's first write
  // No timer commands: the fsyncs counted are the start's and the orders'.
  const std::string config = config_with(tmp.path(), {{"timer_ms", "600000"}});
  ErxdProcess erxd(data, {"--config", config},
                   {"LD_PRELOAD=" ERX_CRASH_SHIM, "ERX_SHIM_DIR=" + (data / "ledger").string(),
                    "ERX_SHIM_LOG=" + (tmp.path() / "shim.log").string(), "ERX_SHIM_EIO_AT=14",
                    "ASAN_OPTIONS=verify_asan_link_order=0"});
  auto m1 = std::make_unique<FixMember>("M1", "m1", "demo-m1", erxd.port());
  REQUIRE(m1->logon());
  std::optional<int> status;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 40 && !status; ++i) {
    FIX::Message o = new_order("FS" + std::to_string(i), "CEA25", '1', "1", "88.00");
    if (m1->logged_on()) m1->send(o);
    m1->wait_for([](const FIX::Message& m) { return msg_type(m) == "j" || msg_type(m) == "8"; }, 1000ms);
    status = erxd.wait_exit(50ms);
  }
  if (!status) status = erxd.wait_exit(5000ms);
  const std::string log = erxd.log();
  INFO(log);
  REQUIRE(status);
  CHECK(*status == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);
  CHECK(log.find("the ledger failed: stopping now, last committed seq") != std::string::npos);
  // Nothing that was acknowledged is lost: the ledger opens and holds every order answered 150=0.
  std::size_t accepted = 0;
  for (const FIX::Message& m : m1->received()) accepted += msg_type(m) == "8" && field(m, 150) == "0" ? 1u : 0u;
  CHECK(accepted >= 1);
  m1.reset();  // one QuickFIX session per CompID in this process at a time
  ErxdProcess again(data);
  FixMember check("M1", "m1", "demo-m1", again.port());
  REQUIRE(check.logon());
  FIX::Message af = mass_status_request("AFTER");
  check.send(af);
  const std::optional<FIX::Message> st =
      check.wait_for([](const FIX::Message& m) { return msg_type(m) == "8" && field(m, 584) == "AFTER"; });
  REQUIRE(st);
  CHECK(std::stoul(field(*st, 911)) >= accepted);
}
