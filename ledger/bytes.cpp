#include "ledger/bytes.hpp"

namespace erx::ledger {

void put_money(std::string& out, const Money& m) {
  // The backend is sign and magnitude, the magnitude one unsigned 128-bit
  // limb (g++'s native type); reading it directly avoids two checked 128-bit
  // shifts and a mask per amount (this runs for every transfer and order row
  // on the sequencer's apply thread).
  const auto& b = m.backend();
  const auto mag = *b.limbs();
  static_assert(sizeof(mag) == 16, "one 128-bit limb expected");
  auto lo = static_cast<std::uint64_t>(mag);
  auto hi = static_cast<std::uint64_t>(mag >> 64);
  ERX_ASSERT((hi >> 63) == 0);  // |m| < 2^127: representable in two's complement
  if (b.sign()) {  // two's complement of the 128-bit magnitude
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
