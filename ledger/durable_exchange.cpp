#include "ledger/durable_exchange.hpp"

#include <spdlog/spdlog.h>

namespace erx::ledger {

DurableExchange::~DurableExchange() { stop(); }

bool DurableExchange::open(const DurableOptions& options, std::string* error) {
  if (ledger_.open(options.ledger, error) != 0) return false;
  // Replay with rows off (no batch attached); the Collector downstream is the
  // sequencer's, created after recovery — during replay events go nowhere.
  rows_ = std::make_unique<RowBuilder>(nullptr);
  exchange_ = std::make_unique<exchange::Exchange>(*rows_, ledger_.limits());
  recovery_ = replay_journal(ledger_, *exchange_);
  if (!recovery_.ok) {
    if (error)
      *error = "ledger " + options.ledger.dir + " does not verify at seq " + std::to_string(recovery_.bad_seq) + ": " +
               recovery_.problem;
    return false;
  }
  JournalTail tail{recovery_.last_seq, recovery_.last_hash, recovery_.last_time};
  sequencer_ = std::make_unique<Sequencer>(ledger_, *exchange_, *rows_, clock_, tail, options.sequencer);
  rows_->set_downstream(&sequencer_->collector());
  spdlog::info("ledger {}: recovered {} records, {} checkpoints verified, tail seq {}", options.ledger.dir,
               recovery_.records, recovery_.checkpoints, recovery_.last_seq);
  return true;
}

void DurableExchange::stop() {
  if (sequencer_) sequencer_->stop();
}

}  // namespace erx::ledger
