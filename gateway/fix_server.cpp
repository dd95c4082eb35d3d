#include "gateway/fix_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "gateway/fix_framer.hpp"
#include "gateway/latency_probe.hpp"

namespace erx::gateway {

namespace {
constexpr int kPollMs = 100;
constexpr std::chrono::milliseconds kTimerEvery{50};  // how often a session's timers are looked at
}  // namespace

class Connection final : public FIX::Responder {
 public:
  Connection(int fd, std::string peer, ConnectionHooks& hooks, const GatewayLimits& limits)
      : fd_(fd), peer_(std::move(peer)), hooks_(hooks), framer_(limits.max_message_bytes),
        max_unsent_(limits.max_unsent_bytes) {
    thread_ = std::thread([this] { run(); });
  }
  ~Connection() override {
    if (thread_.joinable()) thread_.join();
  }
  void request_logout() { logout_requested_ = true; }
  void force_close() { closing_ = true; }
  [[nodiscard]] bool finished() const { return finished_; }

  // FIX::Responder (called with the session's lock held, on this thread).
  bool send(const std::string& bytes) override {
    // Written by flush() at the end of the loop's turn: one send(2) for all
    // the messages of a turn, not one per message.
    out_.append(bytes);
    return true;
  }
  void disconnect() override { closing_ = true; }

 private:
  std::string name() const { return session_ ? session_->getSessionID().getTargetCompID().getValue() : peer_; }

