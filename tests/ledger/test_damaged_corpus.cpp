// The damaged-ledger corpus (issue 12, item 9): a small ledger written by the
// real DurableExchange from a recorded stream, then, one damaged copy at a
// time: flips at every header field of every page, at every field of both
// meta pages, at the first and last node of every branch and leaf page (its
// offset, sizes, flags, key and data), at a seeded sample of other offsets,
// and truncation at every page boundary plus a few odd sizes.
//
// Every copy goes through the real open path — DurableExchange::open, in a
// forked child — and through `erx verify`, the binary, in a child too, so a
// signal or a hang is seen and reported with its case, never taken for the
// test's own death. A case passes when each of them either
//  - refuses the copy as damage with a message (open: DurableExchange says
//    damaged(); verify: exit 1 and "FAILED at seq"), or
//  - accepts it and everything is as before (open: the recovered seq and
//    state hash are the original ones, 20 more commands commit, a reopen
//    recovers them too; verify: exit 0 with the original's "verified up to
//    seq N, state hash H, chain C" line) — a harmless flip (unused bytes,
//    a free page, a derived row recovery does not read).
// Anything else fails the case: a signal, a hang, an I/O-error exit for
// damage (verify 3), a wrong state accepted.
//
// ERX_SEED picks the random offsets (fixed by default; printed on failure).
// ERX_CORPUS_RANDOM: random flips per page (default 3).
// ERX_CORPUS_SHARE: the share of page cases run, in percent (default 100; 35
// in sanitizer builds, where a case costs ~5 times more: a seeded sample of the
// page cases, every meta-page and truncation case). 100 runs everything.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/ledger/file_bytes.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/ledger/tool_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kCommands = 130;
constexpr std::size_t kMore = 20;  // committed after a successful open
constexpr std::uint64_t kStreamSeed = 21;

// The forked open path's exit codes.
constexpr int kOpenOk = 0;
constexpr int kOpenDamaged = 10;
constexpr int kOpenEnvironment = 11;
constexpr int kOpenWrongState = 12;
constexpr int kOpenContinueFailed = 13;

ledger::DurableOptions corpus_options(const std::string& dir) {
  ledger::DurableOptions o = durable_options(dir, 16);  // ~9 commits: a free list with records
  // No fsync: every case writes a fresh copy, which a durable commit would
  // flush to the disk whole; this test is about damage, not durability.
  o.ledger.env_flags = MDB_NOSYNC;
  o.sequencer.checkpoint_every = 50;
  o.sequencer.snapshot_every = 100;  // a snapshot row: overflow pages
  return o;
}

struct Case {
  std::string kind;  // for the tally: "meta field", "page header", "node", "random", "truncation"
  std::string name;  // e.g. "page 17 (leaf) flags ^0x1"
  std::size_t offset = 0;
  unsigned char mask = 0;  // 0: a truncation to `offset` bytes
};

std::string page_kind(const std::string& f, std::size_t pg) {
  if (pg < 2) return "meta";
  const std::size_t base = pg * kPage;
  if (get<std::uint64_t>(f, base) != pg) return "data";  // an overflow run's later page, or never written
  switch (get<std::uint16_t>(f, base + 10)) {
    case 0x01: return "branch";
    case 0x02: return "leaf";
    case 0x04: return "overflow";
    default: return "other";
  }
}

std::string hex(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%x", v);
  return b;
}

