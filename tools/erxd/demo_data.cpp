#include "tools/erxd/demo_data.hpp"

#include <cstdio>
#include <string>
#include <utility>

namespace erx::erxd {

namespace {

// Instruments, members and accounts (dates come later: a term right's term
// runs from the demo day's year, see with_term_ends()).
constexpr const char* kReferenceData = R"(create-instrument symbol=CEA25 right_class=carbon-allowance unit=tCO2e vintage=2025 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=99999 band_bps=1000 reference_price=90.00
create-instrument symbol=CCER-JX-01 right_class=ccer unit=tCO2e project_id=CCER-JX-0001 vintage=2024 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=99999 band_bps=1000 reference_price=70.00
create-instrument symbol=FS-JX-24 right_class=forestry-sink unit=tCO2e project_id=FFCER-JX-LIN-01 vintage=2024 price_scale=2 qty_scale=3 tick=0.01 lot=0.001 min_qty=0.001 max_qty=1000 band_bps=1000 reference_price=50.00
create-instrument symbol=SO2-NC-5Y right_class=emission-right unit=t/yr pollutant=SO2 region=Nanchang term_years=5 last_trading_date={end of 5 years} price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=5000 band_bps=1000 reference_price=389.00 price_unit=per-unit-year
create-instrument symbol=EU-JX-25 right_class=energy-use-right unit=tce region=Jiangxi compliance_year=2025 price_scale=2 qty_scale=0 tick=0.05 lot=10 min_qty=100 max_qty=10000 band_bps=1000 reference_price=50.00
create-instrument symbol=WR-GAN-1Y right_class=water-right unit=m3/yr water_type=regional basin=Gan term_years=1 last_trading_date={end of 1 year} price_scale=2 qty_scale=0 tick=0.01 lot=1000 min_qty=1000 max_qty=10000000 band_bps=3000 reference_price=0.12 price_unit=per-unit-year
set-fees right_class=carbon-allowance trading_rate_ppm=1500 trading_minimum=1.00 settlement_rate_ppm=500 settlement_minimum=0.50
)";

constexpr const char* kSymbols[] = {"CEA25", "CCER-JX-01", "FS-JX-24", "SO2-NC-5Y", "EU-JX-25", "WR-GAN-1Y"};
constexpr const char* kDemoQty[] = {"10000", "10000", "100", "1000", "10000", "10000000"};

// The demo's term rights end on 31 December of the last year of their term,
// counted from today's year, so the demo day can always trade them.
std::string with_term_ends(std::string text, exchange::BusinessDate today) {
  const int year = today / 10'000;
  for (const auto& [placeholder, years] : {std::pair<std::string, int>{"{end of 5 years}", 5}, {"{end of 1 year}", 1}}) {
    const std::string end = std::to_string(year + years - 1) + "-12-31";
    for (std::size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder))
      text.replace(at, placeholder.size(), end);
  }
  return text;
}

}  // namespace

static std::string member_lines(std::uint32_t n) {
  static const char* const kNames[] = {"JX Cement", "JX Power", "Gan Water Investors"};
  const std::string id = std::to_string(n);
  const std::string name = n <= 3 ? kNames[n - 1] : "Load Member " + id;
  const char* category = n <= 2 ? " category=compliance-entity" : "";
  return "create-member member=" + id + " name=\"" + name + "\" region=Nanchang basin=Gan" + category + "\n" +
         "create-account account=" + std::to_string(n * 100 + 1) + " member=" + id + "\n" +
         "create-operator operator=" + std::to_string(n * 1000 + 1) + " member=" + id + " name=\"M" + id +
         " FIX\" role=trader\n";
}

std::string demo_script(exchange::BusinessDate today, std::uint32_t members) {
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", today / 10000, today / 100 % 100, today % 100);
  // The script grammar wants a time; the sequencer stamps its own.
  std::string s = std::string("at ") + date + "T00:00:00Z\n" + with_term_ends(kReferenceData, today);
  for (std::uint32_t n = 1; n <= members; ++n) s += member_lines(n);
  for (std::uint32_t n = 1; n <= members; ++n) {
    const std::uint32_t account = n * 100 + 1;
    s += "deposit account=" + std::to_string(account) + " amount=50000000.00\n";
    for (std::size_t i = 0; i < std::size(kSymbols); ++i) {
      s += "issue account=" + std::to_string(account) + " symbol=" + kSymbols[i] + " qty=" + kDemoQty[i] + "\n";
      s += "move-rights account=" + std::to_string(account) + " symbol=" + kSymbols[i] + " qty=" + kDemoQty[i] + "\n";
    }
  }
  s += std::string("open-day date=") + date + "\nset-session state=continuous\n";
  return s;
}

}  // namespace erx::erxd
