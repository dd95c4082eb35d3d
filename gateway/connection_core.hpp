#pragma once
// One FIX connection's protocol, without a socket or a thread: bytes in
// (received), time passing (turn), bytes out (output). The transport
// (fix_server.cpp: poll, read, send, one thread per connection) drives it;
// so does the FIX fuzz target (tests/fuzz/fuzz_fix.cpp), through the same
// code a member's bytes take.
//
//   bytes → FixFramer (size limit) → the first message: read by the gateway
//   (logon_check.hpp), its credentials checked (ConnectionHooks::
//   authenticate), only then the session bound and the Logon given to
//   QuickFIX → later messages: every field's tag checked (fix_fields.hpp),
//   then QuickFIX's session (sequence numbers, validation, fromApp).
//
// Stages: AwaitingLogon → Authenticating → LoggedOn, or → Refusing (a Logout
// is due at a fixed time after the Logon arrived, then the connection closes).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "gateway/config.hpp"
#include "gateway/fix_fields.hpp"
#include "gateway/fix_framer.hpp"
#include "gateway/logon_check.hpp"
#include "gateway/quickfix.hpp"

namespace erx::gateway {

struct LogonVerdict {
  bool accepted = false;
  std::string refusal;  // member-facing Text of the Logout, when refused
};

// What a connection needs from the gateway.
class ConnectionHooks {
 public:
  virtual ~ConnectionHooks() = default;
  // Checks a Logon's CompID and credentials (and the back-off after failed
  // logons) before any session is bound to the connection. `address` is the
  // peer's IP address.
  virtual LogonVerdict authenticate(const LogonRequest& logon, const std::string& address) = 0;
  // Writes what the session's store has recorded (sequence numbers, sent
  // messages): called before any byte goes to the member's socket.
  virtual void persist(FIX::Session& session) = 0;
  // An eventfd that becomes readable when messages are queued for the session.
  virtual int wake_fd(const FIX::SessionID& id) = 0;
  // Sends what is queued for the session; false: the queue overflowed and the
  // member must be disconnected.
  virtual bool pump(FIX::Session& session) = 0;
};

class ConnectionCore final : public FIX::Responder {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Stage : std::uint8_t { AwaitingLogon, Authenticating, Refusing, LoggedOn };

  ConnectionCore(std::string address, std::string peer, ConnectionHooks& hooks, const GatewayLimits& limits,
                 const std::string& exchange_comp_id, Clock::time_point accepted_at);
  ~ConnectionCore() override { end(); }
  ConnectionCore(const ConnectionCore&) = delete;
  ConnectionCore& operator=(const ConnectionCore&) = delete;

  // Bytes the peer sent.
  void received(std::string_view bytes);
  // Time passed: a refused logon's answer, the logon timeout, queued reports,
  // the session's timers, a requested logout. `now` is the caller's clock.
  void turn(Clock::time_point now);
  // The bytes to send now (the session's store written first); the caller
  // erases from the front what it sent.
  std::string& output();
  // erxd is stopping: a Logout to a logged-on session, else close.
  void request_logout(Clock::time_point now);
  void close() { closing_ = true; }
  // The connection is gone: the session is disconnected (cancel on
  // disconnect runs) and freed for the member's next logon. Once.
  void end();

  [[nodiscard]] bool closing() const { return closing_; }
  [[nodiscard]] Stage stage() const { return stage_; }
  [[nodiscard]] int wake_fd() const { return wake_fd_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // FIX::Responder (called by QuickFIX on the driving thread).
  bool send(const std::string& bytes) override;
  void disconnect() override { closing_ = true; }

 private:
  void deliver(const std::string& msg, const FIX::UtcTimeStamp& received);
  void logon(const std::string& msg, const FIX::UtcTimeStamp& received);
  void refuse(const std::string& why);
  void refuse_fields(const std::string& msg, const FieldScan& scan);
  [[nodiscard]] std::string logout_bytes(const std::string& text) const;

  const std::string address_;  // the peer's IP address (the logon back-off counts per address)
  const std::string peer_;     // address:port, for logs
  ConnectionHooks& hooks_;
  const GatewayLimits limits_;
  const std::string comp_id_;
  FixFramer framer_;
  const Clock::time_point accepted_at_;
  std::atomic<Stage> stage_{Stage::AwaitingLogon};
  std::atomic<bool> closing_{false};
  Clock::time_point logon_at_{};   // when the first message arrived
  Clock::time_point answer_at_{};  // when a refused logon is answered
  Clock::time_point logout_deadline_ = Clock::time_point::max();
  Clock::time_point last_timers_{};
  std::string refusal_;
  std::string their_comp_id_ = "UNKNOWN";
  std::string name_;  // the member's CompID once bound, else the peer
  FIX::Session* session_ = nullptr;
  int wake_fd_ = -1;
  std::string out_;
  std::uint64_t framed_ = 0;
};

}  // namespace erx::gateway
