#include "tests/crash/harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace erx::crash {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::vector<std::string> substitute(const std::vector<std::string>& argv,
                                    const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (std::string arg : argv) {
    for (const auto& [key, value] : values) arg = replace_all(std::move(arg), key, value);
    out.push_back(std::move(arg));
  }
  return out;
}

std::string read_text(const fs::path& path, std::size_t limit = 4000) {
  std::string text = slurp(path);
  if (text.size() > limit) text = "..." + text.substr(text.size() - limit);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

std::uint64_t mix(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string record_name(iolog::RecordType type) {
  switch (type) {
    case iolog::RecordType::File: return "file";
    case iolog::RecordType::Write: return "write";
    case iolog::RecordType::Durable: return "durable";
    case iolog::RecordType::Sync: return "sync";
    case iolog::RecordType::Truncate: return "truncate";
    case iolog::RecordType::Result: return "result";
    case iolog::RecordType::SyncFailed: return "sync-failed";
    case iolog::RecordType::EioInjected: return "eio";
  }
  return "?";
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  if (fs::exists(from)) fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace

// ---- files -----------------------------------------------------------------

std::string slurp(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  std::string text(ec ? 0 : static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// ---- Child -----------------------------------------------------------------

Child Child::spawn(const Options& options) {
  if (options.argv.empty()) throw std::invalid_argument("Child::spawn: empty argv");
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(options.env.begin(), options.env.end(), [&](const std::string& s) {
      return std::string_view(s).substr(0, s.find('=')) == name;
    });
    if (!replaced) env_strings.emplace_back(entry);
  }
  env_strings.insert(env_strings.end(), options.env.begin(), options.env.end());
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out_fd = open(options.output.empty() ? "/dev/null" : options.output.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) throw_errno("open " + options.output.string());
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int pipe_fds[2] = {-1, -1};
  if (null_fd < 0 || (options.pipe_stdout && pipe2(pipe_fds, O_CLOEXEC) != 0)) {
    const int saved = errno;
    close(out_fd);
    if (null_fd >= 0) close(null_fd);
    errno = saved;
    throw_errno("open /dev/null or pipe2");
  }
  // posix_spawn, not fork: glibc spawns with CLONE_VFORK, so the cost does not
  // grow with this process's address space (fork of an AddressSanitizer process
  // took several ms and skewed the kill times).
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, options.pipe_stdout ? pipe_fds[1] : out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  // Default signal dispositions (SIGPIPE kills a writer whose reader is gone)
  // and an empty signal mask.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_fd);
  close(null_fd);
  if (options.pipe_stdout) close(pipe_fds[1]);
  if (rc != 0) {
    if (options.pipe_stdout) close(pipe_fds[0]);
    errno = rc;
    throw_errno("posix_spawn " + options.argv[0]);
  }
  Child child;
  child.pid_ = pid;
  child.stdout_fd_ = options.pipe_stdout ? pipe_fds[0] : -1;
  return child;
}

Child::~Child() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_stdout();
}

Child::Child(Child&& other) noexcept : pid_(other.pid_), stdout_fd_(other.stdout_fd_) {
  other.pid_ = -1;
  other.stdout_fd_ = -1;
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    Child old(std::move(*this));
    pid_ = other.pid_;
    stdout_fd_ = other.stdout_fd_;
    other.pid_ = -1;
    other.stdout_fd_ = -1;
  }
  return *this;
}

void Child::close_stdout() {
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

void Child::kill() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
}

int Child::wait() {
  if (pid_ <= 0) throw std::logic_error("Child::wait: no child");
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  pid_ = -1;
  return status;
}

std::optional<int> Child::try_wait() {
  if (pid_ <= 0) throw std::logic_error("Child::try_wait: no child");
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, WNOHANG)) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  if (r == 0) return std::nullopt;
  pid_ = -1;
  return status;
}

