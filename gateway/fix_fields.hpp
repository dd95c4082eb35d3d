#pragma once
// The fields of one framed FIX message, read before QuickFIX sees it.
//
// QuickFIX 1.15.1 reads a tag with arithmetic that wraps (a field written
// "4294967297=201" became Account(1)=201) and silently drops a message with a
// field that has no '=' or a tag that is not a number. So the gateway reads
// every field itself first: each must be `tag=value<SOH>` with the tag a
// decimal number from 1 to kMaxFixTag written without a leading zero. The
// first field that is not is the message's problem (docs/FIX.md section 3,
// "Validation"); what the gateway does about it depends on whether the session
// is logged on (fix_server.cpp).
//
// The scanner never copies and never allocates; values are views into the
// message. ERX's dictionary has no data (length-prefixed binary) fields, so a
// SOH always ends a field.

#include <cstdint>
#include <string_view>

namespace erx::gateway {

// Nine digits at most: the largest tag below 2^31 that cannot wrap an int.
// Any tag the venue dictionary does not define is refused later by QuickFIX
// (session Reject 373=0); this bound only keeps the number honest.
inline constexpr std::uint32_t kMaxFixTag = 999'999'999;

enum class FieldProblem : std::uint8_t {
  None,
  TagNotNumber,    // empty, a non-digit before '=', no '=' at all, or a leading zero
  TagOutOfRange,   // more than nine digits
  Unterminated,    // the last field has no SOH
};

struct FieldScan {
  FieldProblem problem = FieldProblem::None;
  std::size_t field = 0;  // 1-based position of the bad field (0: none)
  [[nodiscard]] bool ok() const noexcept { return problem == FieldProblem::None; }
};

// Words for a member's Text(58) and for the log; never includes the field's bytes.
[[nodiscard]] std::string_view describe(FieldProblem p) noexcept;

// Calls on_field(tag, value) for every field in order until it returns false
// or a field is malformed; returns the first problem.
template <class OnField>
FieldScan scan_fields(std::string_view msg, OnField&& on_field) {
  constexpr char kSoh = '\x01';
  std::size_t index = 0;
  std::size_t at = 0;
  while (at < msg.size()) {
    ++index;
    std::uint32_t tag = 0;
    std::size_t i = at;
    for (; i < msg.size() && msg[i] >= '0' && msg[i] <= '9'; ++i) {
      if (i - at == 9) return {FieldProblem::TagOutOfRange, index};
      tag = tag * 10 + static_cast<std::uint32_t>(msg[i] - '0');
    }
    if (i == at || i == msg.size() || msg[i] != '=' || msg[at] == '0') return {FieldProblem::TagNotNumber, index};
    const std::size_t value_at = i + 1;
    const std::size_t end = msg.find(kSoh, value_at);
    if (end == std::string_view::npos) return {FieldProblem::Unterminated, index};
    if (!on_field(static_cast<int>(tag), msg.substr(value_at, end - value_at))) return {};
    at = end + 1;
  }
  return {};
}

// Just the check.
[[nodiscard]] inline FieldScan check_fields(std::string_view msg) {
  return scan_fields(msg, [](int, std::string_view) { return true; });
}

// The value of the first field with `tag` (empty when absent).
[[nodiscard]] std::string_view first_field(std::string_view msg, int tag);

}  // namespace erx::gateway
