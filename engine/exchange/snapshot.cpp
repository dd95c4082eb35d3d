// Exchange snapshots: save the whole state as canonical bytes, load it into a
// fresh Exchange. The body (after the frame of snapshot.hpp) is the state
// description of state_fields.hpp walked in order, each saved member in the
// encoding listed there: limits (must equal the loader's), clock, members,
// operators, accounts, fee schedules, instruments with their books, balances,
// live orders by id, the day's ClOrdIDs (docs/LEDGER.md "Snapshots" spells
// it out). The state hash walks the same description (state_hash.cpp).
//
// Derived members (id indexes, symbol table, members' account lists, decoded
// units, the order pool's slots) are rebuilt as their records are loaded.
// Loading checks every reference and every invariant check_invariants()
// would assert, so bad bytes give an error, never an abort; the state hash
// in the frame is checked last.

#include "engine/exchange/snapshot.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/command_codec.hpp"
#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/state_fields.hpp"

namespace erx::exchange {

// ---------------------------------------------------------------- writer / reader

void SnapshotWriter::money(const Money& m) {
  const Money mag = m < 0 ? Money(-m) : m;
  const Money low_mask = Money(~std::uint64_t{0});
  u8(m < 0 ? 1 : 0);
  u64(static_cast<std::uint64_t>(mag & low_mask));
  u64(static_cast<std::uint64_t>(mag >> 64));
}

void SnapshotWriter::text(std::string_view s) {
  ERX_ASSERT(s.size() < 256);
  u8(static_cast<std::uint8_t>(s.size()));
  raw(s);
}

void SnapshotWriter::patch_u64(std::size_t at, std::uint64_t v) {
  ERX_ASSERT(at + 8 <= out_.size());
  for (int i = 0; i < 8; ++i) out_[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
}

bool SnapshotReader::fail(const std::string& what) {
  if (error_.empty()) error_ = what + " (at byte " + std::to_string(pos_) + ")";
  return false;
}

bool SnapshotReader::take(std::size_t n) {
  if (!error_.empty()) return false;
  if (p_.size() - pos_ < n) return fail("truncated");
  pos_ += n;
  return true;
}

std::uint64_t SnapshotReader::le(std::size_t bytes) {
  if (!take(bytes)) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = bytes; i-- > 0;) v = v << 8 | static_cast<unsigned char>(p_[pos_ - bytes + i]);
  return v;
}

bool SnapshotReader::boolean() {
  const std::uint8_t v = u8();
  if (v > 1) fail("a flag is neither 0 nor 1");
  return v == 1;
}

Money SnapshotReader::money() {
  const std::uint8_t sign = u8();
  const std::uint64_t lo = u64();
  const std::uint64_t hi = u64();
  const Money mag = (Money(hi) << 64) | Money(lo);
  if (sign > 1 || (sign == 1 && mag == 0)) {
    fail("an amount has no canonical sign");
    return 0;
  }
  return sign == 1 ? Money(-mag) : mag;
}

std::string_view SnapshotReader::text() { return raw(u8()); }

std::string_view SnapshotReader::raw(std::size_t n) {
  if (!take(n)) return {};
  return p_.substr(pos_ - n, n);
}

std::uint32_t SnapshotReader::count(std::size_t item_bytes, std::string_view what) {
  const std::uint32_t n = u32();
  if (ok() && std::uint64_t{n} * item_bytes > p_.size() - pos_) {
    fail(std::string(what) + ": count larger than the bytes left");
    return 0;
  }
  return n;
}

std::uint64_t snapshot_checksum(std::string_view bytes) noexcept {
  // Eight bytes at a time through a multiply-xorshift mix (the state hash's
  // finaliser), then the tail and the length: a flipped bit anywhere changes it.
  std::uint64_t h = 0x534E4150'53484F54ull;  // "SNAPSHOT"
  auto mix = [&h](std::uint64_t w) {
    h ^= w + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
  };
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w = 0;
    for (std::size_t k = 8; k-- > 0;) w = w << 8 | static_cast<unsigned char>(bytes[i + k]);
    mix(w);
  }
  std::uint64_t tail = 0;
  for (std::size_t k = bytes.size(); k-- > i;) tail = tail << 8 | static_cast<unsigned char>(bytes[k]);
  mix(tail);
  mix(bytes.size());
  return h;
}