std::pair<int, bool> Child::wait_or_kill(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) throw std::logic_error("Child::wait_or_kill: no child");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return {status, false};
    }
    if (r < 0 && errno != EINTR) throw_errno("waitpid");
    if (Clock::now() >= deadline) {
      kill();
      return {wait(), true};
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// ---- acks, checkers ----------------------------------------------------------

void AckParser::feed(std::string_view bytes) {
  partial_.append(bytes);
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(partial_.data() + start, nl - start);
    if (line.substr(0, 4) != "ack ") {
      if (other_.size() < 65536) other_.append(line).push_back('\n');
      continue;
    }
    std::uint64_t id = 0;
    bool valid = line.size() > 4;
    for (char c : line.substr(4)) {
      if (c < '0' || c > '9') valid = false;
      id = id * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (valid) {
      acked_.push_back(id);
    } else if (other_.size() < 65536) {
      other_.append(line).push_back('\n');
    }
  }
  partial_.erase(0, start);
}

std::string_view to_string(CheckResult::Verdict verdict) {
  switch (verdict) {
    case CheckResult::Verdict::Ok: return "ok";
    case CheckResult::Verdict::Lost: return "LOST";
    case CheckResult::Verdict::Corrupt: return "CORRUPT";
  }
  return "?";
}

Checker command_checker(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  return [argv = std::move(argv), timeout](const fs::path& dir, const std::vector<std::uint64_t>& acked) {
    const fs::path acks = dir.parent_path() / (dir.filename().string() + ".acks");
    const fs::path output = dir.parent_path() / (dir.filename().string() + ".check");
    {
      std::ofstream out(acks, std::ios::trunc);
      for (std::uint64_t id : acked) out << id << '\n';
      if (!out) throw std::runtime_error("cannot write " + acks.string());
    }
    Child::Options options;
    options.argv = substitute(argv, {{"{dir}", dir.string()}, {"{acks}", acks.string()}});
    options.output = output;
    Child child = Child::spawn(options);
    const auto [status, timed_out] = child.wait_or_kill(timeout);
    CheckResult result;
    result.detail = read_text(output);
    std::error_code ec;
    fs::remove(acks, ec);
    fs::remove(output, ec);
    if (timed_out) {
      result.verdict = CheckResult::Verdict::Corrupt;
      result.detail = "checker hung (killed after " + std::to_string(timeout.count()) + " ms); " + result.detail;
    } else if (WIFSIGNALED(status)) {
      result.verdict = CheckResult::Verdict::Corrupt;
      result.detail = "checker died: " + describe_status(status) + "; " + result.detail;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) <= 2) {
      result.verdict = static_cast<CheckResult::Verdict>(WEXITSTATUS(status));
    } else {
      throw std::runtime_error("checker failed (" + describe_status(status) + "): " + result.detail);
    }
    return result;
  };
}

Setup command_setup(std::vector<std::string> argv) {
  return [argv = std::move(argv)](const fs::path& dir) {
    Child::Options options;
    options.argv = substitute(argv, {{"{dir}", dir.string()}});
    const fs::path output = dir.parent_path() / (dir.filename().string() + ".setup");
    options.output = output;
    Child child = Child::spawn(options);
    const auto [status, timed_out] = child.wait_or_kill(std::chrono::milliseconds(60000));
    const std::string text = read_text(output);
    std::error_code ec;
    fs::remove(output, ec);
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error("setup failed (" + describe_status(status) + "): " + text);
    }
  };
}

// ---- one writer run ----------------------------------------------------------

