#pragma once
// Back-off after failed logons (docs/FIX.md section 2, "Failed logons"),
// counted per CompID and per source address: once a key has `after`
// consecutive failures, logons for it are refused unchecked for a back-off
// that starts at `first_backoff` and doubles with each further failure, up to
// `max_backoff`. A successful logon clears its CompID's and its address's
// count. Refusals during a back-off are not counted (they cost no password
// check), so the back-off grows only with checked failures.
//
// Thread-safe: connection threads call it concurrently. Bounded: at most
// `max_addresses` addresses are remembered; when full, the one whose last
// failure is oldest is forgotten.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace erx::gateway {

struct LogonGuardPolicy {
  std::uint32_t comp_id_failures = 5;     // failures of one CompID before its back-off
  std::uint32_t address_failures = 20;    // failures from one address before its back-off
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{60'000};
  std::size_t max_addresses = 4096;
};

class LogonGuard {
 public:
  using Clock = std::chrono::steady_clock;
  using Policy = LogonGuardPolicy;

  explicit LogonGuard(Policy p) : policy_(p) {}

  // How long logons for this CompID (empty: not a configured one) from this
  // address are still refused; nullopt when they may be checked now.
  [[nodiscard]] std::optional<std::chrono::milliseconds> blocked(const std::string& comp_id, const std::string& address,
                                                                 Clock::time_point now);
  void failed(const std::string& comp_id, const std::string& address, Clock::time_point now);
  void succeeded(const std::string& comp_id, const std::string& address);

 private:
  struct Record {
    std::uint32_t failures = 0;
    Clock::time_point last_failure{};
  };
  [[nodiscard]] std::optional<Clock::duration> remaining(const Record& r, std::uint32_t after,
                                                         Clock::time_point now) const;

  Policy policy_;
  std::mutex mu_;
  std::map<std::string, Record> comp_ids_;
  std::map<std::string, Record> addresses_;
};

}  // namespace erx::gateway
