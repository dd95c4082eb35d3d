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
#include <charconv>
#include <cstring>

#include "gateway/fix_fields.hpp"
#include "gateway/fix_framer.hpp"
#include "gateway/latency_probe.hpp"
#include "gateway/log_text.hpp"

namespace erx::gateway {

namespace {
constexpr int kPollMs = 100;
constexpr std::chrono::milliseconds kTimerEvery{50};  // how often a session's timers are looked at
// Connections tracked at once, closing ones included (their threads end
// within a poll interval): keeps descriptors far below 1024 whatever arrives.
constexpr std::size_t kMaxTrackedConnections = 900;

using SteadyClock = std::chrono::steady_clock;

std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool printable_comp_id(std::string_view s) {
  return !s.empty() && s.size() <= kMaxCompIdBytes &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

class Connection final : public FIX::Responder {
 public:
  // AwaitingLogon → Authenticating → LoggedOn, or → Refusing (a Logout is due
  // at answer_at_, then the connection closes).
  enum class Stage : std::uint8_t { AwaitingLogon, Authenticating, Refusing, LoggedOn };

  Connection(int fd, std::string address, std::string peer, ConnectionHooks& hooks, const GatewayLimits& limits,
             const std::string& comp_id)
      : fd_(fd), address_(std::move(address)), peer_(std::move(peer)), hooks_(hooks), limits_(limits),
        comp_id_(comp_id), framer_(limits.max_message_bytes), accepted_at_(SteadyClock::now()) {
    thread_ = std::thread([this] { run(); });
  }
  ~Connection() override {
    if (thread_.joinable()) thread_.join();
  }
  void request_logout() { logout_requested_ = true; }
  void force_close() { closing_ = true; }
  // Closes a connection that is not logged on, to make room for a new one.
  void evict() {
    closing_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes its poll() now
  }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] bool closing() const { return closing_; }
  [[nodiscard]] Stage stage() const { return stage_; }
  [[nodiscard]] SteadyClock::time_point accepted_at() const { return accepted_at_; }

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
    auto logout_deadline = SteadyClock::time_point::max();
    const auto logon_deadline = accepted_at_ + std::chrono::milliseconds(limits_.logon_timeout_ms);
    while (!closing_) {
      pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0}, {wake_fd_, POLLIN, 0}};
      ::poll(fds, wake_fd_ >= 0 ? 2 : 1, poll_ms());
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_some(buf, sizeof buf);
      if (wake_fd_ >= 0 && (fds[1].revents & POLLIN)) {
        std::uint64_t n;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &n, sizeof n);
      }
      const auto now = SteadyClock::now();
      if (stage_ == Stage::Refusing && now >= answer_at_) {
        out_.append(logout_bytes(refusal_));
        closing_ = true;
      } else if (stage_ != Stage::LoggedOn && stage_ != Stage::Refusing && now >= logon_deadline && !closing_) {
        spdlog::warn("fix {}: no logon within {} ms of connecting: closing", peer_, limits_.logon_timeout_ms);
        closing_ = true;
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
        if (now - last_timers_ >= kTimerEvery || !session_->isEnabled()) {
          last_timers_ = now;
          session_->next(FIX::UtcTimeStamp());
        }
      }
      if (logout_requested_ && logout_deadline == SteadyClock::time_point::max()) {
        logout_deadline = now + std::chrono::seconds(2);
        if (session_ && session_->isLoggedOn()) session_->logout("ERX is shutting down");
        else closing_ = true;
      }
      if (now > logout_deadline) closing_ = true;
      flush();
      // A member that does not read its socket: besides its session's message
      // queue (GatewayLimits::outbound_queue), what the kernel would not take
      // is capped.
      if (out_.size() > limits_.max_unsent_bytes && !closing_) {
        spdlog::warn("fix {}: member does not read ({} bytes unsent): disconnecting", name(), out_.size());
        closing_ = true;
      }
    }
    teardown();
  }

  // The poll wait: short enough to answer a refused logon on time.
  int poll_ms() const {
    if (stage_ != Stage::Refusing) return kPollMs;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(answer_at_ - SteadyClock::now()).count();
    return static_cast<int>(std::clamp<std::int64_t>(left, 0, kPollMs));
  }

  void read_some(char* buf, std::size_t size) {
    const ssize_t n = ::read(fd_, buf, size);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      closing_ = true;
      return;
    }
    if (n < 0 || stage_ == Stage::Refusing) return;  // a refused logon's answer is due; what follows is ignored
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

  // Hands one framed message to its session; the first one must log on.
  bool deliver(const std::string& msg, const FIX::UtcTimeStamp& received) {
    if (stage_ == Stage::AwaitingLogon) return logon(msg, received);
    if (stage_ != Stage::LoggedOn) return false;
    if (const FieldScan scan = check_fields(msg); !scan.ok()) {
      refuse_fields(msg, scan);
      return !closing_;
    }
    try {
      // One message in LatencyProbe::kSampleEvery is timed from here.
      set_framed_stamp(++framed_ % LatencyProbe::kSampleEvery == 0 ? LatencyProbe::now() : 0);
      session_->next(msg, received);
      set_framed_stamp(0);
    } catch (const std::exception& e) {
      spdlog::warn("fix {}: {}", name(), log_text(e.what()));
    }
    return !closing_;
  }

  // The first message: read and checked here, its credentials checked by the
  // gateway, and only then the session bound and the Logon given to QuickFIX.
  bool logon(const std::string& msg, const FIX::UtcTimeStamp& received) {
    logon_at_ = SteadyClock::now();
    const LogonCheck check =
        read_logon(msg, LogonRules{comp_id_, wall_now_ns(), std::int64_t{limits_.max_sending_time_skew_s} * 1'000'000'000});
    const std::string_view sender = first_field(msg, 49);
    their_comp_id_ = printable_comp_id(sender) ? std::string(sender) : std::string("UNKNOWN");
    if (!check.request) return refuse(check.refusal);
    stage_ = Stage::Authenticating;
    const LogonVerdict verdict = hooks_.authenticate(*check.request, address_);
    if (!verdict.accepted) return refuse(verdict.refusal);
    const FIX::SessionID id("FIX.4.4", comp_id_, check.request->sender_comp_id);
    session_ = FIX::Session::registerSession(id);
    if (session_ == nullptr) return refuse("logon refused: session " + check.request->sender_comp_id + " is already logged on");
    session_->setResponder(this);
    wake_fd_ = hooks_.wake_fd(id);
    spdlog::info("fix {}: connection from {}", check.request->sender_comp_id, peer_);
    try {
      session_->next(msg, received);
    } catch (const std::exception& e) {
      spdlog::warn("fix {}: {}", name(), log_text(e.what()));
    }
    if (!session_->isLoggedOn()) {
      // The session layer refused it (a sequence number too low, a field the
      // dictionary does not allow): answered and closed now, never left bound.
      spdlog::warn("fix {}: logon refused by the session layer: closing", name());
      if (!session_->sentLogout()) out_.append(logout_bytes("logon refused by the FIX session layer"));
      closing_ = true;
      return false;
    }
    stage_ = Stage::LoggedOn;
    return true;
  }

  // A failed logon, whatever the reason, is answered with a Logout at the
  // same time after it arrived (docs/FIX.md section 2), then closed.
  bool refuse(const std::string& why) {
    spdlog::warn("fix {} ({}): {}", peer_, log_text(their_comp_id_, kMaxCompIdBytes), why);
    refusal_ = why;
    answer_at_ = logon_at_ + std::chrono::milliseconds(limits_.logon_failure_delay_ms);
    stage_ = Stage::Refusing;
    return false;
  }

  // A Logout written by the gateway, for a connection no session is bound
  // to (its sequence numbers are not the session's business).
  std::string logout_bytes(const std::string& text) const {
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
  void refuse_fields(const std::string& msg, const FieldScan& scan) {
    const std::string why = "field " + std::to_string(scan.field) + ": " + std::string(describe(scan.problem));
    const std::string_view seq_text = first_field(msg, 34);
    int seq = 0;
    const auto r = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
    const bool numbered = !seq_text.empty() && r.ec == std::errc() && r.ptr == seq_text.data() + seq_text.size();
    const int expected = session_->getExpectedTargetNum();
    if (!numbered || seq != expected) {
      spdlog::warn("fix {}: a message with a malformed field is ignored as garbled (MsgSeqNum {}, expected {}): {}",
                   name(), numbered ? std::to_string(seq) : std::string("unreadable"), expected, why);
      return;
    }
    FIX::Message reject;
    reject.getHeader().setField(FIX::MsgType("3"));
    reject.setField(FIX::RefSeqNum(seq));
    reject.setField(FIX::SessionRejectReason(0));  // invalid tag number
    const std::string_view type = first_field(msg, 35);
    if (!type.empty() && type.size() <= 2 && printable_comp_id(type)) reject.setField(FIX::RefMsgType(std::string(type)));
    reject.setField(FIX::Text(why));
    session_->send(reject);
    session_->setNextTargetMsgSeqNum(expected + 1);
    spdlog::warn("fix {}: message {} refused with a session Reject: {}", name(), seq, why);
  }

  void flush() {
    // The store first: it must never be behind what the member may have read.
    if (session_ != nullptr) hooks_.persist(*session_);
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
      // A logout (the throttle's, a heartbeat timeout, an error, erxd's)
      // leaves the QuickFIX session disabled; the member's next logon must
      // find it enabled again.
      session_->logon();
      FIX::Session::unregisterSession(id);
      spdlog::info("fix {}: disconnected", id.getTargetCompID().getValue());
    }
    ::close(fd_);
    finished_ = true;
  }

  int fd_;
  std::string address_;  // the peer's IP address (the logon back-off counts per address)
  std::string peer_;     // address:port, for logs
  ConnectionHooks& hooks_;
  const GatewayLimits& limits_;
  const std::string& comp_id_;
  FixFramer framer_;
  const SteadyClock::time_point accepted_at_;
  std::atomic<Stage> stage_{Stage::AwaitingLogon};
  SteadyClock::time_point logon_at_{};   // when the first message arrived
  SteadyClock::time_point answer_at_{};  // when a refused logon is answered
  std::string refusal_;
  std::string their_comp_id_ = "UNKNOWN";
  FIX::Session* session_ = nullptr;
  int wake_fd_ = -1;
  std::string out_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> logout_requested_{false};
  std::atomic<bool> finished_{false};
  std::uint64_t framed_ = 0;
  SteadyClock::time_point last_timers_{};
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
