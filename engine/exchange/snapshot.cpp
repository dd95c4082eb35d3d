// Exchange snapshots: save the whole state as canonical bytes, load it into a
// fresh Exchange. Layout (docs/LEDGER.md "Snapshots"), after the frame of
// snapshot.hpp, in this order:
//   limits      6 × u32, must equal the loading Exchange's
//   clock       last seq, time, date, day flag, the three id counters
//   members     by id: the member as a create-member body, its open buy quantities
//   operators   by id: a create-operator body (role current), active
//   accounts    by slot: id, member, restricted
//   fees        every schedule ever set, then the one in force per right class
//   instruments by id: spec and pending spec (create-instrument bodies),
//               reference, band, session, day statistics, then the book:
//               clock, owners in slot order, resting orders in price-time
//               priority (bids then asks), each owner's list order
//   balances    per account slot and asset: a mask of non-zero buckets, their amounts
//   orders      live orders by id, every field
//   clord ids   the day's (member, ClOrdID) -> order entries in insertion order
// Derived structures (id indexes, symbol table, members' account lists, the
// order pool's slots) are rebuilt, not stored. Loading checks every reference
// and every invariant check_invariants() would assert, so bad bytes give an
// error, never an abort; the state hash in the frame is checked last.

#include "engine/exchange/snapshot.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/command_codec.hpp"
#include "engine/exchange/exchange.hpp"

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

