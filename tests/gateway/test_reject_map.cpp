// The FIX mapping of engine reject reasons (gateway/reject_map.hpp): every
// reason has a text and FIX 4.4 codes from the allowed sets, and the reasons a
// member meets most often map to the codes docs/FIX.md promises.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "engine/exchange/names.hpp"
#include "gateway/reject_map.hpp"

namespace {

using erx::exchange::RejectReason;
using erx::gateway::fix_reject;
using erx::gateway::FixReject;

// Every named RejectReason, found the way names.cpp parses them: every value
// of the underlying type, keeping those that have a name.
std::vector<RejectReason> all_reasons() {
  using U = std::underlying_type_t<RejectReason>;
  std::vector<RejectReason> out;
  for (std::uint32_t i = 0; i <= std::numeric_limits<U>::max(); ++i) {
    const auto r = static_cast<RejectReason>(static_cast<U>(i));
    if (erx::exchange::has_name(r)) out.push_back(r);
  }
  return out;
}

// FIX 4.4 code sets.
const std::set<int> kOrdRejReason{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99};
const std::set<int> kCxlRejReason{0, 1, 2, 3, 4, 5, 6, 99};
const std::set<int> kMassCancelRejectReason{0, 1, 2, 3, 4, 5, 6, 99};
const std::set<int> kBusinessRejectReason{0, 1, 2, 3, 4, 5, 6, 7};

}  // namespace

TEST_CASE("every reject reason has a FIX mapping", "[gateway][reject-map]") {
  const std::vector<RejectReason> reasons = all_reasons();
  // None, the two sequencing faults and at least the order reasons 50..64.
  REQUIRE(reasons.size() > 40);
  REQUIRE(reasons.front() == RejectReason::None);

  for (const RejectReason r : reasons) {
    if (r == RejectReason::None) continue;  // not a reject: checked below
    const FixReject f = fix_reject(r);
    INFO("reason " << std::string(erx::exchange::to_string(r)));
    CHECK_FALSE(f.text.empty());
    // 380 is always set: any message can be refused with a BusinessMessageReject.
    CHECK(kBusinessRejectReason.count(f.business_reject_reason) == 1);
    // An order reason has all three order codes, an operator-only reason none.
    if (f.ord_rej_reason == -1) {
      CHECK(f.cxl_rej_reason == -1);
      CHECK(f.mass_cancel_reject_reason == -1);
    } else {
      CHECK(kOrdRejReason.count(f.ord_rej_reason) == 1);
      CHECK(kCxlRejReason.count(f.cxl_rej_reason) == 1);
      CHECK(kMassCancelRejectReason.count(f.mass_cancel_reject_reason) == 1);
    }
  }
}

TEST_CASE("None is not a reject", "[gateway][reject-map]") {
  const FixReject f = fix_reject(RejectReason::None);
  CHECK(f.ord_rej_reason == -1);
  CHECK(f.cxl_rej_reason == -1);
  CHECK(f.mass_cancel_reject_reason == -1);
  CHECK(f.business_reject_reason == -1);
  CHECK_FALSE(f.text.empty());
}

TEST_CASE("every reason an order command can get is an order reject", "[gateway][reject-map]") {
  // The reasons engine/exchange/orders.cpp, operators.cpp (check_operator),
  // settlement.cpp (book refusals) and exchange.cpp (sequencing) give to
  // order, cancel, modify and mass-cancel commands.
  for (const RejectReason r :
       {RejectReason::SequenceGap, RejectReason::TimeWentBackwards, RejectReason::UnknownMember,
        RejectReason::UnknownAccount, RejectReason::UnknownInstrument, RejectReason::InvalidName,
        RejectReason::InvalidEnum, RejectReason::InvalidAmount, RejectReason::InsufficientFunds,
        RejectReason::InsufficientHoldings, RejectReason::MemberRestricted, RejectReason::AccountRestricted,
        RejectReason::NotEligible, RejectReason::SessionNotOpen, RejectReason::InstrumentHalted,
        RejectReason::DuplicateClOrdId, RejectReason::UnknownOrder, RejectReason::NotOrderOwner,
        RejectReason::InvalidPrice, RejectReason::OffTick, RejectReason::OffLot, RejectReason::BelowMinSize,
        RejectReason::AboveMaxSize, RejectReason::PriceOutsideBand, RejectReason::HoldingLimitExceeded,
        RejectReason::ExpiredOnEntry, RejectReason::MarketOrderNotImmediate, RejectReason::FokNotFillable,
        RejectReason::BookFull, RejectReason::TooManyOwners, RejectReason::QtyNotAboveExecuted,
        RejectReason::TradeLimitReached,
        RejectReason::UnknownOperator,
        RejectReason::OperatorOfOtherMember, RejectReason::OperatorInactive,
        RejectReason::OperatorNotPermitted}) {
    INFO("reason " << std::string(erx::exchange::to_string(r)));
    CHECK(fix_reject(r).ord_rej_reason != -1);
    CHECK(fix_reject(r).cxl_rej_reason != -1);
    CHECK(fix_reject(r).mass_cancel_reject_reason != -1);
  }
}

