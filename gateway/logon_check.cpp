#include "gateway/logon_check.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "gateway/fix_fields.hpp"
#include "gateway/fix_tags.hpp"
#include "gateway/fix_time.hpp"

namespace erx::gateway {

namespace {

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool positive_int(std::string_view s, int max, int& out) {
  if (s.empty() || s.size() > 9 || s[0] == '0') return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= 1 && out <= max;
}

LogonCheck refuse(std::string why) { return LogonCheck{std::nullopt, "logon refused: " + std::move(why)}; }

}  // namespace

LogonCheck read_logon(std::string_view message, const LogonRules& rules) {
  struct Seen {
    std::string_view msg_type, sender, target, seq, sending_time, encrypt, heartbeat, reset, username, password;
    int username_count = 0, password_count = 0;
    bool unsupported = false;  // RawData(95/96) or NewPassword(925)
  } f;
  std::vector<int> tags;
  std::size_t position = 0;
  bool header_in_order = true;
  const FieldScan scan = scan_fields(message, [&](int t, std::string_view v) {
    ++position;
    // BeginString, BodyLength and MsgType are the first three fields (FIX).
    if ((position == 1 && t != tag::BeginString) || (position == 2 && t != tag::BodyLength) ||
        (position == 3 && t != tag::MsgType))
      header_in_order = false;
    tags.push_back(t);
    switch (t) {
      case tag::MsgType: f.msg_type = v; break;
      case tag::SenderCompID: f.sender = v; break;
      case tag::TargetCompID: f.target = v; break;
      case tag::MsgSeqNum: f.seq = v; break;
      case tag::SendingTime: f.sending_time = v; break;
      case tag::EncryptMethod: f.encrypt = v; break;
      case tag::HeartBtInt: f.heartbeat = v; break;
      case tag::ResetSeqNumFlag: f.reset = v; break;
      case tag::Username: f.username = v; ++f.username_count; break;
      case tag::Password: f.password = v; ++f.password_count; break;
      case tag::RawDataLength: case tag::RawData: case tag::NewPassword: f.unsupported = true; break;
      default: break;
    }
    return true;
  });
  if (!scan.ok()) return refuse("field " + std::to_string(scan.field) + ": " + std::string(describe(scan.problem)));
  if (!header_in_order) return refuse("BeginString, BodyLength and MsgType must be the first three fields");
  if (f.msg_type != "A") return refuse("the first message of a connection must be a Logon (35=A)");
  std::sort(tags.begin(), tags.end());
  if (const auto dup = std::adjacent_find(tags.begin(), tags.end()); dup != tags.end())
    return refuse("tag " + std::to_string(*dup) + " appears more than once");
  if (f.sender.empty() || f.sender.size() > kMaxCompIdBytes || !printable(f.sender))
    return refuse("SenderCompID (49) must be 1 to 64 printable characters");
  if (f.target != rules.exchange_comp_id) return refuse("TargetCompID (56) must be the exchange's CompID");
  int seq = 0;
  if (!positive_int(f.seq, 999'999'999, seq)) return refuse("MsgSeqNum (34) must be a positive number");
  const FixTime sent = parse_fix_timestamp(f.sending_time);
  if (!sent.ok()) return refuse("SendingTime (52) is " + std::string(describe(sent.status)));
  const std::int64_t skew = sent.ns - rules.now_ns;
  if (skew > rules.max_sending_time_skew_ns || -skew > rules.max_sending_time_skew_ns)
    return refuse("SendingTime (52) is more than " + std::to_string(rules.max_sending_time_skew_ns / 1'000'000'000) +
                  " s from the exchange's clock");
  if (f.encrypt != "0") return refuse("EncryptMethod (98) must be 0");
  int heartbeat = 0;
  if (!positive_int(f.heartbeat, kMaxHeartBtIntSeconds, heartbeat))
    return refuse("HeartBtInt (108) must be 1 to " + std::to_string(kMaxHeartBtIntSeconds) + " seconds");
  if (!f.reset.empty() && f.reset != "Y" && f.reset != "N") return refuse("ResetSeqNumFlag (141) must be Y or N");
  if (f.unsupported) return refuse("RawData (95/96) and NewPassword (925) are not supported");
  if (f.username_count != 1 || f.username.empty() || f.username.size() > kMaxUsernameBytes)
    return refuse("Username (553) is required once, 1 to 64 bytes");
  if (f.password_count != 1 || f.password.empty() || f.password.size() > kMaxPasswordBytes)
    return refuse("Password (554) is required once, 1 to 128 bytes");
  LogonRequest r;
  r.sender_comp_id = f.sender;
  r.target_comp_id = f.target;
  r.username = f.username;
  r.password = f.password;
  r.heartbeat_seconds = heartbeat;
  r.reset_seq_num = f.reset == "Y";
  return LogonCheck{std::move(r), {}};
}

}  // namespace erx::gateway