std::uint32_t SnapshotReader::count(std::size_t item_bytes, const char* what) {
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

// ---------------------------------------------------------------- the codec

class SnapshotCodec {
 public:
  static void save(const Exchange& ex, SnapshotWriter& w);
  static bool load(Exchange& ex, SnapshotReader& r);

 private:
  using W = SnapshotWriter;
  using R = SnapshotReader;
  using InstrumentState = Exchange::InstrumentState;
  using OrderState = Exchange::OrderState;

  static void body(W& w, const CommandBody& b);
  template <class T>
  static bool body(R& r, T& out, const char* what);

  static void save_reference(const Exchange& ex, W& w);
  static void save_instrument(const InstrumentState& ins, W& w);
  static void save_book(const book::OrderBook& b, W& w);
  static void save_balances(const Exchange& ex, W& w);
  static void save_orders(const Exchange& ex, W& w);

  static bool load_clock(Exchange& ex, R& r);
  static bool load_members(Exchange& ex, R& r);
  static bool load_operators(Exchange& ex, R& r);
  static bool load_accounts(Exchange& ex, R& r);
  static bool load_fees(Exchange& ex, R& r);
  static bool load_instrument(Exchange& ex, R& r, InstrumentId id);
  static bool load_book(book::OrderBook& b, R& r, Price band_lo, Price band_hi);
  static bool load_balances(Exchange& ex, R& r);
  static bool load_order(Exchange& ex, R& r, OrderState& o);
  static bool load_orders(Exchange& ex, R& r);
  static bool load_clord_ids(Exchange& ex, R& r);
  static bool check_balances(const Exchange& ex, R& r);
  static bool check_orders(const Exchange& ex, R& r);
};

namespace {

template <class E>
void put_enum(SnapshotWriter& w, E v) {
  w.u8(static_cast<std::uint8_t>(v));
}

template <class E>
E get_enum(SnapshotReader& r, E max, const char* what) {
  const std::uint8_t v = r.u8();
  if (v > static_cast<std::uint8_t>(max)) r.fail(std::string(what) + " out of range");
  return static_cast<E>(v);
}

template <std::size_t N>
FixedString<N> get_string(SnapshotReader& r, const char* what) {
  FixedString<N> s;
  if (!s.assign(r.text())) r.fail(std::string(what) + " longer than " + std::to_string(N) + " bytes");
  return s;
}

const std::uint32_t* limit_fields(const ExchangeLimits& l, std::size_t i) {
  const std::uint32_t* f[] = {&l.max_members, &l.max_accounts, &l.max_instruments, &l.max_operators,
                              &l.max_open_orders_per_book, &l.max_ladder_levels};
  return f[i];
}
constexpr std::size_t kLimitFields = 6;

bool valid_member_stp(StpMode v) { return v != StpMode::MemberDefault && v <= StpMode::Decrement; }

}  // namespace

void SnapshotCodec::body(W& w, const CommandBody& b) {
  std::string bytes;
  encode_body(b, bytes);
  w.u16(static_cast<std::uint16_t>(bytes.size()));
  w.raw(bytes);
}

// A command body of type T (the same codec as the journal's).
template <class T>
bool SnapshotCodec::body(R& r, T& out, const char* what) {
  const std::string_view bytes = r.raw(r.u16());
  if (!r.ok()) return false;
  CommandBody b;
  std::string error;
  if (!decode_body(bytes, b, &error)) return r.fail(std::string(what) + ": " + error);
  if (!std::holds_alternative<T>(b)) return r.fail(std::string(what) + ": wrong command kind");
  out = std::get<T>(b);
  return true;
}

// ---------------------------------------------------------------- saving

void SnapshotCodec::save(const Exchange& ex, W& w) {
  for (std::size_t i = 0; i < kLimitFields; ++i) w.u32(*limit_fields(ex.limits_, i));
  w.u64(ex.last_seq_);
  w.i64(ex.now_);
  w.i32(ex.date_);
  w.boolean(ex.day_open_);
  w.u64(ex.next_order_id_);
  w.u64(ex.next_trade_id_);
  w.u64(ex.next_transfer_id_);
  save_reference(ex, w);
  w.u32(static_cast<std::uint32_t>(ex.instruments_.size()));
  for (const InstrumentState& ins : ex.instruments_) save_instrument(ins, w);
  save_balances(ex, w);
  save_orders(ex, w);
}

void SnapshotCodec::save_reference(const Exchange& ex, W& w) {
  w.u32(static_cast<std::uint32_t>(ex.members_.size()));
  for (const auto& [id, m] : ex.members_) {  // std::map: id order
    body(w, m.spec);
    w.u32(static_cast<std::uint32_t>(m.open_buy_qty.size()));
    for (Qty q : m.open_buy_qty) w.i64(q);
  }
  w.u32(static_cast<std::uint32_t>(ex.operators_.size()));
  for (const auto& [id, o] : ex.operators_) {
    body(w, o.spec);
    w.boolean(o.active);
  }
  w.u32(static_cast<std::uint32_t>(ex.accounts_.size()));
  for (const Exchange::AccountState& a : ex.accounts_) {  // slot order
    w.u32(a.id);
    w.u32(a.member);
    w.boolean(a.restricted);
  }
  w.u32(static_cast<std::uint32_t>(ex.fee_schedules_.size()));
  for (const FeeSchedule& f : ex.fee_schedules_)
    for (const FeeLineUnits& l : f.lines) {
      w.u32(l.rate_ppm);
      w.money(l.minimum);
    }
  for (std::uint32_t f : ex.current_fees_) w.u32(f);
}

void SnapshotCodec::save_instrument(const InstrumentState& ins, W& w) {
  body(w, CreateInstrument{ins.spec});
  w.boolean(ins.pending.has_value());
  if (ins.pending) body(w, CreateInstrument{*ins.pending});
  w.i64(ins.reference);
  w.i64(ins.band_lo);
  w.i64(ins.band_hi);
  put_enum(w, ins.state);
  const Exchange::DayStats& d = ins.day;
  for (std::int64_t v : {d.open, d.high, d.low, d.last, d.volume}) w.i64(v);
  w.money(d.turnover);
  w.money(d.price_x_qty);
  w.u32(d.trades);
  save_book(*ins.book, w);
}

void SnapshotCodec::save_book(const book::OrderBook& b, W& w) {
  w.i64(b.now());
  std::vector<book::OwnerId> owners;
  b.visit_owners([&](book::OwnerId id, book::StpMode) { owners.push_back(id); });
  w.u32(static_cast<std::uint32_t>(owners.size()));
  b.visit_owners([&](book::OwnerId id, book::StpMode stp) {
    w.u32(id);
    put_enum(w, stp);
  });
  w.u32(b.open_orders());
  for (book::Side side : {book::Side::Buy, book::Side::Sell})
    b.visit(side, [&w](const book::OrderView& v) {  // price-time priority
      w.u64(v.id);
      w.u32(v.owner);
      put_enum(w, v.side);
      put_enum(w, v.tif);
      put_enum(w, v.stp);
      w.i64(v.price);
      w.i64(v.leaves);
      w.i64(v.expire_at);
    });
  std::vector<book::OrderId> ids;
  for (book::OwnerId owner : owners) {
    ids.clear();
    b.visit_owner_orders(owner, [&ids](book::OrderId id) { ids.push_back(id); });
    w.u32(static_cast<std::uint32_t>(ids.size()));
    for (book::OrderId id : ids) w.u64(id);
  }
}

void SnapshotCodec::save_balances(const Exchange& ex, W& w) {
  const Balances& bal = ex.balances_;
  w.u32(bal.slots());
  w.u32(bal.assets());
  // Most balances are zero: a bit per bucket says which amounts follow.
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset) {
      const Balances::Row& row = bal.row(slot, asset);
      std::uint8_t mask = 0;
      for (int b = 0; b < kBuckets; ++b)
        if (row[static_cast<std::size_t>(b)] != 0) mask |= static_cast<std::uint8_t>(1u << b);
      w.u8(mask);
      for (int b = 0; b < kBuckets; ++b)
        if (mask & (1u << b)) w.money(row[static_cast<std::size_t>(b)]);
    }
}

