#pragma once
// How ERX's values are written in FIX, and read back: the one place to look
// for "how does field X map" (docs/FIX.md is the member's side of the same).
//
//   - an enumeration that has a type on our side (an engine enum, or one of
//     the gateway's) is a FixEnum table below, used by inbound parsing and
//     outbound reports alike, so the two directions cannot drift apart. An
//     engine enum's number never reaches the wire: its table's code does;
//   - a FIX code with no type of ours is a named constant in the namespace of
//     its field (md_req_rej_reason::UnknownSymbol);
//   - an engine RejectReason's codes (103, 102, 532, 380) are in reject_map.hpp;
//   - numbers (prices, quantities, cash) are written by the functions at the end;
//   - tag numbers are in fix_tags.hpp.
//
// No QuickFIX here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/assert.hpp"
#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/events.hpp"
#include "engine/fixed/decimal.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

// ------------------------------------------------------------ the table type

template <class E>
struct FixCode {
  E value;
  std::string_view code;  // as written in the field
};

namespace detail {
// Never defined: a table that breaks a rule below fails to compile here.
void fix_enum_rows_must_list_every_value_in_order();
void fix_enum_codes_must_be_unique_and_not_empty();
}  // namespace detail

// One FIX enumeration: one row per value of E, in E's order from 0 (checked
// at compile time), so writing a value is an index and reading a code a scan
// of a handful of rows. Nothing allocates, nothing is looked up in a map.
template <class E, std::size_t N>
class FixEnum {
 public:
  consteval explicit FixEnum(const FixCode<E> (&rows)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
      if (static_cast<std::size_t>(rows[i].value) != i) detail::fix_enum_rows_must_list_every_value_in_order();
      if (rows[i].code.empty()) detail::fix_enum_codes_must_be_unique_and_not_empty();
      for (std::size_t j = 0; j < i; ++j)
        if (rows[j].code == rows[i].code) detail::fix_enum_codes_must_be_unique_and_not_empty();
      rows_[i] = rows[i];
    }
  }

  // The FIX code of an engine / gateway value (a value past the table is a
  // missing row: fail-stop, never a number on the wire).
  [[nodiscard]] constexpr std::string_view code(E value) const {
    const auto i = static_cast<std::size_t>(value);
    ERX_ASSERT_MSG(i < N, "FIX mapping: no row for this value (fix_mapping.hpp)");
    return rows_[i].code;
  }
  // The code of a single-character field (Side, OrdType, ...).
  [[nodiscard]] constexpr char code_char(E value) const {
    const std::string_view c = code(value);
    ERX_ASSERT(c.size() == 1);
    return c[0];
  }
  [[nodiscard]] std::string text(E value) const { return std::string(code(value)); }

  // The value a code names; nullopt for a code ERX does not have.
  [[nodiscard]] constexpr std::optional<E> parse(std::string_view code) const {
    for (const FixCode<E>& r : rows_)
      if (r.code == code) return r.value;
    return std::nullopt;
  }
  [[nodiscard]] constexpr std::optional<E> parse(char code) const { return parse(std::string_view(&code, 1)); }

 private:
  FixCode<E> rows_[N]{};
};

// The table of E: rows as {value, code} pairs, N deduced.
template <class E, std::size_t N>
consteval FixEnum<E, N> fix_enum(const FixCode<E> (&rows)[N]) {
  return FixEnum<E, N>(rows);
}

// ------------------------------------------------------------ the gateway's own enumerations

// Why an ExecutionReport is sent.
enum class ExecType : std::uint8_t { New, Trade, Cancelled, Expired, Restated, Replaced, Rejected, OrderStatus };

// A market data entry's kind.
enum class MdEntryType : std::uint8_t { Bid, Offer, Trade, Open, Close, High, Low, Vwap, Volume };

// What an incremental market data entry does to the subscriber's book.
enum class MdUpdateAction : std::uint8_t { New, Change, Delete };

// ------------------------------------------------------------ enumerations, both directions

using exchange::CancelReason;
using exchange::Eligibility;
using exchange::OrderType;
using exchange::PriceUnit;
using exchange::RightClass;
using exchange::SessionState;
using exchange::Side;
using exchange::StpMode;
using exchange::TimeInForce;
using exchange::WaterRightType;

// Side (54).
inline constexpr auto kSide = fix_enum<Side>({{Side::Buy, "1"}, {Side::Sell, "2"}});

// OrdType (40).
inline constexpr auto kOrdType = fix_enum<OrderType>({{OrderType::Limit, "2"}, {OrderType::Market, "1"}});

// TimeInForce (59).
inline constexpr auto kTimeInForce = fix_enum<TimeInForce>({{TimeInForce::Day, "0"},
                                                            {TimeInForce::Gtc, "1"},
                                                            {TimeInForce::Gtd, "6"},
                                                            {TimeInForce::Ioc, "3"},
                                                            {TimeInForce::Fok, "4"}});

