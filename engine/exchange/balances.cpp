#include "engine/exchange/balances.hpp"

#include "engine/core/assert.hpp"

namespace erx::exchange {

namespace {
// Only the exchange's External bucket mirrors the outside world and may be negative.
bool may_go_negative(std::uint32_t slot, Bucket b) { return slot == 0 && b == Bucket::External; }
}  // namespace

void Balances::add_account_slot() { rows_.emplace_back(assets_, Row{}); }

void Balances::add_asset() {
  ++assets_;
  for (auto& per_asset : rows_) per_asset.resize(assets_, Row{});
}

bool Balances::can_post_all(std::span<const TransferSpec> group) const {
  // The balances the group debits, with what the group has done to them so far
  // (a group is a handful of transfers; a linear search beats any map).
  struct Touched {
    std::uint32_t slot;
    AssetId asset;
    Bucket bucket;
    Money delta;
  };
  constexpr std::size_t kMaxTouched = 16;
  ERX_ASSERT(group.size() * 2 <= kMaxTouched);
  Touched touched[kMaxTouched];  // only the first n are ever read
  std::size_t n = 0;
  auto delta_of = [&](std::uint32_t slot, AssetId asset, Bucket b) -> Money& {
    for (std::size_t i = 0; i < n; ++i)
      if (touched[i].slot == slot && touched[i].asset == asset && touched[i].bucket == b) return touched[i].delta;
    touched[n].slot = slot;
    touched[n].asset = asset;
    touched[n].bucket = b;
    touched[n].delta = 0;
    return touched[n++].delta;
  };
  for (const TransferSpec& t : group) {
    if (t.amount <= 0) return false;
    Money& from = delta_of(t.from_slot, t.asset, t.from_bucket);
    from -= t.amount;
    if (!may_go_negative(t.from_slot, t.from_bucket) && get(t.from_slot, t.asset, t.from_bucket) + from < 0)
      return false;
    delta_of(t.to_slot, t.asset, t.to_bucket) += t.amount;
  }
  return true;
}

void Balances::post(const TransferSpec& t) {
  ERX_ASSERT(t.amount > 0);
  ERX_ASSERT(t.asset < assets_ && t.from_slot < rows_.size() && t.to_slot < rows_.size());
  Money& from = rows_[t.from_slot][t.asset][static_cast<std::size_t>(t.from_bucket)];
  Money& to = rows_[t.to_slot][t.asset][static_cast<std::size_t>(t.to_bucket)];
  from -= t.amount;
  to += t.amount;
  ERX_ASSERT_MSG(from >= 0 || may_go_negative(t.from_slot, t.from_bucket), "transfer would overdraw a balance");
}

Money Balances::sum(AssetId asset) const {
  Money total = 0;
  for (const auto& per_asset : rows_)
    for (const Money& m : per_asset[asset]) total += m;
  return total;
}

}  // namespace erx::exchange