namespace {
constexpr std::size_t kFrameHead = 8 + 4 + 8 + 8 + 8;  // magic, format, seq, hash, length
constexpr std::size_t kFrameTail = 8;                  // checksum
}  // namespace

bool read_snapshot_header(std::string_view bytes, SnapshotHeader& out, std::string* error) {
  auto no = [error](const std::string& why) {
    if (error) *error = "snapshot: " + why;
    return false;
  };
  if (bytes.size() < kFrameHead + kFrameTail) return no("shorter than its frame");
  SnapshotReader r(bytes);
  if (r.raw(8) != kSnapshotMagic) return no("not a snapshot (bad magic)");
  out.format = r.u32();
  if (out.format != kSnapshotFormat)
    return no("format " + std::to_string(out.format) + ", this build reads " + std::to_string(kSnapshotFormat));
  out.seq = r.u64();
  out.state_hash = r.u64();
  const std::uint64_t n = r.u64();
  if (n != bytes.size() - kFrameHead - kFrameTail) return no("body length does not match the bytes");
  out.body = r.raw(static_cast<std::size_t>(n));
  const std::uint64_t sum = r.u64();
  if (!r.ok() || !r.at_end()) return no("frame unreadable");
  if (sum != snapshot_checksum(bytes.substr(0, bytes.size() - kFrameTail))) return no("checksum mismatch");
  return true;
}

// ---------------------------------------------------------------- saving

namespace {

// Reference data as the command that would create it now (the journal's body).
CommandBody as_command(const CreateMember& s) { return s; }
CommandBody as_command(const CreateOperator& s) { return s; }
CommandBody as_command(const InstrumentSpec& s) { return CreateInstrument{s}; }

// Writes what the state description saves (field, saved, must_match), in its
// order, each value in its snapshot encoding (state_fields.hpp).
class Saver : public MemberVisitor<Saver> {
 public:
  explicit Saver(SnapshotWriter& w) : w_(w) {}

  template <Role R, class T>
  void member(std::string_view, const T& m) {
    if constexpr (is_saved(R)) read_value(*this, m);
  }

  // read_value()'s hooks
  void presence(bool present) { w_.boolean(present); }
  void list_size(std::size_t n) { w_.u32(static_cast<std::uint32_t>(n)); }
  void table_size(std::size_t n) { w_.u32(static_cast<std::uint32_t>(n)); }
  template <CommandSpec T>
  void spec(const T& s) {
    std::string bytes;
    encode_body(as_command(s), bytes);
    w_.u16(static_cast<std::uint16_t>(bytes.size()));
    w_.raw(bytes);
  }
  template <class T>
  void scalar(const T& m) {
    if constexpr (std::is_same_v<T, bool>)
      w_.boolean(m);
    else if constexpr (std::is_integral_v<T>)
      w_.integer(m);
    else if constexpr (std::is_enum_v<T>)
      w_.integer(static_cast<std::underlying_type_t<T>>(m));
    else if constexpr (detail::IsFixedString<T>::value)
      w_.text(m.view());
    else {
      static_assert(std::is_same_v<T, Money>, "a value with no encoding");
      w_.money(m);
    }
  }
  void scalar(const Balances& bal) {
    w_.u32(bal.slots());
    w_.u32(bal.assets());
    // Most balances are zero: a bit per bucket says which amounts follow.
    for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
      for (AssetId asset = 0; asset < bal.assets(); ++asset) {
        const Balances::Row& row = bal.row(slot, asset);
        std::uint8_t mask = 0;
        for (int b = 0; b < kBuckets; ++b)
          if (row[static_cast<std::size_t>(b)] != 0) mask |= static_cast<std::uint8_t>(1u << b);
        w_.u8(mask);
        for (int b = 0; b < kBuckets; ++b)
          if (mask & (1u << b)) w_.money(row[static_cast<std::size_t>(b)]);
      }
  }
  void scalar(const BookClock<const book::OrderBook>& clock) { w_.i64(clock.c.now()); }

