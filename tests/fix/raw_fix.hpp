#pragma once
// A raw FIX connection for tests: messages built by QuickFIX (correct
// BodyLength and checksum) or written by hand, sent as bytes on a socket of
// our own, so nothing in between fixes them up. Catch2 tests only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "tests/fix/fix_client.hpp"

namespace erx::test {

// A raw FIX connection: messages built by QuickFIX (correct BodyLength and
// checksum) or written by hand, sent as bytes.
class RawFix {
 public:
  RawFix(std::uint16_t port, std::string comp, int receive_buffer = 0) : comp_(std::move(comp)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawFix() { ::close(fd_); }
  void send_bytes(const std::string& b) { REQUIRE(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size())); }
  // A message with this session's header and the next sequence number.
  std::string build(FIX::Message m) {
    FIX::Header& h = m.getHeader();
    h.setField(FIX::BeginString("FIX.4.4"));
    h.setField(FIX::SenderCompID(comp_));
    h.setField(FIX::TargetCompID("ERX"));
    h.setField(FIX::MsgSeqNum(seq_++));
    h.setField(FIX::SendingTime());
    return m.toString();
  }
  void send(FIX::Message m) { send_bytes(build(std::move(m))); }
  void logon(const std::string& user, const std::string& password) {
    FIX::Message m;
    m.getHeader().setField(FIX::FIELD::MsgType, "A");
    m.setField(98, "0");
    m.setField(108, "30");
    m.setField(141, "Y");
    m.setField(553, user);
    m.setField(554, password);
    send(m);
    REQUIRE(read_until("35=A").find("35=A") != std::string::npos);
  }
  // Reads until `needle` appears, the peer closes, or the timeout.
  std::string read_until(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (in_.find(needle) == std::string::npos && !closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[8192];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) closed_ = true;
      else in_.append(buf, static_cast<std::size_t>(n));
    }
    return in_;
  }
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    read_until("\x01\x01never", timeout);
    return closed_;
  }
  void rewind() { --seq_; }
  [[nodiscard]] const std::string& received() const { return in_; }
  [[nodiscard]] int next_seq() const { return seq_; }
  void set_next_seq(int seq) { seq_ = seq; }

  // A message written field by field, e.g. "35=A\x01" "49=M1\x01...": only
  // BeginString, BodyLength and CheckSum are added, nothing is checked.
  static std::string frame(const std::string& body) {
    std::string m = "8=FIX.4.4\x01" "9=" + std::to_string(body.size()) + "\x01" + body;
    unsigned sum = 0;
    for (const char c : m) sum += static_cast<unsigned char>(c);
    char trailer[8];
    std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
    return m + trailer;
  }
  // The standard header fields of this session's next message, as text.
  std::string header_fields(const std::string& msg_type) {
    return "35=" + msg_type + "\x01" "34=" + std::to_string(seq_++) + "\x01" "49=" + comp_ + "\x01" "52=" +
           FIX::UtcTimeStampConvertor::convert(FIX::UtcTimeStamp(), 3) + "\x01" "56=ERX\x01";
  }

 private:
  int fd_ = -1;
  std::string comp_;
  int seq_ = 1;
  std::string in_;
  bool closed_ = false;
};

}  // namespace erx::test
