#pragma once
// Random order flow for the differential test.
//
// RandomFlow is a seeded generator of book requests (Op). It keeps a pool of
// ids it believes live and, when given an oracle (the reference book, fed the
// same ops), skips ids that have since filled, so cancels and modifies mostly
// hit live orders; a stale id is a legitimate UnknownOrderId reject. The
// profile and the seed fully determine the stream (the oracle is itself
// deterministic), so any failing run can be replayed from (profile, seed).
//
// Profiles:
//   Deep  <= 100 price levels around a fixed mid, up to ~20,000 live orders
//         (hundreds per level), many cancels in random order.
//   Wide  the mid walks (with momentum) over ~160,000 ticks; few orders per
//         level, long sweeps across empty levels.
//   Hot   a handful of levels, heavy aggression, market / IOC / FOK, STP between
//         three owners, small limits (BookFull, TooManyOwners), frequent modify.
// Every profile mixes in invalid input (id 0, duplicates, bad enums, zero /
// negative / huge / off-lot quantities, off-tick / outside-band prices, expired
// GTD, bad bands, time going backwards, bad STP modes), several faults at once
// sometimes, so the order of validation checks is exercised too.
//
// apply() runs one Op against any book with the OrderBook API, and
// run_lockstep() drives two books with the same ops and compares everything.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/book/book_types.hpp"
#include "engine/book/order_book.hpp"
#include "tests/support/event_recorder.hpp"

namespace erx::test {

enum class Profile : std::uint8_t { Deep = 0, Wide = 1, Hot = 2 };

[[nodiscard]] std::string_view to_string(Profile p) noexcept;
// The book configuration the profile's stream is meant for (tick, lot, ladder, limits).
[[nodiscard]] book::BookConfig book_config_for(Profile p);

enum class OpKind : std::uint8_t {
  Add = 0,
  Cancel = 1,
  Modify = 2,
  MassCancel = 3,
  CancelDay = 4,
  AdvanceTime = 5,
  SetBand = 6,
  SetOwnerStp = 7,
  RebaseLadder = 8,
};

struct Op {
  OpKind kind = OpKind::Add;
  book::NewOrder order{};                    // Add
  book::OrderId id = 0;                      // Cancel, Modify
  Price price = 0;                           // Modify: new price; SetBand, RebaseLadder: lo
  Price price_hi = 0;                        // SetBand, RebaseLadder: hi
  Qty qty = 0;                               // Modify: new qty (leaves)
  book::MassCancelFilter filter{};           // MassCancel
  book::Timestamp time = 0;                  // AdvanceTime
  book::OwnerId owner = 0;                   // SetOwnerStp
  book::StpMode mode = book::StpMode::None;  // SetOwnerStp
};

// One line, e.g. "add id=7 owner=2 Buy Limit Gtc stp=None price=1000 qty=30".
[[nodiscard]] std::string describe(const Op& op);

// The order id an op is about (Add / Cancel / Modify), else nullopt.
[[nodiscard]] std::optional<book::OrderId> op_order_id(const Op& op) noexcept;

// Runs one op against a book with the OrderBook API. Returns the request's
// return value where it has one (mass_cancel / cancel_day_orders: the count;
// set_owner_stp: the Reason code), else 0.
template <class Book>
std::int64_t apply(Book& book, const Op& op) {
  switch (op.kind) {
    case OpKind::Add: book.add(op.order); return 0;
    case OpKind::Cancel: book.cancel(op.id); return 0;
    case OpKind::Modify: book.modify(op.id, op.price, op.qty); return 0;
    case OpKind::MassCancel: return static_cast<std::int64_t>(book.mass_cancel(op.filter));
    case OpKind::CancelDay: return static_cast<std::int64_t>(book.cancel_day_orders());
    case OpKind::AdvanceTime: book.advance_time(op.time); return 0;
    case OpKind::SetBand: book.set_price_band(op.price, op.price_hi); return 0;
    case OpKind::SetOwnerStp:
      return static_cast<std::int64_t>(book.set_owner_stp(op.owner, op.mode));
    case OpKind::RebaseLadder: book.rebase_ladder(op.price, op.price_hi); return 0;
  }
  return -1;
}

class RandomFlow {
 public:
  RandomFlow(Profile profile, std::uint64_t seed);

  Op next();