 private:
  SnapshotWriter& w_;
};

}  // namespace

// ---------------------------------------------------------------- loading

namespace {

// The last value of each enumeration the state holds directly (reference
// data inside command bodies is checked as the commands check it).
constexpr SessionState last_value(SessionState) { return SessionState::Halted; }
constexpr Side last_value(Side) { return Side::Sell; }
constexpr OrderType last_value(OrderType) { return OrderType::Market; }
constexpr TimeInForce last_value(TimeInForce) { return TimeInForce::Fok; }
constexpr StpMode last_value(StpMode) { return StpMode::Decrement; }
constexpr book::Side last_value(book::Side) { return book::Side::Sell; }
constexpr book::TimeInForce last_value(book::TimeInForce) { return book::TimeInForce::Gtd; }  // what may rest
constexpr book::StpMode last_value(book::StpMode) { return book::StpMode::Decrement; }

bool valid_member_stp(StpMode v) { return v != StpMode::MemberDefault && v <= StpMode::Decrement; }

}  // namespace

// Reads what the state description saves into a fresh Exchange, in its
// order, and checks each record as it arrives (adopt()) and the whole state
// at the end, so that bytes no live Exchange could hold give an error, never
// an abort. Derived members are rebuilt as their records are adopted.
class SnapshotLoader : public MemberVisitor<SnapshotLoader> {
 public:
  SnapshotLoader(Exchange& ex, SnapshotReader& r) : ex_(ex), r_(r) {}

  bool load();

  template <Role R, class T>
  void member(std::string_view name, T& m) {
    if constexpr (R == Role::MustMatch) {
      T theirs = m;
      get(name, theirs);
      if (r_.ok() && !(theirs == m)) fail(name, "differ from this exchange's: saved with other engine limits");
    } else if constexpr (is_saved(R)) {
      get(name, m);
    }
  }

 private:
  using MemberState = Exchange::MemberState;
  using OperatorState = Exchange::OperatorState;
  using AccountState = Exchange::AccountState;
  using InstrumentState = Exchange::InstrumentState;
  using OrderState = Exchange::OrderState;

  bool fail(std::string_view name, const std::string& why) { return r_.fail(std::string(name) + " " + why); }

  template <class T>
  void get(std::string_view name, T& m);
  template <CommandSpec T>
  void get_spec(std::string_view name, T& out);
  template <class T>
  void get_table(std::string_view name, const T& table);
  void get_value(std::string_view name, Balances& bal);
  void get_value(std::string_view name, std::unique_ptr<book::OrderBook>& b);
  void get_value(std::string_view name, BookClock<book::OrderBook>& clock);

  // Before a record's fields: what its place in its table says.
  template <class T>
  void begin(T&, std::uint32_t) {}
  void begin(InstrumentState& ins, std::uint32_t i);
  // A record read whole: checked, then taken into the Exchange.
  bool adopt(MemberState& m, std::uint32_t i);
  bool adopt(OperatorState& o, std::uint32_t i);
  bool adopt(AccountState& a, std::uint32_t slot);
  bool adopt(FeeSchedule& f, std::uint32_t i);
  bool adopt(InstrumentState& ins, std::uint32_t i);
  bool adopt(BookOwner& o, std::uint32_t i);
  bool adopt(book::OrderView& v, std::uint32_t i);
  bool adopt(OrderState& o, std::uint32_t slot);
  bool adopt(ClOrdIndex::Entry& e, std::uint32_t i);
  // A table read whole.
  template <class T>
  void adopted_all(const T*) {}
  void adopted_all(const MemberState*);
  void adopted_all(const AccountState*);
  void adopted_all(const FeeSchedule*);

  bool check_instrument(InstrumentState& ins);
  bool check_clock_and_fees();
  bool check_balances();
  bool check_orders();

