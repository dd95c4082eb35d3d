#pragma once
// Converting a Decimal as written in a command into integer units of a scale,
// exactly: "389.00" or "389" at scale 2 are 38900; "389.001" at scale 2 is
// PrecisionLoss; a value that does not fit int64 is AmountTooLarge.

#include <cstdint>

#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/events.hpp"
#include "engine/fixed/pow10.hpp"

namespace erx::exchange {

struct Units {
  std::int64_t value = 0;
  RejectReason error = RejectReason::None;
  [[nodiscard]] bool ok() const noexcept { return error == RejectReason::None; }
};

[[nodiscard]] inline Units to_units(const Decimal& d, int scale) noexcept {
  if (d.scale < 0 || d.scale > 18 || scale < 0 || scale > 18) return {0, RejectReason::PrecisionLoss};
  if (d.scale >= scale) {
    const std::int64_t div = kPow10[d.scale - scale];
    if (d.units % div != 0) return {0, RejectReason::PrecisionLoss};
    return {d.units / div, RejectReason::None};
  }
  std::int64_t out;
  if (__builtin_mul_overflow(d.units, kPow10[scale - d.scale], &out)) return {0, RejectReason::AmountTooLarge};
  return {out, RejectReason::None};
}

}  // namespace erx::exchange