  // Optional: lets the flow ask a model book (the reference, which is in the
  // same state as the book under test) which of its ids are still live, and at
  // what price / leaves. Without it the flow guesses, and many cancels and
  // modifies hit ids that were filled meanwhile. The stream stays a pure
  // function of (profile, seed) as long as the model is deterministic.
  using Oracle = std::function<std::optional<book::OrderView>(book::OrderId)>;
  void set_oracle(Oracle oracle) { oracle_ = std::move(oracle); }

  [[nodiscard]] Profile profile() const noexcept { return profile_; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] const book::BookConfig& config() const noexcept { return cfg_; }
  [[nodiscard]] std::uint64_t generated() const noexcept { return generated_; }
  [[nodiscard]] std::size_t believed_live() const noexcept { return pool_.size(); }

  // The first `n` ops of a (profile, seed) stream, with a ReferenceBook as the oracle.
  [[nodiscard]] static std::vector<Op> generate(Profile profile, std::uint64_t seed, std::size_t n);

 private:
  struct Tracked {
    book::OrderId id = 0;
    book::OwnerId owner = 0;
    book::Side side = book::Side::Buy;
    book::TimeInForce tif = book::TimeInForce::Gtc;
    Price price = 0;
    Qty qty = 0;
    book::Timestamp expire_at = 0;
  };

  struct Params {
    std::int64_t center = 0;          // starting mid, in ticks
    std::int64_t passive_span = 0;    // passive orders: up to this many ticks behind the mid
    std::int64_t cross_span = 0;      // aggressive orders: up to this many ticks through the mid
    bool walk = false;                // does the mid move?
    std::int64_t walk_lo = 0;         // mid range, in ticks
    std::int64_t walk_hi = 0;
    std::int64_t walk_step = 0;       // max ticks per op
    std::uint64_t move_one_in = 1;    // the mid moves with probability 1/move_one_in per op
    std::uint64_t flip_one_in = 1;    // trend flips with probability 1/flip_one_in per move
    std::int64_t band_window = 0;     // half-width of a narrowed band, in ticks
    std::size_t target_live = 0;      // pool size the add/cancel balance aims for
    std::uint64_t regime_one_in = 0;  // calm <-> busy switches with probability 1/N per op (0: always busy)
    std::vector<book::OwnerId> owners;       // everyday owners
    std::vector<book::OwnerId> rare_owners;  // occasionally (limits, edge ids)
    std::uint32_t rare_owner_per_mille = 0;
    std::int64_t small_lots = 1;      // usual qty: 1..small_lots lots
    std::int64_t big_lots = 1;        // sometimes: 1..big_lots lots
    std::uint32_t big_per_mille = 0;
    std::uint32_t huge_per_100k = 0;  // qty == max_order_qty (rounded to lot)
    std::uint32_t edge_per_mille = 0;  // limit orders at the far band edges (sweeps, first / last level)
    std::uint32_t aggressive_per_mille = 0;
    std::uint32_t market_per_mille = 0;
    std::uint32_t ioc_per_mille = 0;  // of limit orders
    std::uint32_t fok_per_mille = 0;  // of limit orders
    std::uint32_t gtd_per_mille = 0;  // of resting limit orders
    std::uint32_t day_per_mille = 0;  // of resting limit orders
    std::uint32_t invalid_per_mille = 0;  // adds and modifies with injected faults
    book::Timestamp time_step = 1;    // advance_time moves by 0..time_step
    book::Timestamp gtd_horizon = 1;  // Gtd expiry: now + 1..gtd_horizon
    book::Timestamp gtd_grain = 1;    // expiries on a grid, so they tie
    // op weights, per 100,000 ops
    std::uint32_t w_add = 0, w_cancel = 0, w_modify = 0, w_time = 0, w_stp = 0, w_band = 0;
    std::uint32_t w_mass_owner = 0, w_mass_side = 0, w_mass_all = 0, w_day = 0;
  };

  // random helpers (own mapping of mt19937_64 output: identical on every platform)
  std::uint64_t below(std::uint64_t n);                  // [0, n)
  std::int64_t between(std::int64_t lo, std::int64_t hi);  // [lo, hi]
  bool per_mille(std::uint32_t p) { return below(1000) < p; }

  Price tick_price(std::int64_t ticks) const { return ticks * cfg_.tick; }
  Price clamp_to_band(Price p) const;
  Price passive_price(book::Side side);
  Price aggressive_price(book::Side side);
  Qty random_qty();
  book::OrderId fresh_id();
  book::OwnerId random_owner();
  book::StpMode random_stp();
  book::Timestamp random_expiry();
  void forget_if(const auto& pred);  // drops pool entries (they are gone from the book)
  void note_dead(book::OrderId id);
  // Index of a pool entry that is live (as far as the oracle knows), refreshed
  // from the oracle; nullopt when the pool is empty.
  std::optional<std::size_t> pick_live();
  void drop_at(std::size_t k);  // removes pool_[k] (swap with the last)

