// The state description (engine/exchange/state_fields.hpp) is what snapshots
// and the state hash walk, so it must name every data member of every state
// struct, and each member must reach what its verb says:
//   - census: every struct's described members cover the struct (a member
//     added but not described leaves bytes no description covers, and an
//     aggregate's member count differs from its description's); the Exchange
//     itself is no aggregate, so its header's member list is read as well;
//   - reach: changing one described value changes the state hash when it is
//     field / hashed, the snapshot body when it is field / saved / must_match,
//     and neither when it is derived / scratch;
//   - a loaded snapshot saves the very bytes it was loaded from.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/snapshot.hpp"
#include "engine/exchange/state_fields.hpp"

using namespace erx::exchange;
using erx::Money;

namespace {

class NullSink final : public ExchangeSink {
  void on_event(Seq, const Event&) override {}
};

// ---------------------------------------------------------------- census

// How many initialisers an aggregate takes: one per member, an array member
// one per element (brace elision). Any converts to every member type (but
// std::optional, whose converting constructor would make it ambiguous).
template <class T>
struct IsOpt : std::false_type {};
template <class T>
struct IsOpt<std::optional<T>> : std::true_type {};
}  // namespace
// Outside the unnamed namespace: its conversion is declared, never defined.
namespace census {
struct Any {
  template <class T>
    requires(!IsOpt<T>::value)
  operator T() const;  // never called: unevaluated only
};
}  // namespace census
namespace {
using census::Any;
template <class T, std::size_t... I>
constexpr bool takes(std::index_sequence<I...>) {
  return requires { T{(void(I), Any{})...}; };
}
template <class T, std::size_t N = 0>
constexpr std::size_t initialisers() {
  if constexpr (!takes<T>(std::make_index_sequence<N + 1>{}))
    return N;
  else
    return initialisers<T, N + 1>();
}

std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

// Where each described member of one object lies, and the records it holds.
class Census : public MemberVisitor<Census> {
 public:
  Census(const void* object, std::size_t size, std::size_t align, std::string what, std::vector<std::string>& problems)
      : base_(static_cast<const char*>(object)), size_(size), align_(align), what_(std::move(what)), problems_(problems) {}

  template <Role, class T>
  void member(std::string_view n, T& m) {
    add(n, m);
  }

  // Checks a record type: a default one, its described members, its aggregate count.
  template <class R>
  static void record(std::string what, std::vector<std::string>& problems) {
    auto r = std::make_unique<R>();
    Census c(r.get(), sizeof(R), alignof(R), what, problems);
    StateFields::fields(c, *r);
    c.check();
    if (initialisers<R>() != c.initialisers_)
      problems.push_back(what + ": " + std::to_string(initialisers<R>()) + " members (arrays by element), " +
                         std::to_string(c.initialisers_) + " described");
  }

