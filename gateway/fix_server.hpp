#pragma once
// The gateway's own FIX transport on loopback, in place of QuickFIX's socket
// acceptor (../shared/NOTES-fix.md): that one binds every address, uses
// select() (memory corruption at descriptors ≥ 1024) and blocks senders on a
// slow socket. Here:
//  - one listening socket on the configured host (127.0.0.1 by default);
//  - at most `max_connections` connections; the next one is closed at accept;
//  - one thread per connection, poll() only, non-blocking writes into a
//    bounded buffer (a member that stops reading is disconnected);
//  - messages framed before QuickFIX sees them (fix_framer.hpp): oversized or
//    unframeable input closes the connection.
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
#include "gateway/quickfix.hpp"

namespace erx::gateway {

// What a connection needs from the gateway once it knows its session.
class ConnectionHooks {
 public:
  virtual ~ConnectionHooks() = default;
  // An eventfd that becomes readable when messages are queued for the session.
  virtual int wake_fd(const FIX::SessionID& id) = 0;
  // Sends what is queued for the session; false: the queue overflowed and the
  // member must be disconnected.
  virtual bool pump(FIX::Session& session) = 0;
};

class Connection;

class FixServer {
 public:
  FixServer(ConnectionHooks& hooks, const GatewayLimits& limits);
  ~FixServer();
  bool listen(const std::string& host, std::uint16_t port, std::string* error);
  void start();
  // Stops accepting, logs every session out (waiting up to `grace`), joins.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::size_t connections() const;

 private:
  void accept_loop();
  void reap();

  ConnectionHooks& hooks_;
  GatewayLimits limits_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace erx::gateway