  Op make_add();
  Op make_cancel();
  Op make_modify();
  Op make_mass_cancel(std::uint32_t which);
  Op make_cancel_day();
  Op make_advance_time();
  Op make_set_band();
  Op make_set_owner_stp();
  void inject_add_faults(book::NewOrder& o);

  Profile profile_;
  std::uint64_t seed_;
  book::BookConfig cfg_;
  Params p_;
  std::mt19937_64 rng_;

  std::int64_t mid_ = 0;  // ticks
  int trend_ = 1;
  bool calm_ = false;     // calm regime: little aggression, the book fills up
  Price ladder_lo_ = 0;   // the ladder (config() until a RebaseLadder moves it)
  Price ladder_hi_ = 0;
  Price band_lo_ = 0;     // the band as the flow believes it to be
  Price band_hi_ = 0;
  book::Timestamp now_ = 0;
  book::OrderId next_id_ = 1;
  std::vector<Tracked> pool_;        // ids believed live (resting)
  std::vector<book::OrderId> dead_;  // ids believed dead, for reuse and stale requests
  std::uint64_t generated_ = 0;
  Oracle oracle_;
};

// ------------------------------------------------------------------ lockstep

struct LockstepOptions {
  std::uint64_t check_every_op_until = 1000;  // invariants after each of the first N ops ...
  std::uint64_t check_every = 1000;           // ... then after every N-th op
  std::uint64_t compare_books_every = 257;    // best / depth / counters
  std::size_t depth_levels = 12;
  std::size_t history = 10;                   // last ops shown in a failure report
  bool trace = false;                         // print every op to stderr before running it
};

struct LockstepResult {
  bool equal = true;
  std::uint64_t ops_run = 0;
  std::uint64_t failed_op = 0;  // index of the op after which the difference showed
  std::uint64_t events = 0;     // events compared
  std::uint64_t hash = 0;       // hash of the expected stream
  std::string report;           // why it failed, with the last ops and both event windows
};

namespace detail {
std::string describe_level(const std::optional<book::LevelView>& v);
std::string describe_levels(std::span<const book::LevelView> v);
std::string describe_order(const std::optional<book::OrderView>& v);
bool same_order(const std::optional<book::OrderView>& a, const std::optional<book::OrderView>& b);

// Compares the query side of two books; returns an empty string when equal.
template <class Expected, class Actual>
std::string compare_state(const Expected& e, const Actual& a, std::size_t depth_levels) {
  std::string out;
  if (e.open_orders() != a.open_orders())
    out += "open_orders: expected " + std::to_string(e.open_orders()) + ", actual " +
           std::to_string(a.open_orders()) + "\n";
  if (e.now() != a.now())
    out += "now: expected " + std::to_string(e.now()) + ", actual " + std::to_string(a.now()) + "\n";
  if (e.price_band() != a.price_band())
    out += "price_band: expected [" + std::to_string(e.price_band().first) + ", " +
           std::to_string(e.price_band().second) + "], actual [" +
           std::to_string(a.price_band().first) + ", " + std::to_string(a.price_band().second) + "]\n";
  for (book::Side s : {book::Side::Buy, book::Side::Sell}) {
    const std::string side(book::to_string(s));
    const auto be = e.best(s);
    const auto ba = a.best(s);
    if (be != ba)
      out += "best(" + side + "): expected " + describe_level(be) + ", actual " + describe_level(ba) + "\n";
    std::vector<book::LevelView> de(depth_levels), da(depth_levels);
    de.resize(e.depth(s, std::span<book::LevelView>(de)));
    da.resize(a.depth(s, std::span<book::LevelView>(da)));
    if (de != da)
      out += "depth(" + side + "): expected " + describe_levels(de) + "\n   actual " + describe_levels(da) + "\n";
  }
  return out;
}

template <class Book>
std::string check_book(const Book& b) {
  if constexpr (requires { b.check_invariants(); }) {
    try {
      b.check_invariants();  // the real book aborts instead of throwing
    } catch (const std::exception& ex) {
      return ex.what();
    }
  }
  return {};
}
}  // namespace detail

// Drives `expected` and `actual` with the same ops (next_op() returns nullopt at
// the end, or `max_ops` is reached). After every op: the op's events must be
// identical (compare_streams), the return values equal, and find() of the op's
// order id equal; regularly: check_invariants() of both books, and best(),
// depth(), open_orders(), now(), price_band(). Stops at the first difference.
// At the end the running hashes and event counts of both recorders must agree.
// `label` (e.g. "profile=deep seed=42") heads a failure report.
template <class NextOp, class Expected, class Actual>
LockstepResult run_lockstep(NextOp&& next_op, std::uint64_t max_ops, Expected& expected,
                            EventRecorder& expected_events, Actual& actual,
                            EventRecorder& actual_events, const LockstepOptions& opt,
                            const std::string& label) {
  LockstepResult res;
  std::deque<std::string> history;
  std::uint64_t i = 0;

  auto failed = [&](const std::string& why) {
    res.equal = false;
    res.failed_op = i;
    std::string r = "DIFFERENCE " + label + " at op #" + std::to_string(i) + "\n" + why;
    if (!why.empty() && why.back() != '\n') r += "\n";
    r += "last ops (oldest first):\n";
    for (const std::string& h : history) r += "  " + h + "\n";
    r += "expected events of op #" + std::to_string(i) + ":\n" +
         describe_all(expected_events.events(), 0);
    r += "actual events of op #" + std::to_string(i) + ":\n" + describe_all(actual_events.events(), 0);
    res.report = r;
    return res;
  };

  for (; i < max_ops; ++i) {
    std::optional<Op> op = next_op();
    if (!op) break;
    history.push_back("#" + std::to_string(i) + " " + describe(*op));
    if (history.size() > opt.history) history.pop_front();
    if (opt.trace) std::fprintf(stderr, "%s\n", history.back().c_str());

    expected_events.clear_events();
    actual_events.clear_events();
    std::int64_t r_expected = 0;
    std::int64_t r_actual = 0;
    try {
      r_expected = apply(expected, *op);
    } catch (const std::exception& ex) {
      return failed(std::string("expected book threw: ") + ex.what());
    }
    try {
      r_actual = apply(actual, *op);
    } catch (const std::exception& ex) {
      return failed(std::string("actual book threw: ") + ex.what());
    }
    res.events += expected_events.events().size();

    const StreamComparison cmp = compare_streams(expected_events.events(), actual_events.events());
    if (!cmp.equal())
      return failed(cmp.description + "\n(events are numbered within the op; the op's first event is #" +
                    std::to_string(expected_events.count() - expected_events.events().size()) +
                    " of the whole expected stream)");
    if (r_expected != r_actual)
      return failed("return value: expected " + std::to_string(r_expected) + ", actual " +
                    std::to_string(r_actual));
    if (const auto id = op_order_id(*op)) {
      const auto fe = expected.find(*id);
      const auto fa = actual.find(*id);
      if (!detail::same_order(fe, fa))
        return failed("find(" + std::to_string(*id) + "): expected " + detail::describe_order(fe) +
                      ", actual " + detail::describe_order(fa));
    }
    if (i < opt.check_every_op_until || (i + 1) % opt.check_every == 0) {
      if (std::string e = detail::check_book(expected); !e.empty()) return failed("expected book invariant: " + e);
      if (std::string e = detail::check_book(actual); !e.empty()) return failed("actual book invariant: " + e);
    }
    if ((i + 1) % opt.compare_books_every == 0) {
      if (std::string d = detail::compare_state(expected, actual, opt.depth_levels); !d.empty())
        return failed(d);
    }
  }
  res.ops_run = i;
  if (std::string e = detail::check_book(expected); !e.empty()) return failed("expected book invariant: " + e);
  if (std::string e = detail::check_book(actual); !e.empty()) return failed("actual book invariant: " + e);
  if (std::string d = detail::compare_state(expected, actual, opt.depth_levels); !d.empty())
    return failed("at the end: " + d);
  if (expected_events.hash() != actual_events.hash() || expected_events.count() != actual_events.count())
    return failed("at the end: stream hashes / counts differ: expected " +
                  std::to_string(expected_events.count()) + " events hash " +
                  std::to_string(expected_events.hash()) + ", actual " +
                  std::to_string(actual_events.count()) + " events hash " +
                  std::to_string(actual_events.hash()));
  res.hash = expected_events.hash();
  return res;
}

}  // namespace erx::test
