// The configuration erxd runs with when it is given none (docs/ERXD.md).
// The demo members' passwords are in the README; here only their salted
// PBKDF2 hashes (made with `erx hash-password`).
#include "gateway/config.hpp"

namespace erx::gateway {

const char* default_config_text() {
  return R"(# erxd — embedded default configuration (print it with: erxd --print-default-config)
data_dir = data
fix.host = 127.0.0.1
fix.port = 9878
fix.comp_id = ERX
# fix.dictionary = <path>        (default: the venue dictionary built with erxd)
demo = true
timer_ms = 1000
ledger.batch = 8192
ledger.snapshot_every = 1000000
engine.reserved_orders = 262144
limits.max_message_bytes = 4096
limits.throttle_messages = 200
limits.throttle_window_ms = 1000
limits.throttle_logout_multiple = 5
limits.outbound_queue = 10000
limits.max_unsent_bytes = 4194304
limits.max_connections = 64
limits.heartbeat_seconds = 30
limits.max_pending_logons = 16
limits.logon_timeout_ms = 5000
limits.logon_failure_delay_ms = 500
limits.logon_backoff_after = 5
limits.logon_backoff_after_per_address = 20
limits.logon_backoff_first_ms = 1000
limits.logon_backoff_max_ms = 60000
limits.max_sending_time_skew_s = 120
limits.finished_orders_kept = 262144

[member JXCEMENT]
comp_id = M1
member = 1
account = 101
operator = 1001
username = m1
password = pbkdf2-sha256$20000$9c95516886676f73bbd159ef98928af3$13633f38ee2a5870800d30c0a960efa86e96dce5df8efa39435e1e2beab1dab9
cancel_on_disconnect = none
drop_copy = M1-DC

[member JXPOWER]
comp_id = M2
member = 2
account = 201
operator = 2001
username = m2
password = pbkdf2-sha256$20000$51b56b367de5db6200e79e2002ab766f$b491e6ffd7f56ff9b850c7d32297d48fe83c81bacb1f5a3e041461e9afb709a5
cancel_on_disconnect = all

[member GANWATER]
comp_id = M3
member = 3
account = 301
operator = 3001
username = m3
password = pbkdf2-sha256$20000$a93ced656d6ad18ad074daaab763a24d$f0ee7875003d0d9ac71bbbab262af7888cc31ed672699da0435d11081690e377
cancel_on_disconnect = day

[regulator]
comp_id = REG
username = regulator
password = pbkdf2-sha256$20000$ecdf257a7c10b18cc50429769a8f890d$9c163bf747ba4eb5693bef18a36e16cdb2ce262f32bacfcc5efd7130bdfb8870
)";
}

}  // namespace erx::gateway
