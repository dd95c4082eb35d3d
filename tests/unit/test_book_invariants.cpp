// Order-book unit tests: check_invariants() itself. It walks only the
// non-empty levels through the bitmaps, so these tests show that it still
// accepts healthy books (a 2^20-level ladder with orders on bitmap word
// boundaries and at both ends) and still stops on each kind of damage:
// a missing bit, a bit on an empty level, a bit on both sides, summary words
// that disagree with the words below, a wrong count, a wrong best level.
// The damage is done on purpose through friend access, in a forked child
// (ERX_ASSERT aborts the process), and the parent checks that the child died
// of SIGABRT with the expected "ERX invariant violated" line.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/book/level_bitmap.hpp"
#include "tests/unit/book_test_helpers.hpp"

namespace erx::book {

// Friend of OrderBook: reaches the private state the tests damage.
struct OrderBookTestAccess {
  static LevelBitmap& bids(OrderBook& b) { return b.bid_levels_; }
  static LevelBitmap& asks(OrderBook& b) { return b.ask_levels_; }
  static std::uint32_t& count(OrderBook& b, std::uint32_t level) { return b.levels_[level].count; }
  static std::uint32_t& best_bid(OrderBook& b) { return b.best_bid_; }
  static std::uint32_t level_of(const OrderBook& b, Price p) { return b.level_of(p); }
};

// Friend of LevelBitmap: its words, layer 0 first.
struct LevelBitmapTestAccess {
  static std::vector<std::vector<std::uint64_t>>& layers(LevelBitmap& m) { return m.layers_; }
};

}  // namespace erx::book

using namespace erx::book;        // NOLINT(google-build-using-namespace)
using namespace erx::book::test;  // NOLINT(google-build-using-namespace)

namespace {

using Access = OrderBookTestAccess;
using Words = LevelBitmapTestAccess;

struct ChildEnd {
  bool aborted = false;  // died of SIGABRT
  std::string err;       // what it wrote to stderr
};

// Runs fn() in a forked child with stderr captured and no core dump.
template <class Fn>
ChildEnd run_in_child(Fn&& fn) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], 2);
    ::close(fds[1]);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::signal(SIGABRT, SIG_DFL);  // not Catch's handler: die plainly
    fn();
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildEnd end;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) end.err.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  end.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  return end;
}

// A book on a 2^20-level ladder (prices 1 .. 2^20, tick 1: level = price - 1).
BookConfig wide_config() {
  BookConfig c;
  c.ladder_min = 1;
  c.ladder_max = 1 << 20;
  c.tick = 1;
  c.lot = 1;
  c.initial_order_capacity = 16;
  c.limits.max_ladder_levels = 1u << 20;
  return c;
}

