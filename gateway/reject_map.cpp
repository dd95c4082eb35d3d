// The FIX codes of every engine reject reason (see reject_map.hpp).
//
// FIX 4.4 values used here:
//   OrdRejReason (103): 0 broker/exchange option, 1 unknown symbol, 2 exchange
//     closed, 3 order exceeds limit, 5 unknown order, 6 duplicate order,
//     11 unsupported order characteristic, 13 incorrect quantity,
//     15 unknown account(s), 99 other
//   CxlRejReason (102): 1 unknown order, 2 broker/exchange option,
//     6 duplicate ClOrdID, 99 other
//   MassCancelRejectReason (532): 1 invalid or unknown security, 99 other
//   BusinessRejectReason (380): 0 other, 1 unknown id, 2 unknown security,
//     4 application not available, 5 conditionally required field missing,
//     6 not authorized
// A cancel of an order that has already ended is UnknownOrder in the engine
// (it cannot tell "never existed" from "already filled"), so it is 102=1, not
// 102=0 (too late to cancel).

#include "gateway/reject_map.hpp"

namespace erx::gateway {

namespace {

// A reason an order, cancel, replace or mass cancel can get.
constexpr FixReject order(int ord, int cxl, int mass, int business, std::string_view text) noexcept {
  return FixReject{ord, cxl, mass, business, text};
}

// A reason only the exchange's own operator commands get (reference data,
// funding, the business day): members never see it on an order message.
constexpr FixReject operator_only(int business, std::string_view text) noexcept {
  return FixReject{-1, -1, -1, business, text};
}

}  // namespace

FixReject fix_reject(exchange::RejectReason reason) noexcept {
  using R = exchange::RejectReason;
  switch (reason) {
    case R::None: return FixReject{-1, -1, -1, -1, "not rejected"};
    // Sequencing faults are the exchange's, not the member's: the request
    // was not applied and may be sent again.
    case R::SequenceGap: return order(99, 99, 99, 4, "exchange sequencing fault, request not applied; resend");
    case R::TimeWentBackwards: return order(99, 99, 99, 4, "exchange clock fault, request not applied; resend");

    case R::UnknownMember: return order(99, 99, 99, 6, "unknown member");
    case R::UnknownAccount: return order(15, 99, 99, 0, "unknown account");
    case R::UnknownInstrument: return order(1, 99, 1, 2, "unknown symbol");
    case R::DuplicateMember: return operator_only(0, "member already exists");
    case R::DuplicateAccount: return operator_only(0, "account already exists");
    case R::DuplicateInstrument: return operator_only(0, "instrument already exists");
    case R::InvalidName: return order(99, 99, 99, 5, "ClOrdID missing or empty");
    case R::InvalidEnum: return order(11, 99, 99, 0, "unsupported value of Side, OrdType, TimeInForce or STP mode");
    case R::InvalidScale: return operator_only(0, "invalid price or quantity scale");
    case R::InvalidTick: return operator_only(0, "invalid tick");
    case R::InvalidLot: return operator_only(0, "invalid lot");
    case R::InvalidSizeLimits: return operator_only(0, "invalid minimum / maximum order size");
    case R::InvalidBand: return operator_only(0, "invalid price band");
    case R::InvalidReferencePrice: return operator_only(0, "invalid reference price");
    case R::MissingAttribute: return operator_only(0, "instrument attribute missing");
    case R::UnexpectedAttribute: return operator_only(0, "instrument attribute not used by this right class");
    case R::ImmutableField: return operator_only(0, "instrument field cannot change");
    case R::InvalidFee: return operator_only(0, "invalid fee schedule");
    case R::InvalidAttribute: return operator_only(0, "instrument attribute out of range");
    case R::LimitReached: return operator_only(0, "exchange capacity limit reached");

    case R::InvalidAmount: return order(13, 99, 99, 0, "quantity must be positive");
    case R::PrecisionLoss: return operator_only(0, "more decimals than the asset allows");
    case R::AmountTooLarge: return operator_only(0, "amount too large");
    case R::InsufficientFunds: return order(3, 99, 99, 0, "insufficient funds");
    case R::InsufficientHoldings: return order(3, 99, 99, 0, "insufficient tradable holdings");

    case R::MemberRestricted: return order(0, 2, 99, 6, "member restricted from trading");
    case R::AccountRestricted: return order(0, 2, 99, 6, "account restricted from trading");
    case R::NotEligible: return order(0, 2, 99, 6, "not eligible for this instrument (region / basin rule)");
    // Like a closed market for good: the right's term (or vintage) has ended.
    case R::TermEnded: return order(2, 2, 99, 4, "the right is past its last trading date (term or vintage ended)");
    case R::DayAlreadyOpen: return operator_only(0, "business day already open");
    case R::DayNotOpen: return operator_only(4, "business day not open");
    case R::InvalidBusinessDate: return operator_only(0, "invalid business date");
    case R::InvalidSessionTransition: return operator_only(0, "invalid session transition");
    case R::SessionNotOpen: return order(2, 2, 99, 4, "instrument not open for trading");
    case R::InstrumentHalted: return order(2, 2, 99, 4, "instrument halted");

    case R::DuplicateClOrdId: return order(6, 6, 99, 0, "duplicate ClOrdID");
    case R::UnknownOrder: return order(5, 1, 99, 1, "unknown order (no open order with that ClOrdID)");
    case R::NotOrderOwner: return order(99, 99, 99, 6, "account belongs to another member");
    case R::InvalidPrice: return order(99, 99, 99, 0, "price must be positive");
    case R::OffTick: return order(99, 99, 99, 0, "price not a multiple of the tick");
    case R::OffLot: return order(13, 99, 99, 0, "quantity not a multiple of the lot");
    case R::BelowMinSize: return order(13, 99, 99, 0, "quantity below the minimum order size");
    case R::AboveMaxSize: return order(13, 99, 99, 0, "quantity above the maximum order size");
    case R::PriceOutsideBand: return order(99, 99, 99, 0, "price outside today's band");
    case R::HoldingLimitExceeded: return order(3, 99, 99, 0, "holding limit exceeded");
    case R::ExpiredOnEntry: return order(99, 99, 99, 0, "ExpireTime not in the future");
    case R::MarketOrderNotImmediate: return order(11, 99, 99, 0, "market orders must be IOC or FOK");
    case R::FokNotFillable: return order(99, 99, 99, 0, "FOK order cannot be filled in full");
    case R::BookFull: return order(99, 99, 99, 4, "order book full");
    case R::TooManyOwners: return order(99, 99, 99, 4, "too many members in this order book");
    // A replace's OrderQty (the new total) at or below CumQty when the
    // exchange applied it: the same answer the gateway gave when it checked
    // this itself (102=99), and 103=13 incorrect quantity.
    case R::QtyNotAboveExecuted: return order(13, 99, 99, 0, "OrderQty must be above the quantity already executed");
    // The instrument's trade count of the day (a 32-bit figure) is nearly
    // full: like a full book, the exchange cannot take the order now (380=4).
    case R::TradeLimitReached:
      return order(99, 99, 99, 4, "the instrument's trades today have reached their limit; try the next business day");

    case R::UnknownOperator: return order(0, 2, 99, 6, "unknown operator");
    case R::DuplicateOperator: return operator_only(0, "operator already exists");
    case R::OperatorOfOtherMember: return order(0, 2, 99, 6, "operator acts for another member");
    case R::OperatorInactive: return order(0, 2, 99, 6, "operator suspended");
    case R::OperatorNotPermitted: return order(0, 2, 99, 6, "operator role does not allow this request");
  }
  return order(99, 99, 99, 0, "rejected");
}

}  // namespace erx::gateway