  void run() {
    char buf[16384];
    auto logout_deadline = std::chrono::steady_clock::time_point::max();
    while (!closing_) {
      pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0}, {wake_fd_, POLLIN, 0}};
      ::poll(fds, wake_fd_ >= 0 ? 2 : 1, kPollMs);
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_some(buf, sizeof buf);
      if (wake_fd_ >= 0 && (fds[1].revents & POLLIN)) {
        std::uint64_t n;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &n, sizeof n);
      }
      if (session_ && !closing_) {
        // Queued replies first, then the session's timers: a Logout the last
        // message caused (the throttle) must follow the rejects before it.
        if (!hooks_.pump(*session_)) {
          spdlog::warn("fix {}: outbound queue full (member too slow): disconnecting", name());
          closing_ = true;
        }
        // The session's timers (heartbeats, test requests, logon and logout
        // timeouts) need a look a few times a second, not every turn: a
        // UtcTimeStamp and a pass through the session cost more than a
        // message's share of the turn. A session being logged out (disabled)
        // is looked at every turn so its Logout goes out at once.
        const auto now = std::chrono::steady_clock::now();
        if (now - last_timers_ >= kTimerEvery || !session_->isEnabled()) {
          last_timers_ = now;
          session_->next(FIX::UtcTimeStamp());
        }
      }
      if (logout_requested_ && logout_deadline == std::chrono::steady_clock::time_point::max()) {
        logout_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        if (session_ && session_->isLoggedOn()) session_->logout("ERX is shutting down");
        else closing_ = true;
      }
      if (std::chrono::steady_clock::now() > logout_deadline) closing_ = true;
      flush();
      // A member that does not read its socket: besides its session's message
      // queue (GatewayLimits::outbound_queue), what the kernel would not take
      // is capped.
      if (out_.size() > max_unsent_ && !closing_) {
        spdlog::warn("fix {}: member does not read ({} bytes unsent): disconnecting", name(), out_.size());
        closing_ = true;
      }
    }
    teardown();
  }

  void read_some(char* buf, std::size_t size) {
    const ssize_t n = ::read(fd_, buf, size);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      closing_ = true;
      return;
    }
    if (n < 0) return;
    framer_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    // One receive time for every message of this read (a UtcTimeStamp costs
    // a clock read and a calendar conversion).
    const FIX::UtcTimeStamp received;
    std::string msg;
    for (;;) {
      const FixFramer::Status s = framer_.next(msg);
      if (s == FixFramer::Status::NeedMore) break;
      if (s != FixFramer::Status::Message) {
        spdlog::warn("fix {}: {}: closing the connection", name(),
                     s == FixFramer::Status::TooLarge ? "message larger than the limit" : "unreadable bytes (not FIX framing)");
        closing_ = true;
        return;
      }
      if (!deliver(msg, received)) return;
    }
  }

  // Hands one framed message to its session (binding the session first).
  bool deliver(const std::string& msg, const FIX::UtcTimeStamp& received) {
    if (session_ == nullptr && !bind(msg)) {
      closing_ = true;
      return false;
    }
    try {
      // One message in LatencyProbe::kSampleEvery is timed from here.
      set_framed_stamp(++framed_ % LatencyProbe::kSampleEvery == 0 ? LatencyProbe::now() : 0);
      session_->next(msg, received);
      set_framed_stamp(0);
    } catch (const std::exception& e) {
      spdlog::warn("fix {}: {}", name(), e.what());
    }
    return !closing_;
  }

  bool bind(const std::string& msg) {
    FIX::Session* s = FIX::Session::lookupSession(msg, true);
    if (s == nullptr) {
      spdlog::warn("fix {}: first message names no configured session (unknown CompID): closing", peer_);
      return false;
    }
    const FIX::SessionID id = s->getSessionID();
    session_ = FIX::Session::registerSession(id);
    if (session_ == nullptr) {
      spdlog::warn("fix {}: session {} is already connected: closing the new connection", peer_,
                   id.getTargetCompID().getValue());
      return false;
    }
    session_->setResponder(this);
    wake_fd_ = hooks_.wake_fd(id);
    spdlog::info("fix {}: connection from {}", id.getTargetCompID().getValue(), peer_);
    return true;
  }

  void flush() {
    while (!out_.empty()) {
      const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out_.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      closing_ = true;  // the peer is gone
      out_.clear();
      return;
    }
  }

  void teardown() {
    flush();  // what the session said last (a Logout with its reason), best effort
    if (session_) {
      const FIX::SessionID id = session_->getSessionID();
      session_->disconnect();  // calls onLogout when it was logged on; resets the responder
      FIX::Session::unregisterSession(id);
      spdlog::info("fix {}: disconnected", id.getTargetCompID().getValue());
    }
    ::close(fd_);
    finished_ = true;
  }

  int fd_;
  std::string peer_;
  ConnectionHooks& hooks_;
  FixFramer framer_;
  std::size_t max_unsent_;
  FIX::Session* session_ = nullptr;
  int wake_fd_ = -1;
  std::string out_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> logout_requested_{false};
  std::atomic<bool> finished_{false};
  std::uint64_t framed_ = 0;
  std::chrono::steady_clock::time_point last_timers_{};
  std::thread thread_;
};

FixServer::FixServer(ConnectionHooks& hooks, const GatewayLimits& limits) : hooks_(hooks), limits_(limits) {}

FixServer::~FixServer() { stop(std::chrono::milliseconds(0)); }

bool FixServer::listen(const std::string& host, std::uint16_t port, std::string* error) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    *error = "fix.host " + host + " is not an IPv4 address";
    return false;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  return true;
}

void FixServer::start() { acceptor_ = std::thread([this] { accept_loop(); }); }

void FixServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    char ip[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    const std::string name = std::string(ip) + ":" + std::to_string(ntohs(peer.sin_port));
    reap();
    std::lock_guard lock(mu_);
    if (connections_.size() >= limits_.max_connections) {
      spdlog::warn("fix: connection from {} refused: {} connections is the limit", name, limits_.max_connections);
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections_.push_back(std::make_unique<Connection>(fd, name, hooks_, limits_));
  }
}

void FixServer::reap() {
  std::lock_guard lock(mu_);
  connections_.remove_if([](const std::unique_ptr<Connection>& c) { return c->finished(); });
}

std::size_t FixServer::connections() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->finished() ? 0u : 1u;
  return n;
}

void FixServer::stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(connections_);
  }
  for (auto& c : all) grace.count() > 0 ? c->request_logout() : c->force_close();
  all.clear();  // joins each connection thread
}

}  // namespace erx::gateway
