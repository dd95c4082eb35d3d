// Fuzz target: sequences of exchange commands (docs/FUZZING.md).
//
// Structure-aware: the input bytes are not parsed as text; they are the
// decisions of a command generator. Each command takes a few bytes: which of
// the 22 command kinds (every verb of the language), how its seq and time
// move (mostly in order; sometimes time jumps of hours, days or to the end of
// int64, backwards, or a sequence gap), and every field — ids mostly of
// members, accounts, operators, instruments and live orders that exist (so
// commands reach the deep rules), sometimes 0, unknown or extreme; amounts,
// prices and quantities mostly valid for their instrument, often at the
// edges that matter (0, ±1, the band edges ± a tick, off tick, off lot,
// min / max order size ± a lot, the documented limits of
// engine/exchange/amount_limits.hpp ± 1, INT64_MAX / MIN, scales 0..18 and a
// few outside, the same value spelled with extra zeros); every order type,
// time in force and STP mode, both forms of modify, cancels, mass cancels,
// business days and sessions. Unless the first byte says otherwise, a short
// prelude drawn from the input creates members, accounts, operators,
// instruments, fees, cash and rights and opens a day in continuous trading.
//
// For each command, before it is applied: the text form round-trips
// (parse(print(c)) == c, and print of that is the same line; a decimal with a
// scale outside 0..18 must be refused, as docs/COMMANDS.md says) and so does
// the binary form (decode(encode(b)) == b, re-encoded to the same bytes).
// Then apply() must not throw; check_invariants() must hold (it aborts
// otherwise); every event must print; a rejected command must have changed
// nothing: only GTD expiries may come before its command-rejected event, none
// after, and a second Exchange that is given a timer in place of every
// rejected command must have the same state hash after every command. At the
// end the state is saved as a snapshot and loaded into a fresh Exchange:
// same hash, same bytes, and the two go on alike.
//
// Any violation prints what and where and aborts: the driver saves the input.
// ERX_FUZZ_TRACE=1 prints every command and its events (to replay a finding).

#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/command_codec.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/exchange/event_text.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/units.hpp"