// Bids at the bottom of the ladder and on word / summary-word edges, asks up
// to the top; two orders at some levels, two owners, a GTD order.
constexpr Price kBidPrices[] = {1, 64, 65, 4'096, 4'097, 262'144};
constexpr Price kAskPrices[] = {262'145, 262'208, 500'000, 1 << 20};

void fill(OrderBook& b) {
  OrderId id = 0;
  OwnerId owner = 1;
  for (Price p : kBidPrices) {
    b.add(buy(++id, p, 10, owner));
    owner = 3 - owner;
  }
  b.add(buy(++id, 4'096, 5, 2).gtd(1'000));
  for (Price p : kAskPrices) {
    b.add(sell(++id, p, 7, owner));
    owner = 3 - owner;
  }
  b.add(sell(++id, 500'000, 3, 1));
}

}  // namespace

TEST_CASE("check_invariants: a healthy wide book passes, through adds, trades and cancels", "[book][invariants]") {
  Recorder rec;
  OrderBook b(wide_config(), rec);
  b.check_invariants();
  fill(b);
  b.check_invariants();
  REQUIRE(b.open_orders() == 12);
  REQUIRE(b.best(Side::Buy)->price == 262'144);
  REQUIRE(b.best(Side::Sell)->price == 262'145);
  b.add(buy(100, 262'208, 20, 3));  // takes the best ask and part of the next
  b.check_invariants();
  b.cancel(1);  // the lowest bid, level 0
  b.check_invariants();
  b.advance_time(1'000);  // the GTD order expires
  b.check_invariants();
  b.mass_cancel(MassCancelFilter{});
  b.check_invariants();
  CHECK(b.open_orders() == 0);
}

TEST_CASE("LevelBitmap::consistent: holds under random operations, fails on damaged words", "[book][invariants]") {
  std::mt19937_64 rng(20260301);
  for (std::uint32_t size : {1u, 63u, 64u, 65u, 4'096u, 4'097u, 262'145u, 1u << 20}) {
    CAPTURE(size);
    LevelBitmap m(size);
    CHECK(m.consistent());
    std::set<std::uint32_t> ref;
    for (int op = 0; op < 3'000; ++op) {
      const auto i = static_cast<std::uint32_t>(rng() % size);
      if (rng() % 3 == 0) {
        m.clear(i);
        ref.erase(i);
      } else {
        m.set(i);
        ref.insert(i);
      }
    }
    REQUIRE(m.consistent());
    auto& layers = Words::layers(m);
    if (size > 64) {
      // A set bit in an empty word, whose summary bit is therefore clear (an invisible level)...
      for (std::uint32_t w = 0; w * 64 < size; ++w) {
        const std::uint32_t next = m.next_at_or_after(w * 64);
        if (next != LevelBitmap::kNone && next <= w * 64 + 63) continue;
        layers[0][w] |= 1;
        CHECK_FALSE(m.consistent());
        layers[0][w] = 0;
        CHECK(m.consistent());
        break;
      }
      // ...and a summary bit over a word that is all zero.
      const std::uint32_t first = m.next_at_or_after(0);
      if (first != LevelBitmap::kNone) {
        const std::uint64_t saved = layers[0][first >> 6];
        layers[0][first >> 6] = 0;
        CHECK_FALSE(m.consistent());
        layers[0][first >> 6] = saved;
        CHECK(m.consistent());
      }
    }
    // A bit past the last level.
    if (size % 64 != 0) {
      layers[0].back() |= std::uint64_t{1} << 63;
      CHECK_FALSE(m.consistent());
      layers[0].back() &= ~(std::uint64_t{1} << 63);
      CHECK(m.consistent());
    }
  }
}

TEST_CASE("check_invariants: stops on damage it no longer finds by scanning the ladder", "[book][invariants]") {
  Recorder rec;
  OrderBook b(wide_config(), rec);
  fill(b);
  b.check_invariants();
  const std::uint32_t bid_4096 = Access::level_of(b, 4'096);  // two bids, not the best
  const std::uint32_t ask_500k = Access::level_of(b, 500'000);
  const std::uint32_t empty = Access::level_of(b, 700'000);

  struct Damage {
    const char* what;
    const char* expect;  // a piece of the failed expression
    void (*harm)(OrderBook&, std::uint32_t, std::uint32_t, std::uint32_t);
  };
  const Damage damages[] = {
      {"undamaged (the child must exit normally)", nullptr,
       [](OrderBook&, std::uint32_t, std::uint32_t, std::uint32_t) {}},
      {"a non-empty bid level's bit cleared", "seen_orders == open_orders_",
       [](OrderBook& bk, std::uint32_t bid, std::uint32_t, std::uint32_t) { Access::bids(bk).clear(bid); }},
      {"an ask bit set on an empty level", "lv.count > 0",
       [](OrderBook& bk, std::uint32_t, std::uint32_t, std::uint32_t e) { Access::asks(bk).set(e); }},
      {"a bid bit set on an ask level", "best_level(side) == first",  // it becomes the highest bid
       [](OrderBook& bk, std::uint32_t, std::uint32_t ask, std::uint32_t) { Access::bids(bk).set(ask); }},
      {"a layer-0 bit set under a clear summary bit (an invisible level)", "ask_levels_.consistent()",
       [](OrderBook& bk, std::uint32_t, std::uint32_t, std::uint32_t e) {
         Words::layers(Access::asks(bk))[0][e >> 6] |= std::uint64_t{1} << (e & 63);
       }},
      {"a summary bit cleared over a non-empty word", "bid_levels_.consistent()",
       [](OrderBook& bk, std::uint32_t bid, std::uint32_t, std::uint32_t) {
         Words::layers(Access::bids(bk))[1][bid >> 12] &= ~(std::uint64_t{1} << ((bid >> 6) & 63));
       }},
      {"a level's count one too high", "lv.count == count",
       [](OrderBook& bk, std::uint32_t bid, std::uint32_t, std::uint32_t) { ++Access::count(bk, bid); }},
      {"best bid pointing at a worse level", "best_level(side) == first",
       [](OrderBook& bk, std::uint32_t bid, std::uint32_t, std::uint32_t) { Access::best_bid(bk) = bid; }},
  };
  for (const Damage& d : damages) {
    INFO(d.what);
    const ChildEnd end = run_in_child([&] {
      d.harm(b, bid_4096, ask_500k, empty);
      b.check_invariants();
    });
    INFO("child stderr: " << end.err);
    if (d.expect == nullptr) {
      CHECK_FALSE(end.aborted);
      CHECK(end.err.empty());
    } else {
      CHECK(end.aborted);
      CHECK(end.err.find("ERX invariant violated") != std::string::npos);
      CHECK(end.err.find(d.expect) != std::string::npos);
    }
  }
  b.check_invariants();  // the parent's book was never touched
}