RunResult run_writer(const WriterCommand& writer, const RunOptions& options) {
  Child::Options child_options;
  child_options.argv = substitute(writer.argv, {{"{dir}", options.dir.string()}});
  child_options.env = writer.env;
  child_options.env.push_back("LD_PRELOAD=" + options.shim.string());
  child_options.env.push_back(std::string(iolog::kEnvDir) + "=" + options.dir.string());
  child_options.env.push_back(std::string(iolog::kEnvLog) + "=" + options.log.string());
  child_options.env.insert(child_options.env.end(), options.shim_env.begin(), options.shim_env.end());
  child_options.pipe_stdout = true;
  child_options.output = options.output;

  RunResult result;
  AckParser acks;
  Child child = Child::spawn(child_options);
  const auto start = Clock::now();  // posix_spawn returns once the writer was exec'ed
  const auto kill_at = start + (options.kill_after ? std::chrono::duration_cast<Clock::duration>(*options.kill_after)
                                                   : std::chrono::duration_cast<Clock::duration>(options.timeout));
  bool eof = false;
  char buf[8192];
  while (!eof) {
    const auto now = Clock::now();
    if (now >= kill_at) break;
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(kill_at - now).count();
    // poll() counts milliseconds; the last fraction is slept precisely.
    if (left < 1000) {
      std::this_thread::sleep_until(kill_at);
      break;
    }
    pollfd p{child.stdout_fd(), POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left / 1000));
    if (r < 0 && errno != EINTR) throw_errno("poll");
    if (r <= 0) continue;
    const ssize_t n = read(child.stdout_fd(), buf, sizeof buf);
    if (n < 0 && errno != EINTR) throw_errno("read");
    if (n == 0) eof = true;
    if (n > 0) acks.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  if (!eof) {
    child.kill();
    result.killed = true;
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  // Whatever the writer printed before it died is in the pipe: drain it.
  for (;;) {
    const ssize_t n = read(child.stdout_fd(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    acks.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  const int status = child.wait();
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.acked = std::move(acks.acked());
  result.other_output = std::move(acks.other());
  return result;
}

// ---- the campaign ------------------------------------------------------------

std::string CampaignReport::summary() const {
  std::ostringstream out;
  out << "power-loss campaign seed=" << seed << ": " << cuts << " cuts, " << ok << " ok, " << lost
      << " lost acknowledged records, " << corrupt << " corrupt, " << writer_failures << " writer failures, "
      << log_mismatches << " log mismatches; " << acked << " acks, " << cuts_after_ack
      << " cuts after an ack in that run, " << cuts_with_unsynced << " images with unsynced writes, "
      << writer_finished << " writers finished before the cut, " << cuts_by_call
      << " cuts by the shim at a chosen call; " << seconds << " s\n  by profile:";
  for (const auto& [profile, counts] : by_profile) {
    out << ' ' << profile << ' ' << counts.first << " cuts/" << counts.second << " failed;";
  }
  out << "\n  cut after:";
  for (const auto& [what, n] : cut_after) out << ' ' << what << ' ' << n << ';';
  for (const std::string& f : failures) out << "\n  " << f;
  return out.str();
}

std::uint64_t seed_from_environment() {
  if (const char* s = std::getenv("ERX_CRASH_SEED"); s != nullptr && *s != '\0') return std::strtoull(s, nullptr, 10);
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

CampaignReport run_campaign(const CampaignConfig& config, const WriterCommand& writer, const Checker& checker,
                            const Setup& setup) {
  if (config.max_kill < config.min_kill) throw std::invalid_argument("max_kill < min_kill");
  const auto started = Clock::now();
  CampaignReport report;
  report.seed = config.seed;
  TempDir root("erx-crash");
  const fs::path base = root.path() / "base";    // the initial state of the next cut
  const fs::path work = root.path() / "work";    // where the writer runs
  const fs::path image = root.path() / "image";  // the post-power-loss copy
  const fs::path log_path = root.path() / "io.log";
  const fs::path output = root.path() / "writer.out";
  std::mt19937_64 timing(config.seed);
  std::vector<std::uint64_t> acked;  // over the whole chain
  int chain_position = 0;
  int kept = 0;
  // Call kills pick a call in [1, 2 × the mean number of watched calls of a
  // timed run] (64 until a timed run was seen).
  std::uint64_t timed_runs = 0, timed_calls = 0;

  auto reset = [&] {
    fs::remove_all(base);
    fs::create_directories(base);
    if (setup) setup(base);
    acked.clear();
    chain_position = 0;
  };
  auto keep = [&](int cut, std::uint64_t image_seed, const std::string& what) {
    if (config.keep_failures.empty() || kept >= 3) return;
    ++kept;
    const fs::path dest = config.keep_failures / ("cut-" + std::to_string(cut));
    fs::remove_all(dest);
    fs::create_directories(dest);
    copy_tree(base, dest / "initial");
    if (fs::exists(log_path)) fs::copy_file(log_path, dest / "io.log");
    if (fs::exists(output)) fs::copy_file(output, dest / "writer.out");
    copy_tree(image, dest / "image");
    std::ofstream acks(dest / "acks.txt");
    for (std::uint64_t id : acked) acks << id << '\n';
    std::ofstream note(dest / "README");
    note << what << "\nrebuild the image: erx-crash-image build " << (dest / "initial").string() << ' '
         << (dest / "io.log").string() << " OUT --seed " << image_seed << " --sector " << config.sector << '\n';
  };
  auto fail = [&](int cut, std::uint64_t image_seed, const std::string& what) {
    if (static_cast<int>(report.failures.size()) < config.max_details) report.failures.push_back(what);
    keep(cut, image_seed, what);
    reset();
  };

  reset();
  const auto kill_span = static_cast<std::uint64_t>((config.max_kill - config.min_kill).count());
  for (int cut = 0; cut < config.cuts; ++cut) {
    if (chain_position >= config.chain_length) reset();
    copy_tree(base, work);
    fs::remove(log_path);

    RunOptions run;
    run.shim = config.shim;
    run.dir = work;
    run.log = log_path;
    run.output = output;
    run.kill_after = config.min_kill + std::chrono::microseconds(kill_span == 0 ? 0 : timing() % (kill_span + 1));
    const bool by_call = std::uniform_real_distribution<double>(0, 1)(timing) < config.call_kill_share;
    std::uint64_t kill_call = 0;
    if (by_call) {
      const std::uint64_t range = config.max_kill_call > 0 ? config.max_kill_call
                                  : timed_runs == 0      ? 64
                                                         : std::max<std::uint64_t>(2, 2 * timed_calls / timed_runs);
      kill_call = 1 + timing() % range;
      run.shim_env = {std::string(iolog::kEnvKillAt) + "=" + std::to_string(kill_call)};
      run.kill_after = 3 * config.max_kill;  // a backstop, should the writer be slow to get there
    }
    const RunResult result = run_writer(writer, run);
    const bool self_killed = by_call && !result.killed && result.signal == SIGKILL;
    if (self_killed) ++report.cuts_by_call;
    ++report.cuts;
    report.acked += result.acked.size();
    if (!result.acked.empty()) ++report.cuts_after_ack;
    acked.insert(acked.end(), result.acked.begin(), result.acked.end());

    const std::uint64_t image_seed = mix(config.seed, static_cast<std::uint64_t>(cut));
    const std::string where = "cut " + std::to_string(cut) + " (image seed " + std::to_string(image_seed) +
                              ", chain position " + std::to_string(chain_position) + ", killed" +
                              (self_killed ? " at call " + std::to_string(kill_call) :
                                             " after " + std::to_string(run.kill_after->count()) + " us") + ")";
    if (!result.killed && !self_killed) {
      if (result.exited && result.exit_code == 0) {
        ++report.writer_finished;
      } else {
        ++report.writer_failures;
        fail(cut, image_seed,
             where + ": the writer failed on its own (" +
                 (result.exited ? "exit " + std::to_string(result.exit_code) : "signal " + std::to_string(result.signal)) +
                 "): " + read_text(output, 600));
        continue;
      }
    }

    const IoLog log = fs::exists(log_path) ? IoLog::read(log_path) : IoLog{};
    ++report.cut_after[log.records.empty() ? "none" : record_name(log.records.back().type)];
    if (!by_call) {
      using T = iolog::RecordType;
      const std::uint64_t calls = log.count(T::Write) + log.count(T::Truncate) + log.count(T::Sync) +
                                  log.count(T::SyncFailed) + log.count(T::EioInjected);
      ++timed_runs;
      timed_calls += calls;
    }
    if (config.verify_log) {
      if (auto diff = verify_log(base, log, work)) {
        ++report.log_mismatches;
        fail(cut, image_seed, where + ": the I/O log does not match the writer's files: " + *diff);
        continue;
      }
    }
    ImageOptions image_options;
    image_options.seed = image_seed;
    image_options.sector = config.sector;
    image_options.profile = config.profile;
    const ImageStats stats = build_image(base, log, image, image_options);
    if (stats.unsynced > 0) ++report.cuts_with_unsynced;

    const CheckResult check = checker(image, acked);
    auto& profile_counts = report.by_profile[std::string(to_string(stats.profile))];
    ++profile_counts.first;
    if (check.verdict == CheckResult::Verdict::Ok) {
      ++report.ok;
      fs::remove_all(base);
      fs::rename(image, base);
      ++chain_position;
      continue;
    }
    ++profile_counts.second;
    (check.verdict == CheckResult::Verdict::Lost ? report.lost : report.corrupt) += 1;
    fail(cut, image_seed,
         where + ": " + std::string(to_string(check.verdict)) + " [profile " + std::string(to_string(stats.profile)) +
             ", " + std::to_string(stats.durable) + " durable / " + std::to_string(stats.unsynced) +
             " unsynced ops, " + std::to_string(acked.size()) + " acked] " + check.detail);
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace erx::crash
