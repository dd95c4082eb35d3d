// Operator funding and registry commands: cash in and out, rights issued into
// the registry, registry <-> trading moves, freezes and pledges. Each is one
// transfer between two balances of the same asset.
//
// Cash and rights enter only here (deposit, issue), and each asset's total in
// the exchange is capped (amount_limits.hpp), so no balance, position or sum
// of balances can grow past it.

#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange {

namespace {

// The amount of a command in the asset's units (at most `max`), or why it is unusable.
Units positive_units(const Decimal& d, int scale, std::int64_t max) {
  Units u = to_units(d, scale);
  if (u.ok() && u.value <= 0) u.error = RejectReason::InvalidAmount;
  if (u.ok() && u.value > max) u.error = RejectReason::AmountTooLarge;
  return u;
}

std::int64_t max_amount(AssetId asset) { return asset == kCash ? kMaxCashFen : kMaxRightsUnits; }

}  // namespace

// What the exchange holds of an asset, all accounts together: the negated
// External mirror. At most max_amount(asset).
Money Exchange::outstanding(AssetId asset) const { return -balances_.get(0, asset, Bucket::External); }

void Exchange::on(const Deposit& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  const Units amount = positive_units(c.amount, kCashScale, kMaxCashFen);
  if (!amount.ok()) return reject(amount.error, c.account);
  if (outstanding(kCash) + amount.value > kMaxCashFen) return reject(RejectReason::AmountTooLarge, c.account);
  transfer(spec(kCash, exchange_account(), Bucket::External, *a, Bucket::Tradable, amount.value,
                TransferKind::Deposit, 0));
}

void Exchange::on(const Withdraw& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  const Units amount = positive_units(c.amount, kCashScale, kMaxCashFen);
  if (!amount.ok()) return reject(amount.error, c.account);
  if (balances_.get(a->slot, kCash, Bucket::Tradable) < amount.value)
    return reject(RejectReason::InsufficientFunds, c.account);
  transfer(spec(kCash, *a, Bucket::Tradable, exchange_account(), Bucket::External, amount.value,
                TransferKind::Withdrawal, 0));
}

void Exchange::on(const IssueRights& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  const InstrumentState* ins = instrument(c.symbol);
  if (!ins) return reject(RejectReason::UnknownInstrument, c.account);
  const Units qty = positive_units(c.qty, ins->spec.qty_scale, kMaxRightsUnits);
  if (!qty.ok()) return reject(qty.error, c.account);
  if (outstanding(ins->id) + qty.value > kMaxRightsUnits) return reject(RejectReason::AmountTooLarge, c.account);
  transfer(spec(ins->id, exchange_account(), Bucket::External, *a, Bucket::Registry, qty.value, TransferKind::Issue,
                0));
}

void Exchange::on(const MoveRights& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  const InstrumentState* ins = instrument(c.symbol);
  if (!ins) return reject(RejectReason::UnknownInstrument, c.account);
  const Units qty = positive_units(c.qty, ins->spec.qty_scale, kMaxRightsUnits);
  if (!qty.ok()) return reject(qty.error, c.account);
  const Bucket from = c.to_trading ? Bucket::Registry : Bucket::Tradable;
  const Bucket to = c.to_trading ? Bucket::Tradable : Bucket::Registry;
  if (balances_.get(a->slot, ins->id, from) < qty.value) return reject(RejectReason::InsufficientHoldings, c.account);
  transfer(spec(ins->id, *a, from, *a, to, qty.value, TransferKind::RegistryMove, 0));
}

void Exchange::on(const Freeze& c) {
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return reject(RejectReason::UnknownAccount, c.account);
  if (c.kind != HoldKind::Frozen && c.kind != HoldKind::Pledged) return reject(RejectReason::InvalidEnum, c.account);
  AssetId asset = kCash;
  int scale = kCashScale;
  if (!c.symbol.empty()) {
    const InstrumentState* ins = instrument(c.symbol);
    if (!ins) return reject(RejectReason::UnknownInstrument, c.account);
    asset = ins->id;
    scale = ins->spec.qty_scale;
  }
  const Units qty = positive_units(c.qty, scale, max_amount(asset));
  if (!qty.ok()) return reject(qty.error, c.account);
  const Bucket held = c.kind == HoldKind::Frozen ? Bucket::Frozen : Bucket::Pledged;
  const Bucket from = c.freeze ? Bucket::Tradable : held;
  const Bucket to = c.freeze ? held : Bucket::Tradable;
  if (balances_.get(a->slot, asset, from) < qty.value)
    return reject(asset == kCash ? RejectReason::InsufficientFunds : RejectReason::InsufficientHoldings, c.account);
  transfer(spec(asset, *a, from, *a, to, qty.value, c.freeze ? TransferKind::Hold : TransferKind::Release, 0));
}

}  // namespace erx::exchange
