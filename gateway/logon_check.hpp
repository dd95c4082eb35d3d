#pragma once
// The first message of a connection, read by the gateway itself before any
// FIX session is bound to the connection (docs/FIX.md section 2): only a
// Logon whose every field is well formed, whose CompIDs, SendingTime and
// HeartBtInt are acceptable and which carries exactly one non-empty Username
// and Password goes on to the credential check; anything else is refused
// with a reason, without touching any session, store or log. A stranger thus
// never holds a member's session (issue 12, A1): a connection is bound to a
// CompID only after its credentials were checked.
//
// A refusal's text names the rule that failed, never the bytes that broke it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/exchange/basic_types.hpp"

namespace erx::gateway {

// Sizes a Logon's fields may have (docs/FIX.md section 2).
inline constexpr std::size_t kMaxCompIdBytes = 64;
inline constexpr std::size_t kMaxUsernameBytes = 64;
inline constexpr std::size_t kMaxPasswordBytes = 128;
inline constexpr int kMaxHeartBtIntSeconds = 3600;

struct LogonRequest {
  std::string sender_comp_id;  // 49: the member's CompID
  std::string target_comp_id;  // 56: the exchange's
  std::string username;        // 553
  std::string password;        // 554
  int heartbeat_seconds = 0;   // 108
  bool reset_seq_num = false;  // 141=Y
};

struct LogonCheck {
  std::optional<LogonRequest> request;  // set when the message may go on to the credential check
  std::string refusal;                  // otherwise, why (member-facing Text)
};

struct LogonRules {
  std::string_view exchange_comp_id;       // TargetCompID the member must use
  exchange::Timestamp now_ns = 0;          // the gateway's clock when the message arrived
  std::int64_t max_sending_time_skew_ns = 0;  // |SendingTime - now| allowed
};

[[nodiscard]] LogonCheck read_logon(std::string_view message, const LogonRules& rules);

}  // namespace erx::gateway