  Exchange& ex_;
  SnapshotReader& r_;
  InstrumentState* ins_ = nullptr;  // the instrument being read
  std::vector<BookOwner> owners_;   // its book's owners: their lists follow the resting orders
};

bool SnapshotLoader::load() {
  // The constructor's exchange member, account and fee schedule are replaced by the saved ones.
  ex_.members_.clear();
  ex_.accounts_.clear();
  ex_.account_index_ = book::IdIndex(4096);
  ex_.balances_ = Balances{};
  ex_.fee_schedules_.clear();
  ex_.orders_.clear();
  ex_.free_orders_.clear();
  StateFields::fields(*this, ex_);
  if (!r_.ok()) return false;
  if (!r_.at_end()) return r_.fail("bytes after the last section");
  ex_.seq_ = ex_.last_seq_;
  return check_clock_and_fees() && check_balances() && check_orders();
}

template <class T>
void SnapshotLoader::get(std::string_view name, T& m) {
  if (!r_.ok()) return;  // the first problem stops the walk
  if constexpr (std::is_same_v<T, bool>) {
    m = r_.boolean();
  } else if constexpr (std::is_integral_v<T>) {
    m = r_.integer<T>();
  } else if constexpr (std::is_enum_v<T>) {
    using U = std::underlying_type_t<T>;
    const U v = r_.integer<U>();
    if (v > static_cast<U>(last_value(T{}))) fail(name, "out of range");
    m = static_cast<T>(v);
  } else if constexpr (detail::IsFixedString<T>::value) {
    if (!m.assign(r_.text())) fail(name, "longer than " + std::to_string(T::kCapacity) + " bytes");
  } else if constexpr (std::is_same_v<T, Money>) {
    m = r_.money();
  } else if constexpr (CommandSpec<T>) {
    get_spec(name, m);
  } else if constexpr (IsOptional<T>::value) {
    m.reset();
    if (r_.boolean()) get(name, m.emplace());
  } else if constexpr (IsVector<T>::value) {
    static_assert(std::is_integral_v<typename T::value_type>, "a list holds integers; records go in tables");
    m.resize(r_.count(sizeof(typename T::value_type), name));
    for (auto& x : m) get(name, x);
  } else if constexpr (std::is_array_v<T>) {
    for (auto& x : m) get(name, x);
  } else if constexpr (Table<T>) {
    get_table(name, m);
  } else if constexpr (Described<T>) {
    StateFields::fields(*this, m);
  } else {
    get_value(name, m);
  }
}

// Reference data as its command's body (the same codec as the journal's).
template <CommandSpec T>
void SnapshotLoader::get_spec(std::string_view name, T& out) {
  using Creates = std::conditional_t<std::is_same_v<T, InstrumentSpec>, CreateInstrument, T>;
  const std::string_view bytes = r_.raw(r_.u16());
  if (!r_.ok()) return;
  CommandBody b;
  std::string error;
  if (!decode_body(bytes, b, &error)) {
    fail(name, "body: " + error);
    return;
  }
  if (!std::holds_alternative<Creates>(b)) {
    fail(name, "body: wrong command kind");
    return;
  }
  if constexpr (std::is_same_v<T, InstrumentSpec>)
    out = std::get<Creates>(b).spec;
  else
    out = std::get<Creates>(b);
}

// Records are taken one at a time, never allocated ahead for a count the
// bytes have not shown yet.
template <class T>
void SnapshotLoader::get_table(std::string_view name, const T&) {
  using Record = typename T::Record;
  const std::uint32_t n = r_.count(1, name);
  for (std::uint32_t i = 0; i < n && r_.ok(); ++i) {
    Record record{};
    begin(record, i);
    StateFields::fields(*this, record);
    if (!r_.ok() || !adopt(record, i)) return;
  }
  if (r_.ok()) adopted_all(static_cast<const Record*>(nullptr));
}

