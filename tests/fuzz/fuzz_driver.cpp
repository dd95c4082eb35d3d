// The standalone fuzz driver: runs any fuzz target written against libFuzzer's
// interface (extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t)),
// with any compiler, without libFuzzer. docs/FUZZING.md has the how-to.
//
//   fuzz_<target> [options] [FILE|DIR ...]
//     FILE / DIR          replayed first (a directory: its files, sorted by name);
//                         with --seconds / --runs they are also the seeds that
//                         mutations start from
//     --seconds N         then generate inputs for N seconds
//     --runs N            ... or N inputs (with both, whichever ends first)
//     --seed S            the generator's seed (else $ERX_SEED, else random);
//                         always printed. A seed gives the same inputs in the
//                         same order on every machine.
//     --max-len N         the longest generated input, bytes (default 4096)
//     --timeout S         an input running longer than S seconds is a finding (default 60)
//     --crash-dir D       where a crashing input is written (default .)
//     --save-novel D      write every generated input the target calls novel
//                         to D (to grow a corpus: see docs/FUZZING.md)
//
// Generated inputs are random bytes, or one to four mutations of an
// interesting input: a bit flip, a random or boundary byte, a boundary
// integer (0, ±1, the 8/16/32/64-bit extremes, powers of ten) written over 2,
// 4 or 8 bytes in either byte order, small additions, inserted / deleted /
// duplicated ranges, and splices of two inputs. The interesting inputs are
// the ones given on the command line, plus the ones the target calls novel:
// a target may define extern "C" int erx_fuzz_novel(void), returning non-zero
// when the input it just ran reached something it had not seen before (the
// driver has no coverage instrumentation of its own; libFuzzer builds use
// theirs instead).
//
// A crash (abort, SIGSEGV / SIGBUS / SIGFPE / SIGILL, a sanitizer report, or
// the timeout) writes the current input to
// <crash-dir>/crash-<target>-seed<S>-input<N> and prints how to replay it.
// The signal handlers use only async-signal-safe calls (open, write, close).
//
// Exit status: 0 when nothing crashed; a crash ends the process by its signal
// (or the sanitizer's exit code), so CTest reports the failure.

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional hooks: null when the target does not define them.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));
extern "C" int erx_fuzz_novel(void) __attribute__((weak));

#if defined(__SANITIZE_ADDRESS__)
#define ERX_FUZZ_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ERX_FUZZ_SANITIZED 1
#endif
#endif
#ifdef ERX_FUZZ_SANITIZED
// The sanitizer runtime calls this when a report ends the process.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void));
#endif

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- what a signal handler may read

// The input being run and where to write it, kept in plain globals so that a
// signal handler can reach them without allocating.
volatile sig_atomic_t g_running = 0;  // 1 while LLVMFuzzerTestOneInput runs
const std::uint8_t* g_input = nullptr;
std::size_t g_input_size = 0;
std::uint64_t g_input_index = 0;  // 1-based among every input run
std::uint64_t g_seed = 0;
volatile sig_atomic_t g_seconds_in_input = 0;  // ticks of the watchdog since the input began
int g_timeout = 60;
char g_crash_prefix[4096];  // "<crash-dir>/crash-<target>-seed<S>-input"
char g_argv0[1024];
char g_source[2048];        // the replayed file, when the input came from one ("" otherwise)

