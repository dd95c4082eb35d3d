#pragma once
// Vocabulary shared by commands, events and the exchange state:
// ids, fixed-capacity strings (no allocation on the order path), decimals as
// written, and the enumerations of the environmental-rights market.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/core/civil_date.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::exchange {

using Seq = std::uint64_t;
using Timestamp = std::int64_t;     // ns since 1970-01-01T00:00:00Z, stamped by the sequencer
using BusinessDate = std::int32_t;  // yyyymmdd
using MemberId = std::uint32_t;     // 0 is reserved for the exchange itself
using AccountId = std::uint32_t;    // 0 is reserved for the exchange's own accounts
using InstrumentId = std::uint32_t; // assigned in creation order, from 1
using OperatorId = std::uint32_t;   // a member's user; 0 = no operator (the exchange acting for the member)
using OrderId = std::uint64_t;      // assigned by the exchange, from 1
using TradeId = std::uint64_t;
using TransferId = std::uint64_t;

// A real calendar date (Gregorian) in the years the exchange accepts for
// business days and dates of reference data: 1990..2200.
[[nodiscard]] constexpr bool plausible_date(BusinessDate d) noexcept {
  const int y = d / 10'000, m = d / 100 % 100, day = d % 100;
  return y >= 1990 && y <= 2200 && civil::is_valid(y, m, day);
}

inline constexpr MemberId kExchangeMember = 0;
inline constexpr AccountId kExchangeAccount = 0;

// A string of at most N bytes stored inline. Longer input is refused by
// assign(), so a caller can reject it with a specific reason.
template <std::size_t N>
class FixedString {
 public:
  static constexpr std::size_t kCapacity = N;
  FixedString() = default;

  [[nodiscard]] bool assign(std::string_view s) noexcept {
    if (s.size() > N) return false;
    len_ = static_cast<std::uint8_t>(s.size());
    std::fill(data_.begin(), data_.end(), '\0');
    std::copy(s.begin(), s.end(), data_.begin());
    return true;
  }
  // For literals and values already known to fit.
  static FixedString of(std::string_view s) noexcept {
    FixedString f;
    const bool fits = f.assign(s.substr(0, std::min(s.size(), N)));
    (void)fits;  // always true: the input was cut to capacity
    return f;
  }
  [[nodiscard]] std::string_view view() const noexcept { return {data_.data(), len_}; }
  [[nodiscard]] bool empty() const noexcept { return len_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return len_; }
  // A hash of the content, for hash tables (whose iteration order never reaches output).
  [[nodiscard]] std::uint64_t hash() const noexcept {
    std::uint64_t h = 0xCBF29CE484222325ull ^ len_;
    for (std::size_t i = 0; i < len_; ++i) h = (h ^ static_cast<unsigned char>(data_[i])) * 0x100000001B3ull;
    return h ^ (h >> 29);
  }
  friend bool operator==(const FixedString& a, const FixedString& b) noexcept { return a.view() == b.view(); }
  friend auto operator<=>(const FixedString& a, const FixedString& b) noexcept { return a.view() <=> b.view(); }

 private:
  static_assert(N < 256);
  std::array<char, N> data_{};
  std::uint8_t len_ = 0;
};

using ClOrdId = FixedString<32>;  // the member's own id for an order (FIX ClOrdID)
using Symbol = FixedString<24>;   // instrument symbol, e.g. "CEA25", "SO2-GAN-5Y"
using Label = FixedString<32>;    // short attribute values: region, basin, project id, names

