// Members, accounts, instruments and fee schedules.

#include <algorithm>
#include <string_view>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange {

namespace {

bool valid(RightClass v) { return static_cast<int>(v) < kRightClasses; }
bool valid(PriceUnit v) { return v == PriceUnit::PerUnit || v == PriceUnit::PerUnitYear; }
bool valid(Eligibility v) { return static_cast<int>(v) <= static_cast<int>(Eligibility::Default); }
bool valid(WaterRightType v) { return static_cast<int>(v) <= static_cast<int>(WaterRightType::Irrigation); }
bool valid(MemberCategory v) { return static_cast<int>(v) <= static_cast<int>(MemberCategory::MarketMaker); }
bool valid_member_stp(StpMode v) {
  return v != StpMode::MemberDefault && static_cast<int>(v) <= static_cast<int>(StpMode::Decrement);
}

// Which identifying attributes each right class requires and allows
// (docs/COMMANDS.md, "Instrument attributes").
enum Attr : unsigned {
  kVintage = 1u << 0,
  kProject = 1u << 1,
  kPollutant = 1u << 2,
  kRegion = 1u << 3,
  kBasin = 1u << 4,
  kTerm = 1u << 5,
  kComplianceYear = 1u << 6,
  kWaterType = 1u << 7,
};

struct AttrRule {
  unsigned required;
  unsigned allowed;  // includes required
};

AttrRule rule_for(RightClass c) {
  switch (c) {
    case RightClass::CarbonAllowance: return {kVintage, kVintage | kRegion};
    case RightClass::Ccer: return {kProject | kVintage, kProject | kVintage | kRegion};
    case RightClass::ForestrySink: return {kProject | kVintage, kProject | kVintage | kRegion | kBasin};
    case RightClass::EmissionRight: return {kPollutant | kTerm, kPollutant | kTerm | kRegion | kBasin};
    case RightClass::EnergyUseRight: return {kRegion | kComplianceYear, kRegion | kComplianceYear};
    case RightClass::WaterRight: return {kWaterType | kBasin | kTerm, kWaterType | kBasin | kTerm | kRegion};
  }
  return {0, 0};
}

unsigned present(const InstrumentSpec& s) {
  unsigned p = 0;
  if (s.vintage != 0) p |= kVintage;
  if (!s.project_id.empty()) p |= kProject;
  if (!s.pollutant.empty()) p |= kPollutant;
  if (!s.region.empty()) p |= kRegion;
  if (!s.basin.empty()) p |= kBasin;
  if (s.term_years != 0) p |= kTerm;
  if (s.compliance_year != 0) p |= kComplianceYear;
  if (s.water_type != WaterRightType::None) p |= kWaterType;
  return p;
}

// Where an emission right's pollutant is discharged, for its default eligibility.
enum class Medium : std::uint8_t { Air, Water, Either };

bool same_text_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

Medium medium_of(std::string_view pollutant) {
  // The pollutants of docs/EXCHANGE.md "Markets and numbers": the air ones
  // (SO2, NOx, VOCs, particulates) and
  // the water ones (COD, NH3-N, TP, and TN); heavy metals (Pb, Hg, Cd, Cr,
  // As) and anything else can be either.
  for (std::string_view air : {"SO2", "NOx", "VOCs", "PM", "PM10", "PM2.5", "particulates", "dust"})
    if (same_text_ignoring_case(pollutant, air)) return Medium::Air;
  for (std::string_view water : {"COD", "NH3-N", "TP", "TN"})
    if (same_text_ignoring_case(pollutant, water)) return Medium::Water;
  return Medium::Either;
}

// Who may trade a right when its listing does not say (docs/EXCHANGE.md
// "Markets and numbers" and "Eligibility by default"): an air pollutant within
// its region (city), a water pollutant within its river basin, any other
// pollutant within the basin it names, else its region; a water right within
// its basin; every other right, anyone.
Eligibility default_eligibility(const InstrumentSpec& s) {
  switch (s.right_class) {
    case RightClass::WaterRight: return Eligibility::SameBasin;
    case RightClass::EmissionRight:
      switch (medium_of(s.pollutant.view())) {
        case Medium::Air: return Eligibility::SameRegion;
        case Medium::Water: return Eligibility::SameBasin;
        case Medium::Either: return s.basin.empty() ? Eligibility::SameRegion : Eligibility::SameBasin;
      }
      break;
    default: break;
  }
  return Eligibility::Anyone;
}

RejectReason check_attributes(const InstrumentSpec& s) {
  if (s.unit.empty()) return RejectReason::MissingAttribute;
  const AttrRule r = rule_for(s.right_class);
  const unsigned p = present(s);
  if ((p & r.required) != r.required) return RejectReason::MissingAttribute;
  if ((p & ~r.allowed) != 0) return RejectReason::UnexpectedAttribute;
  // An emission right names where it applies: a region (air) or a basin (water).
  if (s.right_class == RightClass::EmissionRight && s.region.empty() && s.basin.empty())
    return RejectReason::MissingAttribute;
  if (s.eligibility == Eligibility::SameRegion && s.region.empty()) return RejectReason::MissingAttribute;
  if (s.eligibility == Eligibility::SameBasin && s.basin.empty()) return RejectReason::MissingAttribute;
  auto year_ok = [](std::int32_t y) { return y == 0 || (y >= 1990 && y <= 2200); };
  if (!year_ok(s.vintage) || !year_ok(s.compliance_year)) return RejectReason::InvalidAttribute;
  if (s.term_years < 0 || s.term_years > kMaxTermYears) return RejectReason::InvalidAttribute;
  if (s.price_unit == PriceUnit::PerUnitYear && s.term_years == 0) return RejectReason::MissingAttribute;
  // A right with a term says when it ends; any right may say when its vintage does.
  if ((r.required & kTerm) != 0 && s.last_trading_date == 0) return RejectReason::MissingAttribute;
  if (s.last_trading_date != 0 && !plausible_date(s.last_trading_date)) return RejectReason::InvalidAttribute;
  return RejectReason::None;
}

// Price band edge: ref × (10000 ± bps) / 10000, rounded inward to a whole tick.
Price band_edge(Price ref, std::int64_t bps_signed, Price tick, bool round_up) {
  const Money num = Money(ref) * (10'000 + bps_signed);
  const Money den = Money(10'000) * tick;
  return static_cast<Price>(divide_rounded(num, den, round_up ? Rounding::Up : Rounding::Down)) * tick;
}

}  // namespace

// ---------------------------------------------------------------- members and accounts

void Exchange::on(const CreateMember& c) {
  if (c.member == kExchangeMember || c.name.empty()) return reject(RejectReason::InvalidName);
  if (members_.count(c.member)) return reject(RejectReason::DuplicateMember);
  if (!valid(c.category) || !valid_member_stp(c.stp)) return reject(RejectReason::InvalidEnum);
  if (members_.size() > limits_.max_members) return reject(RejectReason::LimitReached);
  members_.emplace(c.member, MemberState{c, {}, {}});
  emit(MemberCreated{c});
}

void Exchange::on(const SetMemberRestricted& c) {
  auto it = members_.find(c.member);
  if (it == members_.end() || c.member == kExchangeMember) return reject(RejectReason::UnknownMember);
  it->second.spec.restricted = c.restricted;
  emit(MemberRestrictionSet{c.member, c.restricted});
  if (c.restricted) cancel_orders_of_member(c.member);
}

void Exchange::on(const CreateAccount& c) {
  if (c.account == kExchangeAccount) return reject(RejectReason::InvalidName, c.account);
  if (account(c.account)) return reject(RejectReason::DuplicateAccount, c.account);
  auto it = members_.find(c.member);
  if (it == members_.end() || c.member == kExchangeMember) return reject(RejectReason::UnknownMember, c.account);
  if (accounts_.size() > limits_.max_accounts) return reject(RejectReason::LimitReached, c.account);
  const auto slot = static_cast<std::uint32_t>(accounts_.size());
  accounts_.push_back(AccountState{c.account, c.member, c.restricted, slot, &it->second});
  account_index_.insert(std::uint64_t{c.account} + 1, slot);
  balances_.add_account_slot();
  it->second.accounts.push_back(c.account);
  emit(AccountCreated{c});
}

void Exchange::on(const SetAccountRestricted& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  accounts_[a->slot].restricted = c.restricted;
  emit(AccountRestrictionSet{c.account, c.restricted});
  if (c.restricted) cancel_orders_of_account(c.account);
}

// ---------------------------------------------------------------- instruments

RejectReason Exchange::decode_spec(const InstrumentSpec& given, InstrumentState& out) const {
  if (given.symbol.empty()) return RejectReason::InvalidName;
  if (!valid(given.right_class) || !valid(given.price_unit) || !valid(given.eligibility) || !valid(given.water_type))
    return RejectReason::InvalidEnum;
  // The instrument keeps (and its events show) the rule it trades under.
  InstrumentSpec s = given;
  if (s.eligibility == Eligibility::Default) s.eligibility = default_eligibility(s);
  if (s.price_scale < 0 || s.price_scale > kMaxInstrumentScale || s.qty_scale < 0 ||
      s.qty_scale > kMaxInstrumentScale)
    return RejectReason::InvalidScale;
  if (const RejectReason r = check_attributes(s); r != RejectReason::None) return r;

  const Units tick = to_units(s.tick, s.price_scale);
  if (!tick.ok() || tick.value <= 0 || tick.value > kMaxTickUnits) return RejectReason::InvalidTick;
  const Units lot = to_units(s.lot, s.qty_scale);
  if (!lot.ok() || lot.value <= 0 || lot.value > kMaxOrderQtyUnits) return RejectReason::InvalidLot;
  const Units min_qty = to_units(s.continuous.min_qty, s.qty_scale);
  const Units max_qty = to_units(s.continuous.max_qty, s.qty_scale);
  if (!min_qty.ok() || !max_qty.ok() || min_qty.value <= 0 || max_qty.value < min_qty.value ||
      max_qty.value > kMaxOrderQtyUnits || min_qty.value % lot.value != 0 || max_qty.value % lot.value != 0)
    return RejectReason::InvalidSizeLimits;
  if (s.continuous.band_bps == 0 || s.continuous.band_bps >= 10'000) return RejectReason::InvalidBand;
  const Units ref = to_units(s.reference_price, s.price_scale);
  if (!ref.ok() || ref.value <= 0 || ref.value > kMaxPriceUnits || ref.value % tick.value != 0)
    return RejectReason::InvalidReferencePrice;
  const Units limit = to_units(s.holding_limit, s.qty_scale);
  // Above kMaxRightsUnits no position can reach it: amount-too-large, as an int64 overflow is.
  if (limit.error == RejectReason::AmountTooLarge || (limit.ok() && limit.value > kMaxRightsUnits))
    return RejectReason::AmountTooLarge;
  if (!limit.ok() || limit.value < 0) return RejectReason::InvalidAmount;

  out.spec = s;
  out.tick = tick.value;
  out.lot = lot.value;
  out.min_qty = min_qty.value;
  out.max_qty = max_qty.value;
  out.holding_limit = limit.value;
  out.cash_rule = CashRule{s.price_scale, s.qty_scale, s.price_unit == PriceUnit::PerUnitYear ? s.term_years : 1};
  if (out.reference == 0) out.reference = ref.value;
  return RejectReason::None;
}

// The band around a reference price (docs/EXCHANGE.md "Price ladder"):
// ref × (1 ± band_bps / 10^4), rounded inward to the tick; each edge at most
// half a ladder, (max_ladder_levels - 1) / 2 ticks, from the reference, so the
// band (which is the book's ladder) never has more than max_ladder_levels
// levels; the upper edge at most kMaxPriceUnits. The reference is on tick and
// at most kMaxPriceUnits, so lo <= reference <= hi.
Exchange::Band Exchange::band_around(Price reference, std::uint32_t band_bps, Price tick) const {
  const auto bps = static_cast<std::int64_t>(band_bps);
  const Price lo = band_edge(reference, -bps, tick, true);
  const Price hi = band_edge(reference, bps, tick, false);
  // Fits: reference + half a ladder of the largest tick (amount_limits.hpp).
  const Price half = static_cast<Price>((limits_.max_ladder_levels - 1) / 2) * tick;
  Band b;
  b.lo = std::max(lo, reference - half);
  b.hi = std::min(hi, reference + half);
  b.cut_to_ladder = b.lo != lo || b.hi != hi;
  b.hi = std::min(b.hi, kMaxPriceUnits / tick * tick);
  ERX_ASSERT(b.lo > 0 && b.lo <= reference && reference <= b.hi);
  return b;
}

// A book whose ladder is the instrument's band (set_band() keeps it so).
std::unique_ptr<book::OrderBook> Exchange::make_book(const InstrumentState& ins) {
  book::BookConfig cfg;
  cfg.ladder_min = ins.band_lo;
  cfg.ladder_max = ins.band_hi;
  cfg.tick = ins.tick;
  cfg.lot = ins.lot;
  cfg.initial_order_capacity = 1'024;
  cfg.limits.max_order_qty = kMaxOrderQtyUnits;
  cfg.limits.max_resting_orders = limits_.max_open_orders_per_book;
  cfg.limits.max_owners = limits_.max_members + 1;
  cfg.limits.max_ladder_levels = limits_.max_ladder_levels;
  return std::make_unique<book::OrderBook>(cfg, *book_events_);
}

// Today's band around the reference price. The book cancels the resting
// orders outside it, then re-bases its ladder onto it: the band is the rule,
// never cut by where the ladder happened to be.
void Exchange::set_band(InstrumentState& ins) {
  const Band b = band_around(ins.reference, ins.spec.continuous.band_bps, ins.tick);
  ins.band_lo = b.lo;
  ins.band_hi = b.hi;
  emit(ReferencePriceSet{ins.id, ins.reference, ins.band_lo, ins.band_hi});
  ins.book->rebase_ladder(ins.band_lo, ins.band_hi);  // cancels resting orders outside it
}

void Exchange::on(const CreateInstrument& c) {
  if (instruments_.size() >= limits_.max_instruments) return reject(RejectReason::LimitReached);
  if (symbols_.count(c.spec.symbol)) return reject(RejectReason::DuplicateInstrument);
  InstrumentState ins;
  if (const RejectReason r = decode_spec(c.spec, ins); r != RejectReason::None) return reject(r);
  // A band wider than the ladder allows is refused at listing: the operator
  // chooses a narrower band or a coarser tick, rather than learn of a cut later.
  const Band band = band_around(ins.reference, c.spec.continuous.band_bps, ins.tick);
  if (band.cut_to_ladder) return reject(RejectReason::InvalidBand);
  if (term_ended(ins)) return reject(RejectReason::TermEnded);  // listing a right that can never trade
  ins.band_lo = band.lo;
  ins.band_hi = band.hi;
  ins.id = static_cast<InstrumentId>(instruments_.size() + 1);
  ins.state = day_open_ ? SessionState::PreOpen : SessionState::Closed;
  ins.book = make_book(ins);
  instruments_.push_back(std::move(ins));
  symbols_.emplace(c.spec.symbol, instruments_.back().id);
  balances_.add_asset();
  ERX_ASSERT(balances_.assets() == instruments_.size() + 1);
  emit(InstrumentCreated{instruments_.back().id, instruments_.back().spec});
  set_band(instruments_.back());
  if (day_open_) emit(SessionChanged{instruments_.back().id, SessionState::PreOpen});
}

void Exchange::on(const ChangeInstrument& c) {
  InstrumentState* ins = instrument(c.spec.symbol);
  if (!ins) return reject(RejectReason::UnknownInstrument);
  InstrumentState probe;
  if (const RejectReason r = decode_spec(c.spec, probe); r != RejectReason::None) return reject(r);
  const InstrumentSpec& cur = ins->spec;
  const InstrumentSpec& nxt = c.spec;
  const bool same_identity = cur.right_class == nxt.right_class && cur.unit == nxt.unit &&
                             cur.vintage == nxt.vintage && cur.project_id == nxt.project_id &&
                             cur.pollutant == nxt.pollutant && cur.region == nxt.region && cur.basin == nxt.basin &&
                             cur.term_years == nxt.term_years && cur.compliance_year == nxt.compliance_year &&
                             cur.water_type == nxt.water_type && cur.price_scale == nxt.price_scale &&
                             cur.qty_scale == nxt.qty_scale && probe.tick == ins->tick && probe.lot == ins->lot &&
                             cur.price_unit == nxt.price_unit &&
                             to_units(nxt.reference_price, nxt.price_scale).value ==
                                 to_units(cur.reference_price, cur.price_scale).value;
  if (!same_identity) return reject(RejectReason::ImmutableField);
  // A new band is checked as at listing, around today's reference (the next
  // open's may differ: a band cut there is narrowed, see set_band()). A change
  // that keeps the band it has (to move a date, a size limit, eligibility) is
  // taken even when that band is being narrowed: the narrowing goes on.
  if (nxt.continuous.band_bps != cur.continuous.band_bps &&
      band_around(ins->reference, nxt.continuous.band_bps, ins->tick).cut_to_ladder)
    return reject(RejectReason::InvalidBand);
  ins->pending = probe.spec;  // eligibility resolved, as the listing's
  emit(InstrumentChangePending{ins->id, probe.spec});
}

void Exchange::on(const SetFees& c) {
  if (!valid(c.right_class)) return reject(RejectReason::InvalidEnum);
  FeeSchedule f;
  const FeeLine* lines[2] = {&c.trading, &c.settlement};
  for (int i = 0; i < 2; ++i) {
    const Units min = to_units(lines[i]->minimum, kCashScale);
    if (lines[i]->rate_ppm > kMaxFeeRatePpm || !min.ok() || min.value < 0 || min.value > kMaxFeeMinimumFen)
      return reject(RejectReason::InvalidFee);
    f.lines[i] = FeeLineUnits{lines[i]->rate_ppm, Money(min.value)};
  }
  fee_schedules_.push_back(f);
  current_fees_[static_cast<int>(c.right_class)] = static_cast<std::uint32_t>(fee_schedules_.size() - 1);
  emit(FeesSet{c});
}

}  // namespace erx::exchange
