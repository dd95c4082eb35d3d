#pragma once
// The tables of the ledger and a Batch: every row one group commit writes,
// held in memory so the write can be retried whole (after growing the map)
// and so the write transaction does no work but copying.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace erx::ledger {

// Named sub-databases of the one LMDB environment. Row layouts: docs/LEDGER.md.
enum class Table : std::uint8_t {
  Meta = 0,      // "format" -> u32 ledger format; "epoch" -> u64
  Journal,       // seq -> journal record (journal_record.hpp)
  Checkpoints,   // seq -> state hash and chain hash after that seq
  Trades,        // trade id -> trade
  Transfers,     // transfer id -> transfer
  Balances,      // account ‖ asset ‖ bucket -> amount (current)
  Orders,        // order id -> the order as accepted
  OrderState,    // order id -> its latest state (open / filled / cancelled)
  Instruments,   // instrument id -> spec in force, session, reference, band
  Members,       // member id -> member
  Accounts,      // account id -> account
  Operators,     // operator id -> operator
  Fees,          // right class -> fee schedule
  DailyStats,    // date ‖ instrument -> the day's statistics
  Snapshots,     // seq -> the Exchange's state after that seq (engine/exchange/snapshot.hpp)
};
inline constexpr std::size_t kTables = 15;

[[nodiscard]] const char* table_name(Table t) noexcept;
// Keys only ever grow in these tables, so LMDB can append (MDB_APPEND).
[[nodiscard]] bool table_is_append_only(Table t) noexcept;

class Batch {
 public:
  struct Row {
    Table table;
    std::uint32_t key_off, key_len, val_off, val_len;
  };

  void add(Table t, std::string_view key, std::string_view value) {
    Row r{t, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(key.size()), 0,
          static_cast<std::uint32_t>(value.size())};
    arena_.append(key);
    r.val_off = static_cast<std::uint32_t>(arena_.size());
    arena_.append(value);
    rows_.push_back(r);
  }
  void clear() {
    arena_.clear();
    rows_.clear();
  }
  [[nodiscard]] const std::vector<Row>& rows() const noexcept { return rows_; }
  [[nodiscard]] std::string_view key(const Row& r) const { return std::string_view(arena_).substr(r.key_off, r.key_len); }
  [[nodiscard]] std::string_view value(const Row& r) const {
    return std::string_view(arena_).substr(r.val_off, r.val_len);
  }
  [[nodiscard]] std::size_t bytes() const noexcept { return arena_.size(); }
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

 private:
  std::string arena_;
  std::vector<Row> rows_;
};

}  // namespace erx::ledger
