#pragma once
// erxd's configuration (docs/ERXD.md): a plain text file of `key = value`
// lines and `[member NAME]` / `[regulator]` sections. Every setting has an
// embedded default (default_config_text()), so erxd runs with no file at all.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/exchange/basic_types.hpp"

namespace erx::gateway {

// What happens to a member's open orders when its session ends (logout or a
// lost connection): one atomic mass cancel of the member's orders.
enum class CancelOnDisconnect : std::uint8_t { None, DayOrders, All };

struct MemberSession {
  std::string name;                  // the section's name, for logs
  std::string comp_id;               // the member's SenderCompID
  exchange::MemberId member = 0;
  exchange::AccountId account = 0;   // used when an order carries no Account(1)
  exchange::OperatorId op = 0;       // the operator the session trades as
  std::string username;              // Username(553) at logon
  std::string password_hash;         // credentials.hpp form; never the password
  CancelOnDisconnect cancel_on_disconnect = CancelOnDisconnect::None;
  std::string drop_copy_comp_id;     // optional: a session receiving copies of this member's execution reports
};

struct RegulatorSession {
  std::string comp_id;               // empty: no regulator drop copy
  std::string username;
  std::string password_hash;
};

struct GatewayLimits {
  std::size_t max_message_bytes = 4096;      // larger: the connection is closed
  std::uint32_t throttle_messages = 200;     // application messages per window; above: rejected
  std::uint32_t throttle_window_ms = 1000;
  std::uint32_t throttle_logout_multiple = 5;  // above messages × this in one window: logout
  std::size_t outbound_queue = 10'000;       // messages waiting for one session; full: disconnected
  std::size_t max_unsent_bytes = std::size_t{4} << 20;  // bytes the member's socket has not taken; above: disconnected
  std::uint32_t max_connections = 64;        // beyond: refused at accept (keeps descriptors far below 1024)
  std::uint32_t heartbeat_seconds = 30;
  // Connections that have not logged on yet (docs/FIX.md section 2).
  std::uint32_t max_pending_logons = 16;     // beyond: the oldest not logged on is closed for the new one
  std::uint32_t logon_timeout_ms = 5000;     // no logon by then after connecting: closed
  std::uint32_t logon_failure_delay_ms = 500;  // every failed logon is answered this long after it arrived
  std::uint32_t logon_backoff_after = 5;     // consecutive failures of one CompID before its back-off
  std::uint32_t logon_backoff_after_per_address = 20;  // ... and of one source address
  std::uint32_t logon_backoff_first_ms = 1000;  // the first back-off; doubles with each further failure
  std::uint32_t logon_backoff_max_ms = 60'000;
  std::uint32_t max_sending_time_skew_s = 120;  // |SendingTime - the exchange's clock| allowed on every message
  // Finished orders of the business day the gateway remembers for status
  // requests (OrderStatusRequest, OrderMassStatusRequest); beyond, the oldest
  // are forgotten ("unknown order").
  std::uint32_t finished_orders_kept = 262'144;
};

struct ErxdConfig {
  std::string data_dir = "data";             // ledger in <data_dir>/ledger, logs in <data_dir>/log
  std::string fix_host = "127.0.0.1";
  std::uint16_t fix_port = 9878;
  std::string comp_id = "ERX";               // the exchange's CompID (TargetCompID of members)
  std::string dictionary;                    // FIX data dictionary; empty: the one installed with erxd
  bool demo = false;                         // load the demo reference data into an empty ledger
  std::uint32_t demo_members = 3;            // members 1..n in the demo data (the configuration must list their sessions)
  std::uint32_t timer_ms = 1000;             // a Timer command this often (GTD expiry)
  std::size_t sequencer_batch = 8192;
  std::uint64_t snapshot_every = 1'000'000;
  // Open orders (and ClOrdIDs a day) the engine's order table is allocated
  // for at start, so it does not grow on the order path (sizing, not a limit).
  std::uint32_t reserved_orders = 262'144;
  GatewayLimits limits;
  std::vector<MemberSession> members;
  RegulatorSession regulator;
};

// The configuration erxd runs with when given none: FIX on 127.0.0.1:9878,
// the demo members of the README, the demo data.
[[nodiscard]] const char* default_config_text();

// Parses a configuration; on error returns nullopt and sets *error to
// "<line>: <what>". Checks what can be checked without the engine: ports,
// unique CompIDs, password hashes well formed.
[[nodiscard]] std::optional<ErxdConfig> parse_config(const std::string& text, std::string* error);

}  // namespace erx::gateway
