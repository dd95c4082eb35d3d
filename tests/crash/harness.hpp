// The power-loss driver (docs/CRASH_TESTING.md).
//
// One cut: copy the current initial state into a work directory, start the
// writer there under the I/O shim, collect the record ids it acknowledges on
// stdout, SIGKILL it at a random moment, build a post-power-loss image of the
// work directory from the initial state and the shim's log, and run the checker
// on the image with every id acknowledged so far. An image that passes becomes
// the initial state of the next cut (a chain, so recovery is exercised as well);
// a failing image, or the end of a chain, starts over from `setup`.
//
// Plugging in a writer: a command line (WriterCommand; "{dir}" becomes the
// directory to write in) that prints one line "ack <id>" (decimal, unsigned
// 64-bit) on stdout for each record, only after the commit holding it returned
// success, and writes its files under {dir} with write / pwrite / writev / fsync
// / fdatasync (what the shim sees). A Checker receives an image directory and
// the acknowledged ids and says Ok, Lost (an acknowledged id is missing) or
// Corrupt (the store does not open, or its data is damaged); command_checker()
// makes one from a program. A Setup makes the initial state of each chain.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/crash/image_builder.hpp"

#include "tests/support/temp_dir.hpp"

namespace erx::crash {

using erx::test::TempDir;  // tests/support/temp_dir.hpp

// The whole content of a file ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);

// A child process (posix_spawn). The destructor kills it (SIGKILL, by its pid)
// and reaps it if it is still there, so a failing test never leaves a writer
// behind. Should the test process itself be killed, a writer dies of SIGPIPE at
// its next ack (its stdout pipe has no reader; dispositions are reset to default).
class Child {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0]: path of the program
    std::vector<std::string> env;   // NAME=VALUE, added to (or replacing in) this process's environment
    bool pipe_stdout = false;       // readable through stdout_fd()
    std::filesystem::path output;   // stderr (and stdout unless piped) go here; empty: /dev/null
  };
  static Child spawn(const Options& options);

  Child() = default;
  ~Child();
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }
  bool running() const { return pid_ > 0; }
  void kill();  // SIGKILL; does not reap
  int wait();   // reaps; returns the wait status
  std::optional<int> try_wait();  // reaps if it has exited (its wait status), else nullopt
  // Reaps if the child exits within `timeout`; otherwise kills and reaps it.
  // Returns the status and whether it had to be killed.
  std::pair<int, bool> wait_or_kill(std::chrono::milliseconds timeout);

 private:
  void close_stdout();
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

// Collects "ack <id>" lines from a byte stream; an unfinished last line (an ack
// the writer did not finish printing) is ignored. Other lines are kept (the
// first 64 KiB) for diagnostics.
class AckParser {
 public:
  void feed(std::string_view bytes);
  std::vector<std::uint64_t>& acked() { return acked_; }
  std::string& other() { return other_; }

 private:
  std::string partial_;
  std::vector<std::uint64_t> acked_;
  std::string other_;
};

struct WriterCommand {
  std::vector<std::string> argv;  // "{dir}" in an argument becomes the directory to write in
  std::vector<std::string> env;   // NAME=VALUE for the writer
};

struct CheckResult {
  enum class Verdict { Ok, Lost, Corrupt };
  Verdict verdict = Verdict::Ok;
  std::string detail;
};
std::string_view to_string(CheckResult::Verdict verdict);

using Checker = std::function<CheckResult(const std::filesystem::path& dir, const std::vector<std::uint64_t>& acked)>;
using Setup = std::function<void(const std::filesystem::path& dir)>;

