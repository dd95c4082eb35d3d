#pragma once
// Verification of a ledger (a live one, or a copy a regulator holds): replays
// the whole journal into a fresh Exchange, checking every record's hash, its
// link to the previous record and every checkpoint, and rebuilds every derived
// row to compare with the tables on disk — a row changed, added or removed is
// found — and checks every snapshot row against the replayed state at its seq
// (recovery trusts a snapshot that matches its checkpoint; verification never
// starts from one). The report names the first bad seq, or says "verified up to seq N,
// state hash H".

#include <cstdint>
#include <string>

#include "engine/exchange/basic_types.hpp"
#include "ledger/sha256.hpp"

namespace erx::ledger {

struct VerifyReport {
  bool ok = false;
  exchange::Seq verified_seq = 0;  // every record up to here checked
  std::uint64_t state_hash = 0;    // the Exchange's state hash after verified_seq
  Hash chain{};                    // the chain hash of verified_seq
  std::uint64_t records = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t rows = 0;          // derived rows compared
  std::uint64_t snapshots = 0;     // snapshot rows equal to the replayed state at their seq
  exchange::Seq first_bad_seq = 0; // when !ok: the earliest seq found wrong
  std::string problem;             // what was wrong there
  // When !ok: the ledger could not be opened or read (I/O, permissions, the
  // environment) — nothing is known about its content — rather than found
  // damaged or not verifying. `erx verify` exits 3 for this, 1 for damage.
  bool environment = false;
  [[nodiscard]] std::string summary() const;
};

VerifyReport verify_ledger(const std::string& dir);

}  // namespace erx::ledger