void put(const char* s) {
  std::size_t n = 0;
  while (s[n] != '\0') ++n;
  while (n > 0) {
    const ssize_t w = ::write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Decimal digits of v into buf (at least 21 bytes); returns buf.
char* digits(std::uint64_t v, char* buf) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  int j = 0;
  while (i > 0) buf[j++] = tmp[--i];
  buf[j] = '\0';
  return buf;
}

void append(char* dst, std::size_t cap, const char* src) {
  std::size_t n = 0;
  while (n < cap && dst[n] != '\0') ++n;
  while (n + 1 < cap && *src != '\0') dst[n++] = *src++;
  dst[n < cap ? n : cap - 1] = '\0';
}

// Writes the current input to its crash file and says how to replay it.
// Async-signal-safe; safe to call twice (the second call does nothing).
void save_crash(const char* why) {
  static volatile sig_atomic_t saved = 0;
  if (saved) return;
  saved = 1;
  put("\n==fuzz_driver== ");
  put(why);
  char num[24];
  if (!g_running) {
    put(" outside any input (start-up or the driver itself)\n");
    return;
  }
  put(" on input ");
  put(digits(g_input_index, num));
  put(" (");
  put(digits(g_input_size, num));
  put(" bytes), seed ");
  put(digits(g_seed, num));
  put("\n");
  if (g_source[0] != '\0') {
    put("==fuzz_driver== the input is the file ");
    put(g_source);
    put("\n==fuzz_driver== replay: ");
    put(g_argv0);
    put(" ");
    put(g_source);
    put("\n");
    return;
  }
  char path[sizeof g_crash_prefix + 32];
  path[0] = '\0';
  append(path, sizeof path, g_crash_prefix);
  append(path, sizeof path, digits(g_input_index, num));
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    put("==fuzz_driver== could not write the input to ");
    put(path);
    put("\n");
    return;
  }
  std::size_t done = 0;
  while (done < g_input_size) {
    const ssize_t w = ::write(fd, g_input + done, g_input_size - done);
    if (w <= 0) break;
    done += static_cast<std::size_t>(w);
  }
  ::close(fd);
  put("==fuzz_driver== input written to ");
  put(path);
  put("\n==fuzz_driver== replay: ");
  put(g_argv0);
  put(" ");
  put(path);
  put("\n");
}

void on_fatal_signal(int sig) {
  const char* why = sig == SIGABRT   ? "abort (SIGABRT)"
                    : sig == SIGSEGV ? "SIGSEGV"
                    : sig == SIGBUS  ? "SIGBUS"
                    : sig == SIGFPE  ? "SIGFPE"
                    : sig == SIGILL  ? "SIGILL"
                                     : "fatal signal";
  save_crash(why);
  // End by the same signal, with its default action, so the exit status says what happened.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
}

void on_watchdog(int) {
  if (!g_running) return;
  g_seconds_in_input = g_seconds_in_input + 1;
  if (g_seconds_in_input < g_timeout) return;
  save_crash("timeout: one input ran longer than --timeout");
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGABRT, &dfl, nullptr);
  ::abort();
}

#ifdef ERX_FUZZ_SANITIZED
void on_sanitizer_death() { save_crash("sanitizer report"); }
#endif

void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NODEFER;
  ::sigaction(SIGABRT, &sa, nullptr);
#ifdef ERX_FUZZ_SANITIZED
  // AddressSanitizer reports SIGSEGV / SIGBUS / SIGFPE itself (with a stack)
  // and then dies through the death callback.
  __sanitizer_set_death_callback(on_sanitizer_death);
#else
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::sigaction(sig, &sa, nullptr);
#endif
  struct sigaction wd {};
  wd.sa_handler = on_watchdog;
  sigemptyset(&wd.sa_mask);
  wd.sa_flags = SA_RESTART;
  ::sigaction(SIGALRM, &wd, nullptr);
  itimerval tick{};
  tick.it_interval.tv_sec = 1;
  tick.it_value.tv_sec = 1;
  ::setitimer(ITIMER_REAL, &tick, nullptr);
}

// ---------------------------------------------------------------- running one input

struct Counts {
  std::uint64_t replayed = 0;
  std::uint64_t generated = 0;
  std::uint64_t novel = 0;
  std::uint64_t bytes = 0;
};

