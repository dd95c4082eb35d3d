#pragma once
// Shared by the ledger tests: options for a DurableExchange in a temp dir,
// the seed from ERX_SEED, and running a stretch of a recorded stream.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "ledger/durable_exchange.hpp"
#include "tests/support/exchange_flow.hpp"
#include "tests/support/recorded_stream.hpp"

namespace erx::test {

inline std::uint64_t seed_from_env(std::uint64_t fixed) {
  const char* v = std::getenv("ERX_SEED");
  return v && *v ? std::strtoull(v, nullptr, 10) : fixed;
}

inline ledger::DurableOptions durable_options(const std::string& dir, std::size_t max_batch = 512) {
  ledger::DurableOptions o;
  o.ledger.dir = dir;
  o.ledger.initial_map_size = std::size_t{1} << 20;  // small: the tests also exercise MDB_MAP_FULL growth
  o.ledger.limits = exchange::test::flow_limits();
  o.sequencer.max_batch = max_batch;
  o.sequencer.queue_capacity = 4096;
  o.sequencer.checkpoint_every = 997;
  return o;
}

// Submits commands [from, to) of the stream and waits until all are durable.
inline void run_stretch(ledger::DurableExchange& dx, const RecordedStream& s, std::size_t from, std::size_t to) {
  CountingCompletion c;
  for (std::size_t i = from; i < to; ++i) REQUIRE(dx.submit(s.commands[i].body, &c));
  c.wait_for(to - from);
  REQUIRE(c.failed() == 0);
  REQUIRE(c.committed() == to - from);
  REQUIRE(c.max_seq() == to);
}

// The seqs of the open-day commands the exchange accepts (a DayOpened event)
// among the first `n` of the stream: where the sequencer writes a DayOpen
// checkpoint and snapshot.
inline std::vector<exchange::Seq> day_opens(const RecordedStream& s, std::size_t n) {
  struct Sink final : exchange::ExchangeSink {
    std::vector<exchange::Seq> seqs;
    void on_event(exchange::Seq seq, const exchange::Event& e) override {
      if (std::holds_alternative<exchange::DayOpened>(e)) seqs.push_back(seq);
    }
  } sink;
  exchange::Exchange ex(sink, exchange::test::flow_limits());
  for (std::size_t i = 0; i < n && i < s.commands.size(); ++i) ex.apply(s.commands[i]);
  return sink.seqs;
}

}  // namespace erx::test