void SnapshotCodec::save_orders(const Exchange& ex, W& w) {
  std::vector<const OrderState*> live;
  live.reserve(ex.order_index_.size());
  for (const OrderState& o : ex.orders_)
    if (o.id != 0) live.push_back(&o);
  // By id, never by pool slot: slots depend on the history of reuse.
  std::sort(live.begin(), live.end(), [](const OrderState* a, const OrderState* b) { return a->id < b->id; });
  w.u32(static_cast<std::uint32_t>(live.size()));
  for (const OrderState* o : live) {
    w.u64(o->id);
    w.u32(o->account);
    w.u32(o->instrument);
    w.text(o->clord_id.view());
    w.u32(o->entered_by);
    put_enum(w, o->side);
    put_enum(w, o->type);
    put_enum(w, o->tif);
    put_enum(w, o->stp);
    for (std::int64_t v : {o->price, o->qty, o->leaves, o->cum_qty}) w.i64(v);
    w.money(o->cum_cash);
    w.i64(o->prepaid);
    w.money(o->fees_charged[0]);
    w.money(o->fees_charged[1]);
    w.u32(o->fee_schedule);
    w.money(o->reserved_cash);
    w.i64(o->reserved_qty);
    w.i64(o->expire_at);
  }
  const std::vector<ClOrdIndex::Entry>& entries = ex.clord_ids_.entries();
  w.u32(static_cast<std::uint32_t>(entries.size()));
  for (const ClOrdIndex::Entry& e : entries) {  // insertion order: the index's chains depend on it
    w.u32(e.member);
    w.text(e.clord_id.view());
    w.u64(e.order);
  }
}

// ---------------------------------------------------------------- loading

