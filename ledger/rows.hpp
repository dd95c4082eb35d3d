#pragma once
// RowBuilder: turns the Exchange's events into the ledger's derived rows.
//
// It sits between the Exchange and whoever else wants the events (it forwards
// every event downstream unchanged). Append-only facts (trades, transfers,
// accepted orders, daily statistics) become rows as they happen; tables that
// hold a current value (balances, order state, reference data) are marked
// dirty and written once per batch by finish(), with the seq of the last
// command that changed them. So the rows on disk after a batch do not depend
// on where batch boundaries fell — replaying the journal in any batching
// gives the same tables, which is what verification relies on.
//
// Where an event becomes a row: RowBuilder::EventRows in rows.cpp, one
// handler per kind of event (a kind without one does not compile). A fact
// row's value is the seq, then the event's fields in the order of its
// description (engine/exchange/event_fields.hpp) less its identity, which is
// the key; layouts in docs/LEDGER.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/book/id_index.hpp"
#include "engine/exchange/events.hpp"
#include "ledger/batch.hpp"

namespace erx::exchange {
class Exchange;
}

namespace erx::ledger {

// Keys (big-endian, see bytes.hpp).
std::string key_u64(std::uint64_t id);
std::string key_u32(std::uint32_t id);
std::string key_balance(exchange::AccountId account, exchange::AssetId asset, exchange::Bucket bucket);
std::string key_daily(exchange::BusinessDate date, exchange::InstrumentId instrument);

enum class OrderStatus : std::uint8_t { Open = 0, Filled = 1, Cancelled = 2 };
inline constexpr std::uint8_t kNoCancelReason = 0xFF;

class RowBuilder final : public exchange::ExchangeSink {
 public:
  explicit RowBuilder(exchange::ExchangeSink* downstream = nullptr) : downstream_(downstream) {}

  // Rows go to `batch` until the next attach; with none attached (replay
  // during recovery) events only pass through.
  void attach(Batch& batch) { batch_ = &batch; }
  void detach() { batch_ = nullptr; }
  void set_downstream(exchange::ExchangeSink* downstream) { downstream_ = downstream; }
  void on_event(exchange::Seq seq, const exchange::Event& e) override;
  // Writes the current value of everything the batch touched, then forgets it.
  void finish(const exchange::Exchange& ex);

 private:
  struct Dirty {
    std::uint64_t key;  // the entity's id (balances: account << 32 | asset << 8 | bucket)
    exchange::Seq seq;  // the last command that changed it
  };
  // The entities a batch changed, each once with its latest seq. A batch
  // touches the same few balances thousands of times: deduplicating as they
  // come (a hash lookup) is far cheaper than sorting every touch at the end.
  class DirtySet {
   public:
    void mark(std::uint64_t key, exchange::Seq seq);
    // The entries in key order; the set is empty afterwards.
    const std::vector<Dirty>& take_sorted();

   private:
    std::vector<Dirty> entries_;
    std::vector<Dirty> sorted_;
    book::IdIndex index_{256};  // key + 1 -> position in entries_
  };
  struct StateRow {  // order_state rows: the last one per order wins
    exchange::OrderId order;
    exchange::Seq seq;
    std::uint32_t off, len;
  };

  class EventRows;  // what each kind of event does to the ledger

  void on(exchange::Seq seq, const exchange::Event& e);
  // An append-only row: the seq, then the event's fields but its identity.
  template <class E>
  void fact_row(Table table, std::string_view key, exchange::Seq seq, const E& e);
  void order_state(exchange::Seq seq, exchange::OrderId id, OrderStatus status, std::uint8_t reason,
                   const exchange::ClOrdId& clord, Price price, Qty leaves, Qty cum_qty, const Money& cum_cash);
  void finish_order_states();
  void finish_balances(const exchange::Exchange& ex);
  void finish_reference(const exchange::Exchange& ex);

  exchange::ExchangeSink* downstream_;
  Batch* batch_ = nullptr;
  std::string key_, value_;  // scratch
  DirtySet balances_, instruments_, members_, accounts_, operators_;
  std::vector<StateRow> states_;
  book::IdIndex state_index_{1024};  // order id -> position in states_
  std::string state_arena_;
};

}  // namespace erx::ledger
