#include "gateway/config.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "gateway/credentials.hpp"

namespace erx::gateway {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <class T>
bool number(std::string_view v, T& out) {
  const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  return r.ec == std::errc() && r.ptr == v.data() + v.size();
}

bool boolean(std::string_view v, bool& out) {
  if (v == "true" || v == "yes" || v == "1") return out = true, true;
  if (v == "false" || v == "no" || v == "0") return out = false, true;
  return false;
}

// One `key = value` of the top level.
bool set_top(ErxdConfig& c, std::string_view k, std::string_view v) {
  GatewayLimits& l = c.limits;
  if (k == "data_dir") return c.data_dir = v, !v.empty();
  if (k == "fix.host") return c.fix_host = v, !v.empty();
  if (k == "fix.port") return number(v, c.fix_port);
  if (k == "fix.comp_id") return c.comp_id = v, !v.empty();
  if (k == "fix.dictionary") return c.dictionary = v, true;
  if (k == "demo") return boolean(v, c.demo);
  if (k == "demo_members") return number(v, c.demo_members) && c.demo_members > 0 && c.demo_members <= 1000;
  if (k == "timer_ms") return number(v, c.timer_ms) && c.timer_ms > 0;
  if (k == "ledger.batch") return number(v, c.sequencer_batch) && c.sequencer_batch > 0;
  if (k == "ledger.snapshot_every") return number(v, c.snapshot_every);
  if (k == "engine.reserved_orders") return number(v, c.reserved_orders) && c.reserved_orders <= 16'777'216;
  if (k == "limits.max_message_bytes") return number(v, l.max_message_bytes) && l.max_message_bytes >= 256;
  if (k == "limits.throttle_messages") return number(v, l.throttle_messages) && l.throttle_messages > 0;
  if (k == "limits.throttle_window_ms") return number(v, l.throttle_window_ms) && l.throttle_window_ms > 0;
  if (k == "limits.throttle_logout_multiple") return number(v, l.throttle_logout_multiple) && l.throttle_logout_multiple > 1;
  if (k == "limits.outbound_queue") return number(v, l.outbound_queue) && l.outbound_queue > 0;
  if (k == "limits.max_unsent_bytes") return number(v, l.max_unsent_bytes) && l.max_unsent_bytes >= 4096;
  if (k == "limits.max_connections") return number(v, l.max_connections) && l.max_connections > 0 && l.max_connections <= 512;
  if (k == "limits.heartbeat_seconds") return number(v, l.heartbeat_seconds) && l.heartbeat_seconds > 0;
  if (k == "limits.max_pending_logons") return number(v, l.max_pending_logons) && l.max_pending_logons > 0;
  if (k == "limits.logon_timeout_ms") return number(v, l.logon_timeout_ms) && l.logon_timeout_ms >= 100 && l.logon_timeout_ms <= 60'000;
  if (k == "limits.logon_failure_delay_ms") return number(v, l.logon_failure_delay_ms) && l.logon_failure_delay_ms <= 10'000;
  if (k == "limits.logon_backoff_after") return number(v, l.logon_backoff_after) && l.logon_backoff_after > 0;
  if (k == "limits.logon_backoff_after_per_address")
    return number(v, l.logon_backoff_after_per_address) && l.logon_backoff_after_per_address > 0;
  if (k == "limits.logon_backoff_first_ms") return number(v, l.logon_backoff_first_ms) && l.logon_backoff_first_ms > 0;
  if (k == "limits.logon_backoff_max_ms") return number(v, l.logon_backoff_max_ms) && l.logon_backoff_max_ms > 0;
  if (k == "limits.finished_orders_kept")
    return number(v, l.finished_orders_kept) && l.finished_orders_kept > 0 && l.finished_orders_kept <= 16'777'216;
  if (k == "limits.max_sending_time_skew_s")
    return number(v, l.max_sending_time_skew_s) && l.max_sending_time_skew_s > 0 && l.max_sending_time_skew_s <= 86'400;
  return false;
}

bool set_member(MemberSession& m, std::string_view k, std::string_view v) {
  if (k == "comp_id") return m.comp_id = v, !v.empty();
  if (k == "member") return number(v, m.member) && m.member > 0;
  if (k == "account") return number(v, m.account) && m.account > 0;
  if (k == "operator") return number(v, m.op) && m.op > 0;
  if (k == "username") return m.username = v, !v.empty();
  if (k == "password") return m.password_hash = v, is_password_hash(v);
  if (k == "drop_copy") return m.drop_copy_comp_id = v, true;
  if (k == "cancel_on_disconnect") {
    if (v == "none") return m.cancel_on_disconnect = CancelOnDisconnect::None, true;
    if (v == "day") return m.cancel_on_disconnect = CancelOnDisconnect::DayOrders, true;
    if (v == "all") return m.cancel_on_disconnect = CancelOnDisconnect::All, true;
  }
  return false;
}

bool set_regulator(RegulatorSession& r, std::string_view k, std::string_view v) {
  if (k == "comp_id") return r.comp_id = v, !v.empty();
  if (k == "username") return r.username = v, !v.empty();
  if (k == "password") return r.password_hash = v, is_password_hash(v);
  return false;
}

// Cross-section checks: every member complete, every CompID used once.
bool check(const ErxdConfig& c, std::string* error) {
  std::set<std::string> ids{c.comp_id};
  auto unique = [&](const std::string& id, const std::string& what) {
    if (id.empty()) return true;
    // A CompID names its session's store file (<data_dir>/fix/<CompID>.store).
    const bool plain = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
    }) && id != "." && id != "..";
    if (!plain) {
      *error = what + ": CompID must be 1 to 64 letters, digits, '-', '_' or '.'";
      return false;
    }
    if (ids.insert(id).second) return true;
    *error = what + ": CompID " + id + " is used twice";
    return false;
  };
  std::set<exchange::OperatorId> operators;
  for (const MemberSession& m : c.members) {
    if (m.op != 0 && !operators.insert(m.op).second) {
      *error = "[member " + m.name + "]: operator " + std::to_string(m.op) +
               " is another member session's (each session trades as its own operator)";
      return false;
    }
    if (m.comp_id.empty() || m.member == 0 || m.account == 0 || m.op == 0 || m.username.empty() ||
        m.password_hash.empty()) {
      *error = "[member " + m.name + "]: comp_id, member, account, operator, username and password are required";
      return false;
    }
    if (!unique(m.comp_id, "[member " + m.name + "]") || !unique(m.drop_copy_comp_id, "[member " + m.name + "]"))
      return false;
  }
  if (!c.regulator.comp_id.empty() && (c.regulator.username.empty() || c.regulator.password_hash.empty())) {
    *error = "[regulator]: username and password are required";
    return false;
  }
  if (c.limits.logon_backoff_max_ms < c.limits.logon_backoff_first_ms) {
    *error = "limits.logon_backoff_max_ms must not be below limits.logon_backoff_first_ms";
    return false;
  }
  return unique(c.regulator.comp_id, "[regulator]");
}

}  // namespace