void SnapshotLoader::get_value(std::string_view name, Balances& bal) {
  if (r_.u32() != bal.slots() || r_.u32() != bal.assets()) {
    fail(name, "do not match the accounts and assets");
    return;
  }
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset) {
      Balances::Row row{};
      const std::uint8_t mask = r_.u8();
      for (int b = 0; b < kBuckets; ++b)
        if (mask & (1u << b)) {
          row[static_cast<std::size_t>(b)] = r_.money();
          if (row[static_cast<std::size_t>(b)] == 0) {
            fail(name, "hold a zero balance marked non-zero");
            return;
          }
        }
      if (!r_.ok()) return;
      bal.restore_row(slot, asset, row);
    }
}

// The book comes last in its instrument: what it is built on is known by then.
void SnapshotLoader::get_value(std::string_view name, std::unique_ptr<book::OrderBook>& b) {
  if (!check_instrument(*ins_)) return;
  b = ex_.make_book(*ins_);
  owners_.clear();
  StateFields::book_fields(*this, *b);
  if (!r_.ok()) return;
  for (const BookOwner& o : owners_)
    if (!b->restore_owner_order(o.id, o.orders)) {
      fail(name, "owner " + std::to_string(o.id) + " order list invalid");
      return;
    }
}

void SnapshotLoader::get_value(std::string_view, BookClock<book::OrderBook>& clock) {
  const Timestamp now = r_.i64();
  if (r_.ok() && !clock.c.restore_clock(now, ins_->band_lo, ins_->band_hi)) r_.fail("book band invalid");
}

// ---------------------------------------------------------------- records

bool SnapshotLoader::adopt(MemberState& m, std::uint32_t i) {
  const bool exchange_itself = m.spec.member == kExchangeMember;
  if (i == 0 ? !exchange_itself : ex_.members_.rbegin()->first >= m.spec.member)
    return r_.fail("members not in id order from the exchange's");
  if ((!exchange_itself && m.spec.name.empty()) || m.spec.category > MemberCategory::MarketMaker ||
      !valid_member_stp(m.spec.stp))
    return r_.fail("member " + std::to_string(m.spec.member) + " invalid");
  ex_.members_.emplace(m.spec.member, std::move(m));
  return true;
}

void SnapshotLoader::adopted_all(const MemberState*) {
  if (ex_.members_.empty()) r_.fail("no exchange member");
}

bool SnapshotLoader::adopt(OperatorState& o, std::uint32_t) {
  const CreateOperator& s = o.spec;
  if (s.op == 0 || (!ex_.operators_.empty() && ex_.operators_.rbegin()->first >= s.op))
    return r_.fail("operators not in id order");
  if (s.name.empty() || s.member == kExchangeMember || !ex_.members_.count(s.member) || s.role > OperatorRole::Viewer)
    return r_.fail("operator " + std::to_string(s.op) + " invalid");
  ex_.operators_.emplace(s.op, o);
  return true;
}

bool SnapshotLoader::adopt(AccountState& a, std::uint32_t slot) {
  auto it = ex_.members_.find(a.member);
  const bool first = slot == 0;
  if (first != (a.id == kExchangeAccount) || first != (a.member == kExchangeMember) || it == ex_.members_.end())
    return r_.fail("account " + std::to_string(a.id) + " invalid");
  if (ex_.account_index_.find(std::uint64_t{a.id} + 1) != book::IdIndex::kMissing)
    return r_.fail("account " + std::to_string(a.id) + " twice");
  a.slot = slot;
  a.member_state = &it->second;
  ex_.accounts_.push_back(a);
  ex_.account_index_.insert(std::uint64_t{a.id} + 1, slot);
  ex_.balances_.add_account_slot();
  it->second.accounts.push_back(a.id);  // derived: a member's accounts in creation (slot) order
  return true;
}

void SnapshotLoader::adopted_all(const AccountState*) {
  if (ex_.accounts_.empty()) r_.fail("no exchange account");
}

bool SnapshotLoader::adopt(FeeSchedule& f, std::uint32_t i) {
  for (const FeeLineUnits& l : f.lines) {
    if (l.rate_ppm > 1'000'000 || l.minimum < 0) return r_.fail("fee schedule invalid");
    if (i == 0 && (l.rate_ppm != 0 || l.minimum != 0)) return r_.fail("fee schedule 0 is not 'no fees'");
  }
  ex_.fee_schedules_.push_back(f);
  return true;
}

