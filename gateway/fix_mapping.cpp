// Numbers as FIX text (fix_mapping.hpp); the enumeration tables are constexpr
// in the header.
#include "gateway/fix_mapping.hpp"

#include <algorithm>

namespace erx::gateway {

std::string format_price(const InstrumentInfo& ins, Price p) { return format_fixed(p, ins.price_scale()); }
std::string format_qty(const InstrumentInfo& ins, Qty q) { return format_fixed(q, ins.qty_scale()); }
std::string format_cash(const Money& fen) { return format_money(fen, exchange::kCashScale); }
std::string decimal_text(const exchange::Decimal& d) { return format_fixed(d.units, d.scale); }

std::string average_price(const InstrumentInfo& ins, const Money& cum_cash, Qty cum_qty) {
  if (cum_qty <= 0) return "0";
  // cash (fen) = price × qty × years / 10^(ps + qs - 2), so
  // price units at scale ps+4 = cash × 10^(ps + qs + 2) / (years × qty).
  const int ps = ins.price_scale(), qs = ins.qty_scale();
  const int years = ins.spec.price_unit == exchange::PriceUnit::PerUnitYear ? std::max(1, ins.spec.term_years) : 1;
  const Money num = cum_cash * pow10_money(ps + qs + 2);
  const Money den = Money(years) * Money(cum_qty);
  return format_money(divide_rounded(num, den, Rounding::HalfUp), ps + 4);
}

}  // namespace erx::gateway
