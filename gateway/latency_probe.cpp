#include "gateway/latency_probe.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/fmt/fmt.h>

namespace erx::gateway {

namespace {
thread_local std::int64_t t_framed = 0;

// p-th percentile (0..100) of sorted ns values, in µs.
double percentile_us(const std::vector<std::int64_t>& sorted, unsigned p) {
  const std::size_t i = (sorted.size() - 1) * p / 100;
  return static_cast<double>(sorted[i]) / 1000.0;
}
}  // namespace

void set_framed_stamp(std::int64_t stamp) { t_framed = stamp; }
std::int64_t framed_stamp() { return t_framed; }

LatencyProbe::LatencyProbe() {
  inbound_.reserve(kCapacity);
  sequencer_.reserve(kCapacity);
  outbound_.reserve(kCapacity);
}

std::int64_t LatencyProbe::now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void LatencyProbe::record(const LatencyStamps& s, std::int64_t picked_up) {
  std::lock_guard lock(mu_);
  if (inbound_.size() == kCapacity) {
    ++dropped_;
    return;
  }
  inbound_.push_back(s.submitted - s.framed);
  sequencer_.push_back(s.committed - s.submitted);
  outbound_.push_back(picked_up - s.committed);
}

std::size_t LatencyProbe::samples() const {
  std::lock_guard lock(mu_);
  return inbound_.size();
}

std::uint64_t LatencyProbe::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::string LatencyProbe::summary() const {
  std::lock_guard lock(mu_);
  if (inbound_.empty()) return "no samples";
  std::string out = fmt::format("{} samples (1 in {})", inbound_.size(), kSampleEvery);
  const auto add = [&](const char* name, std::vector<std::int64_t> v) {
    std::sort(v.begin(), v.end());
    out += fmt::format(", {} p50 {:.0f} / p99 {:.0f} us", name, percentile_us(v, 50), percentile_us(v, 99));
  };
  add("inbound", inbound_);
  add("sequencer", sequencer_);
  add("outbound", outbound_);
  if (dropped_ != 0) out += fmt::format(" ({} more not kept: capacity {})", dropped_, kCapacity);
  return out;
}

}  // namespace erx::gateway
