#include "tests/support/exchange_flow.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <type_traits>
#include <utility>

#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/event_fields.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange::test {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
// 2026-01-04T00:00:00Z (a Sunday): day 0 of the flow's calendar.
constexpr std::int64_t kEpochDay0 = 1'767'484'800;

Decimal dec(std::int64_t units, int scale) { return Decimal{units, static_cast<std::int8_t>(scale)}; }

// A Decimal of the flow's own reference data in units of `scale` (exact for
// every value the flow writes).
std::int64_t units_of(const Decimal& d, int scale) {
  if (d.scale <= scale) return d.units * kPow10[scale - d.scale];
  return d.units / kPow10[d.scale - scale];
}

template <std::size_t N>
FixedString<N> numbered(std::string_view prefix, std::uint64_t n) {
  std::array<char, 48> buf{};
  std::size_t len = std::min(prefix.size(), std::size_t{24});
  std::copy_n(prefix.begin(), len, buf.begin());
  const auto r = std::to_chars(buf.data() + len, buf.data() + buf.size(), n);
  len = static_cast<std::size_t>(r.ptr - buf.data());
  return FixedString<N>::of(std::string_view(buf.data(), len));
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

struct MemberSeed {
  MemberId id;
  const char* name;
  const char* region;
  const char* basin;
  MemberCategory category;
  StpMode stp;
  bool restricted;
};

// Jiangxi members: SO2 of Ganzhou trades only among Ganzhou members, Gan basin
// water only among Gan basin members.
constexpr MemberSeed kMembers[] = {
    {1, "Ganzhou Nonferrous Smelting", "Ganzhou", "Gan", MemberCategory::ComplianceEntity, StpMode::CancelTaker, false},
    {2, "Ganzhou Thermal Power", "Ganzhou", "Gan", MemberCategory::ComplianceEntity, StpMode::CancelMaker, false},
    {3, "Nanchang Iron and Steel", "Nanchang", "Poyang", MemberCategory::ComplianceEntity, StpMode::CancelBoth, false},
    {4, "Jiujiang Petrochemical", "Jiujiang", "Poyang", MemberCategory::ComplianceEntity, StpMode::Decrement, false},
    {5, "Shangrao Paper", "Shangrao", "Xin", MemberCategory::ComplianceEntity, StpMode::CancelTaker, false},
    {6, "Jiangxi Green Capital", "Nanchang", "Gan", MemberCategory::Investor, StpMode::None, false},
    {7, "Jiangxi Carbon Reserve", "Nanchang", "Gan", MemberCategory::GovernmentReserve, StpMode::CancelTaker, false},
    {8, "Ji'an Gan River Irrigation", "Ji'an", "Gan", MemberCategory::ComplianceEntity, StpMode::Decrement, true},
    {9, "Fuzhou Chemical", "Fuzhou", "Fu", MemberCategory::MarketMaker, StpMode::CancelBoth, false},
    {10, "Ganzhou Rare Earth", "Ganzhou", "Gan", MemberCategory::ComplianceEntity, StpMode::None, false},
};

InstrumentSpec base_spec(const char* symbol, RightClass cls, const char* unit) {
  InstrumentSpec s;
  s.symbol = Symbol::of(symbol);
  s.right_class = cls;
  s.unit = Label::of(unit);
  return s;
}

// One instrument per right class, with the markets' prices and ticks
// (docs/EXCHANGE.md "Markets and numbers"):
// CNY 0.01 where the price is yuan per unit, CNY 0.0001 for water (CNY 0.12 per
// m3 and year). The ladders are the exchange's own (each book's band, re-based
// at every open); check_invariants() visits only the occupied levels, so their
// width costs the test nothing.
std::vector<InstrumentSpec> instrument_specs() {
  std::vector<InstrumentSpec> v;
  {  // national allowance, CNY 60 / t
    InstrumentSpec s = base_spec("CEA25", RightClass::CarbonAllowance, "tCO2e");
    s.vintage = 2025;
    s.price_scale = 2;
    s.tick = dec(1, 2);
    s.lot = dec(1, 0);
    s.continuous = ModeRules{dec(1, 0), dec(99'999, 0), 1'000};
    s.reference_price = dec(6'000, 2);
    v.push_back(s);
  }
  {  // certified reductions, CNY 85 / t, with a holding limit
    InstrumentSpec s = base_spec("CCER-JX0142-24", RightClass::Ccer, "tCO2e");
    s.project_id = Label::of("CCER-JX-0142");
    s.vintage = 2024;
    s.tick = dec(1, 2);
    s.lot = dec(1, 0);
    s.continuous = ModeRules{dec(1, 0), dec(50'000, 0), 1'000};
    s.reference_price = dec(8'500, 2);
    s.holding_limit = dec(400'000, 0);
    v.push_back(s);
  }
  {  // forestry sink, retail in kg: CNY 0.05 / kg = CNY 50 / t
    InstrumentSpec s = base_spec("FS-JXZX01-23", RightClass::ForestrySink, "tCO2e");
    s.project_id = Label::of("JX-FS-ZX01");
    s.vintage = 2023;
    s.region = Label::of("Jiangxi");
    s.qty_scale = 3;
    s.tick = dec(1, 2);
    s.lot = dec(1, 3);
    s.continuous = ModeRules{dec(1, 3), dec(10'000'000, 3), 1'500};
    s.reference_price = dec(5'000, 2);
    v.push_back(s);
  }
  {  // SO2 emission right, CNY 389 / (t·yr) × 5 years, Ganzhou only
    InstrumentSpec s = base_spec("SO2-GZ-5Y", RightClass::EmissionRight, "t/yr");
    s.pollutant = Label::of("SO2");
    s.region = Label::of("Ganzhou");
    s.term_years = 5;
    s.last_trading_date = 20301231;  // a 5-year term from 2026
    s.tick = dec(1, 2);
    s.lot = dec(1, 0);
    s.price_unit = PriceUnit::PerUnitYear;
    s.continuous = ModeRules{dec(1, 0), dec(5'000, 0), 1'000};
    s.reference_price = dec(38'900, 2);
    // No eligibility given: an air pollutant's default, the same region.
    v.push_back(s);
  }
  {  // energy-use right, tce, Jiangxi, compliance year 2025
    InstrumentSpec s = base_spec("EUR-JX-2025", RightClass::EnergyUseRight, "tce");
    s.region = Label::of("Jiangxi");
    s.compliance_year = 2025;
    s.tick = dec(1, 2);
    s.lot = dec(1, 0);
    s.continuous = ModeRules{dec(10, 0), dec(200'000, 0), 1'000};
    s.reference_price = dec(10'000, 2);
    v.push_back(s);
  }
  {  // water right, CNY 0.12 / (m3·yr) × 25 years, Gan basin only
    InstrumentSpec s = base_spec("WR-GAN-25Y", RightClass::WaterRight, "m3/yr");
    s.water_type = WaterRightType::Regional;
    s.basin = Label::of("Gan");
    s.term_years = 25;
    s.last_trading_date = 20501231;
    s.price_scale = 4;
    s.tick = dec(1, 4);
    s.lot = dec(100, 0);
    s.price_unit = PriceUnit::PerUnitYear;
    s.continuous = ModeRules{dec(1'000, 0), dec(5'000'000, 0), 1'000};
    s.reference_price = dec(1'200, 4);
    // No eligibility given: a water right's default, the same basin.
    v.push_back(s);
  }
  return v;
}

// The rule each instrument above trades under, as docs/EXCHANGE.md
// "Eligibility by default" states it for these rights (SO2: air; water right).
Eligibility expected_eligibility(const InstrumentSpec& s) {
  if (s.eligibility != Eligibility::Default) return s.eligibility;
  if (s.right_class == RightClass::WaterRight) return Eligibility::SameBasin;
  if (s.right_class == RightClass::EmissionRight && s.pollutant == Label::of("SO2")) return Eligibility::SameRegion;
  return Eligibility::Anyone;
}

// Typical order sizes (quantity units), per instrument above.
constexpr std::pair<Qty, Qty> kSizes[] = {
    {1, 3'000}, {1, 2'000}, {1, 200'000}, {1, 300}, {10, 20'000}, {1'000, 1'000'000},
};

SetFees fees_for(RightClass c) {
  switch (c) {
    case RightClass::CarbonAllowance: return SetFees{c, FeeLine{600, dec(100, 2)}, FeeLine{100, dec(50, 2)}};
    case RightClass::Ccer: return SetFees{c, FeeLine{1'000, dec(200, 2)}, FeeLine{200, dec(50, 2)}};
    case RightClass::ForestrySink: return SetFees{c, FeeLine{3'000, dec(10, 2)}, FeeLine{0, dec(0, 0)}};
    case RightClass::EmissionRight: return SetFees{c, FeeLine{1'000, dec(1'000, 2)}, FeeLine{500, dec(500, 2)}};
    case RightClass::EnergyUseRight: return SetFees{c, FeeLine{800, dec(500, 2)}, FeeLine{200, dec(100, 2)}};
    case RightClass::WaterRight: return SetFees{c, FeeLine{500, dec(2'000, 2)}, FeeLine{0, dec(0, 0)}};
  }
  return SetFees{c, {}, {}};
}

Money pow10_money(int n) {
  Money m = 1;
  for (int i = 0; i < n; ++i) m *= 10;
  return m;
}

}  // namespace

ExchangeLimits flow_limits() { return ExchangeLimits{}; }

// ---------------------------------------------------------------- FlowRng

std::uint64_t FlowRng::below(std::uint64_t n) {
  // Reject the lowest (2^64 mod n) values so every residue is equally likely.
  const std::uint64_t reject_under = (std::uint64_t{0} - n) % n;
  for (;;) {
    const std::uint64_t x = gen_();
    if (x >= reject_under) return x % n;
  }
}

std::int64_t FlowRng::between(std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == std::numeric_limits<std::uint64_t>::max()) return static_cast<std::int64_t>(gen_());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + below(span + 1));
}

std::size_t FlowRng::weighted(const std::vector<std::uint32_t>& weights) {
  std::uint64_t total = 0;
  for (std::uint32_t w : weights) total += w;
  std::uint64_t x = below(total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

std::int64_t FlowRng::log_between(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const auto span = static_cast<std::uint64_t>(hi - lo);
  int bits = 0;
  while (bits < 63 && (std::uint64_t{1} << bits) <= span) ++bits;
  const int b = static_cast<int>(below(static_cast<std::uint64_t>(bits) + 1));  // 0..bits
  const std::uint64_t top = b == 0 ? 0 : std::min(span, (std::uint64_t{1} << b) - 1);
  return lo + static_cast<std::int64_t>(below(top + 1));
}

// ---------------------------------------------------------------- setup

ExchangeFlow::ExchangeFlow(std::uint64_t seed) : seed_(seed), rng_(seed) {
  now_ = (kEpochDay0 + 2 * 3600) * kSecond;  // Sunday 02:00Z: reference data
  build_setup();
  setup_commands_ = script_.size();
}

void ExchangeFlow::build_setup() {
  // Members (one of them, and sometimes another, restricted at first).
  for (const MemberSeed& m : kMembers) {
    MemberInfo info;
    info.id = m.id;
    info.region = Label::of(m.region);
    info.basin = Label::of(m.basin);
    info.restricted = m.restricted || (m.id == 5 && rng_.chance(300));
    members_.push_back(info);
    script_.push_back(
        CreateMember{m.id, Label::of(m.name), info.region, info.basin, m.category, info.restricted, m.stp});
  }
  script_.push_back(CreateMember{0, Label::of("Nobody"), {}, {}, MemberCategory::Investor, false, StpMode::None});
  script_.push_back(CreateMember{1, Label::of("Twice"), {}, {}, MemberCategory::Investor, false, StpMode::None});
  script_.push_back(CreateMember{11, Label::of("No default"), Label::of("Nanchang"), Label::of("Gan"),
                                 MemberCategory::Investor, false, StpMode::MemberDefault});

  // Accounts: 1-3 per member, now and then one restricted.
  for (std::size_t mi = 0; mi < members_.size(); ++mi) {
    const auto n = rng_.between(1, 3);
    for (std::int64_t k = 1; k <= n; ++k) {
      AccountInfo a;
      a.id = members_[mi].id * 100 + static_cast<AccountId>(k);
      a.member = mi;
      a.restricted = rng_.chance(40);
      a.bal.assign((1 + std::size(kSizes)) * kBuckets, 0);
      account_index_[a.id] = accounts_.size();
      members_[mi].accounts.push_back(accounts_.size());
      accounts_.push_back(a);
      script_.push_back(CreateAccount{a.id, members_[mi].id, a.restricted});
    }
  }
  script_.push_back(CreateAccount{101, 1, false});     // DuplicateAccount
  script_.push_back(CreateAccount{9'901, 77, false});  // UnknownMember

  // Instruments, with the accounts eligible to trade each.
  const std::vector<InstrumentSpec> specs = instrument_specs();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    InstrumentInfo ins;
    ins.created = specs[i];
    ins.size_lo = kSizes[i].first;
    ins.size_hi = kSizes[i].second;
    for (std::size_t a = 0; a < accounts_.size(); ++a) {
      const MemberInfo& m = members_[accounts_[a].member];
      const Eligibility rule = expected_eligibility(specs[i]);
      const bool ok = rule == Eligibility::Anyone || (rule == Eligibility::SameRegion && m.region == specs[i].region) ||
                      (rule == Eligibility::SameBasin && m.basin == specs[i].basin);
      if (ok) ins.traders.push_back(a);
    }
    instruments_.push_back(ins);
    script_.push_back(CreateInstrument{specs[i]});
  }
  {
    InstrumentSpec bad = specs[1];
    bad.symbol = Symbol::of("CCER-NOPROJ");
    bad.project_id = Label{};
    script_.push_back(CreateInstrument{bad});       // MissingAttribute
    script_.push_back(CreateInstrument{specs[0]});  // DuplicateInstrument
    bad = specs[0];
    bad.symbol = Symbol::of("CEA-BADTICK");
    bad.tick = dec(1, 3);
    script_.push_back(CreateInstrument{bad});  // InvalidTick
  }

  // Fees per right class.
  for (const InstrumentSpec& s : specs) script_.push_back(fees_for(s.right_class));
  script_.push_back(SetFees{RightClass::Ccer, FeeLine{2'000'000, dec(0, 0)}, FeeLine{}});  // InvalidFee

  // Cash: most accounts well funded, some poor.
  for (const AccountInfo& a : accounts_) {
    const std::int64_t cny = rng_.chance(750) ? rng_.between(5'000'000, 60'000'000) : rng_.between(20'000, 500'000);
    script_.push_back(Deposit{a.id, dec(cny * 100, 2)});
  }
  // Rights: issued into the registry, most of it moved to trading.
  for (const InstrumentInfo& ins : instruments_) {
    const Qty lot = units_of(ins.created.lot, ins.created.qty_scale);
    for (std::size_t a : ins.traders) {
      if (!rng_.chance(700)) continue;
      const Qty issued = ins.size_hi * rng_.between(5, 40);
      const Qty moved = issued * rng_.between(50, 90) / 100 / lot * lot;
      script_.push_back(IssueRights{accounts_[a].id, ins.created.symbol, dec(issued, ins.created.qty_scale)});
      if (moved > 0)
        script_.push_back(MoveRights{accounts_[a].id, ins.created.symbol, dec(moved, ins.created.qty_scale), true});
    }
  }
}

// ---------------------------------------------------------------- the day plan

Timestamp ExchangeFlow::at(int hour, int minute) const {
  return (kEpochDay0 + std::int64_t{day_index_} * 86'400) * kSecond + hour * kHour + minute * kMinute;
}

void ExchangeFlow::next_business_date() {
  for (;;) {
    ++day_index_;
    weekday_ = (weekday_ + 1) % 7;
    if (++day_ > days_in_month(year_, month_)) {
      day_ = 1;
      if (++month_ > 12) {
        month_ = 1;
        ++year_;
      }
    }
    if (weekday_ >= 5) continue;    // weekend
    if (rng_.chance(40)) continue;  // a public holiday
    break;
  }
  date_ = year_ * 10'000 + month_ * 100 + day_;
}

void ExchangeFlow::plan_next_phase() {
  auto window = [this](Phase p, Timestamp start, Timestamp end, std::int64_t count) {
    phase_ = p;
    phase_start_ = start;
    phase_end_ = end;
    phase_left_ = count;
    phase_count_ = count;
    now_ = std::max(now_, start);
  };
  switch (phase_) {
    case Phase::Overnight: {
      const BusinessDate previous = date_;
      next_business_date();
      window(Phase::PreOpen, at(1, 15), at(1, 30), rng_.between(0, 12));
      if (previous != 0 && rng_.chance(50)) script_.push_back(OpenDay{previous});  // InvalidBusinessDate
      if (rng_.chance(20)) script_.push_back(OpenDay{year_ * 10'000 + 1'340});     // not a date
      script_.push_back(OpenDay{date_});
      return;
    }
    case Phase::PreOpen:
      window(Phase::Morning, at(1, 30), at(3, 30), rng_.between(450, 1'000));
      script_.push_back(SetSession{{}, SessionState::Continuous});
      return;
    case Phase::Morning:
      window(Phase::Lunch, at(3, 30), at(5, 0), rng_.between(0, 10));
      script_.push_back(SetSession{{}, SessionState::PreOpen});
      return;
    case Phase::Lunch:
      window(Phase::Afternoon, at(5, 0), at(7, 0), rng_.between(450, 1'000));
      script_.push_back(SetSession{{}, SessionState::Continuous});
      return;
    case Phase::Afternoon:
      window(Phase::Overnight, at(7, 0), at(12, 0), rng_.between(3, 30));
      script_.push_back(CloseDay{});
      return;
  }
}

// The time of the next random command of the phase: the k-th of n commands
// falls in the k-th slice of the phase's window.
Timestamp ExchangeFlow::phase_time() {
  const std::int64_t k = phase_count_ - phase_left_;
  const std::int64_t slot =
      std::max<std::int64_t>(1, (phase_end_ - phase_start_) / std::max<std::int64_t>(1, phase_count_));
  const Timestamp t = phase_start_ + slot * k + static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(slot)));
  if (rng_.chance(20)) return now_;  // the same timestamp as the previous command
  return std::max(now_, t);
}

Command ExchangeFlow::next() {
  for (;;) {
    if (!script_.empty()) {
      now_ += static_cast<std::int64_t>(rng_.below(50'000'000));  // within 50 ms
      CommandBody body = std::move(script_.front());
      script_.pop_front();
      return Command{++seq_, now_, std::move(body)};
    }
    if (phase_left_ > 0) {
      now_ = phase_time();
      --phase_left_;
      CommandBody body = random_command();
      return Command{++seq_, now_, std::move(body)};
    }
    plan_next_phase();
  }
}

// ---------------------------------------------------------------- random commands

namespace {
enum Kind : std::size_t {
  kOrder,
  kCancel,
  kModify,
  kMass,
  kDeposit,
  kWithdraw,
  kMove,
  kIssue,
  kFreeze,
  kHalt,
  kRestrict,
  kChange,
  kTimer,
  kBogusDay,
  kFees,
};
}  // namespace

CommandBody ExchangeFlow::random_command() {
  // A halt lasts a while, then everything halted resumes.
  if (resume_in_ > 0 && --resume_in_ == 0 && (phase_ == Phase::Morning || phase_ == Phase::Afternoon))
    return SetSession{{}, SessionState::Continuous};
  std::vector<std::uint32_t> w;
  switch (phase_) {
    case Phase::Morning:
    case Phase::Afternoon:
      //   order cancel modify mass dep  wd  move issue frz halt restr chg timer bogus fees
      w = {580, 100, 80, 8, 25, 20, 30, 5, 15, 4, 4, 2, 30, 3, 2};
      if (live_ids_.size() > 500) {
        w[kCancel] += 250;
        w[kMass] += 12;
      }
      if (live_ids_.size() > 1'000) w[kCancel] += 600;
      break;
    case Phase::PreOpen:
    case Phase::Lunch: w = {150, 300, 60, 10, 80, 40, 40, 0, 40, 0, 0, 0, 150, 30, 10}; break;
    case Phase::Overnight: w = {100, 150, 30, 20, 150, 120, 150, 40, 80, 0, 60, 60, 80, 40, 40}; break;
  }
  switch (rng_.weighted(w)) {
    case kOrder: return new_order();
    case kCancel: return cancel();
    case kModify: return modify();
    case kMass: return mass_cancel();
    case kDeposit: return deposit();
    case kWithdraw: return withdraw();
    case kMove: return move_rights();
    case kIssue: return issue_rights();
    case kFreeze: return freeze();
    case kHalt: return halt_or_resume();
    case kRestrict: return restriction();
    case kChange: return change_instrument();
    case kTimer: return Timer{};
    case kFees: return set_fees();
    default: return bogus_day_command();
  }
}

std::int64_t ExchangeFlow::bal(const AccountInfo& a, AssetId asset, Bucket b) const {
  const std::size_t i = std::size_t{asset} * kBuckets + static_cast<std::size_t>(b);
  return i < a.bal.size() ? a.bal[i] : 0;
}

std::size_t ExchangeFlow::pick_account() { return static_cast<std::size_t>(rng_.below(accounts_.size())); }

bool ExchangeFlow::may_trade(std::size_t account) const {
  const AccountInfo& a = accounts_[account];
  return !a.restricted && !members_[a.member].restricted;
}

// Mostly an account that may trade the instrument (eligible, not restricted,
// and for a sell one that holds some); sometimes any account.
std::size_t ExchangeFlow::pick_trader(const InstrumentInfo& ins, Side side) {
  if (ins.traders.empty() || !rng_.chance(930)) return pick_account();
  const bool want_holder = side == Side::Sell && rng_.chance(850);
  const bool want_free = rng_.chance(850);
  std::size_t a = ins.traders[rng_.below(ins.traders.size())];
  for (int tries = 0; tries < 8; ++tries) {
    if ((!want_free || may_trade(a)) &&
        (!want_holder || bal(accounts_[a], ins.id, Bucket::Tradable) >= std::max(ins.lot, ins.min_qty)))
      break;
    a = ins.traders[rng_.below(ins.traders.size())];
  }
  return a;
}

ClOrdId ExchangeFlow::fresh_clord(std::size_t member) {
  const ClOrdId id = numbered<32>("K", ++clord_counter_);
  std::vector<ClOrdId>& recent = members_[member].recent;
  if (recent.size() < 8)
    recent.push_back(id);
  else
    recent[rng_.below(recent.size())] = id;
  return id;
}

// The same value, sometimes written with more (zero) decimals.
Decimal ExchangeFlow::spell(std::int64_t units, int scale) {
  if (rng_.chance(150) && scale + 2 <= 12) {
    const int extra = static_cast<int>(rng_.between(1, 2));
    std::int64_t wide = 0;
    if (!__builtin_mul_overflow(units, kPow10[extra], &wide)) return dec(wide, scale + extra);
  }
  return dec(units, scale);
}

Decimal ExchangeFlow::price_for(const InstrumentInfo& ins, Side side) {
  const int ps = ins.created.price_scale;
  Price center = (ins.ref + ins.fair) / 2 / ins.tick * ins.tick;
  center = std::clamp(center, ins.lo, ins.hi);
  const std::int64_t half = (ins.hi - ins.lo) / ins.tick / 2;
  const std::int64_t w = std::max<std::int64_t>(1, half * 2 / 3);
  const std::int64_t u = side == Side::Buy ? rng_.between(-w, w / 3) : rng_.between(-w / 3, w);
  const Price p = std::clamp(center + u * ins.tick, ins.lo, ins.hi);

  const std::uint64_t r = rng_.below(1000);
  if (r < 40) {  // outside today's band
    const Price below_lo = ins.lo - rng_.between(1, 5) * ins.tick;
    if (rng_.chance(500) && below_lo > 0) return dec(below_lo, ps);
    return dec(ins.hi + rng_.between(1, 5) * ins.tick, ps);
  }
  if (r < 65) {  // off tick
    if (ins.tick > 1 && rng_.chance(500)) return dec(p + rng_.between(1, ins.tick - 1), ps);
    return dec(p * 10 + rng_.between(1, 9), ps + 1);
  }
  if (r < 72) return rng_.chance(500) ? dec(0, ps) : dec(-p, ps);  // InvalidPrice
  return spell(p, ps);
}

Decimal ExchangeFlow::qty_for(const InstrumentInfo& ins, Side side, const AccountInfo& acc, Price price) {
  const int qs = ins.created.qty_scale;
  const Qty lot = ins.lot;
  Qty q = rng_.log_between(std::max<Qty>(1, ins.size_lo / lot), std::max<Qty>(1, ins.size_hi / lot)) * lot;
  if (side == Side::Buy && price > 0 && rng_.chance(900)) {
    // What the tradable cash affords at this price, with room for the fees.
    const Money cash = std::max<std::int64_t>(0, bal(acc, kCash, Bucket::Tradable) - 5'000);
    const Money afford = cash * 97 / 100 * pow10_money(ins.created.price_scale + qs) / (Money(price) * ins.years * 100);
    const Money capped = std::min(afford, Money(ins.max_qty));
    const Qty can = static_cast<Qty>(capped) / lot * lot;
    if (can >= lot) q = std::min(q, can);
  }
  if (side == Side::Sell && rng_.chance(920)) {
    const Qty have = bal(acc, ins.id, Bucket::Tradable) / lot * lot;
    if (have >= lot) q = std::min(q, have);
  }
  q = std::min(std::max(q, ins.min_qty), ins.max_qty);

  const std::uint64_t r = rng_.below(1000);
  if (r < 25) {  // off lot
    if (lot > 1 && rng_.chance(500)) return dec(q + rng_.between(1, lot - 1), qs);
    return dec(q * 10 + rng_.between(1, 9), qs + 1);
  }
  if (r < 40) {  // too big
    if (rng_.chance(300)) return dec(9'000'000'000'000'000'000, 0);
    return dec(ins.max_qty + lot * rng_.between(1, 100), qs);
  }
  if (r < 50) return dec(0, qs);
  if (r < 54) return dec(-q, qs);
  if (r < 64 && ins.min_qty > lot) return dec(ins.min_qty - lot, qs);  // BelowMinSize
  return spell(q, qs);
}

CommandBody ExchangeFlow::new_order() {
  const std::size_t ii = static_cast<std::size_t>(rng_.below(instruments_.size()));
  const InstrumentInfo& ins = instruments_[ii];
  const Side side = rng_.chance(500) ? Side::Buy : Side::Sell;
  const std::size_t ai = pick_trader(ins, side);
  const AccountInfo& acc = accounts_[ai];

  NewOrder o;
  o.account = acc.id;
  o.symbol = ins.created.symbol;
  o.side = side;
  const bool market = rng_.chance(120);
  o.type = market ? OrderType::Market : OrderType::Limit;
  static const std::vector<std::uint32_t> kLimitTif = {330, 260, 180, 140, 90};  // Day Gtc Gtd Ioc Fok
  static const std::vector<std::uint32_t> kMarketTif = {50, 30, 20, 450, 450};
  o.tif = static_cast<TimeInForce>(rng_.weighted(market ? kMarketTif : kLimitTif));
  static const std::vector<std::uint32_t> kStp = {600, 80, 80, 80, 80, 80};  // MemberDefault first
  o.stp = static_cast<StpMode>(rng_.weighted(kStp));

  Price effective = side == Side::Buy ? ins.hi : ins.lo;  // a market order's reservation price
  if (market && rng_.chance(850)) {
    o.price = Decimal{};                                              // protection at the band edge
    if (rng_.chance(100)) o.price = dec(0, ins.created.price_scale);  // "0.00": also the band edge
  } else {
    o.price = price_for(ins, side);
    const std::int64_t u = units_of(o.price, ins.created.price_scale);
    if (u > 0) effective = u;
  }
  o.qty = qty_for(ins, side, acc, effective);
  if (o.tif == TimeInForce::Gtd || rng_.chance(10)) {
    o.expire_at = rng_.chance(930) ? now_ + rng_.between(kSecond, 3 * kHour) : now_ - rng_.between(0, 5 * kSecond);
  }

  const std::uint64_t r = rng_.below(1000);
  const std::vector<ClOrdId>& recent = members_[acc.member].recent;
  if (r < 12 && !recent.empty())
    o.clord_id = recent[rng_.below(recent.size())];  // DuplicateClOrdId (or reuse after a day)
  else if (r < 15)
    o.clord_id = ClOrdId{};  // InvalidName
  else
    o.clord_id = fresh_clord(acc.member);

  const std::uint64_t n = rng_.below(1000);
  if (n < 5)
    o.account = 990'000 + static_cast<AccountId>(rng_.below(10));  // UnknownAccount
  else if (n < 7)
    o.account = kExchangeAccount;
  else if (n < 12)
    o.symbol = Symbol::of("NOPE");
  else if (n < 14)
    o.side = static_cast<Side>(2 + rng_.below(5));  // InvalidEnum
  else if (n < 16)
    o.tif = static_cast<TimeInForce>(5 + rng_.below(3));
  else if (n < 18)
    o.stp = static_cast<StpMode>(6 + rng_.below(3));
  else if (n < 19)
    o.type = static_cast<OrderType>(2);
  return o;
}

CommandBody ExchangeFlow::cancel() {
  if (live_ids_.empty() || rng_.chance(60)) {
    const std::size_t ai = pick_account();
    CancelOrder c{accounts_[ai].id, numbered<32>("ZZ", rng_.below(1'000'000))};
    if (rng_.chance(100)) c.account = 990'001;
    return c;
  }
  const LiveOrder& o = live_.at(live_ids_[rng_.below(live_ids_.size())]);
  const AccountInfo& acc = accounts_[o.account];
  CancelOrder c{acc.id, o.clord};
  const std::uint64_t r = rng_.below(1000);
  const std::vector<std::size_t>& mine = members_[acc.member].accounts;
  if (r >= 850 && r < 950)
    c.account = accounts_[mine[rng_.below(mine.size())]].id;  // another account of the same member
  else if (r >= 950)
    c.account = accounts_[pick_account()].id;  // probably another member: UnknownOrder
  return c;
}

CommandBody ExchangeFlow::modify() {
  if (live_ids_.empty() || rng_.chance(50)) {
    const std::size_t ai = pick_account();
    return ModifyOrder{accounts_[ai].id, numbered<32>("ZZ", rng_.below(1'000'000)), {}, dec(1, 0), dec(1, 0)};
  }
  const LiveOrder& o = live_.at(live_ids_[rng_.below(live_ids_.size())]);
  const InstrumentInfo& ins = instruments_[o.instrument];
  const AccountInfo& acc = accounts_[o.account];
  const int ps = ins.created.price_scale;
  const int qs = ins.created.qty_scale;
  ModifyOrder m;
  m.account = acc.id;
  if (rng_.chance(50)) {
    const std::vector<std::size_t>& mine = members_[acc.member].accounts;
    m.account = accounts_[mine[rng_.below(mine.size())]].id;
  }
  m.orig_clord_id = o.clord;

  std::uint64_t r = rng_.below(1000);
  if (r < 650)
    m.price = spell(o.price, ps);
  else if (r < 850)
    m.price = dec(std::clamp(o.price + rng_.between(-4, 4) * ins.tick, ins.lo, ins.hi), ps);
  else
    m.price = price_for(ins, o.side);  // may cross, may be invalid

  const Qty lots = o.leaves / ins.lot;
  Qty q = o.leaves;
  r = rng_.below(1000);
  if (r < 350)
    q = o.leaves;
  else if (r < 650)
    q = lots > 1 ? rng_.between(1, lots - 1) * ins.lot : o.leaves;
  else
    q = o.leaves + rng_.log_between(1, std::max<Qty>(1, lots)) * ins.lot;
  r = rng_.below(1000);
  if (r < 15)
    m.qty = dec(0, qs);
  else if (r < 30)
    m.qty = dec(q * 10 + rng_.between(1, 9), qs + 1);
  else
    m.qty = spell(q, qs);
  // A third of the modifies say the new total, as FIX does: the same leaves
  // plus what has executed, or (rarely) a total at or below it.
  if (rng_.chance(300)) {
    m.qty_is_total = true;
    // For a partly filled order, now and then exactly what has executed (refused).
    if (r >= 30) m.qty = spell(o.executed > 0 && rng_.chance(200) ? o.executed : o.executed + q, qs);
  }

  r = rng_.below(1000);
  if (r < 300)
    m.clord_id = fresh_clord(acc.member);
  else if (r < 350)
    m.clord_id = o.clord;
  else if (r < 370 && !members_[acc.member].recent.empty())
    m.clord_id = members_[acc.member].recent[rng_.below(members_[acc.member].recent.size())];
  return m;
}

CommandBody ExchangeFlow::mass_cancel() {
  const std::size_t mi = static_cast<std::size_t>(rng_.below(members_.size()));
  MassCancel c;
  c.member = members_[mi].id;
  std::uint64_t r = rng_.below(1000);
  if (r >= 500 && r < 950)
    c.account = accounts_[members_[mi].accounts[rng_.below(members_[mi].accounts.size())]].id;
  else if (r >= 950)
    c.account = accounts_[pick_account()].id;  // maybe another member's: NotOrderOwner
  r = rng_.below(1000);
  if (r < 300)
    c.symbol = instruments_[rng_.below(instruments_.size())].created.symbol;
  else if (r < 320)
    c.symbol = Symbol::of("NOPE");
  if (rng_.chance(300)) c.side = rng_.chance(500) ? Side::Buy : Side::Sell;
  r = rng_.below(1000);
  if (r < 30)
    c.member = 999;
  else if (r < 40)
    c.member = kExchangeMember;
  return c;
}

CommandBody ExchangeFlow::deposit() {
  Deposit d{accounts_[pick_account()].id, {}};
  const std::int64_t fen = rng_.log_between(1'000'000, 2'000'000'000);  // CNY 10k .. 20M
  const std::uint64_t r = rng_.below(1000);
  if (r < 20)
    d.amount = dec(0, 2);
  else if (r < 30)
    d.amount = dec(fen * 10 + 3, 3);  // sub-fen: PrecisionLoss
  else if (r < 35)
    d.amount = dec(-fen, 2);
  else if (r < 45)
    d.account = 990'002;
  if (r >= 35) d.amount = spell(fen, 2);
  return d;
}

CommandBody ExchangeFlow::withdraw() {
  const AccountInfo& a = accounts_[pick_account()];
  const std::int64_t cash = bal(a, kCash, Bucket::Tradable);
  std::int64_t fen = 0;
  if (cash > 1 && rng_.chance(800))
    fen = rng_.between(1, cash / 2);
  else
    fen = cash + rng_.between(1, 10'000'000);  // more than the balance
  Withdraw w{a.id, spell(fen, 2)};
  if (rng_.chance(15)) w.amount = dec(0, 0);
  return w;
}

CommandBody ExchangeFlow::move_rights() {
  const std::size_t ii = static_cast<std::size_t>(rng_.below(instruments_.size()));
  const InstrumentInfo& ins = instruments_[ii];
  const AccountInfo& a = accounts_[pick_trader(ins, Side::Sell)];
  const int qs = ins.created.qty_scale;
  MoveRights m{a.id, ins.created.symbol, {}, rng_.chance(650)};
  Qty q = 0;
  if (m.to_trading) {
    const Qty reg = bal(a, ins.id, Bucket::Registry);
    q = reg >= ins.lot && rng_.chance(880) ? rng_.between(1, reg / ins.lot) * ins.lot
                                           : reg + ins.lot * rng_.between(1, 10);
  } else {
    const Qty t = bal(a, ins.id, Bucket::Tradable);
    q = t >= ins.lot && rng_.chance(880) ? rng_.between(1, std::max<Qty>(1, t / ins.lot / 4)) * ins.lot : t + ins.lot;
  }
  m.qty = rng_.chance(10) ? dec(q * 10 + 1, qs + 1) : spell(q, qs);
  return m;
}

CommandBody ExchangeFlow::issue_rights() {
  const std::size_t ii = static_cast<std::size_t>(rng_.below(instruments_.size()));
  const InstrumentInfo& ins = instruments_[ii];
  const AccountInfo& a = accounts_[pick_trader(ins, Side::Buy)];
  IssueRights c{a.id, ins.created.symbol, spell(ins.size_hi * rng_.between(1, 10), ins.created.qty_scale)};
  if (rng_.chance(20)) c.symbol = Symbol::of("NOPE");
  return c;
}

CommandBody ExchangeFlow::freeze() {
  const AccountInfo& a = accounts_[pick_account()];
  Freeze f;
  f.account = a.id;
  AssetId asset = kCash;
  int scale = kCashScale;
  if (!rng_.chance(350)) {
    const InstrumentInfo& ins = instruments_[rng_.below(instruments_.size())];
    f.symbol = ins.created.symbol;
    asset = ins.id;
    scale = ins.created.qty_scale;
  }
  f.kind = rng_.chance(600) ? HoldKind::Frozen : HoldKind::Pledged;
  const std::int64_t held = bal(a, asset, f.kind == HoldKind::Frozen ? Bucket::Frozen : Bucket::Pledged);
  std::int64_t q = 0;
  if (held > 0 && rng_.chance(500)) {
    f.freeze = false;
    q = rng_.chance(900) ? rng_.between(1, held) : held + rng_.between(1, 1'000);
  } else {
    const std::int64_t t = bal(a, asset, Bucket::Tradable);
    q = t > 0 && rng_.chance(880) ? rng_.between(1, std::max<std::int64_t>(1, t / 8)) : t + rng_.between(1, 1'000);
  }
  f.qty = spell(q, scale);
  if (rng_.chance(10)) f.kind = static_cast<HoldKind>(5);  // InvalidEnum
  return f;
}

CommandBody ExchangeFlow::halt_or_resume() {
  std::vector<std::size_t> halted, trading;
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    if (instruments_[i].state == SessionState::Halted) halted.push_back(i);
    if (instruments_[i].state == SessionState::Continuous) trading.push_back(i);
  }
  if (trading.empty() && !halted.empty() && rng_.chance(500)) return SetSession{{}, SessionState::Continuous};
  const std::uint64_t r = rng_.below(1000);
  if (r < 30) return SetSession{Symbol::of("NOPE"), SessionState::Halted};  // UnknownInstrument
  if (r < 60) return SetSession{{}, SessionState::Closed};                  // InvalidSessionTransition
  if (r < 80 && !trading.empty())  // already continuous: InvalidSessionTransition
    return SetSession{instruments_[trading[rng_.below(trading.size())]].created.symbol, SessionState::Continuous};
  if (!halted.empty() && (trading.empty() || rng_.chance(850)))
    return SetSession{instruments_[halted[rng_.below(halted.size())]].created.symbol, SessionState::Continuous};
  if (trading.empty()) return Timer{};
  if (resume_in_ <= 0) resume_in_ = rng_.between(5, 150);
  if (rng_.chance(30)) return SetSession{{}, SessionState::Halted};  // the whole market
  return SetSession{instruments_[trading[rng_.below(trading.size())]].created.symbol, SessionState::Halted};
}

CommandBody ExchangeFlow::restriction() {
  std::vector<std::size_t> members, accounts;
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (members_[i].restricted) members.push_back(i);
  for (std::size_t i = 0; i < accounts_.size(); ++i)
    if (accounts_[i].restricted) accounts.push_back(i);
  if ((!members.empty() || !accounts.empty()) && rng_.chance(700)) {
    const std::size_t k = static_cast<std::size_t>(rng_.below(members.size() + accounts.size()));
    if (k < members.size()) return SetMemberRestricted{members_[members[k]].id, false};
    return SetAccountRestricted{accounts_[accounts[k - members.size()]].id, false};
  }
  if (rng_.chance(30)) return SetMemberRestricted{999, true};  // UnknownMember
  if (rng_.chance(500)) return SetMemberRestricted{members_[rng_.below(members_.size())].id, true};
  return SetAccountRestricted{accounts_[pick_account()].id, true};
}

CommandBody ExchangeFlow::change_instrument() {
  const InstrumentInfo& ins = instruments_[rng_.below(instruments_.size())];
  InstrumentSpec s = ins.created;
  const int qs = s.qty_scale;
  const Qty lot = ins.lot;
  static constexpr std::uint32_t kBands[] = {500, 800, 1'000, 1'500, 2'000, 3'000};
  s.continuous.band_bps = kBands[rng_.below(std::size(kBands))];
  const Qty base_min = units_of(ins.created.continuous.min_qty, qs);
  const Qty base_max = units_of(ins.created.continuous.max_qty, qs);
  const Qty min = base_min * rng_.between(1, 3);
  const Qty max = std::max(min, (rng_.chance(500) ? base_max : base_max / rng_.between(2, 8)) / lot * lot);
  s.continuous.min_qty = dec(min, qs);
  s.continuous.max_qty = dec(max, qs);
  if (s.right_class == RightClass::Ccer && rng_.chance(500)) s.holding_limit = dec(rng_.between(50, 800) * 1'000, 0);
  // The listing reference price must be repeated; any spelling of its value will do.
  s.reference_price = spell(units_of(s.reference_price, s.price_scale), s.price_scale);
  const std::uint64_t r = rng_.below(1000);
  if (r < 850) return ChangeInstrument{s};
  if (r < 900)
    s.tick = dec(ins.tick * 2, s.price_scale);  // ImmutableField
  else if (r < 940)
    s.continuous.band_bps = 0;  // InvalidBand
  else if (r < 970)
    s.continuous.min_qty = dec(max + lot, qs);  // InvalidSizeLimits
  else
    s.reference_price = dec(units_of(s.reference_price, s.price_scale) + ins.tick, s.price_scale);  // ImmutableField
  return ChangeInstrument{s};
}

// A new fee schedule for one right class: it applies to orders entered after it.
CommandBody ExchangeFlow::set_fees() {
  static constexpr std::uint32_t kRates[] = {0, 100, 300, 600, 1'000, 1'500, 3'000};
  static constexpr std::int64_t kMinimumFen[] = {0, 0, 10, 50, 100, 500, 2'000};
  const auto cls = static_cast<RightClass>(rng_.below(kRightClasses));
  SetFees f{cls, {}, {}};
  for (FeeLine* l : {&f.trading, &f.settlement}) {
    l->rate_ppm = kRates[rng_.below(std::size(kRates))];
    l->minimum = spell(kMinimumFen[rng_.below(std::size(kMinimumFen))], kCashScale);
  }
  const std::uint64_t r = rng_.below(1000);
  if (r < 20)
    f.trading.rate_ppm = 1'000'001 + static_cast<std::uint32_t>(rng_.below(1'000));  // InvalidFee
  else if (r < 40)
    f.settlement.minimum = dec(-100, 2);  // InvalidFee
  else if (r < 50)
    f.trading.minimum = dec(1, 3);  // a tenth of a fen: InvalidFee
  else if (r < 55)
    f.right_class = static_cast<RightClass>(kRightClasses + 1);  // InvalidEnum
  return f;
}

CommandBody ExchangeFlow::bogus_day_command() {
  const std::uint64_t r = rng_.below(1000);
  if (day_open_) {
    if (r < 990) return OpenDay{date_ + 1};  // DayAlreadyOpen
    return CloseDay{};                       // not bogus at all: an early close; the rest of the day is refused
  }
  if (r < 330) return CloseDay{};                                // DayNotOpen
  if (r < 660) return SetSession{{}, SessionState::Continuous};  // DayNotOpen
  return OpenDay{date_};                                         // InvalidBusinessDate
}

// ---------------------------------------------------------------- observing the events

std::size_t ExchangeFlow::instrument_index(InstrumentId id) const {
  for (std::size_t i = 0; i < instruments_.size(); ++i)
    if (instruments_[i].id == id) return i;
  return instruments_.size();
}

void ExchangeFlow::forget(OrderId id) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  const std::size_t pos = it->second.pos;
  const OrderId moved = live_ids_.back();
  live_ids_[pos] = moved;
  live_.at(moved).pos = pos;
  live_ids_.pop_back();
  live_.erase(it);
}

void ExchangeFlow::observe(const Event& e) {
  if (const auto* t = std::get_if<Transfer>(&e)) {
    for (int side = 0; side < 2; ++side) {
      const AccountId id = side == 0 ? t->debit_account : t->credit_account;
      const Bucket b = side == 0 ? t->debit_bucket : t->credit_bucket;
      auto it = account_index_.find(id);
      if (it == account_index_.end()) continue;
      const std::size_t i = std::size_t{t->asset} * kBuckets + static_cast<std::size_t>(b);
      std::vector<std::int64_t>& bal = accounts_[it->second].bal;
      if (i >= bal.size()) continue;
      const auto amount = static_cast<std::int64_t>(t->amount);
      bal[i] += side == 0 ? -amount : amount;
    }
    return;
  }
  if (const auto* a = std::get_if<OrderAccepted>(&e)) {
    LiveOrder o;
    o.id = a->order;
    o.account = account_index_.at(a->account);
    o.instrument = instrument_index(a->instrument);
    o.clord = a->clord_id;
    o.side = a->side;
    o.price = a->price;
    o.leaves = a->qty;
    o.pos = live_ids_.size();
    live_ids_.push_back(o.id);
    live_.emplace(o.id, o);
    return;
  }
  if (const auto* t = std::get_if<Trade>(&e)) {
    for (const FillSide* f : {&t->buy, &t->sell}) {
      auto it = live_.find(f->order);
      if (it == live_.end()) continue;
      it->second.leaves = f->leaves;
      it->second.executed = f->cum_qty;
      if (f->leaves == 0) forget(f->order);
    }
    return;
  }
  if (const auto* c = std::get_if<OrderCancelled>(&e)) {
    auto it = live_.find(c->order);
    if (it == live_.end()) return;
    it->second.leaves = c->leaves;
    if (c->leaves == 0) forget(c->order);
    return;
  }
  if (const auto* m = std::get_if<OrderModified>(&e)) {
    auto it = live_.find(m->order);
    if (it == live_.end()) return;
    it->second.clord = m->clord_id;
    it->second.price = m->price;
    it->second.leaves = m->leaves;
    if (m->leaves == 0) forget(m->order);
    return;
  }
  if (const auto* r = std::get_if<ReferencePriceSet>(&e)) {
    const std::size_t i = instrument_index(r->instrument);
    if (i == instruments_.size()) return;
    instruments_[i].ref = r->reference;
    instruments_[i].lo = r->band_lo;
    instruments_[i].hi = r->band_hi;
    return;
  }
  if (const auto* s = std::get_if<SessionChanged>(&e)) {
    const std::size_t i = instrument_index(s->instrument);
    if (i < instruments_.size()) instruments_[i].state = s->state;
    return;
  }
  auto take_spec = [this](InstrumentId id, const InstrumentSpec& spec) {
    for (InstrumentInfo& ins : instruments_) {
      if (ins.created.symbol != spec.symbol) continue;
      const int ps = spec.price_scale, qs = spec.qty_scale;
      ins.id = id;
      ins.tick = units_of(spec.tick, ps);
      ins.lot = units_of(spec.lot, qs);
      ins.min_qty = units_of(spec.continuous.min_qty, qs);
      ins.max_qty = units_of(spec.continuous.max_qty, qs);
      ins.years = spec.price_unit == PriceUnit::PerUnitYear ? spec.term_years : 1;
      if (ins.fair == 0) ins.fair = units_of(spec.reference_price, ps);
    }
  };
  if (const auto* c = std::get_if<InstrumentCreated>(&e)) return take_spec(c->instrument, c->spec);
  if (const auto* c = std::get_if<InstrumentChanged>(&e)) return take_spec(c->instrument, c->spec);
  if (const auto* m = std::get_if<MemberRestrictionSet>(&e)) {
    for (MemberInfo& info : members_)
      if (info.id == m->member) info.restricted = m->restricted;
    return;
  }
  if (const auto* a = std::get_if<AccountRestrictionSet>(&e)) {
    auto it = account_index_.find(a->account);
    if (it != account_index_.end()) accounts_[it->second].restricted = a->restricted;
    return;
  }
  if (std::holds_alternative<DayOpened>(e)) {
    day_open_ = true;
    ++days_opened_;
    return;
  }
  if (std::holds_alternative<DayClosed>(e)) {
    day_open_ = false;
    // An early close: a few more commands, then the plan's own close (refused) and the night.
    if (phase_ != Phase::Overnight) {
      phase_ = Phase::Afternoon;
      phase_left_ = std::min<std::int64_t>(phase_left_, 20);
    }
  }
}

// ---------------------------------------------------------------- event encoding

namespace {

using Words = std::vector<std::uint64_t>;

template <class T>
requires std::is_integral_v<T> || std::is_enum_v<T>
void put(Words& w, T v) {
  if constexpr (std::is_enum_v<T>)
    w.push_back(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(v)));
  else
    w.push_back(static_cast<std::uint64_t>(v));
}

void put(Words& w, const Money& m) {
  const Money mag = m < 0 ? Money(-m) : m;
  const Money low_mask = Money(~std::uint64_t{0});
  w.push_back(m < 0 ? 1 : 0);
  w.push_back(static_cast<std::uint64_t>(mag & low_mask));
  w.push_back(static_cast<std::uint64_t>(mag >> 64));
}

template <std::size_t N>
void put(Words& w, const FixedString<N>& s) {
  const std::string_view v = s.view();
  w.push_back(v.size());
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    word = word << 8 | static_cast<unsigned char>(v[i]);
    if (i % 8 == 7) {
      w.push_back(word);
      word = 0;
    }
  }
  if (v.size() % 8 != 0) w.push_back(word);
}

void put(Words& w, const Decimal& d) {
  put(w, d.units);
  put(w, d.scale);
}

// Every field of an event, through its description (event_fields.hpp), and of
// the command bodies events carry, through theirs (command_fields.hpp), in
// that order: the encoding follows the description, whatever text omits.
struct FieldWords {
  Words& w;
  // Either description's value wrappers (TimeField, PriceUnits, ...) unwrapped.
  template <class F>
  static const auto& value(const F& f) {
    return event_fields::ref(detail::ref(f));
  }

  template <class F>
  void id(std::string_view, const F& f) {
    put(w, value(f));
  }
  template <class F>
  void req(std::string_view, const F& f) {
    put(w, value(f));
  }
  template <class F, class D>
  void opt(std::string_view, const F& f, const D&) {
    put(w, value(f));
  }
  template <class F, class D>
  void req_if(bool, std::string_view, const F& f, const D&) {
    put(w, value(f));
  }
  template <class T>
  void maybe(std::string_view, const std::optional<T>& f) {
    put(w, f.has_value());
    put(w, f.value_or(T{}));
  }
  void in_verb(std::string_view, bool f) { put(w, f); }
  void cause(std::string_view, Seq seq) { put(w, seq); }
  template <class C>
  void command(const C& body) {
    C copy = body;  // the command descriptions take a body they may write (the parser's)
    detail::fields(*this, copy);
  }
  template <class P>
  void group(std::string_view, const P& part) {
    event_fields::fields(*this, part);
  }
};

}  // namespace

void encode_event(const Event& e, std::vector<std::uint64_t>& out) {
  out.push_back(e.index());
  std::visit(
      [&out](const auto& x) {
        FieldWords w{out};
        event_fields::fields(w, x);
      },
      e);
}

// ---------------------------------------------------------------- names

std::string_view event_name(std::size_t i) noexcept {
  static constexpr std::string_view kNames[] = {"CommandRejected",
                                                "MemberCreated",
                                                "MemberRestrictionSet",
                                                "AccountCreated",
                                                "AccountRestrictionSet",
                                                "InstrumentCreated",
                                                "InstrumentChangePending",
                                                "InstrumentChanged",
                                                "FeesSet",
                                                "DayOpened",
                                                "DayClosed",
                                                "SessionChanged",
                                                "ReferencePriceSet",
                                                "DailyStatistics",
                                                "OrderAccepted",
                                                "Trade",
                                                "OrderCancelled",
                                                "OrderModified",
                                                "MassCancelled",
                                                "Transfer",
                                                "OperatorCreated",
                                                "OperatorSet"};
  static_assert(std::size(kNames) == std::variant_size_v<Event>);
  return i < std::size(kNames) ? kNames[i] : "?";
}

std::string_view command_name_of(std::size_t i) noexcept {
  static constexpr std::string_view kNames[] = {"CreateMember",     "SetMemberRestricted",
                                                "CreateAccount",    "SetAccountRestricted",
                                                "CreateInstrument", "ChangeInstrument",
                                                "SetFees",          "Deposit",
                                                "Withdraw",         "IssueRights",
                                                "MoveRights",       "Freeze",
                                                "OpenDay",          "CloseDay",
                                                "SetSession",       "NewOrder",
                                                "CancelOrder",      "ModifyOrder",
                                                "MassCancel",       "Timer",
                                                "CreateOperator",   "SetOperator"};
  static_assert(std::size(kNames) == std::variant_size_v<CommandBody>);
  return i < std::size(kNames) ? kNames[i] : "?";
}

std::string reject_name(RejectReason r) {
  switch (r) {
    case RejectReason::None: return "None";
    case RejectReason::SequenceGap: return "SequenceGap";
    case RejectReason::TimeWentBackwards: return "TimeWentBackwards";
    case RejectReason::UnknownMember: return "UnknownMember";
    case RejectReason::UnknownAccount: return "UnknownAccount";
    case RejectReason::UnknownInstrument: return "UnknownInstrument";
    case RejectReason::DuplicateMember: return "DuplicateMember";
    case RejectReason::DuplicateAccount: return "DuplicateAccount";
    case RejectReason::DuplicateInstrument: return "DuplicateInstrument";
    case RejectReason::InvalidName: return "InvalidName";
    case RejectReason::InvalidEnum: return "InvalidEnum";
    case RejectReason::InvalidScale: return "InvalidScale";
    case RejectReason::InvalidTick: return "InvalidTick";
    case RejectReason::InvalidLot: return "InvalidLot";
    case RejectReason::InvalidSizeLimits: return "InvalidSizeLimits";
    case RejectReason::InvalidBand: return "InvalidBand";
    case RejectReason::InvalidReferencePrice: return "InvalidReferencePrice";
    case RejectReason::MissingAttribute: return "MissingAttribute";
    case RejectReason::UnexpectedAttribute: return "UnexpectedAttribute";
    case RejectReason::ImmutableField: return "ImmutableField";
    case RejectReason::InvalidFee: return "InvalidFee";
    case RejectReason::InvalidAttribute: return "InvalidAttribute";
    case RejectReason::LimitReached: return "LimitReached";
    case RejectReason::InvalidAmount: return "InvalidAmount";
    case RejectReason::PrecisionLoss: return "PrecisionLoss";
    case RejectReason::AmountTooLarge: return "AmountTooLarge";
    case RejectReason::InsufficientFunds: return "InsufficientFunds";
    case RejectReason::InsufficientHoldings: return "InsufficientHoldings";
    case RejectReason::MemberRestricted: return "MemberRestricted";
    case RejectReason::AccountRestricted: return "AccountRestricted";
    case RejectReason::NotEligible: return "NotEligible";
    case RejectReason::DayAlreadyOpen: return "DayAlreadyOpen";
    case RejectReason::DayNotOpen: return "DayNotOpen";
    case RejectReason::InvalidBusinessDate: return "InvalidBusinessDate";
    case RejectReason::InvalidSessionTransition: return "InvalidSessionTransition";
    case RejectReason::SessionNotOpen: return "SessionNotOpen";
    case RejectReason::InstrumentHalted: return "InstrumentHalted";
    case RejectReason::DuplicateClOrdId: return "DuplicateClOrdId";
    case RejectReason::UnknownOrder: return "UnknownOrder";
    case RejectReason::NotOrderOwner: return "NotOrderOwner";
    case RejectReason::InvalidPrice: return "InvalidPrice";
    case RejectReason::OffTick: return "OffTick";
    case RejectReason::OffLot: return "OffLot";
    case RejectReason::BelowMinSize: return "BelowMinSize";
    case RejectReason::AboveMaxSize: return "AboveMaxSize";
    case RejectReason::PriceOutsideBand: return "PriceOutsideBand";
    case RejectReason::HoldingLimitExceeded: return "HoldingLimitExceeded";
    case RejectReason::ExpiredOnEntry: return "ExpiredOnEntry";
    case RejectReason::MarketOrderNotImmediate: return "MarketOrderNotImmediate";
    case RejectReason::FokNotFillable: return "FokNotFillable";
    case RejectReason::BookFull: return "BookFull";
    case RejectReason::TooManyOwners: return "TooManyOwners";
    case RejectReason::QtyNotAboveExecuted: return "QtyNotAboveExecuted";
    case RejectReason::TradeLimitReached: return "TradeLimitReached";
    case RejectReason::TermEnded: return "TermEnded";
    case RejectReason::UnknownOperator: return "UnknownOperator";
    case RejectReason::DuplicateOperator: return "DuplicateOperator";
    case RejectReason::OperatorOfOtherMember: return "OperatorOfOtherMember";
    case RejectReason::OperatorInactive: return "OperatorInactive";
    case RejectReason::OperatorNotPermitted: return "OperatorNotPermitted";
  }
  return "reason-" + std::to_string(static_cast<unsigned>(r));
}

std::string_view cancel_name(CancelReason r) noexcept {
  static constexpr std::string_view kNames[] = {"UserCancel",    "MassCancel",   "IocRemainder",   "MarketRemainder",
                                                "Expired",       "SystemCancel", "StpCancelTaker", "StpCancelMaker",
                                                "StpCancelBoth", "StpDecrement", "OutsideNewBand",
                                                "MemberRestricted", "AccountRestricted", "NotEligible",
                                                "TermEnded"};
  const auto i = static_cast<std::size_t>(r);
  return i < std::size(kNames) ? kNames[i] : "?";
}

std::string_view right_class_name(RightClass c) noexcept {
  static constexpr std::string_view kNames[] = {"carbon-allowance", "ccer",       "forestry-sink", "emission-right",
                                                "energy-use-right", "water-right"};
  const auto i = static_cast<std::size_t>(c);
  return i < std::size(kNames) ? kNames[i] : "?";
}

namespace {

std::string text(const Decimal& d) {
  std::string s = std::to_string(d.units);
  if (d.scale != 0) s += "e-" + std::to_string(static_cast<int>(d.scale));
  return s;
}

}  // namespace

std::string describe(const Command& c) {
  std::string s = "seq=" + std::to_string(c.seq) + " time=" + std::to_string(c.time) + " " +
                  std::string(command_name_of(c.body.index()));
  if (const auto* o = std::get_if<NewOrder>(&c.body)) {
    s += " account=" + std::to_string(o->account) + " clord=" + std::string(o->clord_id.view()) +
         " symbol=" + std::string(o->symbol.view()) + " side=" + std::to_string(static_cast<int>(o->side)) +
         " type=" + std::to_string(static_cast<int>(o->type)) + " tif=" + std::to_string(static_cast<int>(o->tif)) +
         " stp=" + std::to_string(static_cast<int>(o->stp)) + " price=" + text(o->price) + " qty=" + text(o->qty) +
         " expire_at=" + std::to_string(o->expire_at);
  } else if (const auto* x = std::get_if<CancelOrder>(&c.body)) {
    s += " account=" + std::to_string(x->account) + " orig=" + std::string(x->orig_clord_id.view());
  } else if (const auto* m = std::get_if<ModifyOrder>(&c.body)) {
    s += " account=" + std::to_string(m->account) + " orig=" + std::string(m->orig_clord_id.view()) +
         " clord=" + std::string(m->clord_id.view()) + " price=" + text(m->price) + " qty=" + text(m->qty) +
         (m->qty_is_total ? " total" : "");
  } else if (const auto* mc = std::get_if<MassCancel>(&c.body)) {
    s += " member=" + std::to_string(mc->member) + " account=" + std::to_string(mc->account) +
         " symbol=" + std::string(mc->symbol.view()) +
         " side=" + (mc->side ? std::to_string(static_cast<int>(*mc->side)) : "-");
  } else if (const auto* d = std::get_if<Deposit>(&c.body)) {
    s += " account=" + std::to_string(d->account) + " amount=" + text(d->amount);
  } else if (const auto* w = std::get_if<Withdraw>(&c.body)) {
    s += " account=" + std::to_string(w->account) + " amount=" + text(w->amount);
  } else if (const auto* mv = std::get_if<MoveRights>(&c.body)) {
    s += " account=" + std::to_string(mv->account) + " symbol=" + std::string(mv->symbol.view()) +
         " qty=" + text(mv->qty) + (mv->to_trading ? " to-trading" : " to-registry");
  } else if (const auto* f = std::get_if<Freeze>(&c.body)) {
    s += " account=" + std::to_string(f->account) + " symbol=" + std::string(f->symbol.view()) +
         " qty=" + text(f->qty) + " kind=" + std::to_string(static_cast<int>(f->kind)) +
         (f->freeze ? " hold" : " release");
  } else if (const auto* ss = std::get_if<SetSession>(&c.body)) {
    s += " symbol=" + std::string(ss->symbol.view()) + " state=" + std::to_string(static_cast<int>(ss->state));
  } else if (const auto* od = std::get_if<OpenDay>(&c.body)) {
    s += " date=" + std::to_string(od->date);
  } else if (const auto* ci = std::get_if<ChangeInstrument>(&c.body)) {
    s += " symbol=" + std::string(ci->spec.symbol.view()) + " band=" + std::to_string(ci->spec.continuous.band_bps) +
         " min=" + text(ci->spec.continuous.min_qty) + " max=" + text(ci->spec.continuous.max_qty);
  }
  return s;
}

}  // namespace erx::exchange::test
