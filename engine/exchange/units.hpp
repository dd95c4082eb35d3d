#pragma once
// Converting a Decimal as written in a command into integer units of a scale,
// exactly: "389.00" or "389" at scale 2 are 38900; "389.001" at scale 2 is
// PrecisionLoss; a value that does not fit int64 is AmountTooLarge.

#include <cstdint>

#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/events.hpp"

namespace erx::exchange {

// 10^0 .. 10^18: every power of ten an int64 holds (scales run 0..18).
inline constexpr std::int64_t kPow10[] = {1,
                                          10,
                                          100,
                                          1'000,
                                          10'000,
                                          100'000,
                                          1'000'000,
                                          10'000'000,
                                          100'000'000,
                                          1'000'000'000,
                                          10'000'000'000,
                                          100'000'000'000,
                                          1'000'000'000'000,
                                          10'000'000'000'000,
                                          100'000'000'000'000,
                                          1'000'000'000'000'000,
                                          10'000'000'000'000'000,
                                          100'000'000'000'000'000,
                                          1'000'000'000'000'000'000};
static_assert(sizeof kPow10 / sizeof kPow10[0] == 19);

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