// SelfTradePreventionMode (5800, ERX): 0 (or absent) on an order = the
// member's default; a report shows the mode the engine resolved (1 to 5).
inline constexpr auto kStpMode = fix_enum<StpMode>({{StpMode::MemberDefault, "0"},
                                                    {StpMode::None, "1"},
                                                    {StpMode::CancelTaker, "2"},
                                                    {StpMode::CancelMaker, "3"},
                                                    {StpMode::CancelBoth, "4"},
                                                    {StpMode::Decrement, "5"}});

// OrdStatus (39) of where an order stands in the views.
inline constexpr auto kOrdStatus = fix_enum<OrderStatus>({{OrderStatus::New, "0"},
                                                          {OrderStatus::PartiallyFilled, "1"},
                                                          {OrderStatus::Filled, "2"},
                                                          {OrderStatus::Cancelled, "4"},
                                                          {OrderStatus::Expired, "C"},
                                                          {OrderStatus::Rejected, "8"}});

// ExecType (150).
inline constexpr auto kExecType = fix_enum<ExecType>({{ExecType::New, "0"},
                                                      {ExecType::Trade, "F"},
                                                      {ExecType::Cancelled, "4"},
                                                      {ExecType::Expired, "C"},
                                                      {ExecType::Restated, "D"},
                                                      {ExecType::Replaced, "5"},
                                                      {ExecType::Rejected, "8"},
                                                      {ExecType::OrderStatus, "I"}});

// CancelReason (5801, ERX): docs/FIX.md section 10.
inline constexpr auto kCancelReason = fix_enum<CancelReason>({{CancelReason::UserCancel, "0"},
                                                              {CancelReason::MassCancel, "1"},
                                                              {CancelReason::IocRemainder, "2"},
                                                              {CancelReason::MarketRemainder, "3"},
                                                              {CancelReason::Expired, "4"},
                                                              {CancelReason::SystemCancel, "5"},
                                                              {CancelReason::StpCancelTaker, "6"},
                                                              {CancelReason::StpCancelMaker, "7"},
                                                              {CancelReason::StpCancelBoth, "8"},
                                                              {CancelReason::StpDecrement, "9"},
                                                              {CancelReason::OutsideNewBand, "10"},
                                                              {CancelReason::MemberRestricted, "11"},
                                                              {CancelReason::AccountRestricted, "12"},
                                                              {CancelReason::NotEligible, "13"},
                                                              {CancelReason::TermEnded, "14"}});

// TradSesStatus (340) of an instrument's session.
inline constexpr auto kTradSesStatus = fix_enum<SessionState>({{SessionState::Closed, "3"},
                                                               {SessionState::PreOpen, "4"},
                                                               {SessionState::Continuous, "2"},
                                                               {SessionState::Halted, "1"}});

// MDEntryType (269): also what a MarketDataRequest may ask for.
inline constexpr auto kMdEntryType = fix_enum<MdEntryType>({{MdEntryType::Bid, "0"},
                                                            {MdEntryType::Offer, "1"},
                                                            {MdEntryType::Trade, "2"},
                                                            {MdEntryType::Open, "4"},
                                                            {MdEntryType::Close, "5"},
                                                            {MdEntryType::High, "7"},
                                                            {MdEntryType::Low, "8"},
                                                            {MdEntryType::Vwap, "9"},
                                                            {MdEntryType::Volume, "B"}});

// MDUpdateAction (279).
inline constexpr auto kMdUpdateAction =
    fix_enum<MdUpdateAction>({{MdUpdateAction::New, "0"}, {MdUpdateAction::Change, "1"}, {MdUpdateAction::Delete, "2"}});

// The instrument attributes of a SecurityList entry (ERX, docs/FIX.md section 8).
inline constexpr auto kRightClass = fix_enum<RightClass>({{RightClass::CarbonAllowance, "0"},
                                                          {RightClass::Ccer, "1"},
                                                          {RightClass::ForestrySink, "2"},
                                                          {RightClass::EmissionRight, "3"},
                                                          {RightClass::EnergyUseRight, "4"},
                                                          {RightClass::WaterRight, "5"}});
static_assert(exchange::kRightClasses == 6, "a new right class needs its RightClass (5810) code");
inline constexpr auto kWaterRightType = fix_enum<WaterRightType>({{WaterRightType::None, "0"},  // not written
                                                                  {WaterRightType::Regional, "1"},
                                                                  {WaterRightType::Abstraction, "2"},
                                                                  {WaterRightType::Irrigation, "3"}});