std::optional<ErxdConfig> parse_config(const std::string& text, std::string* error) {
  ErxdConfig c;
  enum class Section { Top, Member, Regulator } section = Section::Top;
  std::istringstream in(text);
  std::string raw;
  for (int line_no = 1; std::getline(in, raw); ++line_no) {
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& what) {
      *error = "line " + std::to_string(line_no) + ": " + what;
      return std::nullopt;
    };
    if (line.front() == '[') {
      if (line.back() != ']') return fail("unclosed section header");
      const std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.substr(0, 7) == "member " && !trim(name.substr(7)).empty()) {
        section = Section::Member;
        c.members.push_back(MemberSession{});
        c.members.back().name = trim(name.substr(7));
      } else if (name == "regulator") {
        section = Section::Regulator;
      } else {
        return fail("unknown section [" + std::string(name) + "]");
      }
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return fail("expected key = value");
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    const bool ok = section == Section::Top      ? set_top(c, key, value)
                    : section == Section::Member ? set_member(c.members.back(), key, value)
                                                 : set_regulator(c.regulator, key, value);
    // The value is not echoed: it may be a password hash.
    if (!ok) return fail("unknown key or bad value for '" + std::string(key) + "'");
  }
  if (!check(c, error)) return std::nullopt;
  return c;
}

}  // namespace erx::gateway