void SnapshotLoader::adopted_all(const FeeSchedule*) {
  if (ex_.fee_schedules_.empty()) r_.fail("no fee schedule");
}

void SnapshotLoader::begin(InstrumentState& ins, std::uint32_t i) {
  if (i >= ex_.limits_.max_instruments) r_.fail("more instruments than the limit");
  ins.id = i + 1;
  ins_ = &ins;
}

// An instrument read up to its book: its spec, pending spec, reference and band.
bool SnapshotLoader::check_instrument(InstrumentState& ins) {
  const std::string which = "instrument " + std::to_string(ins.id);
  // The spec's decoded units are derived exactly as create-instrument derived them.
  // A listed spec's eligibility is always resolved (never "default").
  if (ins.reference <= 0) return r_.fail(which + " state invalid");  // decode_spec() would set it
  const InstrumentSpec spec = ins.spec;
  if (ex_.decode_spec(spec, ins) != RejectReason::None || ex_.symbols_.count(spec.symbol) ||
      spec.eligibility == Eligibility::Default)
    return r_.fail(which + " spec invalid");
  if (ins.pending) {
    InstrumentState probe;
    // Applied at the next open-day, which asserts it decodes.
    if (ex_.decode_spec(*ins.pending, probe) != RejectReason::None || probe.tick != ins.tick ||
        probe.lot != ins.lot || ins.pending->eligibility == Eligibility::Default)
      return r_.fail(which + " pending spec invalid");
  }
  if (ins.reference % ins.tick != 0 || ins.day.volume < 0) return r_.fail(which + " state invalid");
  // The book's ladder is the band (set_band() re-bases it at every open), so
  // the band saved is the ladder to build: on tick, around the reference, no
  // price above the largest, no more levels than max_ladder_levels.
  const Price lo = ins.band_lo, hi = ins.band_hi;
  if (lo <= 0 || lo > ins.reference || ins.reference > hi || hi > kMaxPriceUnits || lo % ins.tick != 0 ||
      hi % ins.tick != 0 || (hi - lo) / ins.tick >= static_cast<Price>(ex_.limits_.max_ladder_levels))
    return r_.fail(which + " band invalid");
  return true;
}

bool SnapshotLoader::adopt(InstrumentState& ins, std::uint32_t) {
  ex_.symbols_.emplace(ins.spec.symbol, ins.id);
  ex_.instruments_.push_back(std::move(ins));
  ex_.balances_.add_asset();
  ins_ = nullptr;
  return true;
}

bool SnapshotLoader::adopt(BookOwner& o, std::uint32_t) {
  if (!ins_->book->restore_owner(o.id, o.stp)) return r_.fail("book owner " + std::to_string(o.id) + " invalid");
  owners_.push_back(std::move(o));
  return true;
}

bool SnapshotLoader::adopt(book::OrderView& v, std::uint32_t) {
  if (!ins_->book->insert_resting(v)) return r_.fail("resting order " + std::to_string(v.id) + " invalid or crossing");
  return true;
}

