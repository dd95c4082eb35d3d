#pragma once
// Where a request's time goes inside erxd, sampled: one FIX message in
// kSampleEvery is timed from the moment its bytes are framed to the moment its
// first report is picked up for sending.
//
//   inbound    framed → submitted to the sequencer (QuickFIX parse and
//              validation, the gateway's checks, translation)
//   sequencer  submitted → its commit is done (queue, apply, journal,
//              durable commit, and the reports of the batches before it)
//   outbound   commit done → the session's connection thread picks the
//              report up (the wakeup)
//
// Only sampled requests read the clock. Samples go into arrays of fixed
// capacity; beyond it they are counted as dropped, never grown. erxd logs the
// percentiles when it stops (perf/RESULTS.md quotes them).

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace erx::gateway {

struct LatencyStamps {
  std::int64_t framed = 0;     // steady clock, ns; 0 = this request is not sampled
  std::int64_t submitted = 0;
  std::int64_t committed = 0;
};

class LatencyProbe {
 public:
  static constexpr std::uint32_t kSampleEvery = 16;
  static constexpr std::size_t kCapacity = std::size_t{1} << 16;

  LatencyProbe();
  static std::int64_t now();
  // A sampled request's report was picked up at `picked_up`.
  void record(const LatencyStamps& s, std::int64_t picked_up);
  // "N samples: inbound p50/p99 ... us, sequencer ..., outbound ..." or "no samples".
  [[nodiscard]] std::string summary() const;
  [[nodiscard]] std::size_t samples() const;
  [[nodiscard]] std::uint64_t dropped() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::int64_t> inbound_, sequencer_, outbound_;
  std::uint64_t dropped_ = 0;
};

// The connection thread that frames a message marks it for sampling here;
// QuickFIX then calls the application on the same thread, which reads it.
void set_framed_stamp(std::int64_t stamp);
std::int64_t framed_stamp();

}  // namespace erx::gateway