bool SnapshotCodec::load(Exchange& ex, R& r) {
  for (std::size_t i = 0; i < kLimitFields; ++i)
    if (r.u32() != *limit_fields(ex.limits_, i)) return r.fail("saved with other engine limits");
  if (!load_clock(ex, r) || !load_members(ex, r) || !load_operators(ex, r) || !load_accounts(ex, r) ||
      !load_fees(ex, r))
    return false;
  const std::uint32_t n = r.count(40, "instruments");
  if (n > ex.limits_.max_instruments) return r.fail("more instruments than the limit");
  for (std::uint32_t i = 0; i < n; ++i)
    if (!load_instrument(ex, r, i + 1)) return false;
  if (!load_balances(ex, r) || !load_orders(ex, r) || !load_clord_ids(ex, r)) return false;
  if (!r.at_end()) return r.fail("bytes after the last section");
  return check_balances(ex, r) && check_orders(ex, r);
}

bool SnapshotCodec::load_clock(Exchange& ex, R& r) {
  ex.last_seq_ = r.u64();
  ex.seq_ = ex.last_seq_;
  ex.now_ = r.i64();
  ex.date_ = r.i32();
  ex.day_open_ = r.boolean();
  ex.next_order_id_ = r.u64();
  ex.next_trade_id_ = r.u64();
  ex.next_transfer_id_ = r.u64();
  if (ex.next_order_id_ == 0 || ex.next_trade_id_ == 0 || ex.next_transfer_id_ == 0)
    return r.fail("an id counter is 0");
  return r.ok();
}

bool SnapshotCodec::load_members(Exchange& ex, R& r) {
  // The constructor's exchange member and account are replaced by the saved ones.
  ex.members_.clear();
  ex.accounts_.clear();
  ex.account_index_ = book::IdIndex(4096);
  ex.balances_ = Balances{};
  const std::uint32_t n = r.count(8, "members");
  for (std::uint32_t i = 0; i < n; ++i) {
    Exchange::MemberState m;
    if (!body(r, m.spec, "member")) return false;
    const bool exchange_itself = m.spec.member == kExchangeMember;
    if (i == 0 ? !exchange_itself : ex.members_.rbegin()->first >= m.spec.member)
      return r.fail("members not in id order from the exchange's");
    if ((!exchange_itself && m.spec.name.empty()) || m.spec.category > MemberCategory::MarketMaker ||
        !valid_member_stp(m.spec.stp))
      return r.fail("member " + std::to_string(m.spec.member) + " invalid");
    m.open_buy_qty.resize(r.count(8, "open buy quantities"));
    for (Qty& q : m.open_buy_qty) q = r.i64();
    if (!r.ok()) return false;
    ex.members_.emplace(m.spec.member, std::move(m));
  }
  if (ex.members_.empty()) return r.fail("no exchange member");
  return r.ok();
}

bool SnapshotCodec::load_operators(Exchange& ex, R& r) {
  const std::uint32_t n = r.count(8, "operators");
  for (std::uint32_t i = 0; i < n; ++i) {
    Exchange::OperatorState o;
    if (!body(r, o.spec, "operator")) return false;
    o.active = r.boolean();
    const CreateOperator& s = o.spec;
    if (s.op == 0 || (!ex.operators_.empty() && ex.operators_.rbegin()->first >= s.op))
      return r.fail("operators not in id order");
    if (s.name.empty() || s.member == kExchangeMember || !ex.members_.count(s.member) || s.role > OperatorRole::Viewer)
      return r.fail("operator " + std::to_string(s.op) + " invalid");
    if (!r.ok()) return false;
    ex.operators_.emplace(s.op, o);
  }
  return r.ok();
}

bool SnapshotCodec::load_accounts(Exchange& ex, R& r) {
  const std::uint32_t n = r.count(9, "accounts");
  for (std::uint32_t slot = 0; slot < n; ++slot) {
    const AccountId id = r.u32();
    const MemberId member = r.u32();
    const bool restricted = r.boolean();
    if (!r.ok()) return false;
    auto it = ex.members_.find(member);
    const bool first = slot == 0;
    if (first != (id == kExchangeAccount) || first != (member == kExchangeMember) || it == ex.members_.end())
      return r.fail("account " + std::to_string(id) + " invalid");
    if (ex.account_index_.find(std::uint64_t{id} + 1) != book::IdIndex::kMissing)
      return r.fail("account " + std::to_string(id) + " twice");
    ex.accounts_.push_back(Exchange::AccountState{id, member, restricted, slot, &it->second});
    ex.account_index_.insert(std::uint64_t{id} + 1, slot);
    ex.balances_.add_account_slot();
    it->second.accounts.push_back(id);  // derived: a member's accounts in creation (slot) order
  }
  if (ex.accounts_.empty()) return r.fail("no exchange account");
  return true;
}

