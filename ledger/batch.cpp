#include "ledger/batch.hpp"

namespace erx::ledger {

const char* table_name(Table t) noexcept {
  switch (t) {
    case Table::Meta: return "meta";
    case Table::Journal: return "journal";
    case Table::Checkpoints: return "checkpoints";
    case Table::Trades: return "trades";
    case Table::Transfers: return "transfers";
    case Table::Balances: return "balances";
    case Table::Orders: return "orders";
    case Table::OrderState: return "order_state";
    case Table::Instruments: return "instruments";
    case Table::Members: return "members";
    case Table::Accounts: return "accounts";
    case Table::Operators: return "operators";
    case Table::Fees: return "fees";
    case Table::DailyStats: return "daily_stats";
    case Table::Snapshots: return "snapshots";
  }
  return "?";
}

bool table_is_append_only(Table t) noexcept {
  return t == Table::Journal || t == Table::Checkpoints || t == Table::Trades || t == Table::Transfers ||
         t == Table::Orders || t == Table::Snapshots;
}

}  // namespace erx::ledger
