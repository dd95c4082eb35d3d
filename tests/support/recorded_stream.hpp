#pragma once
// Support for ledger tests: a seeded command stream recorded once through an
// in-memory Exchange (the uninterrupted run), a Clock that hands the
// sequencer the recorded times in order, and a Completion that counts.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "ledger/sequencer.hpp"

namespace erx::test {

struct RecordedStream {
  std::vector<exchange::Command> commands;  // seq 1..n, with their times
};

// Generates `n` commands with ExchangeFlow(seed) through a fresh Exchange.
RecordedStream record_stream(std::uint64_t seed, std::size_t n);

// The state hash after the first k commands of the stream (replayed in memory).
std::uint64_t hash_after_prefix(const RecordedStream& s, std::size_t k);

// Returns the recorded times in order: the k-th call gives commands[k].time.
class ReplayClock final : public ledger::Clock {
 public:
  explicit ReplayClock(const RecordedStream& s, std::size_t from = 0) : s_(s), next_(from) {}
  exchange::Timestamp now() override;
  void rewind_to(std::size_t k) { next_ = k; }

 private:
  const RecordedStream& s_;
  std::size_t next_;
};

// Counts outcomes; wait_for(n) blocks until n have arrived.
class CountingCompletion final : public ledger::Completion {
 public:
  void done(const ledger::Outcome& o) override;
  void wait_for(std::uint64_t n);
  std::uint64_t committed() const;
  std::uint64_t failed() const;
  exchange::Seq max_seq() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t committed_ = 0, failed_ = 0;
  exchange::Seq max_seq_ = 0;
};

}  // namespace erx::test