// Returns whether the target called the input novel.
bool run_one(const std::vector<std::uint8_t>& input, const char* source, Counts& counts) {
  g_source[0] = '\0';
  if (source) append(g_source, sizeof g_source, source);
  g_input = input.data();
  g_input_size = input.size();
  ++g_input_index;
  g_seconds_in_input = 0;
  g_running = 1;
  LLVMFuzzerTestOneInput(input.data(), input.size());
  g_running = 0;
  counts.bytes += input.size();
  return erx_fuzz_novel != nullptr && erx_fuzz_novel() != 0;
}

// ---------------------------------------------------------------- generating inputs

class Generator {
 public:
  Generator(std::uint64_t seed, std::size_t max_len) : rng_(seed), max_len_(std::max<std::size_t>(max_len, 1)) {}

  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // Short inputs are common, long ones possible.
  std::vector<std::uint8_t> random_input() {
    std::size_t len = 0;
    switch (below(4)) {
      case 0: len = below(std::min<std::size_t>(max_len_, 64) + 1); break;
      case 1: len = below(std::min<std::size_t>(max_len_, 512) + 1); break;
      default: len = below(max_len_ + 1); break;
    }
    std::vector<std::uint8_t> out(len);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
    return out;
  }

  std::vector<std::uint8_t> mutate(std::vector<std::uint8_t> in, const std::vector<std::vector<std::uint8_t>>& pool) {
    const std::uint64_t n = 1 + below(4);
    for (std::uint64_t i = 0; i < n; ++i) mutate_once(in, pool);
    if (in.size() > max_len_) in.resize(max_len_);
    return in;
  }

 private:
  static constexpr std::uint64_t kBoundaries[] = {
      0,
      1,
      2,
      0x7F,
      0x80,
      0xFF,
      0x7FFF,
      0x8000,
      0xFFFF,
      0x7FFF'FFFF,
      0x8000'0000,
      0xFFFF'FFFF,
      0x7FFF'FFFF'FFFF'FFFF,
      0x8000'0000'0000'0000,
      0xFFFF'FFFF'FFFF'FFFF,
      0xFFFF'FFFF'FFFF'FFFE,
      10,
      100,
      1'000,
      10'000,
      1'000'000,
      1'000'000'000,
      1'000'000'000'000,
      1'000'000'000'000'000,
      100'000'000'000'000'000,
      1'000'000'000'000'000'000,
  };

  void write_int(std::vector<std::uint8_t>& in, std::uint64_t v, std::size_t width, bool big_endian) {
    if (in.size() < width) return;
    const std::size_t at = below(in.size() - width + 1);
    for (std::size_t k = 0; k < width; ++k) {
      const std::size_t shift = 8 * (big_endian ? width - 1 - k : k);
      in[at + k] = static_cast<std::uint8_t>(v >> shift);
    }
  }