  // Every described member is where the struct's layout puts it, one after
  // another with only alignment padding between, and the last ends the struct.
  void check() {
    std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) { return a.offset < b.offset; });
    std::size_t pos = 0;
    for (const Span& s : spans_) {
      place_references(pos, s.offset, s.align);
      if (s.offset < pos)
        problems_.push_back(what_ + ": " + s.name + " overlaps the member before it (described twice?)");
      else if (align_up(pos, s.align) != s.offset)
        problems_.push_back(what_ + ": bytes [" + std::to_string(pos) + ", " + std::to_string(s.offset) +
                            ") before " + s.name + " are no described member");
      pos = std::max(pos, s.offset + s.size);
    }
    place_references(pos, size_, align_);
    if (align_up(pos, align_) != size_)
      problems_.push_back(what_ + ": bytes [" + std::to_string(pos) + ", " + std::to_string(size_) +
                          ") at the end are no described member");
  }

 private:
  struct Span {
    std::string name;
    std::size_t offset, size, align;
  };

  template <class T>
  void add(std::string_view n, T& m) {
    using U = std::remove_cvref_t<T>;
    const std::string name = what_ + "." + std::string(n);
    if constexpr (Table<U>) {
      at(n, m.c);
      Census::record<typename U::Record>(name, problems_);
    } else {
      at(n, m);
      if constexpr (Described<U> && !std::is_same_v<U, Exchange>) Census::record<U>(name, problems_);
      if constexpr (std::is_array_v<U> && Described<std::remove_extent_t<U>>)
        Census::record<std::remove_extent_t<U>>(name, problems_);
      if constexpr (std::is_same_v<U, std::unique_ptr<erx::book::OrderBook>>) {
        Census::record<BookOwner>(name + ".owners", problems_);
        Census::record<erx::book::OrderView>(name + ".resting", problems_);
      }
    }
  }
  template <class M>
  void at(std::string_view n, M& m) {
    using U = std::remove_cvref_t<M>;
    initialisers_ += std::is_array_v<U> ? std::extent_v<U> : 1;
    const char* p = reinterpret_cast<const char*>(&m);
    if (p < base_ || p >= base_ + size_) {
      ++references_;  // a reference member: the address is its object's, the member is a pointer
      return;
    }
    spans_.push_back(Span{std::string(n), static_cast<std::size_t>(p - base_), sizeof(U), alignof(U)});
  }
  // A reference member is stored as a pointer: it fills a gap that fits one.
  void place_references(std::size_t& pos, std::size_t next, std::size_t next_align) {
    while (references_ > 0 && align_up(pos, next_align) != next &&
           align_up(pos, alignof(void*)) + sizeof(void*) <= next) {
      pos = align_up(pos, alignof(void*)) + sizeof(void*);
      --references_;
    }
  }

  const char* base_;
  std::size_t size_, align_;
  std::string what_;
  std::vector<std::string>& problems_;
  std::vector<Span> spans_;
  std::size_t initialisers_ = 0;
  int references_ = 0;
};

// The Exchange's data members as its header declares them (a name ending in
// '_' at the class's own brace depth, no parenthesis, not static), without
// the '_'. A member small enough to hide in padding escapes the census's
// layout check; it cannot escape this list.
std::set<std::string> declared_exchange_members() {
  std::ifstream in(std::filesystem::path(ERX_SOURCE_DIR) / "engine/exchange/exchange.hpp");
  const std::regex member(R"(^[^(]*[\s&*>]([a-z]\w*)_\s*(\[[^\]]*\])?\s*(=[^;]*|\{.*\})?;\s*$)");
  std::set<std::string> names;
  std::string line;
  int depth = -1;  // outside the class
  while (std::getline(in, line)) {
    line = line.substr(0, line.find("//"));
    if (depth < 0) {
      if (line.rfind("class Exchange {", 0) == 0) depth = 1;
      continue;
    }
    std::smatch m;
    if (depth == 1 && line.find("static") == std::string::npos && std::regex_search(line, m, member))
      names.insert(m[1]);
    depth += static_cast<int>(std::count(line.begin(), line.end(), '{') - std::count(line.begin(), line.end(), '}'));
    if (depth == 0) break;
  }
  return names;
}

// The names the description gives the Exchange's own members.
struct Names : MemberVisitor<Names> {
  std::set<std::string> names;
  template <Role, class T>
  void member(std::string_view n, T&) {
    names.emplace(n);
  }
};

// ---------------------------------------------------------------- reach

enum class Reaches { Both, Snapshot, Hash, Neither };

// Changes the k-th described value (in walk order) and says what it should
// reach; undo() puts it back. Values inside the books are the book's (the
// walk sees copies) and are left alone.
class Mutator : public MemberVisitor<Mutator>, public detail::EveryField<Mutator> {
 public:
  explicit Mutator(std::size_t k) : k_(k) {}

  template <Role R, class T>
  void member(std::string_view n, T& m) {
    if constexpr (R == Role::Field)
      visit(n, m, reach_);
    else if constexpr (is_saved(R))
      visit(n, m, Reaches::Snapshot);
    else if constexpr (is_hashed(R))
      visit(n, m, Reaches::Hash);
    else
      visit(n, m, Reaches::Neither);
  }
  // A field of reference data (EveryField's hook).
  template <class T>
  void value(std::string_view n, T& m) {
    visit(n, m, reach_);
  }

  [[nodiscard]] bool found() const noexcept { return undo_ != nullptr; }
  [[nodiscard]] Reaches reaches() const noexcept { return hit_reach_; }
  [[nodiscard]] const std::string& path() const noexcept { return hit_path_; }
  void undo() { undo_(); }

