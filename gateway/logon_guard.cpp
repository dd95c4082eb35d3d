#include "gateway/logon_guard.hpp"

#include <algorithm>

namespace erx::gateway {

std::optional<LogonGuard::Clock::duration> LogonGuard::remaining(const Record& r, std::uint32_t after,
                                                                 Clock::time_point now) const {
  if (r.failures < after) return std::nullopt;
  // first × 2^(failures - after), capped (the shift is bounded before it can overflow).
  const std::uint32_t doublings = std::min<std::uint32_t>(r.failures - after, 20);
  const auto backoff = std::min<Clock::duration>(policy_.first_backoff * (std::int64_t{1} << doublings), policy_.max_backoff);
  const Clock::time_point until = r.last_failure + backoff;
  if (now >= until) return std::nullopt;
  return until - now;
}

std::optional<std::chrono::milliseconds> LogonGuard::blocked(const std::string& comp_id, const std::string& address,
                                                             Clock::time_point now) {
  std::lock_guard lock(mu_);
  std::optional<Clock::duration> longest;
  const auto consider = [&](const std::map<std::string, Record>& m, const std::string& key, std::uint32_t after) {
    const auto it = m.find(key);
    if (it == m.end()) return;
    if (const auto left = remaining(it->second, after, now); left && (!longest || *left > *longest)) longest = left;
  };
  if (!comp_id.empty()) consider(comp_ids_, comp_id, policy_.comp_id_failures);
  consider(addresses_, address, policy_.address_failures);
  if (!longest) return std::nullopt;
  // Rounded up: "try again in 0 ms" would be wrong.
  return std::chrono::ceil<std::chrono::milliseconds>(*longest);
}

void LogonGuard::failed(const std::string& comp_id, const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (!comp_id.empty()) {
    Record& r = comp_ids_[comp_id];
    ++r.failures;
    r.last_failure = now;
  }
  if (!addresses_.count(address) && addresses_.size() >= policy_.max_addresses) {
    const auto oldest = std::min_element(addresses_.begin(), addresses_.end(), [](const auto& a, const auto& b) {
      return a.second.last_failure < b.second.last_failure;
    });
    addresses_.erase(oldest);
  }
  Record& r = addresses_[address];
  ++r.failures;
  r.last_failure = now;
}

void LogonGuard::succeeded(const std::string& comp_id, const std::string& address) {
  std::lock_guard lock(mu_);
  comp_ids_.erase(comp_id);
  addresses_.erase(address);
}

}  // namespace erx::gateway