  void mutate_once(std::vector<std::uint8_t>& in, const std::vector<std::vector<std::uint8_t>>& pool) {
    switch (below(11)) {
      case 0:  // flip a bit
        if (!in.empty()) in[below(in.size())] ^= static_cast<std::uint8_t>(1u << below(8));
        return;
      case 1:  // a random byte
        if (!in.empty()) in[below(in.size())] = static_cast<std::uint8_t>(rng_());
        return;
      case 2: {  // a boundary byte
        static constexpr std::uint8_t kBytes[] = {0, 1, 2, 0x7E, 0x7F, 0x80, 0x81, 0xFE, 0xFF};
        if (!in.empty()) in[below(in.size())] = kBytes[below(std::size(kBytes))];
        return;
      }
      case 3: {  // a boundary integer, maybe negated or off by one, over 2, 4 or 8 bytes
        std::uint64_t v = kBoundaries[below(std::size(kBoundaries))];
        if (below(4) == 0) v = ~v + 1;
        if (below(4) == 0) v += below(3) - 1;
        static constexpr std::size_t kWidths[] = {2, 4, 8};
        write_int(in, v, kWidths[below(3)], below(2) == 0);
        return;
      }
      case 4: {  // add or subtract a little
        if (in.empty()) return;
        const std::size_t at = below(in.size());
        in[at] = static_cast<std::uint8_t>(in[at] + static_cast<std::uint8_t>(below(35)) - 17);
        return;
      }
      case 5: {  // insert random bytes
        if (in.size() >= max_len_) return;
        const std::size_t at = below(in.size() + 1);
        const std::size_t n = 1 + below(std::min<std::uint64_t>(16, max_len_ - in.size()));
        std::vector<std::uint8_t> bytes(n);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng_());
        in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
        return;
      }
      case 6:
      case 7: {  // delete a range
        if (in.empty()) return;
        const std::size_t at = below(in.size());
        const std::size_t n = 1 + below(std::min<std::uint64_t>(in.size() - at, below(2) ? 4 : 64));
        in.erase(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + n));
        return;
      }
      case 8: {  // duplicate a range elsewhere
        if (in.empty() || in.size() >= max_len_) return;
        const std::size_t from = below(in.size());
        const std::size_t n = 1 + below(std::min<std::uint64_t>({in.size() - from, 64, max_len_ - in.size()}));
        const std::vector<std::uint8_t> piece(in.begin() + static_cast<std::ptrdiff_t>(from),
                                              in.begin() + static_cast<std::ptrdiff_t>(from + n));
        const std::size_t at = below(in.size() + 1);
        in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), piece.begin(), piece.end());
        return;
      }
      default: {  // splice: a prefix of this one, a suffix of another
        if (pool.empty()) return;
        const std::vector<std::uint8_t>& other = pool[below(pool.size())];
        const std::size_t keep = below(in.size() + 1);
        const std::size_t from = below(other.size() + 1);
        in.resize(keep);
        in.insert(in.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        return;
      }
    }
  }

  std::mt19937_64 rng_;
  std::size_t max_len_;
};

// ---------------------------------------------------------------- the command line

struct Options {
  double seconds = 0;
  std::uint64_t runs = 0;
  bool have_seed = false;
  std::uint64_t seed = 0;
  std::size_t max_len = 4096;
  int timeout = 60;
  std::string crash_dir = ".";
  std::string save_novel;
  std::vector<std::string> paths;
};

[[noreturn]] void usage(const char* argv0, const std::string& problem) {
  std::fprintf(stderr,
               "%s: %s\nusage: %s [--seconds N] [--runs N] [--seed S] [--max-len N] [--timeout S] "
               "[--crash-dir D] [--save-novel D] [FILE|DIR ...]\n(docs/FUZZING.md)\n",
               argv0, problem.c_str(), argv0);
  std::exit(2);
}

std::uint64_t number(const char* argv0, const std::string& opt, const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') usage(argv0, "bad number for " + opt + ": " + text);
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(argv[0], a + " needs a value");
      return argv[++i];
    };
    if (a == "--seconds") {
      o.seconds = static_cast<double>(number(argv[0], a, value()));
    } else if (a == "--runs") {
      o.runs = number(argv[0], a, value());
    } else if (a == "--seed") {
      o.seed = number(argv[0], a, value());
      o.have_seed = true;
    } else if (a == "--max-len") {
      o.max_len = static_cast<std::size_t>(number(argv[0], a, value()));
    } else if (a == "--timeout") {
      o.timeout = static_cast<int>(std::min<std::uint64_t>(number(argv[0], a, value()), 86'400));
    } else if (a == "--crash-dir") {
      o.crash_dir = value();
    } else if (a == "--save-novel") {
      o.save_novel = value();
    } else if (a == "-h" || a == "--help") {
      usage(argv[0], "help");
    } else if (a.size() > 1 && a[0] == '-') {
      usage(argv[0], "unknown option " + a);
    } else {
      o.paths.push_back(a);
    }
  }
  return o;
}