// A decimal exactly as written in a command ("389.00" = {38900, 2}). The
// exchange converts it to the instrument's units when it applies the command;
// a value that does not fit that scale is rejected there, not rounded.
struct Decimal {
  std::int64_t units = 0;
  std::int8_t scale = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

enum class RightClass : std::uint8_t {
  CarbonAllowance = 0,  // CEA, national / pilot allowances (vintage)
  Ccer = 1,             // certified reductions (project, vintage)
  ForestrySink = 2,     // forestry carbon sink credits (project, vintage)
  EmissionRight = 3,    // 排污权 (pollutant, region / basin, term)
  EnergyUseRight = 4,   // 用能权 (region, compliance year)
  WaterRight = 5,       // 水权 (type, basin, term)
};
inline constexpr int kRightClasses = 6;

enum class PriceUnit : std::uint8_t {
  PerUnit = 0,      // notional = price × qty
  PerUnitYear = 1,  // notional = price × qty × term_years
};

enum class Eligibility : std::uint8_t {
  Anyone = 0,
  SameRegion = 1,  // e.g. air pollutants: only members of the instrument's city / region
  SameBasin = 2,   // e.g. water pollutants, water rights: only members in the instrument's basin
  // Not given: the rule that follows the right (docs/EXCHANGE.md "Eligibility
  // by default"), resolved to one of the above when the instrument is listed
  // or changed. Never the rule of a listed instrument.
  Default = 3,
};

enum class WaterRightType : std::uint8_t { None = 0, Regional = 1, Abstraction = 2, Irrigation = 3 };

enum class MemberCategory : std::uint8_t {
  ComplianceEntity = 0,   // has an obligation (allowances / permits)
  Investor = 1,
  GovernmentReserve = 2,
  MarketMaker = 3,
};

// What a member's operator (a person logged on for the member) may do.
// docs/EXCHANGE.md "Operators" has the table.
enum class OperatorRole : std::uint8_t {
  Trader = 0,  // enter, modify and cancel the member's orders
  Admin = 1,   // the member's administrator / risk officer: cancel and mass cancel only (kill switch)
  Viewer = 2,  // read only: every order command is refused
};

enum class SessionState : std::uint8_t {
  Closed = 0,      // outside the business day: only cancels
  PreOpen = 1,     // day open, trading not started: only cancels
  Continuous = 2,  // order book trading
  Halted = 3,      // trading stopped by the operator: only cancels
};

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };
enum class OrderType : std::uint8_t { Limit = 0, Market = 1 };
enum class TimeInForce : std::uint8_t { Day = 0, Gtc = 1, Gtd = 2, Ioc = 3, Fok = 4 };
enum class StpMode : std::uint8_t { MemberDefault = 0, None = 1, CancelTaker = 2, CancelMaker = 3, CancelBoth = 4, Decrement = 5 };

// The balances an account holds per asset (docs/EXCHANGE.md "Balances"). For cash, Registry is unused.
enum class Bucket : std::uint8_t {
  Tradable = 0,  // free to trade or withdraw
  Reserved = 1,  // held by open orders
  Locked = 2,    // bought today, tradable from the next business day (T+1)
  Pledged = 3,   // pledged (first lien); not tradable
  Frozen = 4,    // judicially frozen; not tradable
  Registry = 5,  // rights in the registry account, not yet moved to trading
  // Buckets of the exchange's own account (kExchangeAccount) only:
  External = 6,  // the outside world: cash deposited / withdrawn, rights issued / retired. Goes negative.
  Fees = 7,      // fee income (cash)
};
inline constexpr int kBuckets = 8;
static_assert(static_cast<int>(Bucket::Fees) + 1 == kBuckets, "a balance row has one entry per Bucket");

// Cash is asset 0; instrument i is asset i.
using AssetId = std::uint32_t;
inline constexpr AssetId kCash = 0;
inline constexpr int kCashScale = 2;  // fen: CNY 0.01

[[nodiscard]] std::string_view to_string(RightClass v) noexcept;
[[nodiscard]] std::string_view to_string(PriceUnit v) noexcept;
[[nodiscard]] std::string_view to_string(Eligibility v) noexcept;
[[nodiscard]] std::string_view to_string(WaterRightType v) noexcept;
[[nodiscard]] std::string_view to_string(MemberCategory v) noexcept;
[[nodiscard]] std::string_view to_string(OperatorRole v) noexcept;
[[nodiscard]] std::string_view to_string(SessionState v) noexcept;
[[nodiscard]] std::string_view to_string(Side v) noexcept;
[[nodiscard]] std::string_view to_string(OrderType v) noexcept;
[[nodiscard]] std::string_view to_string(TimeInForce v) noexcept;
[[nodiscard]] std::string_view to_string(StpMode v) noexcept;
[[nodiscard]] std::string_view to_string(Bucket v) noexcept;

}  // namespace erx::exchange
