#include "gateway/connection_core.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "gateway/fix_tags.hpp"
#include "gateway/latency_probe.hpp"
#include "gateway/log_text.hpp"

namespace erx::gateway {

namespace {

// How often a session's timers (heartbeats, test requests, logon and logout
// timeouts) are looked at: a UtcTimeStamp and a pass through the session cost
// more than a message's share of a turn.
constexpr std::chrono::milliseconds kTimerEvery{50};
// How long a Logout erxd sends when it stops waits for the member's answer.
constexpr std::chrono::seconds kLogoutGrace{2};

std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool printable(std::string_view s) {
  return !s.empty() && s.size() <= kMaxCompIdBytes &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

ConnectionCore::ConnectionCore(std::string address, std::string peer, ConnectionHooks& hooks,
                               const GatewayLimits& limits, const std::string& exchange_comp_id,
                               Clock::time_point accepted_at)
    : address_(std::move(address)), peer_(std::move(peer)), hooks_(hooks), limits_(limits),
      comp_id_(exchange_comp_id), framer_(limits.max_message_bytes), accepted_at_(accepted_at), name_(peer_) {}

void ConnectionCore::end() {
  closing_ = true;
  if (session_ == nullptr) return;
  const FIX::SessionID id = session_->getSessionID();
  session_->disconnect();  // calls onLogout when it was logged on; resets the responder
  // A logout (the throttle's, a heartbeat timeout, an error, erxd's) leaves
  // the QuickFIX session disabled; the member's next logon must find it
  // enabled again.
  session_->logon();
  FIX::Session::unregisterSession(id);
  session_ = nullptr;
  spdlog::info("fix {}: disconnected", name_);
}

bool ConnectionCore::send(const std::string& bytes) {
  // Sent by the transport after the turn: one send(2) for all the messages
  // of a turn, not one per message.
  out_.append(bytes);
  return true;
}

std::string& ConnectionCore::output() {
  // The store first: it must never be behind what the member may have read.
  if (session_ != nullptr) hooks_.persist(*session_);
  return out_;
}

void ConnectionCore::received(std::string_view bytes) {
  if (closing_ || stage_ == Stage::Refusing) return;  // a refused logon's answer is due; what follows is ignored
  framer_.feed(bytes);
  // One receive time for every message of this read (a UtcTimeStamp costs a
  // clock read and a calendar conversion).
  const FIX::UtcTimeStamp now;
  std::string msg;
  while (!closing_ && stage_ != Stage::Refusing) {
    const FixFramer::Status s = framer_.next(msg);
    if (s == FixFramer::Status::NeedMore) return;
    if (s != FixFramer::Status::Message) {
      spdlog::warn("fix {}: {}: closing the connection", name_,
                   s == FixFramer::Status::TooLarge ? "message larger than the limit" : "unreadable bytes (not FIX framing)");
      closing_ = true;
      return;
    }
    deliver(msg, now);
  }
}

void ConnectionCore::turn(Clock::time_point now) {
  if (stage_ == Stage::Refusing && now >= answer_at_ && !closing_) {
    out_.append(logout_bytes(refusal_));
    closing_ = true;
  } else if (stage_ != Stage::LoggedOn && stage_ != Stage::Refusing && !closing_ &&
             now >= accepted_at_ + std::chrono::milliseconds(limits_.logon_timeout_ms)) {
    spdlog::warn("fix {}: no logon within {} ms of connecting: closing", peer_, limits_.logon_timeout_ms);
    closing_ = true;
  }
  if (session_ != nullptr && !closing_) {
    // Queued replies first, then the session's timers: a Logout the last
    // message caused (the throttle) must follow the rejects before it.
    if (!hooks_.pump(*session_)) {
      spdlog::warn("fix {}: outbound queue full (member too slow): disconnecting", name_);
      closing_ = true;
    }
    // A session being logged out (disabled) is looked at every turn so its
    // Logout goes out at once.
    if (now - last_timers_ >= kTimerEvery || !session_->isEnabled()) {
      last_timers_ = now;
      session_->next(FIX::UtcTimeStamp());
    }
  }
  if (now > logout_deadline_) closing_ = true;
}

void ConnectionCore::request_logout(Clock::time_point now) {
  if (logout_deadline_ != Clock::time_point::max()) return;
  logout_deadline_ = now + kLogoutGrace;
  if (session_ != nullptr && session_->isLoggedOn()) session_->logout("ERX is shutting down");
  else closing_ = true;
}

// One framed message to its session; the first one must log on.
void ConnectionCore::deliver(const std::string& msg, const FIX::UtcTimeStamp& received) {
  if (stage_ == Stage::AwaitingLogon) return logon(msg, received);
  if (stage_ != Stage::LoggedOn) return;
  if (const FieldScan scan = check_fields(msg); !scan.ok()) return refuse_fields(msg, scan);
  try {
    // One message in LatencyProbe::kSampleEvery is timed from here.
    set_framed_stamp(++framed_ % LatencyProbe::kSampleEvery == 0 ? LatencyProbe::now() : 0);
    session_->next(msg, received);
    set_framed_stamp(0);
  } catch (const std::exception& e) {
    spdlog::warn("fix {}: {}", name_, log_text(e.what()));
  }
}

// The first message: read and checked here, its credentials checked by the
// gateway, and only then the session bound and the Logon given to QuickFIX.
void ConnectionCore::logon(const std::string& msg, const FIX::UtcTimeStamp& received) {
  logon_at_ = Clock::now();
  const LogonCheck check =
      read_logon(msg, LogonRules{comp_id_, wall_now_ns(), std::int64_t{limits_.max_sending_time_skew_s} * 1'000'000'000});
  const std::string_view sender = first_field(msg, tag::SenderCompID);
  their_comp_id_ = printable(sender) ? std::string(sender) : std::string("UNKNOWN");
  if (!check.request) return refuse(check.refusal);
  stage_ = Stage::Authenticating;
  const LogonVerdict verdict = hooks_.authenticate(*check.request, address_);
  if (!verdict.accepted) return refuse(verdict.refusal);
  const FIX::SessionID id("FIX.4.4", comp_id_, check.request->sender_comp_id);
  session_ = FIX::Session::registerSession(id);
  if (session_ == nullptr) return refuse("logon refused: session " + check.request->sender_comp_id + " is already logged on");
  session_->setResponder(this);
  wake_fd_ = hooks_.wake_fd(id);
  name_ = check.request->sender_comp_id;
  spdlog::info("fix {}: connection from {}", name_, peer_);
  try {
    session_->next(msg, received);
  } catch (const std::exception& e) {
    spdlog::warn("fix {}: {}", name_, log_text(e.what()));
  }
  if (!session_->isLoggedOn()) {
    // The session layer refused it (a sequence number too low, a field the
    // dictionary does not allow): answered and closed now, never left bound.
    spdlog::warn("fix {}: logon refused by the session layer: closing", name_);
    if (!session_->sentLogout()) out_.append(logout_bytes("logon refused by the FIX session layer"));
    closing_ = true;
    return;
  }
  stage_ = Stage::LoggedOn;
}

// A failed logon, whatever the reason, is answered with a Logout at the same
// time after it arrived (docs/FIX.md section 2), then closed.
void ConnectionCore::refuse(const std::string& why) {
  spdlog::warn("fix {} ({}): {}", peer_, log_text(their_comp_id_, kMaxCompIdBytes), why);
  refusal_ = why;
  answer_at_ = logon_at_ + std::chrono::milliseconds(limits_.logon_failure_delay_ms);
  stage_ = Stage::Refusing;
}

// A Logout written by the gateway, for a connection no session is bound to
// (its sequence numbers are not the session's business).
std::string ConnectionCore::logout_bytes(const std::string& text) const {
  FIX::Message m;
  FIX::Header& h = m.getHeader();
  h.setField(FIX::BeginString("FIX.4.4"));
  h.setField(FIX::MsgType("5"));
  h.setField(FIX::SenderCompID(comp_id_));
  h.setField(FIX::TargetCompID(their_comp_id_));
  h.setField(FIX::MsgSeqNum(1));
  h.setField(FIX::SendingTime());
  m.setField(FIX::Text(text));
  return m.toString();
}

// A logged-on session's message with a malformed field (fix_fields.hpp):
// QuickFIX would misread its tag or drop it silently. With the expected
// MsgSeqNum it gets a session Reject 373=0 and its number is used; with any
// other it is ignored like a garbled message (the gap is recovered by a
// resend). docs/FIX.md section 3, "Validation".
void ConnectionCore::refuse_fields(const std::string& msg, const FieldScan& scan) {
  const std::string why = "field " + std::to_string(scan.field) + ": " + std::string(describe(scan.problem));
  const std::string_view seq_text = first_field(msg, tag::MsgSeqNum);
  int seq = 0;
  const auto r = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  const bool numbered = !seq_text.empty() && r.ec == std::errc() && r.ptr == seq_text.data() + seq_text.size();
  const int expected = session_->getExpectedTargetNum();
  if (!numbered || seq != expected) {
    spdlog::warn("fix {}: a message with a malformed field is ignored as garbled (MsgSeqNum {}, expected {}): {}", name_,
                 numbered ? std::to_string(seq) : std::string("unreadable"), expected, why);
    return;
  }
  FIX::Message reject;
  reject.getHeader().setField(FIX::MsgType("3"));
  reject.setField(FIX::RefSeqNum(seq));
  reject.setField(FIX::SessionRejectReason(0));  // invalid tag number
  const std::string_view type = first_field(msg, tag::MsgType);
  if (type.size() <= 2 && printable(type)) reject.setField(FIX::RefMsgType(std::string(type)));
  reject.setField(FIX::Text(why));
  session_->send(reject);
  session_->setNextTargetMsgSeqNum(expected + 1);
  spdlog::warn("fix {}: message {} refused with a session Reject: {}", name_, seq, why);
}

}  // namespace erx::gateway