// Every file named on the command line, directories expanded (sorted by name).
std::vector<fs::path> input_files(const char* argv0, const std::vector<std::string>& paths) {
  std::vector<fs::path> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> here;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file()) here.push_back(e.path());
      std::sort(here.begin(), here.end());
      out.insert(out.end(), here.begin(), here.end());
    } else if (fs::is_regular_file(p, ec)) {
      out.emplace_back(p);
    } else {
      usage(argv0, "no such file or directory: " + p);
    }
  }
  return out;
}

std::vector<std::uint8_t> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string target_name(const char* argv0) {
  std::string name = fs::path(argv0).filename().string();
  return name.empty() ? "target" : name;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  append(g_argv0, sizeof g_argv0, argv[0]);
  g_timeout = std::max(opt.timeout, 1);

  if (opt.have_seed) {
    g_seed = opt.seed;
  } else if (const char* env = std::getenv("ERX_SEED"); env && *env) {
    g_seed = number(argv[0], "ERX_SEED", env);
  } else {
    std::random_device rd;
    g_seed = (std::uint64_t{rd()} << 32) ^ rd();
  }
  const std::string name = target_name(argv[0]);
  const std::string prefix = (fs::path(opt.crash_dir) / ("crash-" + name + "-seed" + std::to_string(g_seed) + "-input")).string();
  if (prefix.size() + 1 > sizeof g_crash_prefix) usage(argv[0], "--crash-dir is too long");
  append(g_crash_prefix, sizeof g_crash_prefix, prefix.c_str());

  const std::vector<fs::path> files = input_files(argv[0], opt.paths);
  const bool generate = opt.seconds > 0 || opt.runs > 0;
  std::printf("%s: seed %" PRIu64 ", %zu input file(s)%s\n", name.c_str(), g_seed, files.size(),
              generate ? ", then generating" : "");
  std::fflush(stdout);

  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  install_handlers();

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  Counts counts;
  std::vector<std::vector<std::uint8_t>> pool;
  for (const fs::path& f : files) {
    std::vector<std::uint8_t> bytes = slurp(f);
    run_one(bytes, f.c_str(), counts);
    ++counts.replayed;
    pool.push_back(std::move(bytes));
  }

  if (generate) {
    constexpr std::size_t kMaxPool = 4096;
    Generator gen(g_seed, opt.max_len);
    const auto deadline = t0 + std::chrono::duration<double>(opt.seconds > 0 ? opt.seconds : 1e12);
    for (std::uint64_t i = 0; opt.runs == 0 || i < opt.runs; ++i) {
      // The clock is read every 16 inputs: cheap, and a few inputs past the deadline at most.
      if (i % 16 == 0 && Clock::now() >= deadline) break;
      std::vector<std::uint8_t> input =
          pool.empty() || gen.below(4) == 0 ? gen.random_input() : gen.mutate(pool[gen.below(pool.size())], pool);
      ++counts.generated;
      if (run_one(input, nullptr, counts)) {
        ++counts.novel;
        if (!opt.save_novel.empty()) {
          const fs::path out = fs::path(opt.save_novel) / ("novel-seed" + std::to_string(g_seed) + "-input" +
                                                           std::to_string(g_input_index));
          std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(input.data()),
                                                     static_cast<std::streamsize>(input.size()));
        }
        if (pool.size() < kMaxPool)
          pool.push_back(std::move(input));
        else
          pool[gen.below(pool.size())] = std::move(input);  // the seeds may be replaced too
      }
    }
  }

  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::uint64_t total = counts.replayed + counts.generated;
  std::printf(
      "%s: done, seed %" PRIu64 ": %" PRIu64 " inputs (%" PRIu64 " replayed, %" PRIu64
      " generated, %" PRIu64 " novel) in %.1f s, %.0f inputs/s, %.1f MB, pool %zu, no crash\n",
      name.c_str(), g_seed, total, counts.replayed, counts.generated, counts.novel, secs,
      secs > 0 ? static_cast<double>(total) / secs : 0.0, static_cast<double>(counts.bytes) / 1e6, pool.size());
  return 0;
}