bool SnapshotLoader::adopt(OrderState& o, std::uint32_t slot) {
  const Exchange::AccountState* a = ex_.account(o.account);
  const std::string which = "order " + std::to_string(o.id);
  if (!a || o.account == kExchangeAccount || !ex_.instrument(o.instrument) || o.clord_id.empty() ||
      o.stp == StpMode::MemberDefault || o.fee_schedule >= ex_.fee_schedules_.size())
    return r_.fail(which + " refers to what does not exist");
  if (o.leaves <= 0 || o.cum_qty < 0 || o.price <= 0 || o.qty > kMaxOrderLifetimeQtyUnits ||
      o.cum_qty > kMaxOrderLifetimeQtyUnits || o.qty - o.cum_qty < o.leaves)
    return r_.fail(which + " quantities invalid");
  const std::int64_t per_fen = sub_fen_per_fen(ex_.instruments_[o.instrument - 1].cash_rule);
  if (o.prepaid < 0 || o.prepaid >= per_fen || (o.side == Side::Sell && o.prepaid != 0))
    return r_.fail(which + " prepaid sub-fen out of range");
  if (o.id >= ex_.next_order_id_ || (slot > 0 && ex_.orders_[slot - 1].id >= o.id))
    return r_.fail("order ids not increasing below the next id");
  o.account_slot = a->slot;
  o.member = a->member;
  o.member_state = a->member_state;
  // The book must hold the same order, on the same side, for the same leaves.
  const std::optional<book::OrderView> v = ex_.instruments_[o.instrument - 1].book->find(o.id);
  if (!v || v->leaves != o.leaves || v->price != o.price || v->owner != o.member ||
      (v->side == book::Side::Buy) != (o.side == Side::Buy) || o.type != OrderType::Limit ||
      v->expire_at != o.expire_at || static_cast<std::uint8_t>(v->tif) != static_cast<std::uint8_t>(o.tif) ||
      static_cast<std::uint8_t>(v->stp) != static_cast<std::uint8_t>(o.stp))
    return r_.fail(which + " differs from its book");
  // Derived, not stored: from the price and size just checked against the book.
  o.fees_from_proceeds = o.side == Side::Sell && ex_.proceeds_cover_fees(o);
  ex_.orders_.push_back(o);
  ex_.order_index_.insert(o.id, slot);
  return true;
}

bool SnapshotLoader::adopt(ClOrdIndex::Entry& e, std::uint32_t) {
  if (e.order == 0 || e.order >= ex_.next_order_id_ || !ex_.members_.count(e.member) || e.clord_id.empty())
    return r_.fail("ClOrdID entry invalid");
  if (ex_.clord_ids_.find(e.member, e.clord_id) != 0) return r_.fail("ClOrdID entry twice");
  ex_.clord_ids_.insert(e.member, e.clord_id, e.order);
  return true;
}

// ---------------------------------------------------------------- the whole state

bool SnapshotLoader::check_clock_and_fees() {
  if (ex_.next_order_id_ == 0 || ex_.next_trade_id_ == 0 || ex_.next_transfer_id_ == 0)
    return r_.fail("an id counter is 0");
  for (std::uint32_t f : ex_.current_fees_)
    if (f >= ex_.fee_schedules_.size()) return r_.fail("fee schedule in force out of range");
  return true;
}

// What check_invariants() asserts about balances, as a refusal instead.
bool SnapshotLoader::check_balances() {
  const Balances& bal = ex_.balances_;
  for (AssetId asset = 0; asset < bal.assets(); ++asset)
    if (bal.sum(asset) != 0) return r_.fail("asset " + std::to_string(asset) + " does not sum to zero");
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset)
      for (int b = 0; b < kBuckets; ++b) {
        const auto bucket = static_cast<Bucket>(b);
        const Money& v = bal.get(slot, asset, bucket);
        if (v == 0 || (slot == 0 && bucket == Bucket::External)) continue;
        const bool allowed = slot == 0 ? bucket == Bucket::Fees && asset == kCash
                                       : bucket != Bucket::External && bucket != Bucket::Fees;
        const bool cash_ok = asset != kCash || (bucket != Bucket::Locked && bucket != Bucket::Registry);
        if (v < 0 || !allowed || !cash_ok) return r_.fail("balance of slot " + std::to_string(slot) + " invalid");
      }
  return true;
}