bool SnapshotCodec::load_fees(Exchange& ex, R& r) {
  const std::uint32_t n = r.count(42, "fee schedules");
  if (n == 0) return r.fail("no fee schedule");
  ex.fee_schedules_.assign(n, FeeSchedule{});
  for (FeeSchedule& f : ex.fee_schedules_)
    for (FeeLineUnits& l : f.lines) {
      l.rate_ppm = r.u32();
      l.minimum = r.money();
      if (l.rate_ppm > 1'000'000 || l.minimum < 0) return r.fail("fee schedule invalid");
    }
  const FeeSchedule& none = ex.fee_schedules_[0];
  for (const FeeLineUnits& l : none.lines)
    if (l.rate_ppm != 0 || l.minimum != 0) return r.fail("fee schedule 0 is not 'no fees'");
  for (std::uint32_t& f : ex.current_fees_)
    if ((f = r.u32()) >= n) return r.fail("fee schedule in force out of range");
  return r.ok();
}

bool SnapshotCodec::load_instrument(Exchange& ex, R& r, InstrumentId id) {
  InstrumentState ins;
  CreateInstrument spec;
  if (!body(r, spec, "instrument")) return false;
  // The spec's decoded units are derived exactly as create-instrument derived them.
  // A listed spec's eligibility is always resolved (never "default").
  if (ex.decode_spec(spec.spec, ins) != RejectReason::None || ex.symbols_.count(spec.spec.symbol) ||
      spec.spec.eligibility == Eligibility::Default)
    return r.fail("instrument " + std::to_string(id) + " spec invalid");
  ins.id = id;
  if (r.boolean()) {
    CreateInstrument pending;
    InstrumentState probe;
    if (!body(r, pending, "pending instrument change")) return false;
    // Applied at the next open-day, which asserts it decodes.
    if (ex.decode_spec(pending.spec, probe) != RejectReason::None || probe.tick != ins.tick || probe.lot != ins.lot ||
        pending.spec.eligibility == Eligibility::Default)
      return r.fail("instrument " + std::to_string(id) + " pending spec invalid");
    ins.pending = pending.spec;
  }
  ins.reference = r.i64();
  ins.band_lo = r.i64();
  ins.band_hi = r.i64();
  ins.state = get_enum(r, SessionState::Halted, "session state");
  Exchange::DayStats& d = ins.day;
  for (std::int64_t* v : {&d.open, &d.high, &d.low, &d.last, &d.volume}) *v = r.i64();
  d.turnover = r.money();
  d.price_x_qty = r.money();
  d.trades = r.u32();
  if (!r.ok()) return false;
  if (ins.reference <= 0 || ins.reference % ins.tick != 0 || d.volume < 0)
    return r.fail("instrument " + std::to_string(id) + " state invalid");
  // The book's ladder is the band (set_band() re-bases it at every open), so
  // the band saved is the ladder to build: on tick, around the reference, no
  // price above the largest, no more levels than max_ladder_levels.
  const Price lo = ins.band_lo, hi = ins.band_hi;
  if (lo <= 0 || lo > ins.reference || ins.reference > hi || hi > kMaxPriceUnits || lo % ins.tick != 0 ||
      hi % ins.tick != 0 || (hi - lo) / ins.tick >= static_cast<Price>(ex.limits_.max_ladder_levels))
    return r.fail("instrument " + std::to_string(id) + " band invalid");
  ins.book = ex.make_book(ins);
  if (!load_book(*ins.book, r, ins.band_lo, ins.band_hi)) return false;
  ex.symbols_.emplace(ins.spec.symbol, id);
  ex.instruments_.push_back(std::move(ins));
  ex.balances_.add_asset();
  return true;
}