TEST_CASE("specific reasons map to the codes docs/FIX.md promises", "[gateway][reject-map]") {
  SECTION("unknown instrument") {
    const FixReject f = fix_reject(RejectReason::UnknownInstrument);
    CHECK(f.ord_rej_reason == 1);             // unknown symbol
    CHECK(f.business_reject_reason == 2);     // unknown security
    CHECK(f.mass_cancel_reject_reason == 1);  // invalid or unknown security
  }
  SECTION("unknown order") {
    const FixReject f = fix_reject(RejectReason::UnknownOrder);
    CHECK(f.cxl_rej_reason == 1);  // unknown order
    CHECK(f.ord_rej_reason == 5);
    CHECK(f.business_reject_reason == 1);  // unknown id
  }
  SECTION("duplicate ClOrdID") {
    const FixReject f = fix_reject(RejectReason::DuplicateClOrdId);
    CHECK(f.ord_rej_reason == 6);  // duplicate order
    CHECK(f.cxl_rej_reason == 6);  // duplicate ClOrdID
  }
  SECTION("session closed or halted") {
    CHECK(fix_reject(RejectReason::SessionNotOpen).ord_rej_reason == 2);  // exchange closed
    CHECK(fix_reject(RejectReason::InstrumentHalted).ord_rej_reason == 2);
  }
  SECTION("quantity rules") {
    for (const RejectReason r : {RejectReason::InvalidAmount, RejectReason::OffLot, RejectReason::BelowMinSize,
                                 RejectReason::AboveMaxSize})
      CHECK(fix_reject(r).ord_rej_reason == 13);  // incorrect quantity
  }
  SECTION("limits") {
    for (const RejectReason r : {RejectReason::InsufficientFunds, RejectReason::InsufficientHoldings,
                                 RejectReason::HoldingLimitExceeded})
      CHECK(fix_reject(r).ord_rej_reason == 3);  // order exceeds limit
  }
  SECTION("unknown account and unsupported characteristics") {
    CHECK(fix_reject(RejectReason::UnknownAccount).ord_rej_reason == 15);
    CHECK(fix_reject(RejectReason::MarketOrderNotImmediate).ord_rej_reason == 11);
    CHECK(fix_reject(RejectReason::InvalidEnum).ord_rej_reason == 11);
  }
  SECTION("permissions are 'not authorized' outside orders") {
    for (const RejectReason r : {RejectReason::OperatorNotPermitted, RejectReason::OperatorInactive,
                                 RejectReason::MemberRestricted, RejectReason::AccountRestricted})
      CHECK(fix_reject(r).business_reject_reason == 6);
  }
  SECTION("a replace's total not above what has executed") {
    // The answer the gateway gave when it checked this itself, before the
    // engine took the check over (modify qty_is_total).
    const FixReject f = fix_reject(RejectReason::QtyNotAboveExecuted);
    CHECK(f.cxl_rej_reason == 99);
    CHECK(f.ord_rej_reason == 13);  // incorrect quantity
    CHECK(f.text == "OrderQty must be above the quantity already executed");
  }
  SECTION("the day's trade count at its limit: like a full book, not available now") {
    const FixReject f = fix_reject(RejectReason::TradeLimitReached);
    CHECK(f.ord_rej_reason == 99);
    CHECK(f.business_reject_reason == 4);
    CHECK(f.text == "the instrument's trades today have reached their limit; try the next business day");
  }
  SECTION("price band") {
    const FixReject f = fix_reject(RejectReason::PriceOutsideBand);
    CHECK(f.ord_rej_reason == 99);
    CHECK(f.text == "price outside today's band");
  }
  SECTION("operator-only reasons carry no order codes") {
    for (const RejectReason r : {RejectReason::DuplicateInstrument, RejectReason::InvalidBand,
                                 RejectReason::DayAlreadyOpen, RejectReason::DuplicateOperator}) {
      CHECK(fix_reject(r).ord_rej_reason == -1);
      CHECK(fix_reject(r).business_reject_reason == 0);
    }
  }
}

TEST_CASE("a value outside the enumeration still gets an answer", "[gateway][reject-map]") {
  const FixReject f = fix_reject(static_cast<RejectReason>(9999));
  CHECK(f.ord_rej_reason == 99);
  CHECK(f.cxl_rej_reason == 99);
  CHECK(f.business_reject_reason == 0);
  CHECK_FALSE(f.text.empty());
}
