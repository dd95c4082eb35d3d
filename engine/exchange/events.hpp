#pragma once
// Events: everything the exchange tells the world. Each is complete enough to
// build FIX execution reports, market data, ledger rows and statements without
// re-deriving anything. Prices and quantities are in the instrument's units,
// cash in fen (kCashScale); InstrumentCreated carries the scales to format them.
// The one-line text form is specified in docs/COMMANDS.md ("Events").

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/commands.hpp"

namespace erx::exchange {

// Why a command was refused. Stable codes: they reach FIX clients, journals
// and regulators, so never renumber, only append.
enum class RejectReason : std::uint16_t {
  None = 0,
  // sequencing
  SequenceGap = 1,           // seq is not last seq + 1
  TimeWentBackwards = 2,     // time earlier than the previous command's
  // identity and reference data
  UnknownMember = 10,
  UnknownAccount = 11,
  UnknownInstrument = 12,
  DuplicateMember = 13,
  DuplicateAccount = 14,
  DuplicateInstrument = 15,
  InvalidName = 16,          // empty name or symbol, or a reserved id (0)
  InvalidEnum = 17,          // a value outside its enumeration
  InvalidScale = 18,         // price / quantity scale outside 0..9
  InvalidTick = 19,          // tick <= 0 or not representable at the price scale
  InvalidLot = 20,           // lot <= 0 or not representable at the quantity scale
  InvalidSizeLimits = 21,    // min <= 0, max < min, or not multiples of the lot
  InvalidBand = 22,          // band of 0 or >= 100%
  InvalidReferencePrice = 23,// <= 0, off tick, or the band around it leaves no valid price
  MissingAttribute = 24,     // an attribute the right class requires is absent
  UnexpectedAttribute = 25,  // an attribute the right class does not use is present
  ImmutableField = 26,       // ChangeInstrument tried to change identity, attributes, scales, tick or lot
  InvalidFee = 27,           // rate above 1,000,000 ppm or a negative / sub-fen minimum
  InvalidAttribute = 28,     // an attribute out of range (vintage / year 1990..2200, term 1..100 years)
  LimitReached = 29,         // ExchangeLimits: members, accounts or instruments
  // amounts
  InvalidAmount = 30,        // zero or negative amount / quantity
  PrecisionLoss = 31,        // more decimals than the asset's scale
  AmountTooLarge = 32,       // overflows the asset's integer range
  InsufficientFunds = 33,    // not enough tradable cash
  InsufficientHoldings = 34, // not enough tradable (or registry / held) rights
  // permissions and state
  MemberRestricted = 40,
  AccountRestricted = 41,
  NotEligible = 42,          // region / basin rule of the instrument
  DayAlreadyOpen = 43,
  DayNotOpen = 44,
  InvalidBusinessDate = 45,  // not after the previous business date, or not a date
  InvalidSessionTransition = 46,
  SessionNotOpen = 47,       // instrument not in Continuous (pre-open, closed)
  InstrumentHalted = 48,
  // orders
  DuplicateClOrdId = 50,     // the member already used this ClOrdID today or on a live order
  UnknownOrder = 51,         // no live order with that ClOrdID for the member
  NotOrderOwner = 52,        // the account belongs to another member than the order's
  InvalidPrice = 53,         // <= 0 for a limit order
  OffTick = 54,
  OffLot = 55,
  BelowMinSize = 56,
  AboveMaxSize = 57,
  PriceOutsideBand = 58,
  HoldingLimitExceeded = 59,
  ExpiredOnEntry = 60,       // GTD expiry not after the current time
  MarketOrderNotImmediate = 61, // a market order must be IOC or FOK
  FokNotFillable = 62,
  BookFull = 63,
  TooManyOwners = 64,
  QtyNotAboveExecuted = 65,  // modify with qty_is_total: the new total is not above what the order executed
  TradeLimitReached = 66,    // the instrument's trades today are within one book of kMaxTradesPerDay
  TermEnded = 67,            // the right is past its last trading date (its term or vintage has ended)
  // operators
  UnknownOperator = 70,      // no such operator (order commands, set-operator)
  DuplicateOperator = 71,
  OperatorOfOtherMember = 72,// the operator does not belong to the account's / order's member
  OperatorInactive = 73,     // suspended by set-operator active=false
  OperatorNotPermitted = 74, // the operator's role does not allow this command
};

[[nodiscard]] std::string_view to_string(RejectReason r) noexcept;

// Why an order left the book without trading all of it.
enum class CancelReason : std::uint8_t {
  UserCancel = 0,
  MassCancel = 1,
  IocRemainder = 2,
  MarketRemainder = 3,
  Expired = 4,           // GTD
  SystemCancel = 5,      // DAY order at the close
  StpCancelTaker = 6,
  StpCancelMaker = 7,
  StpCancelBoth = 8,
  StpDecrement = 9,      // partial: leaves > 0 means the order rests reduced
  OutsideNewBand = 10,   // resting order outside the new day's price band
  MemberRestricted = 11,   // its member was restricted while it rested
  AccountRestricted = 12,  // its account was restricted while it rested
  NotEligible = 13,        // the instrument's new eligibility excludes its member (at the open)
  TermEnded = 14,          // the right is past its last trading date (at the open)
};
[[nodiscard]] std::string_view to_string(CancelReason r) noexcept;

enum class TransferKind : std::uint8_t {
  Deposit = 0,
  Withdrawal = 1,
  Issue = 2,           // rights issued / allocated into the registry
  RegistryMove = 3,    // registry <-> tradable
  Hold = 4,            // tradable -> frozen / pledged
  Release = 5,         // frozen / pledged -> tradable
  Reserve = 6,         // tradable -> reserved at order entry / modify
  Unreserve = 7,       // reserved -> tradable on cancel, expiry, fill excess, reject
  Delivery = 8,        // right: seller reserved -> buyer locked
  Payment = 9,         // cash: buyer reserved -> seller tradable
  TradingFee = 10,     // cash: member -> exchange fee account
  SettlementFee = 11,
  Unlock = 12,         // locked -> tradable at the day open (T+1)
};
[[nodiscard]] std::string_view to_string(TransferKind k) noexcept;

// ---------------------------------------------------------------- events

struct CommandRejected {
  Seq seq = 0;
  std::uint8_t command = 0;  // CommandBody::index()
  RejectReason reason = RejectReason::None;
  AccountId account = 0;     // when the command named one
  ClOrdId clord_id;          // when the command named one
};

struct MemberCreated { CreateMember member; };
struct MemberRestrictionSet { MemberId member = 0; bool restricted = false; };
struct AccountCreated { CreateAccount account; };
struct AccountRestrictionSet { AccountId account = 0; bool restricted = false; };
struct InstrumentCreated { InstrumentId instrument = 0; InstrumentSpec spec; };
struct InstrumentChangePending { InstrumentId instrument = 0; InstrumentSpec spec; };
struct InstrumentChanged { InstrumentId instrument = 0; InstrumentSpec spec; };  // applied at the day open
struct FeesSet { SetFees fees; };
struct OperatorCreated { CreateOperator op; };
struct OperatorSet { SetOperator op; };

struct DayOpened { BusinessDate date = 0; };
struct DayClosed { BusinessDate date = 0; };
struct SessionChanged { InstrumentId instrument = 0; SessionState state = SessionState::Closed; };
// The reference price and band an instrument trades with today (at the day open).
struct ReferencePriceSet { InstrumentId instrument = 0; Price reference = 0; Price band_lo = 0; Price band_hi = 0; };
// The day's statistics at the close; `close` becomes the next reference price.
struct DailyStatistics {
  InstrumentId instrument = 0;
  BusinessDate date = 0;
  Price open = 0, high = 0, low = 0, last = 0;  // 0 when nothing traded
  Qty volume = 0;
  Money turnover = 0;  // Σ cash of the day's trades, fen
  Price vwap = 0;      // 0 when nothing traded
  Price close = 0;     // vwap if anything traded, else the previous close
  std::uint32_t trades = 0;
};

struct OrderAccepted {
  OrderId order = 0;
  AccountId account = 0;
  MemberId member = 0;
  InstrumentId instrument = 0;
  ClOrdId clord_id;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::Day;
  StpMode stp = StpMode::None;  // resolved
  Price price = 0;              // limit, or the protection price actually used for a market order
  Qty qty = 0;
  Timestamp expire_at = 0;
  OperatorId op = 0;            // who entered it (0 = the exchange)
};

// The state of one side's order after a fill.
struct FillSide {
  OrderId order = 0;
  AccountId account = 0;
  MemberId member = 0;
  ClOrdId clord_id;
  Price limit = 0;     // the order's limit (a market order's protection price)
  Qty leaves = 0;
  Qty cum_qty = 0;
  Money cum_cash = 0;  // fen; average price = cum_cash / cum_qty (converted to price units)
  Money fee = 0;       // trading + settlement fee charged on this fill, fen
};

struct Trade {
  TradeId trade = 0;
  InstrumentId instrument = 0;
  Price price = 0;
  Qty qty = 0;
  Money cash = 0;          // what the buyer pays the seller, fen (see docs: rounding)
  Side aggressor = Side::Buy;
  FillSide buy;
  FillSide sell;
};

struct OrderCancelled {
  OrderId order = 0;
  AccountId account = 0;
  MemberId member = 0;
  InstrumentId instrument = 0;
  ClOrdId clord_id;
  Side side = Side::Buy;
  Price price = 0;
  Qty cancelled = 0;
  Qty leaves = 0;  // > 0 only for an STP decrement of a resting order
  Qty cum_qty = 0;
  Money cum_cash = 0;
  CancelReason reason = CancelReason::UserCancel;
  OperatorId op = 0;  // whose cancel / mass cancel caused it; 0 for the exchange's own cancels
};

struct OrderModified {
  OrderId order = 0;
  AccountId account = 0;
  MemberId member = 0;
  InstrumentId instrument = 0;
  ClOrdId clord_id;       // the order's ClOrdID from now on
  ClOrdId orig_clord_id;  // its ClOrdID before
  Side side = Side::Buy;
  Price price = 0;
  Qty leaves = 0;
  Qty cum_qty = 0;
  Money cum_cash = 0;
  bool priority_kept = false;
  OperatorId op = 0;
};

// The outcome of a MassCancel command (its OrderCancelled events come first).
struct MassCancelled {
  MemberId member = 0;
  AccountId account = 0;
  Symbol symbol;
  std::optional<Side> side;
  std::uint32_t cancelled = 0;
  OperatorId op = 0;
};

struct Transfer {
  TransferId id = 0;
  AssetId asset = kCash;
  AccountId debit_account = 0;
  Bucket debit_bucket = Bucket::Tradable;
  AccountId credit_account = 0;
  Bucket credit_bucket = Bucket::Tradable;
  Money amount = 0;  // asset units: fen for cash, quantity units for a right
  TransferKind kind = TransferKind::Deposit;
  std::uint64_t ref = 0;  // order id (reserve / unreserve), trade id (settlement), else 0
};

using Event = std::variant<CommandRejected, MemberCreated, MemberRestrictionSet, AccountCreated,
                           AccountRestrictionSet, InstrumentCreated, InstrumentChangePending, InstrumentChanged,
                           FeesSet, DayOpened, DayClosed, SessionChanged, ReferencePriceSet, DailyStatistics,
                           OrderAccepted, Trade, OrderCancelled, OrderModified, MassCancelled, Transfer,
                           OperatorCreated, OperatorSet>;

class ExchangeSink {
 public:
  virtual ~ExchangeSink() = default;
  // `seq` is the command that caused the event.
  virtual void on_event(Seq seq, const Event& e) = 0;
};

// For replays that want the state, not the events (verification, tools, tests).
class DiscardEvents final : public ExchangeSink {
 public:
  void on_event(Seq, const Event&) override {}
};

}  // namespace erx::exchange