bool SnapshotCodec::load_book(book::OrderBook& b, R& r, Price band_lo, Price band_hi) {
  const Timestamp now = r.i64();
  if (!r.ok()) return false;
  if (!b.restore_clock(now, band_lo, band_hi)) return r.fail("book band invalid");
  const std::uint32_t owners = r.count(5, "book owners");
  std::vector<book::OwnerId> ids(owners);
  for (book::OwnerId& owner : ids) {
    owner = r.u32();
    const auto stp = get_enum(r, book::StpMode::Decrement, "owner STP mode");
    if (!r.ok()) return false;
    if (!b.restore_owner(owner, stp)) return r.fail("book owner " + std::to_string(owner) + " invalid");
  }
  const std::uint32_t n = r.count(39, "resting orders");
  for (std::uint32_t i = 0; i < n; ++i) {
    book::OrderView v;
    v.id = r.u64();
    v.owner = r.u32();
    v.side = get_enum(r, book::Side::Sell, "side");
    v.tif = get_enum(r, book::TimeInForce::Gtd, "time in force");
    v.stp = get_enum(r, book::StpMode::Decrement, "STP mode");
    v.price = r.i64();
    v.leaves = r.i64();
    v.expire_at = r.i64();
    if (!r.ok()) return false;
    if (!b.insert_resting(v)) return r.fail("resting order " + std::to_string(v.id) + " invalid or crossing");
  }
  std::vector<book::OrderId> list;
  for (book::OwnerId owner : ids) {
    list.resize(r.count(8, "owner orders"));
    for (book::OrderId& id : list) id = r.u64();
    if (!r.ok()) return false;
    if (!b.restore_owner_order(owner, list)) return r.fail("owner " + std::to_string(owner) + " order list invalid");
  }
  return true;
}

bool SnapshotCodec::load_balances(Exchange& ex, R& r) {
  Balances& bal = ex.balances_;
  if (r.u32() != bal.slots() || r.u32() != bal.assets()) return r.fail("balances do not match accounts and assets");
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset) {
      Balances::Row row{};
      const std::uint8_t mask = r.u8();
      for (int b = 0; b < kBuckets; ++b)
        if (mask & (1u << b)) {
          row[static_cast<std::size_t>(b)] = r.money();
          if (row[static_cast<std::size_t>(b)] == 0) return r.fail("a zero balance marked non-zero");
        }
      if (!r.ok()) return false;
      bal.restore_row(slot, asset, row);
    }
  return true;
}

