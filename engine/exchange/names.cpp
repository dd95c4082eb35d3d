// Names of the exchange's enumerations (see names.hpp). Each to_string is a
// switch without a default, so -Wswitch (an error in our build) catches a new
// enumerator that has no name yet.

#include "engine/exchange/names.hpp"

#include <limits>
#include <type_traits>

namespace erx::exchange {

std::string_view to_string(RightClass v) noexcept {
  switch (v) {
    case RightClass::CarbonAllowance: return "carbon-allowance";
    case RightClass::Ccer: return "ccer";
    case RightClass::ForestrySink: return "forestry-sink";
    case RightClass::EmissionRight: return "emission-right";
    case RightClass::EnergyUseRight: return "energy-use-right";
    case RightClass::WaterRight: return "water-right";
  }
  return "?";
}

std::string_view to_string(PriceUnit v) noexcept {
  switch (v) {
    case PriceUnit::PerUnit: return "per-unit";
    case PriceUnit::PerUnitYear: return "per-unit-year";
  }
  return "?";
}

std::string_view to_string(Eligibility v) noexcept {
  switch (v) {
    case Eligibility::Anyone: return "anyone";
    case Eligibility::SameRegion: return "same-region";
    case Eligibility::SameBasin: return "same-basin";
    case Eligibility::Default: return "default";
  }
  return "?";
}

std::string_view to_string(WaterRightType v) noexcept {
  switch (v) {
    case WaterRightType::None: return "none";
    case WaterRightType::Regional: return "regional";
    case WaterRightType::Abstraction: return "abstraction";
    case WaterRightType::Irrigation: return "irrigation";
  }
  return "?";
}

std::string_view to_string(MemberCategory v) noexcept {
  switch (v) {
    case MemberCategory::ComplianceEntity: return "compliance-entity";
    case MemberCategory::Investor: return "investor";
    case MemberCategory::GovernmentReserve: return "government-reserve";
    case MemberCategory::MarketMaker: return "market-maker";
  }
  return "?";
}

std::string_view to_string(OperatorRole v) noexcept {
  switch (v) {
    case OperatorRole::Trader: return "trader";
    case OperatorRole::Admin: return "admin";
    case OperatorRole::Viewer: return "viewer";
  }
  return "?";
}

std::string_view to_string(SessionState v) noexcept {
  switch (v) {
    case SessionState::Closed: return "closed";
    case SessionState::PreOpen: return "pre-open";
    case SessionState::Continuous: return "continuous";
    case SessionState::Halted: return "halted";
  }
  return "?";
}

std::string_view to_string(Side v) noexcept {
  switch (v) {
    case Side::Buy: return "buy";
    case Side::Sell: return "sell";
  }
  return "?";
}

std::string_view to_string(OrderType v) noexcept {
  switch (v) {
    case OrderType::Limit: return "limit";
    case OrderType::Market: return "market";
  }
  return "?";
}

std::string_view to_string(TimeInForce v) noexcept {
  switch (v) {
    case TimeInForce::Day: return "day";
    case TimeInForce::Gtc: return "gtc";
    case TimeInForce::Gtd: return "gtd";
    case TimeInForce::Ioc: return "ioc";
    case TimeInForce::Fok: return "fok";
  }
  return "?";
}

std::string_view to_string(StpMode v) noexcept {
  switch (v) {
    case StpMode::MemberDefault: return "member-default";
    case StpMode::None: return "none";
    case StpMode::CancelTaker: return "cancel-taker";
    case StpMode::CancelMaker: return "cancel-maker";
    case StpMode::CancelBoth: return "cancel-both";
    case StpMode::Decrement: return "decrement";
  }
  return "?";
}

std::string_view to_string(Bucket v) noexcept {
  switch (v) {
    case Bucket::Tradable: return "tradable";
    case Bucket::Reserved: return "reserved";
    case Bucket::Locked: return "locked";
    case Bucket::Pledged: return "pledged";
    case Bucket::Frozen: return "frozen";
    case Bucket::Registry: return "registry";
    case Bucket::External: return "external";
    case Bucket::Fees: return "fees";
  }
  return "?";
}

std::string_view to_string(HoldKind v) noexcept {
  switch (v) {
    case HoldKind::Frozen: return "frozen";
    case HoldKind::Pledged: return "pledged";
  }
  return "?";
}

std::string_view to_string(RejectReason r) noexcept {
  switch (r) {
    case RejectReason::None: return "none";
    case RejectReason::SequenceGap: return "sequence-gap";
    case RejectReason::TimeWentBackwards: return "time-went-backwards";
    case RejectReason::UnknownMember: return "unknown-member";
    case RejectReason::UnknownAccount: return "unknown-account";
    case RejectReason::UnknownInstrument: return "unknown-instrument";
    case RejectReason::DuplicateMember: return "duplicate-member";
    case RejectReason::DuplicateAccount: return "duplicate-account";
    case RejectReason::DuplicateInstrument: return "duplicate-instrument";
    case RejectReason::InvalidName: return "invalid-name";
    case RejectReason::InvalidEnum: return "invalid-enum";
    case RejectReason::InvalidScale: return "invalid-scale";
    case RejectReason::InvalidTick: return "invalid-tick";
    case RejectReason::InvalidLot: return "invalid-lot";
    case RejectReason::InvalidSizeLimits: return "invalid-size-limits";
    case RejectReason::InvalidBand: return "invalid-band";
    case RejectReason::InvalidReferencePrice: return "invalid-reference-price";
    case RejectReason::MissingAttribute: return "missing-attribute";
    case RejectReason::UnexpectedAttribute: return "unexpected-attribute";
    case RejectReason::ImmutableField: return "immutable-field";
    case RejectReason::InvalidFee: return "invalid-fee";
    case RejectReason::InvalidAttribute: return "invalid-attribute";
    case RejectReason::LimitReached: return "limit-reached";
    case RejectReason::InvalidAmount: return "invalid-amount";
    case RejectReason::PrecisionLoss: return "precision-loss";
    case RejectReason::AmountTooLarge: return "amount-too-large";
    case RejectReason::InsufficientFunds: return "insufficient-funds";
    case RejectReason::InsufficientHoldings: return "insufficient-holdings";
    case RejectReason::MemberRestricted: return "member-restricted";
    case RejectReason::AccountRestricted: return "account-restricted";
    case RejectReason::NotEligible: return "not-eligible";
    case RejectReason::TermEnded: return "term-ended";
    case RejectReason::DayAlreadyOpen: return "day-already-open";
    case RejectReason::DayNotOpen: return "day-not-open";
    case RejectReason::InvalidBusinessDate: return "invalid-business-date";
    case RejectReason::InvalidSessionTransition: return "invalid-session-transition";
    case RejectReason::SessionNotOpen: return "session-not-open";
    case RejectReason::InstrumentHalted: return "instrument-halted";
    case RejectReason::DuplicateClOrdId: return "duplicate-clord-id";
    case RejectReason::UnknownOrder: return "unknown-order";
    case RejectReason::NotOrderOwner: return "not-order-owner";
    case RejectReason::InvalidPrice: return "invalid-price";
    case RejectReason::OffTick: return "off-tick";
    case RejectReason::OffLot: return "off-lot";
    case RejectReason::BelowMinSize: return "below-min-size";
    case RejectReason::AboveMaxSize: return "above-max-size";
    case RejectReason::PriceOutsideBand: return "price-outside-band";
    case RejectReason::HoldingLimitExceeded: return "holding-limit-exceeded";
    case RejectReason::ExpiredOnEntry: return "expired-on-entry";
    case RejectReason::MarketOrderNotImmediate: return "market-order-not-immediate";
    case RejectReason::FokNotFillable: return "fok-not-fillable";
    case RejectReason::BookFull: return "book-full";
    case RejectReason::TooManyOwners: return "too-many-owners";
    case RejectReason::QtyNotAboveExecuted: return "qty-not-above-executed";
    case RejectReason::TradeLimitReached: return "trade-limit-reached";
    case RejectReason::UnknownOperator: return "unknown-operator";
    case RejectReason::DuplicateOperator: return "duplicate-operator";
    case RejectReason::OperatorOfOtherMember: return "operator-of-other-member";
    case RejectReason::OperatorInactive: return "operator-inactive";
    case RejectReason::OperatorNotPermitted: return "operator-not-permitted";
  }
  return "?";
}

std::string_view to_string(CancelReason r) noexcept {
  switch (r) {
    case CancelReason::UserCancel: return "user-cancel";
    case CancelReason::MassCancel: return "mass-cancel";
    case CancelReason::IocRemainder: return "ioc-remainder";
    case CancelReason::MarketRemainder: return "market-remainder";
    case CancelReason::Expired: return "expired";
    case CancelReason::SystemCancel: return "system-cancel";
    case CancelReason::StpCancelTaker: return "stp-cancel-taker";
    case CancelReason::StpCancelMaker: return "stp-cancel-maker";
    case CancelReason::StpCancelBoth: return "stp-cancel-both";
    case CancelReason::StpDecrement: return "stp-decrement";
    case CancelReason::OutsideNewBand: return "outside-new-band";
    case CancelReason::MemberRestricted: return "member-restricted";
    case CancelReason::AccountRestricted: return "account-restricted";
    case CancelReason::NotEligible: return "not-eligible";
    case CancelReason::TermEnded: return "term-ended";
  }
  return "?";
}

std::string_view to_string(TransferKind k) noexcept {
  switch (k) {
    case TransferKind::Deposit: return "deposit";
    case TransferKind::Withdrawal: return "withdrawal";
    case TransferKind::Issue: return "issue";
    case TransferKind::RegistryMove: return "registry-move";
    case TransferKind::Hold: return "hold";
    case TransferKind::Release: return "release";
    case TransferKind::Reserve: return "reserve";
    case TransferKind::Unreserve: return "unreserve";
    case TransferKind::Delivery: return "delivery";
    case TransferKind::Payment: return "payment";
    case TransferKind::TradingFee: return "trading-fee";
    case TransferKind::SettlementFee: return "settlement-fee";
    case TransferKind::Unlock: return "unlock";
  }
  return "?";
}

namespace {

// Tries every value of the underlying type: no list of enumerators to keep in
// step with the enumeration, and "?" (no name) never matches a real name.
template <class E>
std::optional<E> scan(std::string_view name) noexcept {
  using U = std::underlying_type_t<E>;
  if (name.empty() || name == "?") return std::nullopt;
  for (std::uint32_t i = 0; i <= std::numeric_limits<U>::max(); ++i) {
    const auto v = static_cast<E>(static_cast<U>(i));
    if (to_string(v) == name) return v;
  }
  return std::nullopt;
}

template <class E>
bool scan_into(std::string_view name, E& out) noexcept {
  const std::optional<E> v = scan<E>(name);
  if (!v) return false;
  out = *v;
  return true;
}

}  // namespace

std::optional<RightClass> parse_right_class(std::string_view n) noexcept { return scan<RightClass>(n); }
std::optional<PriceUnit> parse_price_unit(std::string_view n) noexcept { return scan<PriceUnit>(n); }
std::optional<Eligibility> parse_eligibility(std::string_view n) noexcept { return scan<Eligibility>(n); }
std::optional<WaterRightType> parse_water_right_type(std::string_view n) noexcept { return scan<WaterRightType>(n); }
std::optional<MemberCategory> parse_member_category(std::string_view n) noexcept { return scan<MemberCategory>(n); }
std::optional<OperatorRole> parse_operator_role(std::string_view n) noexcept { return scan<OperatorRole>(n); }
std::optional<SessionState> parse_session_state(std::string_view n) noexcept { return scan<SessionState>(n); }
std::optional<Side> parse_side(std::string_view n) noexcept { return scan<Side>(n); }
std::optional<OrderType> parse_order_type(std::string_view n) noexcept { return scan<OrderType>(n); }
std::optional<TimeInForce> parse_time_in_force(std::string_view n) noexcept { return scan<TimeInForce>(n); }
std::optional<StpMode> parse_stp_mode(std::string_view n) noexcept { return scan<StpMode>(n); }
std::optional<Bucket> parse_bucket(std::string_view n) noexcept { return scan<Bucket>(n); }
std::optional<HoldKind> parse_hold_kind(std::string_view n) noexcept { return scan<HoldKind>(n); }
std::optional<RejectReason> parse_reject_reason(std::string_view n) noexcept { return scan<RejectReason>(n); }
std::optional<CancelReason> parse_cancel_reason(std::string_view n) noexcept { return scan<CancelReason>(n); }
std::optional<TransferKind> parse_transfer_kind(std::string_view n) noexcept { return scan<TransferKind>(n); }

bool parse_name(std::string_view n, RightClass& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, PriceUnit& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, Eligibility& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, WaterRightType& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, MemberCategory& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, OperatorRole& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, SessionState& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, Side& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, OrderType& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, TimeInForce& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, StpMode& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, Bucket& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, HoldKind& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, RejectReason& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, CancelReason& out) noexcept { return scan_into(n, out); }
bool parse_name(std::string_view n, TransferKind& out) noexcept { return scan_into(n, out); }

}  // namespace erx::exchange