inline constexpr auto kPriceUnitType = fix_enum<PriceUnit>({{PriceUnit::PerUnit, "0"}, {PriceUnit::PerUnitYear, "1"}});
// A listed instrument's rule is always resolved (never Default).
inline constexpr auto kEligibility = fix_enum<Eligibility>({{Eligibility::Anyone, "0"},
                                                            {Eligibility::SameRegion, "1"},
                                                            {Eligibility::SameBasin, "2"},
                                                            {Eligibility::Default, "3"}});

// ------------------------------------------------------------ codes with no type of ours

namespace yes_no {
inline constexpr std::string_view Yes = "Y", No = "N";
}
// CommType (13).
namespace comm_type {
inline constexpr std::string_view Absolute = "3";
}
// ExecRestatementReason (378): an STP decrement restates the order smaller.
namespace exec_restatement_reason {
inline constexpr std::string_view MarketOption = "8";
}
// LastLiquidityInd (851): the resting order added liquidity, the incoming one took it.
namespace last_liquidity_ind {
inline constexpr std::string_view Added = "1", Removed = "2";
}
// CxlRejResponseTo (434).
namespace cxl_rej_response_to {
inline constexpr std::string_view CancelRequest = "1", ReplaceRequest = "2";
}
// MassCancelRequestType (530), as the request's number (RequestInfo).
namespace mass_cancel_request_type {
inline constexpr int BySymbol = 1, AllOrders = 7;
}
// MassCancelResponse (531): the request type when accepted, else this.
namespace mass_cancel_response {
inline constexpr std::string_view Rejected = "0";
}
// MassCancelRejectReason (532) of a request refused before the engine.
namespace mass_cancel_reject_reason {
inline constexpr std::string_view UnknownSecurity = "1", Other = "99";
}
// OrdRejReason (103) and CxlRejReason (102) the gateway gives itself (the
// engine's are in reject_map.hpp).
namespace ord_rej_reason {
inline constexpr int UnknownSymbol = 1, UnknownOrder = 5, UnsupportedOrderCharacteristic = 11,
                     IncorrectQuantity = 13, Other = 99;
}
namespace cxl_rej_reason {
inline constexpr int UnknownOrder = 1, Other = 99;
}
// BusinessRejectReason (380).
namespace business_reject_reason {
inline constexpr int Other = 0, UnsupportedMessageType = 3, ApplicationNotAvailable = 4,
                     ConditionallyRequiredFieldMissing = 5, NotAuthorized = 6;
}
// MassStatusReqType (585).
namespace mass_status_req_type {
inline constexpr std::string_view BySymbol = "1", AllOrders = "7";
}
// TradSesStatus (340) of an answer to an unknown session, and its TradSesStatusRejReason (567).
namespace trad_ses_status {
inline constexpr std::string_view RequestRejected = "6";
}
namespace trad_ses_status_rej_reason {
inline constexpr std::string_view UnknownOrInvalidTradingSessionID = "1";
}
// SecurityListRequestType (559) ERX offers, and SecurityRequestResult (560).
namespace security_list_request_type {
inline constexpr std::string_view Symbol = "0", AllSecurities = "4";
}
namespace security_request_result {
inline constexpr std::string_view Valid = "0", InvalidRequest = "1", NoInstrumentsFound = "2";
}
// SubscriptionRequestType (263).
namespace subscription_request_type {
inline constexpr std::string_view Snapshot = "0", Subscribe = "1", Unsubscribe = "2";
}
// MDUpdateType (265) and AggregatedBook (266) ERX offers.
namespace md_update_type {
inline constexpr std::string_view Incremental = "1";
}
// MDReqRejReason (281).
namespace md_req_rej_reason {
inline constexpr std::string_view UnknownSymbol = "0", DuplicateMdReqId = "1", UnsupportedSubscriptionRequestType = "4",
                                  UnsupportedMarketDepth = "5", UnsupportedMdUpdateType = "6",
                                  UnsupportedAggregatedBook = "7", UnsupportedMdEntryType = "8";
}
// The deepest MarketDepth (264) ERX offers: its top-of-book levels.
inline constexpr int kMaxMarketDepth = 5;

// ------------------------------------------------------------ numbers

[[nodiscard]] std::string format_price(const InstrumentInfo& ins, Price p);
[[nodiscard]] std::string format_qty(const InstrumentInfo& ins, Qty q);
// Cash in fen as CNY with 2 decimals (GrossTradeAmt, Commission, CumCashAmt, Turnover).
[[nodiscard]] std::string format_cash(const erx::Money& fen);
// CumCash ÷ CumQty as a price, half-up at price scale + 4 decimals; "0" before any fill.
[[nodiscard]] std::string average_price(const InstrumentInfo& ins, const erx::Money& cum_cash, Qty cum_qty);
// A decimal as written in a command (OrderQty, Price, RoundLot, TickSize, ...).
[[nodiscard]] std::string decimal_text(const exchange::Decimal& d);

}  // namespace erx::gateway
