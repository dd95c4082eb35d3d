#include "ledger/bytes.hpp"

namespace erx::ledger {

namespace {
const Money kLow64 = Money(~std::uint64_t{0});
}

void put_money(std::string& out, const Money& m) {
  const bool negative = m < 0;
  const Money mag = negative ? Money(-m) : m;
  ERX_ASSERT((mag >> 127) == 0);
  auto lo = static_cast<std::uint64_t>(mag & kLow64);
  auto hi = static_cast<std::uint64_t>(mag >> 64);
  if (negative) {  // two's complement of the 128-bit magnitude
    lo = ~lo;
    hi = ~hi;
    if (++lo == 0) ++hi;
  }
  put_u64(out, lo);
  put_u64(out, hi);
}

Money Reader::money() {
  std::uint64_t lo = u64();
  std::uint64_t hi = u64();
  const bool negative = (hi >> 63) != 0;
  if (negative) {
    lo = ~lo;
    hi = ~hi;
    if (++lo == 0) ++hi;
  }
  const Money mag = (Money(hi) << 64) | Money(lo);
  return negative ? Money(-mag) : mag;
}

}  // namespace erx::ledger
