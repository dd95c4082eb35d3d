#pragma once
// Runs a program (the `erx` tool, a ledger child) in a child process with a
// timeout, and reports how it ended — an exit code, a signal or a hang — with
// everything it printed. Ledger tests that must see a crash as a failure
// (not as the test dying) and tests of the tools' exit codes use it.

#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/crash/harness.hpp"

namespace erx::test {

struct ToolRun {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string output;  // stdout and stderr
  [[nodiscard]] std::string describe() const {
    std::string how = timed_out ? "hung (killed)"
                      : exited  ? "exit " + std::to_string(exit_code)
                                : std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return how + ": " + output;
  }
};

inline ToolRun run_tool(const std::vector<std::string>& argv, const std::filesystem::path& output_file,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000)) {
  crash::Child::Options o;
  o.argv = argv;
  o.output = output_file;
  crash::Child child = crash::Child::spawn(o);
  const auto [status, timed_out] = child.wait_or_kill(timeout);
  ToolRun r;
  r.timed_out = timed_out;
  r.exited = WIFEXITED(status);
  if (r.exited) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.output = crash::slurp(output_file);
  return r;
}

}  // namespace erx::test
