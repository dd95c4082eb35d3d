#pragma once
// Commands: every state change of the exchange enters as one of these, with a
// sequence number and a timestamp assigned outside the engine (the sequencer).
// The text form of each command is specified in docs/COMMANDS.md.
//
// Quantities, prices and amounts are Decimals exactly as written; the exchange
// converts them to the instrument's (or cash's) units when it applies the
// command and rejects a value that does not fit (never rounds it).

#include <cstdint>
#include <optional>
#include <variant>

#include "engine/exchange/basic_types.hpp"

namespace erx::exchange {

// ---------------------------------------------------------------- reference data

struct ModeRules {
  Decimal min_qty;            // smallest order (instrument quantity)
  Decimal max_qty;            // largest order
  std::uint32_t band_bps = 0; // price band around the reference price, basis points (1000 = ±10%)
  friend bool operator==(const ModeRules&, const ModeRules&) = default;
};

// Everything the operator sets about an instrument. Which attributes a right
// class requires is in docs/COMMANDS.md ("Instrument attributes").
struct InstrumentSpec {
  Symbol symbol;
  RightClass right_class = RightClass::CarbonAllowance;
  Label unit;                 // "tCO2e", "t/yr", "kg/yr", "tce", "m3/yr"
  // identifying attributes (0 / empty when the class does not use them)
  std::int32_t vintage = 0;          // CEA, CCER, forestry sink
  Label project_id;                  // CCER, forestry sink
  Label pollutant;                   // emission right: COD, NH3-N, TP, SO2, NOx, VOCs, PM, Pb, Hg, Cd, Cr, As
  Label region;                      // emission right (air), energy-use right
  Label basin;                       // emission right (water), water right: Gan, Fu, Xin, Rao, Xiu, Poyang
  std::int32_t term_years = 0;       // emission right, water right
  std::int32_t compliance_year = 0;  // energy-use right
  // The last business day the right may trade: the end of its term (required
  // for term rights: emission, water) or of its vintage's validity; 0 = no
  // end. From the next open-day on it cannot trade (docs/EXCHANGE.md
  // "Rights past their term").
  BusinessDate last_trading_date = 0;
  WaterRightType water_type = WaterRightType::None;
  // units and trading rules
  std::int8_t price_scale = 2;       // price units: 10^-price_scale CNY
  std::int8_t qty_scale = 0;         // quantity units: 10^-qty_scale of `unit`
  Decimal tick;                      // price step (CNY)
  Decimal lot;                       // quantity step
  PriceUnit price_unit = PriceUnit::PerUnit;
  ModeRules continuous;              // the continuous order book
  Decimal reference_price;           // previous close; centre of the price band
  Eligibility eligibility = Eligibility::Default;  // resolved when listed (reference_data.cpp)
  Decimal holding_limit;             // max position per member; 0 = no limit
  friend bool operator==(const InstrumentSpec&, const InstrumentSpec&) = default;
};

struct FeeLine {
  std::uint32_t rate_ppm = 0;  // parts per million of the fill's cash amount
  Decimal minimum;             // CNY, per order
  friend bool operator==(const FeeLine&, const FeeLine&) = default;
};

// ---------------------------------------------------------------- commands

struct CreateMember {
  MemberId member = 0;
  Label name;
  Label region;
  Label basin;
  MemberCategory category = MemberCategory::Investor;
  bool restricted = false;
  StpMode stp = StpMode::CancelTaker;  // the member's default self-trade prevention
  friend bool operator==(const CreateMember&, const CreateMember&) = default;
};
struct SetMemberRestricted {
  MemberId member = 0;
  bool restricted = false;
  friend bool operator==(const SetMemberRestricted&, const SetMemberRestricted&) = default;
};
struct CreateAccount {
  AccountId account = 0;
  MemberId member = 0;
  bool restricted = false;
  friend bool operator==(const CreateAccount&, const CreateAccount&) = default;
};
struct SetAccountRestricted {
  AccountId account = 0;
  bool restricted = false;
  friend bool operator==(const SetAccountRestricted&, const SetAccountRestricted&) = default;
};
// A member's operator: a person who logs on for the member (FIX Username) and
// acts with a role. Order commands name the operator that sent them.
struct CreateOperator {
  OperatorId op = 0;
  MemberId member = 0;
  Label name;
  OperatorRole role = OperatorRole::Trader;
  friend bool operator==(const CreateOperator&, const CreateOperator&) = default;
};
// Changes an operator's role, or suspends it (active = false) / reinstates it.
struct SetOperator {
  OperatorId op = 0;
  OperatorRole role = OperatorRole::Trader;
  bool active = true;
  friend bool operator==(const SetOperator&, const SetOperator&) = default;
};
struct CreateInstrument {
  InstrumentSpec spec;
  friend bool operator==(const CreateInstrument&, const CreateInstrument&) = default;
};
// Replaces the changeable part of an instrument's spec (trading rules, band,
// eligibility, holding limit) from the next day open. Identity, attributes,
// scales, tick and lot cannot change (resting orders depend on them).
struct ChangeInstrument {
  InstrumentSpec spec;
  friend bool operator==(const ChangeInstrument&, const ChangeInstrument&) = default;
};
struct SetFees {
  RightClass right_class = RightClass::CarbonAllowance;
  FeeLine trading;
  FeeLine settlement;
  friend bool operator==(const SetFees&, const SetFees&) = default;
};
struct Deposit {
  AccountId account = 0;
  Decimal amount;  // CNY
  friend bool operator==(const Deposit&, const Deposit&) = default;
};
struct Withdraw {
  AccountId account = 0;
  Decimal amount;  // CNY
  friend bool operator==(const Withdraw&, const Withdraw&) = default;
};
// Issue / allocate rights into an account's registry balance.
struct IssueRights {
  AccountId account = 0;
  Symbol symbol;
  Decimal qty;
  friend bool operator==(const IssueRights&, const IssueRights&) = default;
};
// Registry -> tradable (to_trading = true) or tradable -> registry.
struct MoveRights {
  AccountId account = 0;
  Symbol symbol;
  Decimal qty;
  bool to_trading = true;
  friend bool operator==(const MoveRights&, const MoveRights&) = default;
};
enum class HoldKind : std::uint8_t { Frozen = 0, Pledged = 1 };
// Tradable -> frozen / pledged (freeze = true) or back. An empty symbol means cash.
struct Freeze {
  AccountId account = 0;
  Symbol symbol;
  Decimal qty;
  HoldKind kind = HoldKind::Frozen;
  bool freeze = true;
  friend bool operator==(const Freeze&, const Freeze&) = default;
};
struct OpenDay {
  BusinessDate date = 0;
  friend bool operator==(const OpenDay&, const OpenDay&) = default;
};
struct CloseDay {
  friend bool operator==(const CloseDay&, const CloseDay&) = default;
};
// Session state of one instrument, or of all when the symbol is empty.
struct SetSession {
  Symbol symbol;
  SessionState state = SessionState::Continuous;
  friend bool operator==(const SetSession&, const SetSession&) = default;
};
struct NewOrder {
  AccountId account = 0;
  ClOrdId clord_id;
  Symbol symbol;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::Day;
  Decimal price;             // limit price; for a market order an optional protection price (0 = band edge)
  Decimal qty;
  Timestamp expire_at = 0;   // GTD only
  StpMode stp = StpMode::MemberDefault;
  OperatorId op = 0;         // who sent it; 0 = the exchange on the member's behalf
  friend bool operator==(const NewOrder&, const NewOrder&) = default;
};
struct CancelOrder {
  AccountId account = 0;     // the account sending the request; must belong to the order's member
  ClOrdId orig_clord_id;     // the order to cancel
  OperatorId op = 0;
  // The request's own id (FIX ClOrdID of the cancel request; empty: none).
  // The engine does not use it; the journal keeps it so that the reports of
  // the cancel can be rebuilt from the journal alone (docs/FIX.md section 12).
  ClOrdId clord_id{};
  friend bool operator==(const CancelOrder&, const CancelOrder&) = default;
};
// qty is the order's new open (leaves) quantity, or with qty_is_total its new
// total quantity, what has executed included (FIX OrderQty): the engine then
// sets the open quantity to qty - the order's executed quantity at the moment
// it applies the modify, so a fill sequenced between the sender's view and the
// modify is counted. A total not above the executed quantity is rejected
// (qty-not-above-executed). Either way the modify is then the same leaves
// modify (checks, reservation, time priority).
struct ModifyOrder {
  AccountId account = 0;
  ClOrdId orig_clord_id;     // the order to modify
  ClOrdId clord_id;          // its new ClOrdID (empty = keep)
  Decimal price;
  Decimal qty;               // the new leaves quantity (the new total with qty_is_total)
  OperatorId op = 0;
  bool qty_is_total = false; // qty is the new total quantity (executed included), not the leaves
  friend bool operator==(const ModifyOrder&, const ModifyOrder&) = default;
};
// Cancels the member's open orders, optionally only one account's, one
// instrument's (empty symbol = all), one side's, and only DAY orders.
struct MassCancel {
  MemberId member = 0;
  AccountId account = 0;  // 0 = every account of the member
  Symbol symbol;
  std::optional<Side> side;
  OperatorId op = 0;
  bool day_only = false;  // only DAY orders (cancel on disconnect "day orders")
  ClOrdId clord_id{};     // the request's own id, for its report (as CancelOrder's); empty: none
  friend bool operator==(const MassCancel&, const MassCancel&) = default;
};
// Only moves time forward (GTD expiry) when nothing else arrives.
struct Timer {
  friend bool operator==(const Timer&, const Timer&) = default;
};

using CommandBody = std::variant<CreateMember, SetMemberRestricted, CreateAccount, SetAccountRestricted,
                                 CreateInstrument, ChangeInstrument, SetFees, Deposit, Withdraw, IssueRights,
                                 MoveRights, Freeze, OpenDay, CloseDay, SetSession, NewOrder, CancelOrder,
                                 ModifyOrder, MassCancel, Timer, CreateOperator, SetOperator>;
// New kinds are appended: the index is a command's kind in journals and events.

struct Command {
  Seq seq = 0;
  Timestamp time = 0;
  CommandBody body;
  friend bool operator==(const Command&, const Command&) = default;
};

}  // namespace erx::exchange