bool SnapshotCodec::load_order(Exchange& ex, R& r, OrderState& o) {
  o.id = r.u64();
  o.account = r.u32();
  o.instrument = r.u32();
  o.clord_id = get_string<ClOrdId::kCapacity>(r, "ClOrdID");
  o.entered_by = r.u32();
  o.side = get_enum(r, Side::Sell, "side");
  o.type = get_enum(r, OrderType::Market, "order type");
  o.tif = get_enum(r, TimeInForce::Fok, "time in force");
  o.stp = get_enum(r, StpMode::Decrement, "STP mode");
  for (std::int64_t* v : {&o.price, &o.qty, &o.leaves, &o.cum_qty}) *v = r.i64();
  o.cum_cash = r.money();
  o.prepaid = r.i64();
  o.fees_charged[0] = r.money();
  o.fees_charged[1] = r.money();
  o.fee_schedule = r.u32();
  o.reserved_cash = r.money();
  o.reserved_qty = r.i64();
  o.expire_at = r.i64();
  if (!r.ok()) return false;
  const Exchange::AccountState* a = ex.account(o.account);
  const std::string which = "order " + std::to_string(o.id);
  if (!a || o.account == kExchangeAccount || !ex.instrument(o.instrument) || o.clord_id.empty() ||
      o.stp == StpMode::MemberDefault || o.fee_schedule >= ex.fee_schedules_.size())
    return r.fail(which + " refers to what does not exist");
  if (o.leaves <= 0 || o.cum_qty < 0 || o.price <= 0 || o.qty > kMaxOrderLifetimeQtyUnits ||
      o.cum_qty > kMaxOrderLifetimeQtyUnits || o.qty - o.cum_qty < o.leaves)
    return r.fail(which + " quantities invalid");
  const std::int64_t per_fen = sub_fen_per_fen(ex.instruments_[o.instrument - 1].cash_rule);
  if (o.prepaid < 0 || o.prepaid >= per_fen || (o.side == Side::Sell && o.prepaid != 0))
    return r.fail(which + " prepaid sub-fen out of range");
  o.account_slot = a->slot;
  o.member = a->member;
  o.member_state = a->member_state;
  // The book must hold the same order, on the same side, for the same leaves.
  const std::optional<book::OrderView> v = ex.instruments_[o.instrument - 1].book->find(o.id);
  if (!v || v->leaves != o.leaves || v->price != o.price || v->owner != o.member ||
      (v->side == book::Side::Buy) != (o.side == Side::Buy) || o.type != OrderType::Limit || v->expire_at != o.expire_at ||
      static_cast<std::uint8_t>(v->tif) != static_cast<std::uint8_t>(o.tif) ||
      static_cast<std::uint8_t>(v->stp) != static_cast<std::uint8_t>(o.stp))
    return r.fail(which + " differs from its book");
  // Derived, not stored: from the price and size just checked against the book.
  o.fees_from_proceeds = o.side == Side::Sell && ex.proceeds_cover_fees(o);
  return true;
}

bool SnapshotCodec::load_orders(Exchange& ex, R& r) {
  const std::uint32_t n = r.count(100, "orders");
  ex.orders_.assign(n, OrderState{});
  ex.free_orders_.clear();
  for (std::uint32_t slot = 0; slot < n; ++slot) {
    OrderState& o = ex.orders_[slot];
    if (!load_order(ex, r, o)) return false;
    if (o.id >= ex.next_order_id_ || (slot > 0 && ex.orders_[slot - 1].id >= o.id))
      return r.fail("order ids not increasing below the next id");
    ex.order_index_.insert(o.id, slot);
  }
  return true;
}

bool SnapshotCodec::load_clord_ids(Exchange& ex, R& r) {
  const std::uint32_t n = r.count(14, "ClOrdIDs");
  for (std::uint32_t i = 0; i < n; ++i) {
    const MemberId member = r.u32();
    const ClOrdId clord = get_string<ClOrdId::kCapacity>(r, "ClOrdID");
    const OrderId order = r.u64();
    if (!r.ok()) return false;
    if (order == 0 || order >= ex.next_order_id_ || !ex.members_.count(member) || clord.empty())
      return r.fail("ClOrdID entry invalid");
    if (ex.clord_ids_.find(member, clord) != 0) return r.fail("ClOrdID entry twice");
    ex.clord_ids_.insert(member, clord, order);
  }
  return true;
}

// What check_invariants() asserts about balances, as a refusal instead.
bool SnapshotCodec::check_balances(const Exchange& ex, R& r) {
  const Balances& bal = ex.balances_;
  for (AssetId asset = 0; asset < bal.assets(); ++asset)
    if (bal.sum(asset) != 0) return r.fail("asset " + std::to_string(asset) + " does not sum to zero");
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset)
      for (int b = 0; b < kBuckets; ++b) {
        const auto bucket = static_cast<Bucket>(b);
        const Money& v = bal.get(slot, asset, bucket);
        if (v == 0 || (slot == 0 && bucket == Bucket::External)) continue;
        const bool allowed = slot == 0 ? bucket == Bucket::Fees && asset == kCash
                                       : bucket != Bucket::External && bucket != Bucket::Fees;
        const bool cash_ok = asset != kCash || (bucket != Bucket::Locked && bucket != Bucket::Registry);
        if (v < 0 || !allowed || !cash_ok) return r.fail("balance of slot " + std::to_string(slot) + " invalid");
      }
  return true;
}

