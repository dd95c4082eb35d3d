#include "gateway/fix_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "gateway/connection_core.hpp"

namespace erx::gateway {

namespace {
constexpr int kPollMs = 100;
// Connections tracked at once, closing ones included (their threads end
// within a poll interval): keeps descriptors far below 1024 whatever arrives.
constexpr std::size_t kMaxTrackedConnections = 900;
}  // namespace

// One connection: its socket and thread around a ConnectionCore (the
// protocol, connection_core.hpp).
class Connection {
 public:
  using Stage = ConnectionCore::Stage;
  using Clock = ConnectionCore::Clock;

  Connection(int fd, std::string address, std::string peer, ConnectionHooks& hooks, const GatewayLimits& limits,
             const std::string& comp_id)
      : fd_(fd), accepted_at_(Clock::now()), max_unsent_(limits.max_unsent_bytes),
        core_(std::move(address), std::move(peer), hooks, limits, comp_id, accepted_at_) {
    thread_ = std::thread([this] { run(); });
  }
  ~Connection() {
    if (thread_.joinable()) thread_.join();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void request_logout() { logout_requested_ = true; }
  void force_close() { closing_ = true; }
  // Closes a connection that is not logged on, to make room for a new one.
  void evict() {
    closing_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes its poll() now
  }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] bool closing() const { return closing_ || core_.closing(); }
  [[nodiscard]] Stage stage() const { return core_.stage(); }
  [[nodiscard]] Clock::time_point accepted_at() const { return accepted_at_; }

 private:
  void run() {
    char buf[16384];
    while (!closing()) {
      const std::string& out = core_.output();
      const int wake_fd = core_.wake_fd();
      pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0}, {wake_fd, POLLIN, 0}};
      ::poll(fds, wake_fd >= 0 ? 2 : 1, poll_ms());
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_some(buf, sizeof buf);
      if (wake_fd >= 0 && (fds[1].revents & POLLIN)) {
        std::uint64_t n;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd, &n, sizeof n);
      }
      const auto now = Clock::now();
      core_.turn(now);
      if (logout_requested_) core_.request_logout(now);
      flush();
      // A member that does not read its socket: besides its session's message
      // queue (GatewayLimits::outbound_queue), what the kernel would not take
      // is capped.
      if (core_.output().size() > max_unsent_ && !closing()) {
        spdlog::warn("fix {}: member does not read ({} bytes unsent): disconnecting", core_.name(), core_.output().size());
        closing_ = true;
      }
    }
    flush();  // what the session said last (a Logout with its reason), best effort
    teardown();
  }

  // The poll wait: short enough to answer a refused logon on time.
  int poll_ms() const { return stage() == Stage::Refusing ? 10 : kPollMs; }

  void read_some(char* buf, std::size_t size) {
    const ssize_t n = ::read(fd_, buf, size);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      closing_ = true;
      return;
    }
    if (n > 0) core_.received(std::string_view(buf, static_cast<std::size_t>(n)));
  }

  void flush() {
    std::string& out = core_.output();
    while (!out.empty()) {
      const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      closing_ = true;  // the peer is gone
      out.clear();
      return;
    }
  }

  void teardown() {
    core_.end();  // the session is disconnected and freed before the socket closes
    ::close(fd_);
    finished_ = true;
  }

  int fd_;
  const Clock::time_point accepted_at_;
  std::size_t max_unsent_;
  ConnectionCore core_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> logout_requested_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

FixServer::FixServer(ConnectionHooks& hooks, const GatewayLimits& limits, std::string exchange_comp_id)
    : hooks_(hooks), limits_(limits), comp_id_(std::move(exchange_comp_id)) {}

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
    if (!make_room(name)) {
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections_.push_back(std::make_unique<Connection>(fd, ip, name, hooks_, limits_, comp_id_));
  }
}

// Whether a new connection may be taken (with mu_ held). When the budget of
// connections not logged on, or of all connections, is full, the oldest one
// that is not logged on and not having its credentials checked — a refused
// logon waiting for its answer first, then one still waiting for its Logon —
// is closed to make room: the newest arrival is the likeliest to be a member
// about to log on, and a flood of idle connections only closes its own.
bool FixServer::make_room(const std::string& peer) {
  if (connections_.size() >= kMaxTrackedConnections) {
    spdlog::warn("fix: connection from {} refused: {} connections are still closing", peer, connections_.size());
    return false;
  }
  std::size_t open = 0, pending = 0;
  Connection* oldest_refusing = nullptr;
  Connection* oldest_waiting = nullptr;
  for (const auto& c : connections_) {
    if (c->closing()) continue;
    ++open;
    const Connection::Stage stage = c->stage();
    if (stage == Connection::Stage::LoggedOn) continue;
    ++pending;
    Connection*& oldest = stage == Connection::Stage::Refusing ? oldest_refusing : oldest_waiting;
    if (stage != Connection::Stage::Authenticating && (oldest == nullptr || c->accepted_at() < oldest->accepted_at()))
      oldest = c.get();
  }
  if (pending < limits_.max_pending_logons && open < limits_.max_connections) return true;
  Connection* victim = oldest_refusing != nullptr ? oldest_refusing : oldest_waiting;
  if (victim == nullptr) {
    spdlog::warn("fix: connection from {} refused: {} connections ({} not logged on) is the limit", peer, open, pending);
    return false;
  }
  victim->evict();
  spdlog::warn("fix: {} connections not logged on (limit {}): the oldest is closed for one from {}", pending,
               limits_.max_pending_logons, peer);
  return true;
}

void FixServer::reap() {
  std::lock_guard lock(mu_);
  connections_.remove_if([](const std::unique_ptr<Connection>& c) { return c->finished(); });
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