namespace {

using namespace erx;
using namespace erx::exchange;

constexpr Timestamp kT0 = 1'767'571'200'000'000'000;  // 2026-01-05T00:00:00Z
constexpr Timestamp kSecond = 1'000'000'000;
constexpr std::size_t kMaxCommands = 4'000;  // per input
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

bool trace() {
  static const bool on = [] {
    const char* v = std::getenv("ERX_FUZZ_TRACE");
    return v && *v && *v != '0';
  }();
  return on;
}

// ---------------------------------------------------------------- novelty (for the standalone driver)

// Features an input reached, hashed into 2^16 bits: (command kind, event
// kind, its sub-kind: reject reason, cancel reason, transfer kind), (command
// kind, how many events, log2), (command kind, the previous command's kind and
// whether either was rejected), what an accepted order was (side, type, tif,
// STP mode) and how a trade went (aggressor, fees, taker done). Process-wide;
// an input that sets a new one is novel and the standalone driver keeps it
// for mutation (libFuzzer uses its coverage instead).
std::bitset<1 << 16> g_features;
bool g_novel = false;

void feature(std::uint64_t tag, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  std::uint64_t h = (tag * 0x9E3779B97F4A7C15ull) ^ (a * 0xBF58476D1CE4E5B9ull) ^ (b * 0x94D049BB133111EBull) ^
                    (c + 0x632BE59BD9B4E5ull);
  h ^= h >> 31;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  const std::size_t bit = static_cast<std::size_t>(h & 0xFFFF);
  if (!g_features.test(bit)) {
    g_features.set(bit);
    g_novel = true;
  }
}

std::size_t log2_bucket(std::size_t n) {
  std::size_t b = 0;
  while (n > 0) {
    ++b;
    n >>= 1;
  }
  return b;
}

// ---------------------------------------------------------------- the input as decisions

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  [[nodiscard]] bool empty() const { return pos_ >= n_; }
  std::uint8_t u8() { return pos_ < n_ ? p_[pos_++] : 0; }
  std::uint16_t u16() {
    const auto lo = u8();
    return static_cast<std::uint16_t>(lo | u8() << 8);
  }
  std::uint32_t u32() {
    const std::uint32_t lo = u16();
    return lo | std::uint32_t{u16()} << 16;
  }
  std::uint64_t u64() {
    const std::uint64_t lo = u32();
    return lo | std::uint64_t{u32()} << 32;
  }
  // [0, n), from as few bytes as n needs.
  std::uint64_t below(std::uint64_t n) {
    if (n <= 1) return 0;
    if (n <= 256) return u8() % n;
    if (n <= 65'536) return u16() % n;
    if (n <= (std::uint64_t{1} << 32)) return u32() % n;
    return u64() % n;
  }
  bool one_in(std::uint64_t n) { return below(n) == 0; }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------- what the harness knows, from the events

struct InstrumentInfo {
  InstrumentId id = 0;
  InstrumentSpec spec;  // in force
  Price tick = 1;
  Qty lot = 1, min_qty = 1, max_qty = 1;
  Price reference = 0, band_lo = 0, band_hi = 0;
};

struct LiveOrder {
  OrderId id = 0;
  MemberId member = 0;
  AccountId account = 0;
  ClOrdId clord;
  InstrumentId instrument = 0;
  Side side = Side::Buy;
  Price price = 0;
  Qty leaves = 0;
  Qty cum_qty = 0;
};

struct Model {
  std::vector<MemberId> members;
  std::vector<std::pair<AccountId, MemberId>> accounts;
  std::vector<std::pair<OperatorId, MemberId>> operators;
  std::vector<InstrumentInfo> instruments;
  std::map<OrderId, LiveOrder> live;
  std::vector<std::pair<MemberId, ClOrdId>> used_clords;  // recent, for duplicates
  std::map<AssetId, Money> outstanding;
  BusinessDate date = 0;
  bool day_open = false;

  InstrumentInfo* instrument(InstrumentId id) {
    return id >= 1 && id <= instruments.size() ? &instruments[id - 1] : nullptr;
  }

  static std::int64_t units(const Decimal& d, int scale, std::int64_t fallback) {
    const Units u = to_units(d, scale);
    return u.ok() && u.value > 0 ? u.value : fallback;
  }

  void take(InstrumentInfo& info, const InstrumentSpec& s) {
    info.spec = s;
    info.tick = units(s.tick, s.price_scale, 1);
    info.lot = units(s.lot, s.qty_scale, 1);
    info.min_qty = units(s.continuous.min_qty, s.qty_scale, info.lot);
    info.max_qty = units(s.continuous.max_qty, s.qty_scale, info.lot);
  }

  void observe(const Event& e) {
    if (const auto* m = std::get_if<MemberCreated>(&e)) {
      members.push_back(m->member.member);
    } else if (const auto* a = std::get_if<AccountCreated>(&e)) {
      accounts.emplace_back(a->account.account, a->account.member);
    } else if (const auto* o = std::get_if<OperatorCreated>(&e)) {
      operators.emplace_back(o->op.op, o->op.member);
    } else if (const auto* c = std::get_if<InstrumentCreated>(&e)) {
      InstrumentInfo info;
      info.id = c->instrument;
      take(info, c->spec);
      instruments.push_back(info);
    } else if (const auto* ch = std::get_if<InstrumentChanged>(&e)) {
      if (InstrumentInfo* i = instrument(ch->instrument)) take(*i, ch->spec);
    } else if (const auto* r = std::get_if<ReferencePriceSet>(&e)) {
      if (InstrumentInfo* i = instrument(r->instrument)) {
        i->reference = r->reference;
        i->band_lo = r->band_lo;
        i->band_hi = r->band_hi;
      }
    } else if (const auto* d = std::get_if<DayOpened>(&e)) {
      date = d->date;
      day_open = true;
    } else if (std::get_if<DayClosed>(&e)) {
      day_open = false;
    } else if (const auto* acc = std::get_if<OrderAccepted>(&e)) {
      live[acc->order] = LiveOrder{acc->order, acc->member, acc->account, acc->clord_id, acc->instrument,
                                   acc->side,  acc->price,  acc->qty,     0};
      remember(acc->member, acc->clord_id);
    } else if (const auto* mo = std::get_if<OrderModified>(&e)) {
      if (auto it = live.find(mo->order); it != live.end()) {
        it->second.clord = mo->clord_id;
        it->second.price = mo->price;
        it->second.leaves = mo->leaves;
        remember(mo->member, mo->clord_id);
      }
    } else if (const auto* t = std::get_if<Trade>(&e)) {
      for (const FillSide* f : {&t->buy, &t->sell}) {
        auto it = live.find(f->order);
        if (it == live.end()) continue;
        it->second.leaves = f->leaves;
        it->second.cum_qty = f->cum_qty;
        if (f->leaves == 0) live.erase(it);
      }
    } else if (const auto* x = std::get_if<OrderCancelled>(&e)) {
      if (auto it = live.find(x->order); it != live.end()) {
        it->second.leaves = x->leaves;
        if (x->leaves == 0) live.erase(it);
      }
    } else if (const auto* tr = std::get_if<Transfer>(&e)) {
      if (tr->debit_account == kExchangeAccount && tr->debit_bucket == Bucket::External)
        outstanding[tr->asset] += tr->amount;
      if (tr->credit_account == kExchangeAccount && tr->credit_bucket == Bucket::External)
        outstanding[tr->asset] -= tr->amount;
    }
  }

  void remember(MemberId m, const ClOrdId& c) {
    if (used_clords.size() >= 64) used_clords.erase(used_clords.begin());
    used_clords.emplace_back(m, c);
  }
};

// ---------------------------------------------------------------- decimals the text form cannot carry

bool bad_scale(const Decimal& d) { return d.scale < 0 || d.scale > 18; }

// Whether any decimal of the body has a scale outside 0..18, which
// docs/COMMANDS.md says prints as <units>e<-scale> and does not parse back.
bool has_bad_scale(const CommandBody& body) {
  auto spec = [](const InstrumentSpec& s) {
    return bad_scale(s.tick) || bad_scale(s.lot) || bad_scale(s.continuous.min_qty) ||
           bad_scale(s.continuous.max_qty) || bad_scale(s.reference_price) || bad_scale(s.holding_limit);
  };
  if (const auto* c = std::get_if<CreateInstrument>(&body)) return spec(c->spec);
  if (const auto* c = std::get_if<ChangeInstrument>(&body)) return spec(c->spec);
  if (const auto* f = std::get_if<SetFees>(&body)) return bad_scale(f->trading.minimum) || bad_scale(f->settlement.minimum);
  if (const auto* d = std::get_if<Deposit>(&body)) return bad_scale(d->amount);
  if (const auto* w = std::get_if<Withdraw>(&body)) return bad_scale(w->amount);
  if (const auto* i = std::get_if<IssueRights>(&body)) return bad_scale(i->qty);
  if (const auto* m = std::get_if<MoveRights>(&body)) return bad_scale(m->qty);
  if (const auto* z = std::get_if<Freeze>(&body)) return bad_scale(z->qty);
  if (const auto* o = std::get_if<NewOrder>(&body)) return bad_scale(o->price) || bad_scale(o->qty);
  if (const auto* m = std::get_if<ModifyOrder>(&body)) return bad_scale(m->price) || bad_scale(m->qty);
  return false;
}

// ---------------------------------------------------------------- findings

[[noreturn]] void finding(const std::string& what, const Command* c, std::size_t index) {
  std::fprintf(stderr, "\nfuzz_commands: FINDING: %s\n", what.c_str());
  if (c) std::fprintf(stderr, "  at command #%zu: %s\n", index, print(*c).c_str());
  std::fprintf(stderr, "  (replay the input with ERX_FUZZ_TRACE=1 to see every command and event)\n");
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------- sinks

// The Exchange under test: every event is checked, printed, learnt from.
class CheckingSink final : public ExchangeSink {
 public:
  explicit CheckingSink(Model& model) : model_(model) {}

  void begin(const Command& c, std::size_t index) {
    cmd_ = &c;
    index_ = index;
    kind_ = c.body.index();
    rejected_ = false;
    only_expiries_ = true;
    events_ = 0;
  }

  void on_event(Seq seq, const Event& e) override {
    ++events_;
    if (seq != cmd_->seq) finding("an event carries seq " + std::to_string(seq), cmd_, index_);
    if (rejected_) finding("an event after the command-rejected event: " + printer_.print(seq, e), cmd_, index_);
    const std::string line = printer_.print(seq, e);  // every event must print
    if (trace()) std::fprintf(stderr, "    %s\n", line.c_str());
    std::size_t sub = 0;
    if (const auto* r = std::get_if<CommandRejected>(&e)) {
      rejected_ = true;
      if (!only_expiries_) finding("a rejected command changed something before its reject", cmd_, index_);
      if (r->command != kind_) finding("the reject names another command kind", cmd_, index_);
      sub = static_cast<std::size_t>(r->reason);
    } else if (const auto* x = std::get_if<OrderCancelled>(&e)) {
      sub = static_cast<std::size_t>(x->reason);
      if (x->reason != CancelReason::Expired) only_expiries_ = false;
    } else if (const auto* t = std::get_if<Transfer>(&e)) {
      sub = static_cast<std::size_t>(t->kind);
      if (t->kind != TransferKind::Unreserve) only_expiries_ = false;
      if (t->amount <= 0) finding("a transfer of a non-positive amount", cmd_, index_);
    } else {
      only_expiries_ = false;
    }
    feature(1, kind_, e.index(), sub);
    if (const auto* a = std::get_if<OrderAccepted>(&e))
      feature(2, static_cast<std::size_t>(a->side), static_cast<std::size_t>(a->type) * 8 + static_cast<std::size_t>(a->tif),
              static_cast<std::size_t>(a->stp));
    if (const auto* t = std::get_if<Trade>(&e))
      feature(3, static_cast<std::size_t>(t->aggressor) + (t->buy.fee > 0 ? 2u : 0u) + (t->sell.fee > 0 ? 4u : 0u),
              (t->buy.leaves == 0 ? 1u : 0u) + (t->sell.leaves == 0 ? 2u : 0u), kind_);
    model_.observe(e);
  }

  // After the command: how many events it had, and what came before it.
  void end() {
    feature(4, kind_, log2_bucket(events_));
    feature(5, kind_, previous_kind_, (rejected_ ? 2u : 0u) + (previous_rejected_ ? 1u : 0u));
    previous_kind_ = kind_;
    previous_rejected_ = rejected_;
  }

  [[nodiscard]] bool rejected() const { return rejected_; }
  [[nodiscard]] std::size_t events() const { return events_; }

 private:
  Model& model_;
  EventPrinter printer_;
  const Command* cmd_ = nullptr;
  std::size_t index_ = 0;
  std::size_t kind_ = 0;
  bool rejected_ = false;
  bool only_expiries_ = true;
  std::size_t events_ = 0;
  std::size_t previous_kind_ = 99;
  bool previous_rejected_ = false;
};

class NullSink final : public ExchangeSink {
 public:
  void on_event(Seq, const Event&) override {}
};

// ---------------------------------------------------------------- values at the edges

constexpr std::int64_t kEdges[] = {
    0,
    1,
    -1,
    2,
    9,
    10,
    99,
    100,
    999'999,
    1'000'000,
    kMaxOrderQtyUnits - 1,  // also kMaxTickUnits
    kMaxOrderQtyUnits,
    kMaxOrderQtyUnits + 1,
    kMaxCashFen - 1,  // also kMaxRightsUnits, kMaxFeeMinimumFen, kMaxOrderLifetimeQtyUnits
    kMaxCashFen,
    kMaxCashFen + 1,
    -kMaxCashFen,
    (std::int64_t{1} << 31) - 1,
    std::int64_t{1} << 31,
    (std::int64_t{1} << 32) - 1,
    std::int64_t{1} << 32,
    std::int64_t{1} << 53,
    kI64Max / 1'000'000,
    kI64Max / 100,
    1'000'000'000'000'000'000,
    kI64Max - 1,
    kI64Max,
    kI64Min + 1,
    kI64Min,
};

const char* const kRegions[] = {"Nanchang", "Ganzhou", "Jiujiang"};
const char* const kBasins[] = {"Gan", "Fu", "Poyang"};

// ---------------------------------------------------------------- the harness

class Harness {
 public:
  Harness(Bytes& in, const ExchangeLimits& limits)
      : in_(in), limits_(limits), sink_(model_), ex_(sink_, limits), shadow_(null_, limits) {}

  void run() {
    const std::uint8_t mode = in_.u8();
    if (mode < 224) prelude();
    while (!in_.empty() && index_ < kMaxCommands) {
      auto due = std::find_if(follow_ups_.begin(), follow_ups_.end(), [](const FollowUp& f) { return f.after == 0; });
      if (due != follow_ups_.end()) {
        CommandBody b = std::move(due->body);
        follow_ups_.erase(due);
        apply(std::move(b), Stamp::Follow);
        continue;
      }
      for (FollowUp& f : follow_ups_) --f.after;
      apply(random_command());
    }
    finish();
  }

 private:
  // ------------------------------------------------------------ applying one command

  // How a command's seq and time are drawn: the prelude's all at once, a
  // follow-up's in order (time may move), any other's also out of order.
  enum class Stamp : std::uint8_t { Prelude, Follow, Any };

  void apply(CommandBody body, Stamp how = Stamp::Any) {
    Command c;
    c.body = std::move(body);
    stamp(c, how);
    ++index_;
    if (trace()) std::fprintf(stderr, "#%zu %s\n", index_, print(c).c_str());
    check_text(c);
    check_binary(c);

    sink_.begin(c, index_);
    try {
      ex_.apply(c);
    } catch (const std::exception& e) {
      finding(std::string("apply() threw: ") + e.what(), &c, index_);
    } catch (...) {
      finding("apply() threw something that is not a std::exception", &c, index_);
    }
    ex_.check_invariants();
    sink_.end();

    // The shadow sees a timer where the command was rejected: if the reject
    // changed nothing, the two states stay equal.
    const Command s = sink_.rejected() ? Command{c.seq, c.time, Timer{}} : c;
    try {
      shadow_.apply(s);
    } catch (const std::exception& e) {
      finding(std::string("the shadow's apply() threw: ") + e.what(), &c, index_);
    }
    // Hashing the whole state twice per command is most of the cost of an
    // input, so it is compared every 16 commands and at the end (a
    // difference persists), and after every command when tracing, which is
    // how a finding is replayed and pinned to its command.
    if ((index_ % 16 == 0 || trace()) && ex_.state_hash() != shadow_.state_hash())
      finding(trace() && sink_.rejected()
                  ? "a rejected command changed the state (differs from a timer in its place)"
                  : "the Exchange and its shadow (a timer for each rejected command) differ; replay with "
                    "ERX_FUZZ_TRACE=1 to find the command",
              &c, index_);
  }

  // seq and time: mostly the next seq at the same time, sometimes time
  // moves (a little, hours, days, to the end of int64) or goes back, or the
  // seq skips or repeats.
  void stamp(Command& c, Stamp how) {
    const Seq next = ex_.last_seq() + 1;
    Timestamp now = ex_.last_seq() == 0 ? kT0 : ex_.now();
    c.seq = next;
    c.time = now;
    if (how == Stamp::Prelude) return;
    std::uint8_t t = in_.u8();
    if (how == Stamp::Follow && t >= 246) t = 0;
    auto later = [&](Timestamp dt) { c.time = now > kI64Max - dt ? kI64Max : now + dt; };
    if (t < 150) return;
    if (t < 190) return later(static_cast<Timestamp>(1 + in_.below(1'000)) * (in_.one_in(2) ? 1 : 1'000'000));
    if (t < 215) return later(static_cast<Timestamp>(1 + in_.below(3'600)) * kSecond);
    if (t < 235) return later(static_cast<Timestamp>(1 + in_.below(72)) * 3'600 * kSecond);
    if (t < 244) return later(static_cast<Timestamp>(in_.below(400)) * 86'400 * kSecond);
    if (t < 246) {  // to the end of time
      c.time = kI64Max - static_cast<Timestamp>(in_.below(3)) * kSecond;
      if (c.time < now) c.time = now;
      return;
    }
    if (t < 250) {  // backwards
      c.time = now == kI64Min ? now : now - 1 - static_cast<Timestamp>(in_.below(kSecond));
      return;
    }
    if (t < 253) c.seq = next + 1 + in_.below(3);  // a gap
    else if (t < 255) c.seq = next - 1;            // a repeat
    else c.seq = in_.u64();
  }

  // ------------------------------------------------------------ codecs

  void check_text(const Command& c) {
    const std::string line = print(c);
    const ParsedCommand p = parse_command(line);
    if (has_bad_scale(c.body)) {
      // docs/COMMANDS.md: a decimal with a scale outside 0..18 prints as
      // <units>e<-scale>, which the parser refuses.
      if (p.ok()) finding("a decimal with a scale outside 0..18 parsed back: " + line, &c, index_);
      return;
    }
    if (!p.ok()) finding("the printed command does not parse: " + to_string(*p.error) + "\n  line: " + line, &c, index_);
    if (!(p.command == c)) finding("parse(print(c)) != c\n  line: " + line, &c, index_);
    if (print(p.command) != line) finding("print(parse(line)) != line", &c, index_);
  }

  void check_binary(const Command& c) {
    std::string bytes;
    encode_body(c.body, bytes);
    if (bytes.size() > kMaxBodyBytes) finding("a body longer than kMaxBodyBytes", &c, index_);
    CommandBody back;
    std::string error;
    if (!decode_body(bytes, back, &error)) finding("the encoded body does not decode: " + error, &c, index_);
    if (!(back == c.body)) finding("decode(encode(b)) != b", &c, index_);
    std::string again;
    encode_body(back, again);
    if (again != bytes) finding("encode(decode(bytes)) != bytes", &c, index_);
  }

  // ------------------------------------------------------------ the end of an input

  void finish() {
    if (ex_.state_hash() != shadow_.state_hash())
      finding("the Exchange and its shadow (a timer for each rejected command) differ at the end; replay with "
              "ERX_FUZZ_TRACE=1 to find the command",
              nullptr, index_);
    std::string saved;
    ex_.save_snapshot(saved);
    NullSink none;
    Exchange loaded(none, limits_);
    std::string error;
    if (!loaded.load_snapshot(saved, &error)) finding("the snapshot of the final state does not load: " + error, nullptr, index_);
    if (loaded.state_hash() != ex_.state_hash()) finding("the loaded snapshot's state hash differs", nullptr, index_);
    std::string again;
    loaded.save_snapshot(again);
    if (again != saved) finding("a loaded snapshot saves different bytes", nullptr, index_);
    // Both go on alike: a day later (GTD expiries), then a close.
    const Timestamp t = ex_.now() > kI64Max - 86'400 * kSecond ? ex_.now() : ex_.now() + 86'400 * kSecond;
    for (const CommandBody& body : {CommandBody{Timer{}}, CommandBody{CloseDay{}}}) {
      const Command c{ex_.last_seq() + 1, t, body};
      ++index_;
      sink_.begin(c, index_);
      ex_.apply(c);
      loaded.apply(c);
      ex_.check_invariants();
      loaded.check_invariants();
      if (loaded.state_hash() != ex_.state_hash()) finding("the loaded snapshot went on differently", &c, index_);
    }
  }

  // ------------------------------------------------------------ choosing ids

  // One of n cases; a tame command (not wild_) takes only the ordinary ones,
  // numbered from `ordinary` up. Each switch below puts its edge cases first.
  std::uint64_t choice(std::uint64_t n, std::uint64_t ordinary) {
    return wild_ ? in_.below(n) : ordinary + in_.below(n - ordinary);
  }

  MemberId member_id() {
    switch (choice(16, 3)) {
      case 0: return 0;
      case 1: return static_cast<MemberId>(in_.u32());
      case 2: return std::numeric_limits<MemberId>::max();
      default:
        if (model_.members.empty()) return static_cast<MemberId>(1 + in_.below(4));
        return model_.members[in_.below(model_.members.size())];
    }
  }

  AccountId account_id() {
    switch (choice(40, 3)) {
      case 0: return 0;
      case 1: return static_cast<AccountId>(in_.u32());
      case 2: return std::numeric_limits<AccountId>::max();
      default:
        if (model_.accounts.empty()) return static_cast<AccountId>(10 + in_.below(40));
        return model_.accounts[in_.below(model_.accounts.size())].first;
    }
  }

  // Another account of the same member, when it has one.
  AccountId sibling(AccountId a) {
    MemberId m = 0;
    for (const auto& [id, mem] : model_.accounts)
      if (id == a) m = mem;
    std::vector<AccountId> same;
    for (const auto& [id, mem] : model_.accounts)
      if (mem == m) same.push_back(id);
    return same.empty() ? a : same[in_.below(same.size())];
  }

  OperatorId operator_id(MemberId for_member) {
    switch (choice(16, 2)) {
      case 0:  // anyone's, maybe another member's
        return model_.operators.empty() ? 1 : model_.operators[in_.below(model_.operators.size())].first;
      case 1: return static_cast<OperatorId>(in_.u32());
      case 2:
      case 3:
      case 4: {  // one of the member's own
        std::vector<OperatorId> mine;
        for (const auto& [id, m] : model_.operators)
          if (m == for_member) mine.push_back(id);
        return mine.empty() ? 0 : mine[in_.below(mine.size())];
      }
      default: return 0;  // the exchange acting for the member
    }
  }

  MemberId member_of(AccountId a) const {
    for (const auto& [id, m] : model_.accounts)
      if (id == a) return m;
    return 0;
  }

  // An instrument the exchange knows (nullptr sometimes, or when none exists).
  InstrumentInfo* some_instrument() {
    if (model_.instruments.empty() || (wild_ && in_.one_in(24))) return nullptr;
    return &model_.instruments[in_.below(model_.instruments.size())];
  }

  Symbol symbol_of(const InstrumentInfo* ins) {
    if (ins) return ins->spec.symbol;
    switch (in_.below(4)) {
      case 0: return Symbol{};
      case 1: return Symbol::of("NOPE");
      case 2: return Symbol::of("XXXXXXXXXXXXXXXXXXXXXXXX");  // 24 bytes, the capacity
      default: return string<24>();
    }
  }

  template <std::size_t N>
  FixedString<N> string() {
    static constexpr char kPieces[][4] = {"a", "Z", "0", "-", " ", "=", "\"", "#", "\\", "\x01", "\t", "\x7f",
                                          "\xe7\xa2\xb3", "x", "\xff", ""};
    std::string s;
    const std::size_t target = in_.below(N + 1);
    while (s.size() < target) {
      std::string piece = kPieces[in_.below(std::size(kPieces))];
      if (piece.empty()) piece = std::string(1, '\0');
      if (s.size() + piece.size() > N) break;
      s += piece;
    }
    return FixedString<N>::of(s);
  }

  ClOrdId fresh_clord() { return ClOrdId::of("C" + std::to_string(++clord_counter_)); }

  ClOrdId clord_for_new(MemberId m) {
    switch (choice(24, 5)) {
      case 0: return ClOrdId{};
      case 1: return string<32>();
      case 2: return ClOrdId::of("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC");  // 32 bytes
      case 3:
      case 4: {
        for (const auto& [mem, c] : model_.used_clords)
          if (mem == m && in_.one_in(3)) return c;  // a duplicate
        return fresh_clord();
      }
      default: return fresh_clord();
    }
  }

  // A live order (nullptr sometimes, or when none is live).
  const LiveOrder* some_live() {
    if (model_.live.empty() || (wild_ && in_.one_in(12))) return nullptr;
    auto it = model_.live.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(in_.below(model_.live.size())));
    return &it->second;
  }

  template <class E>
  E enumeration(std::uint64_t named) {
    using U = std::underlying_type_t<E>;
    if (wild_ && in_.one_in(24)) return static_cast<E>(static_cast<U>(named + in_.below(256 - named)));  // unnamed
    return static_cast<E>(static_cast<U>(in_.below(named)));
  }

  // ------------------------------------------------------------ numbers

  Decimal spelled(std::int64_t units, int scale) {
    if (scale < 0 || scale >= 18 || !in_.one_in(6)) return Decimal{units, static_cast<std::int8_t>(scale)};
    const int extra = 1 + static_cast<int>(in_.below(static_cast<std::uint64_t>(18 - scale)));
    std::int64_t more;
    if (__builtin_mul_overflow(units, kPow10[extra], &more)) return Decimal{units, static_cast<std::int8_t>(scale)};
    return Decimal{more, static_cast<std::int8_t>(scale + extra)};
  }

  std::int8_t bad_scale() {
    static constexpr std::int8_t kBad[] = {19, 20, 127, -1, -128};
    return kBad[in_.below(std::size(kBad))];
  }

  std::int64_t edge() { return kEdges[in_.below(std::size(kEdges))]; }

  // 1 .. 10^k with k itself drawn: small and large values alike.
  std::int64_t log_positive(int max_digits) {
    const int digits = 1 + static_cast<int>(in_.below(static_cast<std::uint64_t>(max_digits)));
    return 1 + static_cast<std::int64_t>(in_.below(static_cast<std::uint64_t>(kPow10[digits])));
  }

  // A generic amount at `scale`: mostly positive and ordinary, often at an edge.
  Decimal amount(int scale, int typical_digits) {
    switch (choice(20, 8)) {
      case 0: return Decimal{0, static_cast<std::int8_t>(scale)};
      case 1: return Decimal{-log_positive(typical_digits), static_cast<std::int8_t>(scale)};
      case 2:
      case 3: return spelled(edge(), scale);
      case 4: return Decimal{edge(), static_cast<std::int8_t>(in_.below(19))};
      case 5: return Decimal{static_cast<std::int64_t>(in_.u64()), static_cast<std::int8_t>(in_.below(19))};
      case 6: return Decimal{1, 18};
      case 7: return in_.one_in(4) ? Decimal{edge(), bad_scale()} : Decimal{kPow10[18], 0};
      default: return spelled(log_positive(typical_digits), scale);
    }
  }

  // Cash in fen: ordinary, or up to / past what the exchange may hold.
  Decimal cash(int typical_digits) {
    if (wild_ && in_.one_in(5)) {
      const Money room = Money(kMaxCashFen) - model_.outstanding[kCash];
      const std::int64_t r = room > 0 ? static_cast<std::int64_t>(room) : 0;
      return spelled(r + static_cast<std::int64_t>(in_.below(3)) - 1, kCashScale);  // to the brim ± 1
    }
    return amount(kCashScale, typical_digits);
  }

  // Rights of an instrument: ordinary, what an account holds, or the limit.
  Decimal rights(const InstrumentInfo* ins, AccountId a, Bucket from, int typical_digits) {
    const int scale = ins ? ins->spec.qty_scale : 0;
    if (ins && in_.one_in(3)) {
      const Money held = ex_.balance(a, ins->id, from);
      const std::int64_t h = held > 0 && held < kI64Max ? static_cast<std::int64_t>(held) : 0;
      return spelled(h > 0 ? 1 + static_cast<std::int64_t>(in_.below(static_cast<std::uint64_t>(h))) : 1, scale);
    }
    if (ins && wild_ && in_.one_in(4)) {
      const Money room = Money(kMaxRightsUnits) - model_.outstanding[ins->id];
      const std::int64_t r = room > 0 ? static_cast<std::int64_t>(room) : 0;
      return spelled(r + static_cast<std::int64_t>(in_.below(3)) - 1, scale);
    }
    return amount(scale, typical_digits);
  }

  // A limit or protection price of an instrument; ordinary ones near the
  // reference, half of them through it (a buy above, a sell below) so that
  // orders cross.
  Decimal price(const InstrumentInfo* ins, Side side = Side::Buy) {
    if (!ins || ins->band_hi <= 0) return amount(2, 6);
    const Price tick = ins->tick, lo = ins->band_lo, hi = ins->band_hi;
    const int ps = ins->spec.price_scale;
    Price p = lo;
    switch (choice(24, 9)) {
      case 0: p = lo; break;
      case 1: p = hi; break;
      case 2: p = lo - tick; break;
      case 3: p = hi > kI64Max - tick ? hi : hi + tick; break;
      case 4: p = ins->reference; break;
      case 5: {  // between ticks
        std::int64_t finer;
        if (__builtin_mul_overflow(lo, 10, &finer) || finer > kI64Max - 5) return amount(ps, 6);
        return Decimal{finer + 5, static_cast<std::int8_t>(ps + 1)};
      }
      case 6: p = tick > 1 ? lo + 1 : lo; break;                                // off tick
      case 7: p = 0; break;
      case 8: return amount(ps, 6);
      case 9:
      case 10:
      case 11: {  // anywhere in the band
        const std::uint64_t ticks = static_cast<std::uint64_t>((hi - lo) / tick);
        p = lo + static_cast<Price>(in_.below(ticks + 1)) * tick;
        break;
      }
      default: {
        const Price centre = std::clamp(ins->reference, lo, hi);
        const Price away = static_cast<Price>(in_.below(10)) * tick;
        const bool through = in_.one_in(2);
        const bool up = (side == Side::Buy) == through;
        p = std::clamp(up ? centre + away : centre - away, lo, hi);
      }
    }
    return spelled(p, ps);
  }

  // An order quantity of an instrument.
  Decimal quantity(const InstrumentInfo* ins) {
    if (!ins) return amount(0, 4);
    const Qty lot = ins->lot, mn = ins->min_qty, mx = ins->max_qty;
    const int qs = ins->spec.qty_scale;
    Qty q = mn;
    switch (choice(20, 8)) {
      case 0: q = mn; break;
      case 1: q = mx; break;
      case 2: q = mx > kI64Max - lot ? mx : mx + lot; break;
      case 3: q = mn - lot; break;
      case 4: q = lot > 1 ? mn + 1 : mn; break;  // off lot
      case 5: q = 0; break;
      case 6: return Decimal{mn * 10 + 5, static_cast<std::int8_t>(qs + 1)};  // a fraction of a unit
      case 7: return amount(qs, 6);
      default: {
        const std::uint64_t lots = mx > mn ? static_cast<std::uint64_t>((mx - mn) / lot) : 0;
        q = mn + static_cast<Qty>(in_.below(std::min<std::uint64_t>(lots, in_.one_in(8) ? lots : 30) + 1)) * lot;
      }
    }
    return spelled(q, qs);
  }

  Timestamp expiry() {
    const Timestamp now = ex_.now();
    switch (choice(8, 4)) {
      case 0: return now;
      case 1: return now == kI64Min ? now : now - 1;
      case 2: return kI64Max;
      case 3: return 0;
      default: {
        const Timestamp dt = static_cast<Timestamp>(1 + in_.below(7'200)) * kSecond;
        return now > kI64Max - dt ? kI64Max : now + dt;
      }
    }
  }

  // ------------------------------------------------------------ reference data

  // A spec to list: with `tame`, ordinary values (the prelude's instruments
  // mostly list, so that orders trade); otherwise any value, edges often.
  InstrumentSpec spec(bool tame = false) {
    if (tame) return tame_spec();
    // (A book of 2^20 levels costs 24 MB, three times per instrument here:
    // the largest ladders are drawn less often than the 2^16 ones.)
    if (in_.one_in(limits_.max_ladder_levels > (1u << 16) ? 48 : 8)) return largest_spec();
    InstrumentSpec s;
    switch (in_.below(16)) {
      case 0:
        s.symbol = model_.instruments.empty() ? Symbol{} : model_.instruments[0].spec.symbol;  // taken
        break;
      case 1: s.symbol = Symbol{}; break;
      case 2: s.symbol = string<24>(); break;
      default: s.symbol = Symbol::of("I" + std::to_string(++symbol_counter_));
    }
    s.right_class = enumeration<RightClass>(kRightClasses);
    s.unit = in_.one_in(32) ? Label{} : Label::of("t");
    const Label region = Label::of(kRegions[in_.below(3)]);
    const Label basin = Label::of(kBasins[in_.below(3)]);
    switch (s.right_class) {
      case RightClass::CarbonAllowance: s.vintage = 2025; break;
      case RightClass::Ccer:
      case RightClass::ForestrySink:
        s.project_id = Label::of("P1");
        s.vintage = 2024;
        break;
      case RightClass::EmissionRight:
        s.pollutant = Label::of("SO2");
        s.term_years = 1 + static_cast<std::int32_t>(in_.below(kMaxTermYears));
        s.last_trading_date = 20301231;
        if (in_.one_in(2)) s.region = region;
        else s.basin = basin;
        break;
      case RightClass::EnergyUseRight:
        s.region = region;
        s.compliance_year = 2025;
        break;
      case RightClass::WaterRight:
        s.water_type = static_cast<WaterRightType>(1 + in_.below(3));
        s.basin = basin;
        s.term_years = 1 + static_cast<std::int32_t>(in_.below(kMaxTermYears));
        s.last_trading_date = 20301231;
        break;
    }
    if (in_.one_in(12)) {  // attributes at and past their edges
      static constexpr std::int32_t kYears[] = {1989, 1990, 2200, 2201, 0, -1, std::numeric_limits<std::int32_t>::min()};
      static constexpr std::int32_t kTerms[] = {0, 1, 100, 101, -1, std::numeric_limits<std::int32_t>::max()};
      // Last trading dates: none, ended long ago, today-ish, not a date, out of range.
      static constexpr std::int32_t kEnds[] = {0, 19991231, 20260101, 20260302, 20261231, 20260230, 22010101, -1};
      switch (in_.below(6)) {
        case 0: s.vintage = kYears[in_.below(std::size(kYears))]; break;
        case 1: s.compliance_year = kYears[in_.below(std::size(kYears))]; break;
        case 2: s.term_years = kTerms[in_.below(std::size(kTerms))]; break;
        case 3: s.region = Label{}; break;
        case 4: s.last_trading_date = kEnds[in_.below(std::size(kEnds))]; break;
        default: s.project_id = Label::of("P2"); break;
      }
    }
    auto scale = [&]() -> std::int8_t {
      if (in_.one_in(24)) {
        static constexpr std::int8_t kBad[] = {-1, 10, 18, 127, -128};
        return kBad[in_.below(std::size(kBad))];
      }
      static constexpr std::int8_t kCommon[] = {0, 2, 3, 0, 2, 9};
      return in_.one_in(2) ? kCommon[in_.below(std::size(kCommon))] : static_cast<std::int8_t>(in_.below(10));
    };
    s.price_scale = scale();
    s.qty_scale = scale();
    const int ps = std::clamp<int>(s.price_scale, 0, 18);
    const int qs = std::clamp<int>(s.qty_scale, 0, 18);

    static constexpr std::int64_t kTicks[] = {1, 1, 1, 5, 10, 25, 100, 1'000'000, kMaxTickUnits, kMaxTickUnits + 1, 0, -1};
    const std::int64_t tick = kTicks[in_.below(std::size(kTicks))];
    s.tick = spelled(tick, ps);
    static constexpr std::int64_t kLots[] = {1, 1, 1, 10, 100, 1'000, kMaxOrderQtyUnits, kMaxOrderQtyUnits + 1, 0, -1};
    const std::int64_t lot = kLots[in_.below(std::size(kLots))];
    s.lot = spelled(lot, qs);
    const std::int64_t l = lot > 0 ? lot : 1;
    std::int64_t mn = l * (in_.one_in(4) ? 10 : 1);
    std::int64_t mx = 0;
    switch (in_.below(8)) {
      case 0: mx = kMaxOrderQtyUnits / l * l; break;
      case 1: mx = (kMaxOrderQtyUnits / l + 1) * l; break;
      case 2: mx = l; break;
      case 3: mx = mn - l; break;
      case 4: mn = l + 1; mx = l * 1'000; break;  // min off the lot
      default: mx = l * (in_.one_in(2) ? 1'000'000 : 10'000); break;
    }
    if (mx > kMaxOrderQtyUnits * 2 || mx < -kMaxOrderQtyUnits) mx = kMaxOrderQtyUnits;
    s.continuous.min_qty = spelled(mn, qs);
    s.continuous.max_qty = spelled(mx, qs);
    static constexpr std::uint32_t kBands[] = {1'000, 1'000, 3'000, 100, 1, 9'999, 10'000, 0,
                                               std::numeric_limits<std::uint32_t>::max()};
    s.continuous.band_bps = kBands[in_.below(std::size(kBands))];
    // A book's ladder is its band: a band edge may be at most half a ladder,
    // (max_ladder_levels - 1) / 2 ticks, from the reference (else
    // invalid-band), and a wide band costs megabytes per book, so references
    // near that edge are drawn less often than the others.
    const std::int64_t half = (static_cast<std::int64_t>(limits_.max_ladder_levels) - 1) / 2;
    const std::int64_t bps = std::clamp<std::int64_t>(s.continuous.band_bps, 1, 9'999);
    const std::int64_t top = kMaxPriceUnits / (tick > 0 ? tick : 1);  // the largest price, in ticks
    std::int64_t ref_ticks = 100;
    switch (in_.below(40)) {
      case 0: ref_ticks = 1; break;
      case 1: ref_ticks = 2; break;
      case 2: ref_ticks = in_.one_in(3) ? half * 10'000 / bps : 100; break;  // the widest band that lists
      case 3: ref_ticks = in_.one_in(3) ? half * 10'000 / bps + 1 + static_cast<std::int64_t>(in_.below(2)) : 100; break;
      case 4: ref_ticks = top + static_cast<std::int64_t>(in_.below(2)); break;  // the largest reference, and past it
      case 5: ref_ticks = 0; break;
      case 6: ref_ticks = -1; break;
      case 7: ref_ticks = static_cast<std::int64_t>(limits_.max_ladder_levels); break;
      case 8: ref_ticks = 10'000; break;
      case 9: case 10: ref_ticks = 1'000; break;
      default: ref_ticks = 50 + static_cast<std::int64_t>(in_.below(500)); break;
    }
    std::int64_t ref = 0;
    if (__builtin_mul_overflow(ref_ticks, tick > 0 ? tick : 1, &ref)) ref = kI64Max;
    if (in_.one_in(24) && tick > 1 && ref < kI64Max) ref += 1;  // off tick
    s.reference_price = spelled(ref, ps);
    s.price_unit = s.term_years > 0 && in_.one_in(2) ? PriceUnit::PerUnitYear : enumeration<PriceUnit>(1);
    if (in_.one_in(10)) s.eligibility = enumeration<Eligibility>(4);
    if (s.eligibility == Eligibility::SameRegion && s.region.empty() && in_.one_in(2)) s.region = region;
    if (s.eligibility == Eligibility::SameBasin && s.basin.empty() && in_.one_in(2)) s.basin = basin;
    switch (in_.below(10)) {
      case 0: s.holding_limit = spelled(l * static_cast<std::int64_t>(1 + in_.below(10'000)), qs); break;
      case 1: s.holding_limit = spelled(kMaxRightsUnits + static_cast<std::int64_t>(in_.below(3)) - 1, qs); break;
      case 2: s.holding_limit = amount(qs, 8); break;
      default: break;  // none
    }
    return s;
  }

  // Everything at its largest: scales 0, the largest tick, the largest
  // reference price (kMaxPriceUnits, or a tick below) with the widest band
  // the ladder allows there, the largest order size, 100 years per unit: the
  // largest notional an order can name (about 4 x 10^34 fen).
  InstrumentSpec largest_spec() {
    InstrumentSpec s;
    s.symbol = Symbol::of("L" + std::to_string(++symbol_counter_));
    const bool water = in_.one_in(2);
    s.right_class = water ? RightClass::WaterRight : RightClass::EmissionRight;
    s.unit = Label::of("t");
    s.term_years = in_.one_in(4) ? 1 + static_cast<std::int32_t>(in_.below(kMaxTermYears)) : kMaxTermYears;
    s.last_trading_date = 22001231;
    if (water) {
      s.water_type = WaterRightType::Regional;
      s.basin = Label::of(kBasins[in_.below(3)]);
    } else {
      s.pollutant = Label::of("NOx");
      s.region = Label::of(kRegions[in_.below(3)]);
    }
    s.price_scale = 0;
    s.qty_scale = 0;
    s.tick = Decimal{kMaxTickUnits, 0};
    s.lot = Decimal{1, 0};
    s.continuous.min_qty = Decimal{1, 0};
    s.continuous.max_qty = Decimal{kMaxOrderQtyUnits, 0};
    const std::int64_t top = kMaxPriceUnits / kMaxTickUnits - static_cast<std::int64_t>(in_.below(2));
    // A band edge at most half a ladder from the reference; now and then one
    // that needs more (invalid-band).
    const std::int64_t half = (static_cast<std::int64_t>(limits_.max_ladder_levels) - 1) / 2;
    const std::int64_t widest = std::clamp<std::int64_t>(half * 10'000 / top, 1, 9'999);
    s.continuous.band_bps = static_cast<std::uint32_t>(in_.one_in(8) ? 9'999 : in_.one_in(2) ? widest : 1);
    s.reference_price = Decimal{top * kMaxTickUnits, 0};
    s.price_unit = PriceUnit::PerUnitYear;
    if (in_.one_in(3)) s.holding_limit = Decimal{kMaxRightsUnits, 0};
    return s;
  }

  InstrumentSpec tame_spec() {
    InstrumentSpec s;
    s.symbol = Symbol::of("I" + std::to_string(++symbol_counter_));
    s.right_class = static_cast<RightClass>(in_.below(kRightClasses));
    s.unit = Label::of("t");
    const Label region = Label::of(kRegions[in_.below(3)]);
    const Label basin = Label::of(kBasins[in_.below(3)]);
    switch (s.right_class) {
      case RightClass::CarbonAllowance: s.vintage = 2025; break;
      case RightClass::Ccer:
      case RightClass::ForestrySink:
        s.project_id = Label::of("P1");
        s.vintage = 2024;
        break;
      case RightClass::EmissionRight:
        s.pollutant = Label::of("SO2");
        s.term_years = in_.one_in(4) ? kMaxTermYears : 1 + static_cast<std::int32_t>(in_.below(10));
        s.last_trading_date = 21251231;
        s.region = region;
        break;
      case RightClass::EnergyUseRight:
        s.region = region;
        s.compliance_year = 2025;
        break;
      case RightClass::WaterRight:
        s.water_type = WaterRightType::Regional;
        s.basin = basin;
        s.term_years = 1 + static_cast<std::int32_t>(in_.below(25));
        break;
    }
    static constexpr std::int8_t kScales[] = {0, 2, 2, 3, 4, 9};
    s.price_scale = kScales[in_.below(std::size(kScales))];
    s.qty_scale = kScales[in_.below(std::size(kScales))];
    static constexpr std::int64_t kTicks[] = {1, 1, 5, 10};
    const std::int64_t tick = kTicks[in_.below(std::size(kTicks))];
    const std::int64_t lot = in_.one_in(4) ? 10 : 1;
    s.tick = Decimal{tick, s.price_scale};
    s.lot = Decimal{lot, s.qty_scale};
    s.continuous.min_qty = Decimal{lot, s.qty_scale};
    s.continuous.max_qty = Decimal{lot * (in_.one_in(3) ? kMaxOrderQtyUnits / lot : 100'000), s.qty_scale};
    s.continuous.band_bps = in_.one_in(2) ? 1'000 : 3'000;
    s.reference_price = Decimal{tick * (50 + static_cast<std::int64_t>(in_.below(500))), s.price_scale};
    if (s.term_years > 0 && in_.one_in(2)) s.price_unit = PriceUnit::PerUnitYear;
    if (in_.one_in(8)) s.holding_limit = Decimal{lot * 1'000, s.qty_scale};
    return s;
  }

  // ------------------------------------------------------------ commands

  CommandBody create_member() {
    CreateMember m;
    switch (in_.below(10)) {
      case 0: m.member = 0; break;
      case 1: m.member = model_.members.empty() ? 1 : model_.members[in_.below(model_.members.size())]; break;
      case 2: m.member = std::numeric_limits<MemberId>::max(); break;
      default: m.member = static_cast<MemberId>(model_.members.size() + 1 + in_.below(3));
    }
    m.name = in_.one_in(20) ? Label{} : Label::of("M" + std::to_string(m.member));
    if (in_.one_in(2)) m.region = Label::of(kRegions[in_.below(3)]);
    if (in_.one_in(2)) m.basin = Label::of(kBasins[in_.below(3)]);
    m.category = enumeration<MemberCategory>(4);
    m.restricted = in_.one_in(16);
    m.stp = enumeration<StpMode>(6);
    if (m.stp == StpMode::MemberDefault && !in_.one_in(8)) m.stp = StpMode::CancelTaker;
    return m;
  }

  CommandBody create_account() {
    CreateAccount a;
    switch (in_.below(10)) {
      case 0: a.account = 0; break;
      case 1: a.account = model_.accounts.empty() ? 10 : model_.accounts[in_.below(model_.accounts.size())].first; break;
      case 2: a.account = std::numeric_limits<AccountId>::max(); break;
      default: a.account = static_cast<AccountId>(100 + model_.accounts.size() + in_.below(2));
    }
    a.member = member_id();
    a.restricted = in_.one_in(16);
    return a;
  }

  CommandBody create_operator() {
    CreateOperator o;
    o.op = in_.one_in(10) ? 0 : static_cast<OperatorId>(model_.operators.size() + 1 + in_.below(2));
    o.member = member_id();
    o.name = in_.one_in(20) ? Label{} : Label::of("op" + std::to_string(o.op));
    o.role = enumeration<OperatorRole>(3);
    if (in_.one_in(2)) o.role = OperatorRole::Trader;
    return o;
  }

  CommandBody set_operator() {
    SetOperator o;
    o.op = model_.operators.empty() || in_.one_in(8) ? static_cast<OperatorId>(in_.below(5))
                                                      : model_.operators[in_.below(model_.operators.size())].first;
    o.role = enumeration<OperatorRole>(3);
    o.active = !in_.one_in(4);
    return o;
  }

  CommandBody set_fees() {
    SetFees f;
    f.right_class = enumeration<RightClass>(kRightClasses);
    static constexpr std::uint32_t kRates[] = {0, 0, 100, 1'000, 3'000, 500'000, 999'999, 1'000'000, 1'000'001,
                                               std::numeric_limits<std::uint32_t>::max()};
    const bool largest = in_.one_in(8);  // 100 % and the largest minimum
    for (FeeLine* line : {&f.trading, &f.settlement}) {
      if (largest) {
        line->rate_ppm = kMaxFeeRatePpm;
        line->minimum = Decimal{kMaxFeeMinimumFen, kCashScale};
        continue;
      }
      line->rate_ppm = in_.one_in(8) ? in_.u32() : kRates[in_.below(std::size(kRates))];
      switch (in_.below(8)) {
        case 0:
        case 1:
        case 2: break;  // no minimum
        case 3: line->minimum = spelled(kMaxFeeMinimumFen + static_cast<std::int64_t>(in_.below(3)) - 1, kCashScale); break;
        case 4: line->minimum = Decimal{1, 3}; break;  // a tenth of a fen
        case 5: line->minimum = amount(kCashScale, 12); break;
        default: line->minimum = spelled(log_positive(5), kCashScale);
      }
    }
    return f;
  }

  // Listed during a day, an instrument is in pre-open: usually it opens next.
  CommandBody create_instrument() {
    CreateInstrument c{spec(!in_.one_in(3))};
    if (!in_.one_in(4)) follow_up(SetSession{c.spec.symbol, SessionState::Continuous});
    return c;
  }

  CommandBody change_instrument() {
    InstrumentInfo* ins = some_instrument();
    if (!ins) return ChangeInstrument{spec()};
    InstrumentSpec s = ins->spec;
    const int qs = s.qty_scale;
    const Qty lot = ins->lot;
    switch (in_.below(10)) {
      case 0: s.continuous.band_bps = static_cast<std::uint32_t>(1 + in_.below(9'999)); break;
      case 1: s.continuous.min_qty = spelled(lot * static_cast<Qty>(1 + in_.below(5)), qs); break;
      case 2: s.continuous.max_qty = spelled(lot * static_cast<Qty>(1 + in_.below(1'000)), qs); break;
      case 3: s.holding_limit = in_.one_in(2) ? Decimal{} : spelled(lot * static_cast<Qty>(1 + in_.below(1'000)), qs); break;
      case 4: s.eligibility = enumeration<Eligibility>(4); break;
      case 5: s.tick = spelled(ins->tick * 2, s.price_scale); break;              // immutable
      case 6: s.reference_price = spelled(ins->tick * 7, s.price_scale); break;  // immutable
      case 7: s.holding_limit = spelled(kMaxRightsUnits + static_cast<std::int64_t>(in_.below(3)) - 1, qs); break;
      case 8: s.continuous.max_qty = quantity(ins); break;
      default: {  // the same spec spelled differently, or a spec from nothing
        if (in_.one_in(2)) return ChangeInstrument{spec()};
        s.tick = spelled(ins->tick, s.price_scale);
      }
    }
    return ChangeInstrument{s};
  }

  CommandBody deposit() { return Deposit{account_id(), cash(12)}; }
  CommandBody withdraw() {
    const AccountId a = account_id();
    if (in_.one_in(2)) {
      const Money have = ex_.balance(a, kCash, Bucket::Tradable);
      const std::int64_t h = have > 0 && have < kI64Max ? static_cast<std::int64_t>(have) : 0;
      return Withdraw{a, spelled(h + static_cast<std::int64_t>(in_.below(3)) - 1, kCashScale)};
    }
    return Withdraw{a, cash(10)};
  }

  CommandBody issue() {
    InstrumentInfo* ins = some_instrument();
    const AccountId a = account_id();
    return IssueRights{a, symbol_of(ins), rights(ins, a, Bucket::Registry, 9)};
  }

  CommandBody move_rights() {
    InstrumentInfo* ins = some_instrument();
    const AccountId a = account_id();
    MoveRights m;
    m.account = a;
    m.to_trading = !in_.one_in(4);
    m.symbol = symbol_of(ins);
    m.qty = rights(ins, a, m.to_trading ? Bucket::Registry : Bucket::Tradable, 6);
    return m;
  }

  CommandBody freeze() {
    const AccountId a = account_id();
    const bool hold = in_.one_in(2);
    const auto kind = enumeration<HoldKind>(2);
    const Bucket held = kind == HoldKind::Pledged ? Bucket::Pledged : Bucket::Frozen;
    if (in_.one_in(3)) return Freeze{a, Symbol{}, cash(8), kind, hold};
    InstrumentInfo* ins = some_instrument();
    return Freeze{a, symbol_of(ins), rights(ins, a, hold ? Bucket::Tradable : held, 6), kind, hold};
  }

  static BusinessDate next_date(BusinessDate d, int days) {
    int y = d / 10'000, m = d / 100 % 100, day = d % 100;
    for (int i = 0; i < days; ++i) {
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const int len = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
      if (++day > len) {
        day = 1;
        if (++m > 12) {
          m = 1;
          ++y;
        }
      }
    }
    return y * 10'000 + m * 100 + day;
  }

  CommandBody open_day() {
    const BusinessDate base = model_.date != 0 ? model_.date : 20260104;
    switch (in_.below(16)) {
      case 0: return OpenDay{base};
      case 1: return OpenDay{20261340};                                  // not a date
      case 2: return OpenDay{22001231};                                  // the last one
      case 3: return OpenDay{22010101};                                  // past it
      case 4: return OpenDay{static_cast<BusinessDate>(in_.u32())};
      case 5: return OpenDay{base - 1};
      default: return OpenDay{base >= 22001231 ? base : next_date(base, 1 + static_cast<int>(in_.below(3)))};
    }
  }

  CommandBody set_session() {
    SetSession s;
    if (in_.one_in(2)) s.symbol = symbol_of(some_instrument());
    switch (in_.below(10)) {
      case 0: s.state = SessionState::PreOpen; break;
      case 1: s.state = SessionState::Halted; break;
      case 2: s.state = SessionState::Closed; break;
      case 3: s.state = enumeration<SessionState>(4); break;
      default: s.state = SessionState::Continuous;
    }
    // A halt or a pre-open usually ends a few commands later.
    if (s.state != SessionState::Continuous && !in_.one_in(4)) {
      follow_up(SetSession{s.symbol, SessionState::Continuous}, in_.below(12));
    }
    return s;
  }

  // A restriction is usually lifted a few commands later.
  template <class Set>
  CommandBody restriction(Set set) {
    set.restricted = !in_.one_in(3);
    if (set.restricted && !in_.one_in(4)) {
      Set lift = set;
      lift.restricted = false;
      follow_up(lift, in_.below(12));
    }
    return set;
  }
  CommandBody set_member_restricted() { return restriction(SetMemberRestricted{member_id(), false}); }
  CommandBody set_account_restricted() { return restriction(SetAccountRestricted{account_id(), false}); }

  CommandBody new_order() {
    NewOrder o;
    InstrumentInfo* ins = some_instrument();
    o.side = enumeration<Side>(2);
    o.account = account_id();
    Money can_sell = 0;
    if (ins && o.side == Side::Sell && !in_.one_in(4)) {  // a seller that has something to sell
      std::vector<AccountId> sellers;
      for (const auto& [id, m] : model_.accounts)
        if (ex_.balance(id, ins->id, Bucket::Tradable) >= ins->min_qty) sellers.push_back(id);
      if (!sellers.empty()) {
        o.account = sellers[in_.below(sellers.size())];
        can_sell = ex_.balance(o.account, ins->id, Bucket::Tradable);
      }
    }
    const MemberId m = member_of(o.account);
    o.clord_id = clord_for_new(m);
    o.symbol = symbol_of(ins);
    o.type = in_.one_in(6) ? OrderType::Market : enumeration<OrderType>(1);
    static constexpr TimeInForce kTifs[] = {TimeInForce::Day, TimeInForce::Day, TimeInForce::Gtc, TimeInForce::Gtc,
                                            TimeInForce::Gtd, TimeInForce::Ioc, TimeInForce::Fok};
    o.tif = wild_ && in_.one_in(16) ? enumeration<TimeInForce>(5) : kTifs[in_.below(std::size(kTifs))];
    if (o.type == OrderType::Market && !in_.one_in(6)) o.tif = in_.one_in(2) ? TimeInForce::Ioc : TimeInForce::Fok;
    if (o.type == OrderType::Limit || !in_.one_in(2)) o.price = price(ins, o.side);
    o.qty = quantity(ins);
    if (can_sell > 0 && !wild_) {  // at most what it has
      const Units q = to_units(o.qty, ins->spec.qty_scale);
      if (q.ok() && q.value > can_sell) {
        const Qty most = static_cast<Qty>(std::min<Money>(can_sell, ins->max_qty)) / ins->lot * ins->lot;
        o.qty = spelled(std::max(most, ins->min_qty), ins->spec.qty_scale);
      }
    }
    if (o.tif == TimeInForce::Gtd || (wild_ && in_.one_in(8))) o.expire_at = expiry();
    o.stp = enumeration<StpMode>(6);
    o.op = operator_id(m);
    return o;
  }

  CommandBody cancel() {
    CancelOrder c;
    if (const LiveOrder* o = some_live()) {
      c.account = in_.one_in(4) ? sibling(o->account) : o->account;
      c.orig_clord_id = o->clord;
      c.op = operator_id(o->member);
      if (wild_ && in_.one_in(5)) c.account = account_id();  // maybe another member's
      return c;
    }
    c.account = account_id();
    c.orig_clord_id = model_.used_clords.empty() || in_.one_in(4)
                          ? string<32>()
                          : model_.used_clords[in_.below(model_.used_clords.size())].second;
    c.op = operator_id(member_of(c.account));
    return c;
  }

  CommandBody modify() {
    ModifyOrder m;
    const LiveOrder* o = some_live();
    if (!o) {
      m.account = account_id();
      m.orig_clord_id = string<32>();
      m.price = amount(2, 5);
      m.qty = amount(0, 4);
      return m;
    }
    InstrumentInfo* ins = model_.instrument(o->instrument);
    m.account = in_.one_in(4) ? sibling(o->account) : o->account;
    if (wild_ && in_.one_in(6)) m.account = account_id();
    m.orig_clord_id = o->clord;
    switch (in_.below(8)) {
      case 0: m.clord_id = fresh_clord(); break;
      case 1: m.clord_id = o->clord; break;
      case 2: m.clord_id = clord_for_new(o->member); break;
      default: break;  // keep
    }
    const int ps = ins ? ins->spec.price_scale : 2;
    const int qs = ins ? ins->spec.qty_scale : 0;
    m.price = in_.one_in(3) ? spelled(o->price, ps) : price(ins, o->side);
    m.qty_is_total = in_.one_in(3);
    const Qty lot = ins ? ins->lot : 1;
    switch (in_.below(8)) {
      case 0: m.qty = quantity(ins); break;
      case 1: m.qty = spelled(o->leaves + lot, qs); break;
      case 2: m.qty = spelled(o->leaves > lot ? o->leaves - lot : o->leaves, qs); break;
      case 3: m.qty = spelled(ins ? ins->max_qty : lot, qs); break;
      default: m.qty = spelled(o->leaves, qs); break;
    }
    if (m.qty_is_total && !in_.one_in(4)) {
      // The total form: executed + the leaves drawn above (or at / below the executed quantity).
      const Units leaves = to_units(m.qty, qs);
      const Qty l = leaves.ok() ? leaves.value : 0;
      const Qty total = in_.one_in(6) ? o->cum_qty : (l > kI64Max - o->cum_qty ? l : o->cum_qty + l);
      m.qty = spelled(total, qs);
    }
    m.op = operator_id(o->member);
    return m;
  }

  CommandBody mass_cancel() {
    MassCancel c;
    const LiveOrder* o = some_live();
    c.member = o ? o->member : member_id();
    switch (in_.below(4)) {
      case 0: c.account = o ? o->account : account_id(); break;
      case 1: c.account = account_id(); break;
      default: break;  // every account
    }
    if (in_.one_in(2)) c.symbol = symbol_of(o ? model_.instrument(o->instrument) : some_instrument());
    if (in_.one_in(3)) c.side = enumeration<Side>(2);
    c.op = operator_id(c.member);
    c.day_only = in_.one_in(3);
    return c;
  }

  CommandBody random_command() {
    // A wild command draws every field from its edges as often as not; a
    // tame one only ordinary values, so that it passes most checks and the
    // state moves on (trades, fills, modifies of live orders).
    wild_ = in_.below(8) < 3;
    if (!model_.day_open && in_.one_in(6)) {  // a closed day usually does not last
      follow_up(SetSession{{}, SessionState::Continuous});
      return open_day();
    }
    // Weights per 256 (order flow first: it reaches the deepest rules).
    const std::uint8_t k = in_.u8();
    if (k < 96) return new_order();
    if (k < 124) return modify();
    if (k < 140) return cancel();
    if (k < 146) return mass_cancel();
    if (k < 154) return Timer{};
    if (k < 161) return deposit();
    if (k < 166) return withdraw();
    if (k < 172) return issue();
    if (k < 178) return move_rights();
    if (k < 186) return freeze();
    if (k < 190) {
      if (!in_.one_in(4)) follow_up(SetSession{{}, SessionState::Continuous});
      return open_day();
    }
    if (k < 194) {
      // Usually the next day follows soon, in continuous trading again.
      if (!in_.one_in(4)) {
        const BusinessDate base = model_.date != 0 ? model_.date : 20260104;
        follow_up(OpenDay{base >= 22001231 ? base : next_date(base, 1 + static_cast<int>(in_.below(3)))});
        follow_up(SetSession{{}, SessionState::Continuous});
      }
      return CloseDay{};
    }
    if (k < 202) return set_session();
    if (k < 208) return set_fees();
    if (k < 213) return create_member();
    if (k < 217) return set_member_restricted();
    if (k < 222) return create_account();
    if (k < 226) return set_account_restricted();
    if (k < 230) return create_operator();
    if (k < 234) return set_operator();
    if (k < 242) return create_instrument();
    return change_instrument();
  }

  // ------------------------------------------------------------ the prelude

  // Members, accounts, operators, instruments, fees, cash and rights, an open
  // day in continuous trading: drawn from the input like everything else, but
  // valid far more often, so the commands after it trade.
  void prelude() {
    wild_ = false;
    const int members = 2 + static_cast<int>(in_.below(3));
    for (int i = 1; i <= members; ++i) {
      CreateMember m;
      m.member = static_cast<MemberId>(i);
      m.name = Label::of("M" + std::to_string(i));
      m.region = Label::of(kRegions[in_.below(3)]);
      m.basin = Label::of(kBasins[in_.below(3)]);
      m.category = static_cast<MemberCategory>(in_.below(4));
      static constexpr StpMode kStp[] = {StpMode::CancelTaker, StpMode::None, StpMode::CancelMaker,
                                         StpMode::CancelBoth, StpMode::Decrement};
      m.stp = kStp[in_.below(std::size(kStp))];
      apply(m, Stamp::Prelude);
      const int accounts = 1 + static_cast<int>(in_.below(2));
      for (int k = 0; k < accounts; ++k) apply(CreateAccount{static_cast<AccountId>(10 * i + k), m.member, false}, Stamp::Prelude);
    }
    const int operators = static_cast<int>(in_.below(3));
    for (int i = 1; i <= operators; ++i)
      apply(CreateOperator{static_cast<OperatorId>(i), static_cast<MemberId>(1 + in_.below(static_cast<std::uint64_t>(members))),
                           Label::of("op" + std::to_string(i)), static_cast<OperatorRole>(in_.below(2))},
            Stamp::Prelude);
    const int instruments = 1 + static_cast<int>(in_.below(3));
    for (int i = 0; i < instruments; ++i) apply(CreateInstrument{spec(!in_.one_in(4))}, Stamp::Prelude);
    const int fees = static_cast<int>(in_.below(3));
    for (int i = 0; i < fees; ++i) apply(set_fees(), Stamp::Prelude);
    const std::vector<std::pair<AccountId, MemberId>> accounts = model_.accounts;
    for (const auto& [a, m] : accounts) {
      const std::int64_t fen = kPow10[8 + in_.below(6)] * static_cast<std::int64_t>(1 + in_.below(9));
      apply(Deposit{a, in_.one_in(8) ? cash(14) : spelled(fen, kCashScale)}, Stamp::Prelude);
      for (const InstrumentInfo& ins : std::vector<InstrumentInfo>(model_.instruments)) {
        if (in_.one_in(8)) continue;
        const Qty lots = static_cast<Qty>(1'000 + in_.below(in_.one_in(4) ? 100'000'000 : 100'000));
        Qty q;
        if (__builtin_mul_overflow(ins.lot, lots, &q)) q = kMaxRightsUnits;  // a lot of 10^12 (the largest)
        apply(IssueRights{a, ins.spec.symbol, in_.one_in(8) ? rights(&ins, a, Bucket::Registry, 15)
                                                             : spelled(q, ins.spec.qty_scale)},
              Stamp::Prelude);
        apply(MoveRights{a, ins.spec.symbol, spelled(q, ins.spec.qty_scale), true}, Stamp::Prelude);
      }
    }
    apply(OpenDay{20260105}, Stamp::Prelude);
    apply(SetSession{{}, SessionState::Continuous}, Stamp::Prelude);
  }

  Bytes& in_;
  ExchangeLimits limits_;
  Model model_;
  CheckingSink sink_;
  NullSink null_;
  Exchange ex_;
  Exchange shadow_;
  // Commands due after `after` more random ones (a halt lifted, the next day opened).
  struct FollowUp {
    std::size_t after = 0;
    CommandBody body;
  };
  std::vector<FollowUp> follow_ups_;

  void follow_up(CommandBody body, std::size_t after = 0) { follow_ups_.push_back(FollowUp{after, std::move(body)}); }
  std::size_t index_ = 0;
  bool wild_ = true;        // the command being built may take any value (else ordinary ones)
  std::uint64_t clord_counter_ = 0;
  std::uint64_t symbol_counter_ = 0;
};

// The Exchange's limits for an input: the defaults (bands of up to 2^20
// levels, as erxd's), bands of 2^16 levels (at a sixteenth of the memory;
// prices reach kMaxPriceUnits under every limit, so notionals pass
// 2^128 x 10^-6 with either), both with few instruments and members so that
// an input stays fast; or tight limits that reach their rejects (book-full,
// limit-reached, a short ladder: narrow bands).
ExchangeLimits limits_for(std::uint8_t b) {
  ExchangeLimits l;
  l.max_instruments = 6;
  l.max_members = 12;
  l.max_accounts = 24;
  l.max_operators = 12;
  if (b % 4 == 1) l.max_ladder_levels = 1u << 16;
  if (b % 4 == 0) {
    l.max_instruments = 3;
    l.max_members = 3;
    l.max_accounts = 4;
    l.max_operators = 2;
    l.max_open_orders_per_book = 3;
    l.max_ladder_levels = 4'096;
  }
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_novel = false;
  Bytes in(data, size);
  const ExchangeLimits limits = limits_for(in.u8());
  Harness h(in, limits);
  h.run();
  return 0;
}

extern "C" int erx_fuzz_novel(void) { return g_novel ? 1 : 0; }