// Every case for the pristine file `f`.
std::vector<Case> make_cases(const std::string& f, std::size_t used_pages, std::mt19937_64& rng, int random_per_page) {
  std::vector<Case> cases;
  auto flip = [&](const std::string& kind, std::size_t pg, const std::string& what, std::size_t at, unsigned mask) {
    cases.push_back({kind, "page " + std::to_string(pg) + " (" + page_kind(f, pg) + ") " + what + " ^" + hex(mask), at,
                     static_cast<unsigned char>(mask)});
  };
  // Both meta pages, every field: low byte and a high byte.
  const std::pair<const char*, std::size_t> header[] = {{"pgno", 0}, {"pgno[3]", 3}, {"pad", 8},
                                                         {"flags", 10}, {"flags[1]", 11}, {"lower", 12},
                                                         {"lower[1]", 13}, {"upper", 14}, {"upper[1]", 15}};
  for (std::size_t pg = 0; pg < 2; ++pg) {
    const std::size_t base = pg * kPage;
    for (const auto& [what, at] : header) flip("meta field", pg, what, base + at, 0x01);
    flip("meta field", pg, "flags", base + 10, 0x08);
    const std::pair<const char*, std::size_t> meta[] = {{"magic", 16},       {"version", 20},     {"address", 24},
                                                         {"mapsize", 32},     {"mapsize[5]", 37},  {"free.pad", 40},
                                                         {"free.pad[1]", 41}, {"free.flags", 44},  {"free.depth", 46},
                                                         {"free.branch", 48}, {"free.leaf", 56},   {"free.overflow", 64},
                                                         {"free.entries", 72}, {"free.root", 80},  {"free.root[2]", 82},
                                                         {"main.pad", 88},    {"main.flags", 92},  {"main.depth", 94},
                                                         {"main.branch", 96}, {"main.leaf", 104},  {"main.overflow", 112},
                                                         {"main.entries", 120}, {"main.root", 128}, {"main.root[2]", 130},
                                                         {"last_pg", 136},    {"last_pg[1]", 137}, {"last_pg[4]", 140},
                                                         {"txnid", 144},      {"txnid[0]^2", 144}, {"txnid[1]", 145},
                                                         {"txnid[7]", 151},   {"unused", 200}};
    for (const auto& [what, at] : meta)
      flip("meta field", pg, what, base + at, std::string_view(what) == "txnid[0]^2" ? 0x02 : 0x01);
  }
  for (std::size_t pg = 2; pg < used_pages; ++pg) {
    const std::size_t base = pg * kPage;
    const std::string kind = page_kind(f, pg);
    if (kind != "data") {
      for (const auto& [what, at] : header) flip("page header", pg, what, base + at, 0x01);
      for (unsigned bit : {0x02u, 0x04u, 0x08u, 0x40u}) flip("page header", pg, "flags", base + 10, bit);
      flip("page header", pg, "lower", base + 12, 0x02);
      flip("page header", pg, "upper", base + 14, 0x02);
    }
    if (kind == "branch" || kind == "leaf") {
      const auto lower = get<std::uint16_t>(f, base + 12);
      const std::size_t n = lower >= 18 ? (lower - 16u) / 2 : 0;
      std::vector<std::size_t> nodes;
      if (n > 0) nodes.push_back(0);
      if (n > 1) nodes.push_back(n - 1);
      for (std::size_t i : nodes) {
        const std::string node = "node " + std::to_string(i) + " ";
        const std::size_t ptr = base + 16 + 2 * i;
        flip("node", pg, node + "offset", ptr, 0x02);
        flip("node", pg, node + "offset[1]", ptr + 1, 0x01);
        const std::size_t off = base + get<std::uint16_t>(f, ptr);
        if (off + 8 > base + kPage) continue;
        flip("node", pg, node + "lo", off, 0x01);
        flip("node", pg, node + "hi", off + 2, 0x01);
        flip("node", pg, node + "flags", off + 4, 0x01);
        flip("node", pg, node + "flags", off + 4, 0x02);
        flip("node", pg, node + "ksize", off + 6, 0x01);
        const std::size_t ksize = get<std::uint16_t>(f, off + 6);
        if (ksize > 0 && off + 8 + ksize <= base + kPage) flip("node", pg, node + "key[last]", off + 8 + ksize - 1, 0x01);
        if (kind == "leaf" && off + 8 + ksize < base + kPage) flip("node", pg, node + "data[0]", off + 8 + ksize, 0x01);
      }
    }
    if (kind == "overflow") flip("page header", pg, "pages", base + 12, 0x01);
    for (int k = 0; k < random_per_page; ++k) {
      const std::size_t at = rng() % kPage;
      flip("random", pg, "byte " + std::to_string(at), base + at, static_cast<unsigned>(1u << (rng() % 8)));
    }
  }
  return cases;
}

struct Outcome {
  bool ok = true;
  bool refused = false;  // as damage
  std::string detail;
};

