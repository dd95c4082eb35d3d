#include "gateway/fix_fields.hpp"

namespace erx::gateway {

std::string_view describe(FieldProblem p) noexcept {
  switch (p) {
    case FieldProblem::None: return "well formed";
    case FieldProblem::TagNotNumber: return "a field's tag is not a number (tag=value, digits without a leading zero)";
    case FieldProblem::TagOutOfRange: return "a field's tag has more than nine digits";
    case FieldProblem::Unterminated: return "the last field is not terminated by SOH";
  }
  return "malformed field";
}

std::string_view first_field(std::string_view msg, int tag) {
  std::string_view found;
  scan_fields(msg, [&](int t, std::string_view v) {
    if (t != tag) return true;
    found = v;
    return false;
  });
  return found;
}

}  // namespace erx::gateway
