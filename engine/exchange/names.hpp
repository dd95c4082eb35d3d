#pragma once
// Names of the exchange's enumerations, as the command and event text use them
// (docs/COMMANDS.md). `to_string` is declared next to each enumeration
// (basic_types.hpp, events.hpp) and defined in names.cpp; this header adds the
// inverse lookups, and the names of the one enumeration declared in
// commands.hpp (HoldKind).
//
// Names are short, stable, lower-case kebab-case ("carbon-allowance",
// "cancel-taker"). They are part of the text formats, journals and golden
// tests: never rename one. A value without a name (outside its enumeration)
// has the name "?"; the parsers below never return such a value.

#include <optional>
#include <string_view>

#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/commands.hpp"
#include "engine/exchange/events.hpp"

namespace erx::exchange {

[[nodiscard]] std::string_view to_string(HoldKind v) noexcept;

// The value whose name is exactly `name` (case-sensitive), or nullopt.
[[nodiscard]] std::optional<RightClass> parse_right_class(std::string_view name) noexcept;
[[nodiscard]] std::optional<PriceUnit> parse_price_unit(std::string_view name) noexcept;
[[nodiscard]] std::optional<Eligibility> parse_eligibility(std::string_view name) noexcept;
[[nodiscard]] std::optional<WaterRightType> parse_water_right_type(std::string_view name) noexcept;
[[nodiscard]] std::optional<MemberCategory> parse_member_category(std::string_view name) noexcept;
[[nodiscard]] std::optional<OperatorRole> parse_operator_role(std::string_view name) noexcept;
[[nodiscard]] std::optional<SessionState> parse_session_state(std::string_view name) noexcept;
[[nodiscard]] std::optional<Side> parse_side(std::string_view name) noexcept;
[[nodiscard]] std::optional<OrderType> parse_order_type(std::string_view name) noexcept;
[[nodiscard]] std::optional<TimeInForce> parse_time_in_force(std::string_view name) noexcept;
[[nodiscard]] std::optional<StpMode> parse_stp_mode(std::string_view name) noexcept;
[[nodiscard]] std::optional<Bucket> parse_bucket(std::string_view name) noexcept;
[[nodiscard]] std::optional<HoldKind> parse_hold_kind(std::string_view name) noexcept;
[[nodiscard]] std::optional<RejectReason> parse_reject_reason(std::string_view name) noexcept;
[[nodiscard]] std::optional<CancelReason> parse_cancel_reason(std::string_view name) noexcept;
[[nodiscard]] std::optional<TransferKind> parse_transfer_kind(std::string_view name) noexcept;

// Overloads of the parsers above selected by the output type, for generic code:
// `parse_name(text, value)` sets `value` and returns true when `text` names one.
[[nodiscard]] bool parse_name(std::string_view name, RightClass& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, PriceUnit& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, Eligibility& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, WaterRightType& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, MemberCategory& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, OperatorRole& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, SessionState& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, Side& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, OrderType& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, TimeInForce& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, StpMode& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, Bucket& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, HoldKind& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, RejectReason& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, CancelReason& out) noexcept;
[[nodiscard]] bool parse_name(std::string_view name, TransferKind& out) noexcept;

// True when `v` is one of its enumeration's values (has a name).
template <class E>
[[nodiscard]] bool has_name(E v) noexcept {
  return to_string(v) != "?";
}

}  // namespace erx::exchange
