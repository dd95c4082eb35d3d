// The FIX enumeration tables (gateway/fix_mapping.hpp): each reads back what
// it writes, and the codes are the ones docs/FIX.md lists.
#include <catch2/catch.hpp>

#include "gateway/fix_mapping.hpp"

using namespace erx::gateway;
namespace ex = erx::exchange;

namespace {

// Every value from 0 to `last`: written, then read back.
template <class E, std::size_t N>
void round_trips(const FixEnum<E, N>& table, E last) {
  for (std::size_t i = 0; i <= static_cast<std::size_t>(last); ++i) {
    const E v = static_cast<E>(i);
    CHECK(table.parse(table.code(v)) == v);
  }
}

}  // namespace

TEST_CASE("fix mapping: every table reads back what it writes", "[gateway][unit]") {
  round_trips(kSide, ex::Side::Sell);
  round_trips(kOrdType, ex::OrderType::Market);
  round_trips(kTimeInForce, ex::TimeInForce::Fok);
  round_trips(kStpMode, ex::StpMode::Decrement);
  round_trips(kOrdStatus, OrderStatus::Rejected);
  round_trips(kExecType, ExecType::OrderStatus);
  round_trips(kCancelReason, ex::CancelReason::TermEnded);
  round_trips(kTradSesStatus, ex::SessionState::Halted);
  round_trips(kMdEntryType, MdEntryType::Volume);
  round_trips(kMdUpdateAction, MdUpdateAction::Delete);
  round_trips(kRightClass, ex::RightClass::WaterRight);
  round_trips(kWaterRightType, ex::WaterRightType::Irrigation);
  round_trips(kPriceUnitType, ex::PriceUnit::PerUnitYear);
  round_trips(kEligibility, ex::Eligibility::Default);
}

TEST_CASE("fix mapping: the codes are FIX 4.4's and docs/FIX.md's, not the engine's numbers", "[gateway][unit]") {
  CHECK(kSide.code(ex::Side::Buy) == "1");  // the engine's Buy is 0
  CHECK(kOrdType.code(ex::OrderType::Limit) == "2");
  CHECK(kTimeInForce.code(ex::TimeInForce::Gtd) == "6");
  CHECK(kTradSesStatus.code(ex::SessionState::Continuous) == "2");
  CHECK(kTradSesStatus.code(ex::SessionState::Halted) == "1");
  CHECK(kOrdStatus.code(OrderStatus::Expired) == "C");
  CHECK(kCancelReason.code(ex::CancelReason::TermEnded) == "14");
  CHECK(kMdEntryType.code(MdEntryType::Volume) == "B");
  // Codes ERX does not have are refused, not guessed.
  CHECK_FALSE(kSide.parse('3').has_value());
  CHECK_FALSE(kTimeInForce.parse("2").has_value());  // GTX
  CHECK_FALSE(kMdEntryType.parse("3").has_value());  // index value
  CHECK_FALSE(kStpMode.parse("6").has_value());
  CHECK_FALSE(kSide.parse('\0').has_value());        // Side absent
}
