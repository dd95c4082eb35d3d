#pragma once
// Replays the journal into an Exchange, checking the chain as it goes. Used by
// recovery (at every start) and by verification (regulators, tests).
//
// Per record: its own hash, its seq (the previous + 1, equal to its key), its
// link to the previous record's hash, a decodable command body, and time not
// going backwards. At every checkpoint row met on the way: the rebuilt state
// hash and the chain hash must equal what was recorded. The first problem
// stops the replay and is reported with its seq.

#include <functional>
#include <string>

#include "engine/exchange/exchange.hpp"
#include "ledger/ledger.hpp"

namespace erx::ledger {

struct ReplayOptions {
  // Called with each command right after the Exchange applied it (recovery's
  // observer sees the command and its events: durable_exchange.hpp).
  std::function<void(const exchange::Command&)> after_apply;
  exchange::Seq until = 0;  // stop after this seq (0 = the end of the journal)
  // Called after each command is applied (verification finishes row batches here).
  std::function<void(exchange::Seq)> after_command;
  // The read transaction to replay from (verification reads everything in
  // one); none: the ledger's snapshot() when it was opened read-only, else
  // a read transaction of its own.
  lmdb::Txn* txn = nullptr;
};

struct ReplayResult {
  bool ok = true;
  exchange::Seq last_seq = 0;        // the last record applied
  Hash last_hash{};                  // its chain hash
  exchange::Timestamp last_time = 0;
  std::uint64_t records = 0;         // records applied by this replay
  std::uint64_t checkpoints = 0;     // checkpoints matched
  exchange::Seq bad_seq = 0;         // the first seq found wrong (when !ok)
  std::string problem;
  // When !ok: the LMDB / errno code of a read that failed (0: the content is
  // wrong). lmdb::is_damage() says whether that code is damage too.
  int read_error = 0;
  // Recovery (DurableExchange::open) only: the snapshot the Exchange was
  // loaded from before the replay of the tail (0: replayed from seq 1), and
  // how many newer snapshots were refused on the way (each logged).
  exchange::Seq snapshot_seq = 0;
  std::uint32_t snapshots_refused = 0;
};

// `ex` must be fresh (or at the state of `start_seq`, with `start_hash` the
// chain hash of that record). Applies records start_seq + 1 onwards.
ReplayResult replay_journal(Ledger& ledger, exchange::Exchange& ex, const ReplayOptions& options = {},
                            exchange::Seq start_seq = 0, const Hash& start_hash = Hash{});

}  // namespace erx::ledger
