// The differential test is only worth something if it can fail. These tests
// show that compare_streams() finds every kind of difference at the right
// index, and that the lockstep harness reports a book that is wrong on purpose
// (a reference with FIFO broken, a sink that alters one trade, a lost event).

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/book/order_book.hpp"
#include "tests/support/event_recorder.hpp"
#include "tests/support/random_flow.hpp"
#include "tests/support/reference_book.hpp"

using erx::book::Event;
using erx::book::EventKind;
using erx::book::OrderBook;
using erx::test::compare_streams;
using erx::test::EventRecorder;
using erx::test::LockstepOptions;
using erx::test::LockstepResult;
using erx::test::Op;
using erx::test::Profile;
using erx::test::RandomFlow;
using erx::test::ReferenceBook;

namespace {

// A realistic stream with every event kind: the reference book on the hot flow.
std::vector<Event> sample_stream(std::size_t ops = 3'000) {
  RandomFlow flow(Profile::Hot, 7);
  EventRecorder rec;
  ReferenceBook ref(flow.config(), rec);
  flow.set_oracle([&ref](erx::book::OrderId id) { return ref.find(id); });
  for (std::size_t i = 0; i < ops; ++i) erx::test::apply(ref, flow.next());
  return rec.events();
}

// First index >= from whose event is of `kind` and differs from its successor.
std::size_t index_of(const std::vector<Event>& s, EventKind kind, std::size_t from) {
  for (std::size_t i = from; i + 1 < s.size(); ++i)
    if (s[i].kind == kind && !(s[i] == s[i + 1])) return i;
  FAIL("no such event in the sample");
  return 0;
}

struct FieldChange {
  const char* name;
  std::function<void(Event&)> change;
};

const std::vector<FieldChange>& field_changes() {
  static const std::vector<FieldChange> changes = {
      {"kind", [](Event& e) { e.kind = e.kind == EventKind::Trade ? EventKind::Cancelled : EventKind::Trade; }},
      {"request", [](Event& e) { e.request = e.request == erx::book::Request::Add ? erx::book::Request::Modify : erx::book::Request::Add; }},
      {"side", [](Event& e) { e.side = e.side == erx::book::Side::Buy ? erx::book::Side::Sell : erx::book::Side::Buy; }},
      {"type", [](Event& e) { e.type = e.type == erx::book::OrderType::Limit ? erx::book::OrderType::Market : erx::book::OrderType::Limit; }},
      {"tif", [](Event& e) { e.tif = e.tif == erx::book::TimeInForce::Day ? erx::book::TimeInForce::Gtc : erx::book::TimeInForce::Day; }},
      {"priority_kept", [](Event& e) { e.priority_kept = !e.priority_kept; }},
      {"reason", [](Event& e) { e.reason = e.reason == erx::book::Reason::UserCancel ? erx::book::Reason::MassCancel : erx::book::Reason::UserCancel; }},
      {"owner", [](Event& e) { e.owner += 1; }},
      {"maker_owner", [](Event& e) { e.maker_owner += 1; }},
      {"order_id", [](Event& e) { e.order_id += 1; }},
      {"maker_id", [](Event& e) { e.maker_id += 1; }},
      {"price", [](Event& e) { e.price ^= 8; }},
      {"qty", [](Event& e) { e.qty ^= 1; }},
      {"leaves", [](Event& e) { e.leaves ^= 1; }},
      {"maker_leaves", [](Event& e) { e.maker_leaves ^= 1; }},
  };
  return changes;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Passes events on, but alters or drops one of them.
class TamperingSink final : public erx::book::EventSink {
 public:
  TamperingSink(erx::book::EventSink& inner, std::function<bool(Event&)> tamper)
      : inner_(inner), tamper_(std::move(tamper)) {}
  void on_event(const Event& e) override {
    Event copy = e;
    if (tamper_(copy)) inner_.on_event(copy);  // false: drop it
  }

 private:
  erx::book::EventSink& inner_;
  std::function<bool(Event&)> tamper_;
};

// Counts events of the reference alone, to know at which op the n-th trade happens.
std::uint64_t op_of_nth_trade(Profile p, std::uint64_t seed, int n) {
  RandomFlow flow(p, seed);
  EventRecorder rec;
  ReferenceBook ref(flow.config(), rec);
  flow.set_oracle([&ref](erx::book::OrderId id) { return ref.find(id); });
  int trades = 0;
  for (std::uint64_t i = 0;; ++i) {
    rec.clear_events();
    erx::test::apply(ref, flow.next());
    for (const Event& e : rec.events())
      if (e.kind == EventKind::Trade && ++trades == n) return i;
  }
}

template <class Actual>
LockstepResult lockstep(Profile p, std::uint64_t seed, std::uint64_t ops, ReferenceBook& ref,
                        EventRecorder& ref_events, Actual& actual, EventRecorder& actual_events) {
  RandomFlow flow(p, seed);
  flow.set_oracle([&ref](erx::book::OrderId id) { return ref.find(id); });
  return erx::test::run_lockstep([&]() -> std::optional<Op> { return flow.next(); }, ops, ref, ref_events,
                                 actual, actual_events, LockstepOptions{}, "test");
}

}  // namespace

TEST_CASE("compare_streams: identical streams are equal", "[comparator]") {
  const std::vector<Event> s = sample_stream();
  REQUIRE(s.size() > 1'000);
  const auto r = compare_streams(s, s);
  CHECK(r.equal());
  CHECK_FALSE(r.first_difference.has_value());
  CHECK(r.description.empty());
  CHECK(compare_streams({}, {}).equal());

  EventRecorder a, b;
  for (const Event& e : s) {
    a.on_event(e);
    b.on_event(e);
  }
  CHECK(a.hash() == b.hash());
  CHECK(a.count() == s.size());
}

TEST_CASE("compare_streams: one changed field, of every kind, is found at its index", "[comparator]") {
  const std::vector<Event> s = sample_stream();
  for (EventKind kind : {EventKind::Accepted, EventKind::Trade, EventKind::Cancelled, EventKind::Modified,
                         EventKind::Rejected}) {
    const std::size_t k = index_of(s, kind, s.size() / 2);
    for (const FieldChange& f : field_changes()) {
      INFO("event kind " << static_cast<int>(kind) << " at #" << k << ", field " << f.name);
      std::vector<Event> changed = s;
      f.change(changed[k]);
      REQUIRE_FALSE(changed[k] == s[k]);
      const auto r = compare_streams(s, changed);
      REQUIRE(r.first_difference.has_value());
      CHECK(*r.first_difference == k);
      CHECK(contains(r.description, "[" + std::string(f.name) + "]"));
      CHECK(contains(r.description, "expected: " + erx::book::describe(s[k])));
      CHECK(contains(r.description, "actual:   " + erx::book::describe(changed[k])));

      EventRecorder a, b;
      for (const Event& e : s) a.on_event(e);
      for (const Event& e : changed) b.on_event(e);
      CHECK(a.hash() != b.hash());
    }
  }
}

TEST_CASE("compare_streams: a missing, an extra or a reordered event is found at its index", "[comparator]") {
  const std::vector<Event> s = sample_stream();
  const std::size_t k = index_of(s, EventKind::Trade, s.size() / 3);

  SECTION("missing in the middle") {
    std::vector<Event> t = s;
    t.erase(t.begin() + static_cast<std::ptrdiff_t>(k));
    const auto r = compare_streams(s, t);
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == k);
  }
  SECTION("missing at the end") {
    std::vector<Event> t = s;
    t.pop_back();
    const auto r = compare_streams(s, t);
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == s.size() - 1);
    CHECK(contains(r.description, "missing"));
  }
  SECTION("all missing") {
    const auto r = compare_streams(s, {});
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == 0);
    CHECK(contains(r.description, "missing"));
  }
  SECTION("extra in the middle") {
    std::vector<Event> t = s;
    t.insert(t.begin() + static_cast<std::ptrdiff_t>(k), s[k + 1]);
    const auto r = compare_streams(s, t);
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == k);
  }
  SECTION("extra at the end") {
    std::vector<Event> t = s;
    t.push_back(s.front());
    const auto r = compare_streams(s, t);
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == s.size());
    CHECK(contains(r.description, "extra"));
    CHECK(contains(r.description, erx::book::describe(s.front())));
  }
  SECTION("two events swapped") {
    std::vector<Event> t = s;
    std::swap(t[k], t[k + 1]);
    const auto r = compare_streams(s, t);
    REQUIRE(r.first_difference.has_value());
    CHECK(*r.first_difference == k);
  }
  SECTION("the same events in another order give another hash") {
    std::vector<Event> t = s;
    std::swap(t[k], t[k + 1]);
    EventRecorder a, b;
    for (const Event& e : s) a.on_event(e);
    for (const Event& e : t) b.on_event(e);
    CHECK(a.hash() != b.hash());
    CHECK(a.count() == b.count());
  }
}