// DurableExchange::open on `dir` in a forked child: the real open path,
// where a signal or a hang kills only the child.
// `want` / `want_more`: the state hashes after kCommands and kCommands + kMore.
Outcome open_in_child(const fs::path& dir, const RecordedStream& s, std::uint64_t want, std::uint64_t want_more,
                      const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int code = kOpenOk;
    try {
      std::string error;
      {
        ReplayClock clock(s, kCommands);
        ledger::DurableExchange dx(clock);
        if (!dx.open(corpus_options(dir.string()), &error)) {
          std::printf("open refused: %s\n", error.c_str());
          std::fflush(stdout);
          ::_exit(dx.damaged() && !error.empty() ? kOpenDamaged : kOpenEnvironment);
        }
        if (dx.recovery().last_seq != kCommands || dx.exchange().state_hash() != want) {
          std::printf("opened at seq %llu with another state\n", static_cast<unsigned long long>(dx.recovery().last_seq));
          std::fflush(stdout);
          ::_exit(kOpenWrongState);
        }
        dx.start();
        CountingCompletion c;
        for (std::size_t i = kCommands; i < kCommands + kMore; ++i)
          if (!dx.submit(s.commands[i].body, &c)) break;
        dx.stop();
        if (c.committed() != kMore) {
          std::printf("after the open, %llu of %zu commands committed: %s\n",
                      static_cast<unsigned long long>(c.committed()), kMore, dx.sequencer().failure().c_str());
          code = kOpenContinueFailed;
        }
      }
      if (code == kOpenOk) {
        ReplayClock clock(s, kCommands + kMore);
        ledger::DurableExchange dx(clock);
        if (!dx.open(corpus_options(dir.string()), &error) || dx.recovery().last_seq != kCommands + kMore ||
            dx.exchange().state_hash() != want_more) {
          std::printf("reopen after %zu more commands: %s\n", kMore, error.c_str());
          code = kOpenContinueFailed;
        }
      }
    } catch (const std::exception& e) {
      std::printf("exception: %s\n", e.what());
      code = 99;
    }
    std::fflush(stdout);
    ::_exit(code);
  }
  Outcome out;
  if (pid < 0) return {false, false, "fork failed"};
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool hung = false;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      hung = true;
      break;
    }
    std::this_thread::sleep_for(200us);
  }
  const std::string said = crash::slurp(log);
  if (hung) return {false, false, "open hung (killed): " + said};
  if (WIFSIGNALED(status))
    return {false, false, std::string("open died of signal ") + strsignal(WTERMSIG(status)) + ": " + said};
  const int code = WEXITSTATUS(status);
  if (code == kOpenOk) return {true, false, ""};
  if (code == kOpenDamaged && said.find("open refused: ") != std::string::npos) return {true, true, said};
  return {false, false, "open exit " + std::to_string(code) + ": " + said};
}

// `erx verify` on `dir`: exit 0 with the original line, or exit 1 naming the damage.
Outcome verify_in_child(const fs::path& dir, const std::string& clean_line, const fs::path& log) {
  const ToolRun r = run_tool({ERX_TOOL, "verify", dir.string()}, log, 60s);
  if (r.exited && r.exit_code == 1 && r.output.find(": FAILED at seq ") != std::string::npos) return {true, true, ""};
  if (r.exited && r.exit_code == 0) {
    const std::string line = r.output.substr(r.output.find(": ") + 2);
    if (line == clean_line) return {true, false, ""};
    return {false, false, "verify passed with another state: " + line};
  }
  return {false, false, "verify " + r.describe()};
}

}  // namespace