 private:
  template <class T>
  void visit(std::string_view n, T& m, Reaches r) {
    using U = std::remove_cvref_t<T>;
    if (found()) return;
    const Reaches outer = reach_;
    reach_ = r;
    path_.emplace_back(n);
    if constexpr (std::is_const_v<std::remove_reference_t<T>>) {
      // ClOrdIndex::entries() is const; the entries themselves are not.
      visit(n, const_cast<U&>(m), r);
    } else if constexpr (std::is_same_v<U, bool> || std::is_integral_v<U> || std::is_enum_v<U> ||
                         detail::IsFixedString<U>::value || std::is_same_v<U, Money> ||
                         std::is_same_v<U, Decimal>) {
      leaf(m);
    } else if constexpr (CommandSpec<U>) {
      detail::fields(*this, m);
    } else if constexpr (IsOptional<U>::value) {
      if (m) visit(n, *m, r);
    } else if constexpr (IsVector<U>::value) {
      for (auto& x : m) visit(n, x, r);
    } else if constexpr (std::is_array_v<U>) {
      for (auto& x : m) visit(n, x, r);
    } else if constexpr (Table<U>) {
      if constexpr (!std::is_same_v<typename U::Record, BookOwner> &&
                    !std::is_same_v<typename U::Record, erx::book::OrderView>)
        m.for_each([&](auto& record) { visit(n, record, r); });
    } else if constexpr (Described<U>) {
      StateFields::fields(*this, m);
    } else if constexpr (std::is_same_v<U, Balances>) {
      if (m.slots() > 1) leaf_cell(m);
    }
    // else: the book, indexes, pointers, the sink: no value of their own to change
    path_.pop_back();
    reach_ = outer;
  }

  template <class T>
  void leaf(T& m) {
    if (seen_++ != k_) return;
    const T old = m;
    if constexpr (std::is_same_v<T, bool>)
      m = !m;
    else if constexpr (std::is_integral_v<T>)
      m = static_cast<T>(m ^ 1);
    else if constexpr (std::is_enum_v<T>)
      m = static_cast<T>(static_cast<std::underlying_type_t<T>>(m) ^ 1);
    else if constexpr (detail::IsFixedString<T>::value)
      m = T::of(m.empty() ? std::string("x") : std::string(m.view()).substr(0, m.size() - 1) + "~");
    else if constexpr (std::is_same_v<T, Money>)
      m += 1;
    else
      m.units ^= 1;
    undo_ = [&m, old] { m = old; };
    hit();
  }
  void leaf_cell(Balances& b) {
    if (seen_++ != k_) return;
    Balances::Row row = b.row(1, kCash);
    const Balances::Row old = row;
    row[0] += 1;
    b.restore_row(1, kCash, row);
    undo_ = [&b, old] { b.restore_row(1, kCash, old); };
    hit();
  }
  void hit() {
    hit_reach_ = reach_;
    for (const std::string& p : path_) hit_path_ += (hit_path_.empty() ? "" : ".") + p;
  }

  std::size_t k_;
  std::size_t seen_ = 0;
  Reaches reach_ = Reaches::Both;
  std::vector<std::string> path_;
  std::function<void()> undo_;
  Reaches hit_reach_ = Reaches::Both;
  std::string hit_path_;
};