TEST_CASE("random flow: the seed alone determines the stream", "[comparator]") {
  for (Profile p : {Profile::Deep, Profile::Wide, Profile::Hot}) {
    const auto a = RandomFlow::generate(p, 99, 5'000);
    const auto b = RandomFlow::generate(p, 99, 5'000);
    const auto c = RandomFlow::generate(p, 100, 5'000);
    std::size_t same_as_c = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      REQUIRE(erx::test::describe(a[i]) == erx::test::describe(b[i]));
      if (erx::test::describe(a[i]) == erx::test::describe(c[i])) ++same_as_c;
    }
    CHECK(same_as_c < a.size() / 2);
  }
}

TEST_CASE("lockstep harness: two correct reference books agree", "[comparator][harness]") {
  const auto cfg = erx::test::book_config_for(Profile::Deep);
  EventRecorder ea, eb;
  ReferenceBook a(cfg, ea);
  ReferenceBook b(cfg, eb);
  const LockstepResult r = lockstep(Profile::Deep, 3, 20'000, a, ea, b, eb);
  INFO(r.report);
  CHECK(r.equal);
  CHECK(r.ops_run == 20'000);
  CHECK(r.events > 20'000);
}

TEST_CASE("lockstep harness: a reference with FIFO broken is caught", "[comparator][harness]") {
  const auto cfg = erx::test::book_config_for(Profile::Deep);
  EventRecorder ea, eb;
  ReferenceBook good(cfg, ea);
  ReferenceBook lifo(cfg, eb, ReferenceBook::Fault::LifoWithinLevel);
  const LockstepResult r = lockstep(Profile::Deep, 3, 50'000, good, ea, lifo, eb);
  CHECK_FALSE(r.equal);
  CHECK(r.failed_op < 50'000);
  CHECK(contains(r.report, "DIFFERENCE test at op #" + std::to_string(r.failed_op)));
  CHECK(contains(r.report, "maker_id"));  // the wrong maker traded
}

TEST_CASE("lockstep harness: the real book behind a sink that alters one trade is caught", "[comparator][harness]") {
  const Profile p = Profile::Hot;
  const std::uint64_t seed = 11;
  const std::uint64_t op = op_of_nth_trade(p, seed, 25);
  const auto cfg = erx::test::book_config_for(p);
  EventRecorder ea, eb;
  int trades = 0;
  TamperingSink tamper(eb, [&trades](Event& e) {
    if (e.kind == EventKind::Trade && ++trades == 25) e.qty += 1;
    return true;
  });
  ReferenceBook ref(cfg, ea);
  OrderBook real(cfg, tamper);
  const LockstepResult r = lockstep(p, seed, op + 1'000, ref, ea, real, eb);
  CHECK_FALSE(r.equal);
  CHECK(r.failed_op == op);
  CHECK(contains(r.report, "differs in [qty]"));
}

TEST_CASE("lockstep harness: the real book behind a sink that loses one event is caught", "[comparator][harness]") {
  const Profile p = Profile::Wide;
  const std::uint64_t seed = 5;
  const auto cfg = erx::test::book_config_for(p);
  EventRecorder ea, eb;
  std::uint64_t n = 0;
  TamperingSink drop(eb, [&n](Event&) { return ++n != 4'321; });
  ReferenceBook ref(cfg, ea);
  OrderBook real(cfg, drop);
  const LockstepResult r = lockstep(p, seed, 20'000, ref, ea, real, eb);
  CHECK_FALSE(r.equal);
  CHECK(r.failed_op < 20'000);
}

TEST_CASE("lockstep harness: a difference only visible in the queries is caught", "[comparator][harness]") {
  // Same events, but one query answers wrongly: the harness's state checks
  // (find() after each op, best/depth/open_orders regularly) must notice.
  enum class Lie { OpenOrders, FindLeaves, Depth };
  struct LyingBook {
    ReferenceBook inner;
    Lie lie;
    LyingBook(const erx::book::BookConfig& c, erx::book::EventSink& s, Lie l) : inner(c, s), lie(l) {}
    void add(const erx::book::NewOrder& o) { inner.add(o); }
    void cancel(erx::book::OrderId id) { inner.cancel(id); }
    void modify(erx::book::OrderId id, erx::Price p, erx::Qty q) { inner.modify(id, p, q); }
    std::uint32_t mass_cancel(const erx::book::MassCancelFilter& f) { return inner.mass_cancel(f); }
    std::uint32_t cancel_day_orders() { return inner.cancel_day_orders(); }
    void advance_time(erx::book::Timestamp t) { inner.advance_time(t); }
    void set_price_band(erx::Price lo, erx::Price hi) { inner.set_price_band(lo, hi); }
    void rebase_ladder(erx::Price lo, erx::Price hi) { inner.rebase_ladder(lo, hi); }
    erx::book::Reason set_owner_stp(erx::book::OwnerId o, erx::book::StpMode m) { return inner.set_owner_stp(o, m); }
    std::optional<erx::book::LevelView> best(erx::book::Side s) const { return inner.best(s); }
    std::size_t depth(erx::book::Side s, std::span<erx::book::LevelView> out) const {
      const std::size_t n = inner.depth(s, out);
      if (lie == Lie::Depth && n > 3 && inner.open_orders() > 2'000) out[3].orders += 1;
      return n;
    }
    std::optional<erx::book::OrderView> find(erx::book::OrderId id) const {
      auto v = inner.find(id);
      if (lie == Lie::FindLeaves && v && v->leaves > 50) v->leaves -= 1;
      return v;
    }
    std::uint32_t open_orders() const { return inner.open_orders() + (lie == Lie::OpenOrders && inner.open_orders() > 500 ? 1 : 0); }
    erx::book::Timestamp now() const { return inner.now(); }
    std::pair<erx::Price, erx::Price> price_band() const { return inner.price_band(); }
  };
  const auto cfg = erx::test::book_config_for(Profile::Deep);
  for (auto [lie, words] : {std::pair{Lie::OpenOrders, "open_orders: expected"},
                            std::pair{Lie::FindLeaves, "find("},
                            std::pair{Lie::Depth, "depth(Buy)"}}) {
    INFO("lie " << static_cast<int>(lie));
    EventRecorder ea, eb;
    ReferenceBook ref(cfg, ea);
    LyingBook wrong(cfg, eb, lie);
    const LockstepResult r = lockstep(Profile::Deep, 8, 30'000, ref, ea, wrong, eb);
    CHECK_FALSE(r.equal);
    CHECK(contains(r.report, words));
  }
}
