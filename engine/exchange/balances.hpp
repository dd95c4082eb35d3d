#pragma once
// Balances: double-entry accounting of cash and rights.
//
// Every account holds, per asset, one balance per Bucket. A balance changes
// only through post(): a transfer of a positive amount of one asset from one
// (account, bucket) to another. So, per asset, the sum of all balances stays
// zero: the exchange's External bucket is the negative mirror of everything
// deposited or issued, and every other balance must stay >= 0.
//
// A group of transfers that must apply whole or not at all (a fill's delivery
// versus payment) is checked with can_post_all() before any of it is posted.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/exchange/basic_types.hpp"
#include "engine/exchange/events.hpp"

namespace erx::exchange {

struct TransferSpec {
  AssetId asset = kCash;
  AccountId from = 0;
  std::uint32_t from_slot = 0;
  Bucket from_bucket = Bucket::Tradable;
  AccountId to = 0;
  std::uint32_t to_slot = 0;
  Bucket to_bucket = Bucket::Tradable;
  Money amount = 0;
  TransferKind kind = TransferKind::Deposit;
  std::uint64_t ref = 0;
};

class Balances {
 public:
  using Row = std::array<Money, kBuckets>;

  // Account slots are dense indices the Exchange assigns (slot 0 = the exchange).
  void add_account_slot();
  void add_asset();  // a new instrument

  [[nodiscard]] const Money& get(std::uint32_t slot, AssetId asset, Bucket b) const {
    return rows_[slot][asset][static_cast<std::size_t>(b)];
  }
  [[nodiscard]] std::uint32_t assets() const noexcept { return assets_; }
  [[nodiscard]] std::uint32_t slots() const noexcept { return static_cast<std::uint32_t>(rows_.size()); }

  // Would every transfer of the group leave no non-exchange balance negative
  // when applied in order? The group touches at most a handful of balances.
  [[nodiscard]] bool can_post_all(std::span<const TransferSpec> group) const;

  // Applies one transfer. Precondition (asserted): amount > 0 and the debited
  // balance stays >= 0 unless it is the exchange's External bucket.
  void post(const TransferSpec& t);

  // Snapshot loading only: sets a whole row, bypassing post() and its double
  // entry. The loader checks conservation and signs once every row is in.
  void restore_row(std::uint32_t slot, AssetId asset, const Row& row) { rows_[slot][asset] = row; }
  [[nodiscard]] const Row& row(std::uint32_t slot, AssetId asset) const { return rows_[slot][asset]; }

  // Σ of all balances of `asset`; must be 0.
  [[nodiscard]] Money sum(AssetId asset) const;

 private:
  std::vector<std::vector<Row>> rows_;  // [slot][asset]
  std::uint32_t assets_ = 1;            // cash
};

}  // namespace erx::exchange
