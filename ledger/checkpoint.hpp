#pragma once
// Checkpoint rows: the Exchange's state hash and the journal's chain hash
// after a given seq. Written every N commands, at each day close and day open,
// and with every snapshot; recovery and verification check the rebuilt state
// against them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/sha256.hpp"

namespace erx::ledger {

// Why a checkpoint row was written (its last byte). Shutdown is reserved (not
// written yet). DayOpen: right after an open-day the exchange accepted, always
// with a snapshot at the same seq (unless snapshots are off).
enum class CheckpointReason : std::uint8_t { Interval = 0, DayClose = 1, Shutdown = 2, DayOpen = 3 };
inline constexpr std::uint8_t kLastCheckpointReason = 3;
static_assert(static_cast<std::uint8_t>(CheckpointReason::DayOpen) == kLastCheckpointReason);

// A checkpoint row's size: state hash (8), chain hash (32), reason (1).
inline constexpr std::size_t kCheckpointBytes = 8 + 32 + 1;

struct Checkpoint {
  std::uint64_t state_hash = 0;
  Hash chain{};
  CheckpointReason reason = CheckpointReason::Interval;
};

void encode_checkpoint(const Checkpoint& c, std::string& out);
bool decode_checkpoint(std::string_view bytes, Checkpoint& out);

}  // namespace erx::ledger