// A checker that runs `argv` ("{dir}" → the image, "{acks}" → a file with the
// acknowledged ids, one per line) and reads its exit status: 0 Ok, 1 Lost,
// 2 Corrupt, death by a signal or a hang past `timeout` Corrupt (a store that
// crashes its reader is corrupt). Any other status throws: the checker is broken.
Checker command_checker(std::vector<std::string> argv,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
// A setup that runs `argv` ("{dir}" → the directory) without the shim; a
// non-zero exit throws.
Setup command_setup(std::vector<std::string> argv);

// One run of the writer under the shim.
struct RunOptions {
  std::filesystem::path shim;  // the LD_PRELOAD library
  std::filesystem::path dir;   // watched directory, given to the writer as {dir}
  std::filesystem::path log;   // the shim's I/O log
  std::filesystem::path output;  // the writer's stderr
  std::vector<std::string> shim_env;  // extra variables, e.g. ERX_SHIM_EIO_AT=3
  std::optional<std::chrono::microseconds> kill_after;  // SIGKILL this long after the start
  std::chrono::milliseconds timeout = std::chrono::milliseconds(60000);  // then it is killed anyway
};
struct RunResult {
  std::vector<std::uint64_t> acked;
  std::string other_output;  // stdout lines that were not acks
  bool killed = false;  // by kill_after or the timeout
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  std::chrono::microseconds elapsed{};
};
RunResult run_writer(const WriterCommand& writer, const RunOptions& options);

struct CampaignConfig {
  std::filesystem::path shim;
  int cuts = 300;
  std::uint64_t seed = 1;  // cut i builds its image with seed mix(seed, i)
  int chain_length = 10;   // cuts on one chain before starting over from setup
  // A cut is a SIGKILL from the driver at a random time in [min_kill, max_kill]
  // after the writer started, or, for a `call_kill_share` of the cuts, a SIGKILL
  // the shim sends at a random call on a watched file (ERX_SHIM_KILL_AT): time
  // alone mostly lands in fsync waits, calls reach every point between two
  // operations (after a data write, after the fsync, after the meta write).
  std::chrono::microseconds min_kill{500};
  std::chrono::microseconds max_kill{40000};
  double call_kill_share = 0.5;
  std::uint64_t max_kill_call = 0;  // call kills pick a call in [1, this]; 0: 2 × the mean calls of a timed run
  bool verify_log = true;  // compare the log with the killed writer's files after every cut
  std::size_t sector = 512;
  std::optional<Profile> profile;  // empty: drawn per cut
  // If set, the first few failing cuts are copied here (initial state, log, acks,
  // image, writer output) with the command that rebuilds the image.
  std::filesystem::path keep_failures;
  int max_details = 5;  // failure descriptions kept in the report
};

struct CampaignReport {
  std::uint64_t seed = 0;
  int cuts = 0;
  int ok = 0;
  int lost = 0;      // cuts whose image lost an acknowledged id
  int corrupt = 0;   // cuts whose image did not open or had damaged data
  int writer_failures = 0;  // the writer exited non-zero by itself (e.g. could not open the recovered store)
  int log_mismatches = 0;   // verify_log found a write the shim missed: the harness is broken
  int writer_finished = 0;  // the writer exited 0 before its kill time
  int cuts_by_call = 0;     // the shim killed the writer at a chosen call
  int cuts_with_unsynced = 0;  // the image had unsynced operations to lose or tear
  std::uint64_t acked = 0;     // acknowledgements collected over all cuts
  int cuts_after_ack = 0;      // cuts where the writer had acknowledged something in that run
  std::map<std::string, std::pair<int, int>> by_profile;  // profile → (cuts, failures)
  // Where the kill fell: the last record of the log ("write": a write was in
  // flight or unsynced, "sync": after an fsync/fdatasync, "durable": after an
  // O_DSYNC write such as LMDB's meta page, "none": before any I/O).
  std::map<std::string, int> cut_after;
  std::vector<std::string> failures;  // descriptions of the first failing cuts
  double seconds = 0;
  std::string summary() const;
  int failed() const { return lost + corrupt; }
};

CampaignReport run_campaign(const CampaignConfig& config, const WriterCommand& writer, const Checker& checker,
                            const Setup& setup = {});

// Seed for a run: ERX_CRASH_SEED if set, else a fresh random one (printed by the
// tests, so a failure names it).
std::uint64_t seed_from_environment();

}  // namespace erx::crash