TEST_CASE("damaged ledger corpus: every flip and truncation is refused as damage or harmless - never a signal",
          "[ledger][damage]") {
  // Each case forks: large blocks (an order book's price ladder is megabytes)
  // mapped on their own and unmapped when freed leave the child nothing to
  // copy on write. glibc would otherwise raise this threshold after the first
  // free and keep the ladders in the heap the children inherit.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  const std::uint64_t seed = seed_from_env(20'261'207);
  const char* per_page = std::getenv("ERX_CORPUS_RANDOM");
  const int random_per_page = per_page && *per_page ? std::atoi(per_page) : 3;
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kDefaultShare = 35;
#else
  constexpr int kDefaultShare = 100;
#endif
  const char* share_env = std::getenv("ERX_CORPUS_SHARE");
  const int share = share_env && *share_env ? std::atoi(share_env) : kDefaultShare;
  INFO("seed " << seed << " (ERX_SEED), " << random_per_page << " random flips per page (ERX_CORPUS_RANDOM), " << share
               << "% of the page cases (ERX_CORPUS_SHARE)");
  const RecordedStream s = record_stream(kStreamSeed, kCommands + kMore);
  TempDir tmp("erx-corpus");
  const fs::path pristine = tmp.path() / "pristine", work = tmp.path() / "case";
  {
    RecordedStream first;
    first.commands.assign(s.commands.begin(), s.commands.begin() + kCommands);
    ReplayClock clock(first);
    ledger::DurableExchange dx(clock);
    std::string error;
    REQUIRE(dx.open(corpus_options(pristine.string()), &error));
    dx.start();
    run_stretch(dx, first, 0, kCommands);
    dx.stop();
  }
  const std::uint64_t want = hash_after_prefix(s, kCommands), want_more = hash_after_prefix(s, kCommands + kMore);
  const std::string file = read_all(pristine / "data.mdb");
  const std::string marker = read_all(pristine / ledger::kCreationMarker);
  const ledger::FileCheck clean = ledger::check_data_file((pristine / "data.mdb").string());
  REQUIRE(clean.ok());
  const std::size_t used_pages = clean.last_page + 1;
  REQUIRE(file.size() == used_pages * kPage);
  // The original as `erx verify` prints it (after "DIR: ").
  const ToolRun reference = run_tool({ERX_TOOL, "verify", pristine.string()}, tmp.path() / "reference.out");
  REQUIRE(reference.exit_code == 0);
  const std::string clean_line = reference.output.substr(reference.output.find(": ") + 2);
  REQUIRE(clean_line.rfind("verified up to seq " + std::to_string(kCommands) + ",", 0) == 0);

  std::mt19937_64 rng(seed);
  std::vector<Case> all = make_cases(file, used_pages, rng, random_per_page);
  std::vector<Case> cases;
  for (Case& c : all)
    if (c.kind == "meta field" || static_cast<int>(rng() % 100) < share) cases.push_back(std::move(c));
  for (std::size_t size = 0; size < file.size(); size += kPage)
    cases.push_back({"truncation", "truncated to " + std::to_string(size) + " bytes", size, 0});
  for (std::size_t size : {std::size_t{100}, kPage - 1, kPage + 1, 2 * kPage + 17, file.size() / 2 + 3, file.size() - 1})
    cases.push_back({"truncation", "truncated to " + std::to_string(size) + " bytes", size, 0});

  std::map<std::string, std::array<int, 3>> tally;  // kind -> cases, refused by open, refused by verify
  std::vector<std::string> failures;
  const auto t0 = std::chrono::steady_clock::now();
  double verify_s = 0, open_refused_s = 0, open_ok_s = 0;
  for (const Case& c : cases) {
    fs::remove_all(work);
    fs::create_directories(work);
    std::string damaged = c.mask == 0 ? file.substr(0, c.offset) : file;
    if (c.mask != 0) damaged[c.offset] = static_cast<char>(static_cast<unsigned char>(damaged[c.offset]) ^ c.mask);
    write_all(work / "data.mdb", damaged);
    write_all(work / ledger::kCreationMarker, marker);
    const auto c0 = std::chrono::steady_clock::now();
    const Outcome v = verify_in_child(work, clean_line, tmp.path() / "verify.out");
    const auto c1 = std::chrono::steady_clock::now();
    const Outcome o = open_in_child(work, s, want, want_more, tmp.path() / "open.out");
    const auto c2 = std::chrono::steady_clock::now();
    verify_s += std::chrono::duration<double>(c1 - c0).count();
    (o.refused ? open_refused_s : open_ok_s) += std::chrono::duration<double>(c2 - c1).count();
    auto& t = tally[c.kind];
    ++t[0];
    t[1] += o.refused;
    t[2] += v.refused;
    if (!v.ok) failures.push_back(c.name + ": " + v.detail);
    if (!o.ok) failures.push_back(c.name + ": " + o.detail);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ostringstream summary;
  summary << "damaged-ledger corpus: " << cases.size() << " cases (" << share << "% of the page cases) on a "
          << used_pages << "-page ledger in " << seconds
          << " s (seed " << seed << "): erx verify " << verify_s << " s, open refused " << open_refused_s
          << " s, open accepted (and continued) " << open_ok_s << " s\n";
  for (const auto& [kind, t] : tally)
    summary << "  " << kind << ": " << t[0] << " cases, refused as damage by open " << t[1] << ", by erx verify " << t[2]
            << ", the rest harmless\n";
  for (std::size_t i = 0; i < failures.size() && i < 40; ++i) summary << "FAILED " << failures[i] << '\n';
  std::cout << summary.str();
  INFO(summary.str());
  CHECK(failures.size() == 0);
  // The corpus must be what it says: damage of every kind was refused.
  for (const char* kind : {"meta field", "page header", "node", "random", "truncation"}) {
    INFO(kind);
    CHECK(tally[kind][0] > 0);
    CHECK(tally[kind][2] > 0);
  }
}