// What check_invariants() asserts about orders and reservations, as a refusal.
bool SnapshotCodec::check_orders(const Exchange& ex, R& r) {
  std::map<std::pair<std::uint32_t, AssetId>, Money> reserved;
  std::map<std::pair<MemberId, InstrumentId>, Qty> open_buys;
  std::vector<std::uint32_t> per_book(ex.instruments_.size(), 0);
  for (const OrderState& o : ex.orders_) {
    const Exchange::Need need = ex.need_of(o);
    if (o.reserved_cash != need.cash || o.reserved_qty != need.qty)
      return r.fail("order " + std::to_string(o.id) + " reservation differs from its need");
    if (ex.clord_ids_.find(o.member, o.clord_id) != o.id)
      return r.fail("order " + std::to_string(o.id) + " not under its ClOrdID");
    // Who may trade is kept true while orders rest (docs/EXCHANGE.md).
    const Exchange::InstrumentState& ins = ex.instruments_[o.instrument - 1];
    if (ex.check_account_may_trade(ex.accounts_[o.account_slot]) != RejectReason::None ||
        ex.check_eligible(*ex.member(o.member), ins) != RejectReason::None || ex.term_ended(ins))
      return r.fail("order " + std::to_string(o.id) + " rests for a party or right that may not trade");
    reserved[{o.account_slot, kCash}] += o.reserved_cash;
    reserved[{o.account_slot, o.instrument}] += o.reserved_qty;
    if (o.side == Side::Buy) open_buys[{o.member, o.instrument}] += o.leaves;
    ++per_book[o.instrument - 1];
  }
  const Balances& bal = ex.balances_;
  for (std::uint32_t slot = 0; slot < bal.slots(); ++slot)
    for (AssetId asset = 0; asset < bal.assets(); ++asset) {
      auto it = reserved.find({slot, asset});
      if (bal.get(slot, asset, Bucket::Reserved) != (it == reserved.end() ? Money(0) : it->second))
        return r.fail("reserved balance of slot " + std::to_string(slot) + " differs from its orders");
    }
  for (const auto& [id, m] : ex.members_) {
    if (m.open_buy_qty.size() > ex.instruments_.size()) return r.fail("open buys for an unknown instrument");
    for (std::size_t i = 0; i < m.open_buy_qty.size(); ++i) {
      auto it = open_buys.find({id, static_cast<InstrumentId>(i + 1)});
      if (m.open_buy_qty[i] != (it == open_buys.end() ? 0 : it->second))
        return r.fail("member " + std::to_string(id) + " open buys differ from its orders");
    }
  }
  for (const InstrumentState& ins : ex.instruments_) {
    if (ins.book->open_orders() != per_book[ins.id - 1])
      return r.fail("book " + std::to_string(ins.id) + " holds orders the exchange does not");
    if (ex.term_ended(ins) && ins.state != SessionState::Closed)
      return r.fail("instrument " + std::to_string(ins.id) + " is past its last trading date but not closed");
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
  SnapshotCodec::save(*this, w);
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
    if (!SnapshotCodec::load(*this, r)) return no("snapshot: " + r.error());
  } catch (const std::exception& e) {  // Money arithmetic on absurd amounts (checked: it throws)
    return no(std::string("snapshot: amounts out of range: ") + e.what());
  }
  if (last_seq_ != h.seq) return no("snapshot: body seq differs from the frame's");
  if (state_hash() != h.state_hash) return no("snapshot: loaded state hash differs from the saved one");
  return true;
}

}  // namespace erx::exchange