// A state with something in every table: members in regions, a restricted
// account, operators (one suspended), two fee schedules, two instruments (one
// with a pending change), a trade, resting orders of every kind, holds.
constexpr const char* kState = R"(
at 2026-03-02T00:00:00Z
create-member member=1 name=Buyer region=Nanchang category=compliance-entity
create-member member=2 name=Seller region=Nanchang basin=Gan stp=cancel-maker
create-account account=11 member=1
create-account account=12 member=1
create-account account=21 member=2
create-operator operator=101 member=1 name=Trader
create-operator operator=102 member=1 name=Risk role=admin
set-operator operator=102 role=admin active=false
set-fees right_class=carbon-allowance trading_rate_ppm=1500 trading_minimum=1.00 settlement_rate_ppm=500 settlement_minimum=0.50
create-instrument symbol=CEA25 right_class=carbon-allowance unit=tCO2e vintage=2025 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=99999 band_bps=1000 reference_price=85.00
create-instrument symbol=SO2-GZ-5Y right_class=emission-right unit=t/yr pollutant=SO2 region=Nanchang term_years=5 last_trading_date=2030-12-31 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=5000 band_bps=1000 reference_price=389.00 price_unit=per-unit-year
deposit account=11 amount=100000.00
deposit account=12 amount=500.00
deposit account=21 amount=1000.00
issue account=21 symbol=CEA25 qty=1000
move-rights account=21 symbol=CEA25 qty=900
issue account=21 symbol=SO2-GZ-5Y qty=50
move-rights account=21 symbol=SO2-GZ-5Y qty=50
hold account=21 symbol=CEA25 qty=10 kind=frozen
at 2026-03-02T01:30:00Z
open-day date=2026-03-02
set-session state=continuous
change-instrument symbol=CEA25 right_class=carbon-allowance unit=tCO2e vintage=2025 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=99999 band_bps=500 reference_price=85.00
order account=21 clord_id=S1 symbol=CEA25 side=sell price=85.00 qty=100 operator=101
order account=11 clord_id=B1 symbol=CEA25 side=buy price=85.10 qty=30 operator=101
order account=11 clord_id=B2 symbol=CEA25 side=buy tif=gtd price=84.00 qty=10 expire_at=2026-03-02T20:00:00Z
order account=11 clord_id=B3 symbol=CEA25 side=buy tif=gtc price=83.50 qty=7
order account=21 clord_id=S2 symbol=SO2-GZ-5Y side=sell price=390.00 qty=5 tif=gtc
order account=11 clord_id=B4 symbol=SO2-GZ-5Y side=buy price=388.00 qty=2
set-account-restricted account=12 restricted=true
)";

void build(Exchange& ex) {
  const ParsedScript script = parse_script(kState);
  REQUIRE(script.errors.empty());
  for (const Command& c : script.commands) ex.apply(c);
  ex.check_invariants();
  REQUIRE(ex.open_orders() >= 5);
}

std::string body_of(const Exchange& ex) {
  std::string bytes;
  ex.save_snapshot(bytes);
  SnapshotHeader h;
  REQUIRE(read_snapshot_header(bytes, h, nullptr));
  return std::string(h.body);
}

}  // namespace

TEST_CASE("state description: every member of every state struct is described", "[snapshot]") {
  NullSink sink;
  Exchange ex(sink);
  std::vector<std::string> problems;
  Census c(&ex, sizeof(Exchange), alignof(Exchange), "Exchange", problems);
  StateFields::fields(c, ex);
  c.check();
  CAPTURE(problems);
  CHECK(problems.empty());

  Names described;
  StateFields::fields(described, ex);
  const std::set<std::string> declared = declared_exchange_members();
  CHECK(declared.size() > 20);  // the header was found and read
  CHECK(declared == described.names);
}

TEST_CASE("state description: every described value reaches what its verb says", "[snapshot]") {
  NullSink sink;
  Exchange ex(sink);
  build(ex);
  const std::uint64_t hash = ex.state_hash();
  const std::string body = body_of(ex);
  std::size_t values = 0;
  for (std::size_t k = 0;; ++k) {
    Mutator m(k);
    StateFields::fields(m, ex);
    if (!m.found()) break;
    ++values;
    const bool hash_moved = ex.state_hash() != hash;
    const bool body_moved = body_of(ex) != body;
    m.undo();
    INFO("value " << k << ": " << m.path());
    switch (m.reaches()) {
      case Reaches::Both: CHECK((hash_moved && body_moved)); break;
      case Reaches::Snapshot: CHECK((!hash_moved && body_moved)); break;
      case Reaches::Hash: CHECK((hash_moved && !body_moved)); break;
      case Reaches::Neither: CHECK((!hash_moved && !body_moved)); break;
    }
    REQUIRE(ex.state_hash() == hash);
  }
  CHECK(values > 300);
}

TEST_CASE("state description: a loaded snapshot saves the bytes it was loaded from", "[snapshot]") {
  NullSink sink;
  Exchange ex(sink);
  build(ex);
  std::string bytes, again, error;
  ex.save_snapshot(bytes);
  Exchange back(sink);
  REQUIRE(back.load_snapshot(bytes, &error));
  back.save_snapshot(again);
  CHECK(again == bytes);
  CHECK(back.state_hash() == ex.state_hash());
}