// What check_invariants() asserts about orders and reservations, as a refusal.
bool SnapshotLoader::check_orders() {
  std::map<std::pair<std::uint32_t, AssetId>, Money> reserved;
  std::map<std::pair<MemberId, InstrumentId>, Qty> open_buys;
  std::vector<std::uint32_t> per_book(ex_.instruments_.size(), 0);
  for (const OrderState& o : ex_.orders_) {
    const Exchange::Need need = ex_.need_of(o);
    if (o.reserved_cash != need.cash || o.reserved_qty != need.qty)
      return r_.fail("order " + std::to_string(o.id) + " reservation differs from its need");
    if (ex_.clord_ids_.find(o.member, o.clord_id) != o.id)
      return r_.fail("order " + std::to_string(o.id) + " not under its ClOrdID");
    // Who may trade is kept true while orders rest (docs/EXCHANGE.md).
    const InstrumentState& ins = ex_.instruments_[o.instrument - 1];
    if (ex_.check_account_may_trade(ex_.accounts_[o.account_slot]) != RejectReason::None ||
        ex_.check_eligible(*ex_.member(o.member), ins) != RejectReason::None || ex_.term_ended(ins))
      return r_.fail("order " + std::to_string(o.id) + " rests for a party or right that may not trade");
    reserved[{o.account_slot, kCash}] += o.reserved_cash;
    reserved[{o.account_slot, o.instrument}] += o.reserved_qty;
    if (o.side == Side::Buy) open_buys[{o.member, o.instrument}] += o.leaves;
    ++per_book[o.instrument - 1];
  }
  const Balances& bal = ex_.balances_;
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset) {
      auto it = reserved.find({slot, asset});
      if (bal.get(slot, asset, Bucket::Reserved) != (it == reserved.end() ? Money(0) : it->second))
        return r_.fail("reserved balance of slot " + std::to_string(slot) + " differs from its orders");
    }
  for (const auto& [id, m] : ex_.members_) {
    if (m.open_buy_qty.size() > ex_.instruments_.size()) return r_.fail("open buys for an unknown instrument");
    for (std::size_t i = 0; i < m.open_buy_qty.size(); ++i) {
      auto it = open_buys.find({id, static_cast<InstrumentId>(i + 1)});
      if (m.open_buy_qty[i] != (it == open_buys.end() ? 0 : it->second))
        return r_.fail("member " + std::to_string(id) + " open buys differ from its orders");
    }
  }
  for (const InstrumentState& ins : ex_.instruments_) {
    if (ins.book->open_orders() != per_book[ins.id - 1])
      return r_.fail("book " + std::to_string(ins.id) + " holds orders the exchange does not");
    if (ex_.term_ended(ins) && ins.state != SessionState::Closed)
      return r_.fail("instrument " + std::to_string(ins.id) + " is past its last trading date but not closed");
  }
  return true;
}

// ---------------------------------------------------------------- Exchange

void Exchange::save_snapshot(std::string& out) const {
  out.clear();
  SnapshotWriter w(out);
  w.raw(kSnapshotMagic);
  w.u32(kSnapshotFormat);
  w.u64(last_seq_);
  w.u64(state_hash());
  const std::size_t length_at = w.size();
  w.u64(0);
  Saver saver(w);
  StateFields::fields(saver, *this);
  w.patch_u64(length_at, w.size() - length_at - 8);
  w.u64(snapshot_checksum(out));
}

bool Exchange::load_snapshot(std::string_view bytes, std::string* error) {
  auto no = [error](const std::string& why) {
    if (error) *error = why;
    return false;
  };
  SnapshotHeader h;
  if (!read_snapshot_header(bytes, h, error)) return false;
  const bool fresh = last_seq_ == 0 && members_.size() == 1 && accounts_.size() == 1 && instruments_.empty() &&
                     operators_.empty() && fee_schedules_.size() == 1 && order_index_.size() == 0;
  ERX_ASSERT_MSG(fresh, "load_snapshot() needs a freshly constructed Exchange");
  SnapshotReader r(h.body);
  try {
    SnapshotLoader loader(*this, r);
    if (!loader.load()) return no("snapshot: " + r.error());
  } catch (const std::exception& e) {  // Money arithmetic on absurd amounts (checked: it throws)
    return no(std::string("snapshot: amounts out of range: ") + e.what());
  }
  if (last_seq_ != h.seq) return no("snapshot: body seq differs from the frame's");
  if (state_hash() != h.state_hash) return no("snapshot: loaded state hash differs from the saved one");
  return true;
}

}  // namespace erx::exchange
