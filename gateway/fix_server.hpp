#pragma once
// The gateway's own FIX transport on loopback, in place of QuickFIX's socket
// acceptor (docs/FIX.md section 13): that one binds every address, uses
// select() (memory corruption at descriptors ≥ 1024) and blocks senders on a
// slow socket. Here:
//  - one listening socket on the configured host (127.0.0.1 by default);
//  - at most `max_connections` connections, of which at most
//    `max_pending_logons` not logged on yet: when those are full, the oldest
//    connection that is not logged on (nor having its credentials checked) is
//    closed to make room, so idle or slow strangers never starve the next
//    honest logon nor a logged-on member (docs/FIX.md section 2);
//  - a connection that has not logged on within `logon_timeout_ms` is closed;
//  - the first message is read by the gateway (logon_check.hpp) and its
//    credentials checked (ConnectionHooks::authenticate) before any session
//    is bound to the connection; every failed logon is answered with a Logout
//    `logon_failure_delay_ms` after it arrived, whatever the reason;
//  - one thread per connection, poll() only, non-blocking writes into a
//    bounded buffer (a member that stops reading is disconnected);
//  - messages framed before QuickFIX sees them (fix_framer.hpp), and every
//    field's tag checked (fix_fields.hpp): oversized or unframeable input
//    closes the connection.
// QuickFIX's FIX::Session runs the session layer (logon, sequence numbers,
// heartbeats, resend, validation against the dictionary) through our Responder.

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/config.hpp"
#include "gateway/connection_core.hpp"

namespace erx::gateway {

class Connection;

class FixServer {
 public:
  FixServer(ConnectionHooks& hooks, const GatewayLimits& limits, std::string exchange_comp_id);
  ~FixServer();
  bool listen(const std::string& host, std::uint16_t port, std::string* error);
  void start();
  // Stops accepting, logs every session out (waiting up to `grace`), joins.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  void accept_loop();
  void reap();
  bool make_room(const std::string& peer);

  ConnectionHooks& hooks_;
  GatewayLimits limits_;
  std::string comp_id_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace erx::gateway
