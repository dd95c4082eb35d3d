#include "gateway/fix_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "gateway/fix_tags.hpp"

namespace erx::gateway {

namespace {

constexpr std::size_t kRecordOverhead = 1 + 4 + 4;  // kind, length, checksum
// A record larger than this is damage (the largest message is the gateway's
// limit on message size, far below).
constexpr std::uint32_t kMaxPayload = 1u << 20;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The record checksum: catches a torn or damaged record, not an attacker.
// Eight bytes a step (a report is ~300 bytes; byte-at-a-time hashing showed
// on the connection thread).
std::uint32_t checksum(std::string_view bytes) {
  std::uint64_t h = 0x243F6A8885A308D3ull ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  h = (h ^ tail) * 0x9E3779B97F4A7C15ull;
  h ^= h >> 32;
  return static_cast<std::uint32_t>(h);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Does not block on EINTR, writes everything or fails.
bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

FixStore::FixStore(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) throw FIX::ConfigError("cannot open the FIX store " + path_ + ": " + std::strerror(errno));
  load();
}

FixStore::~FixStore() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

// Reads every whole record; a torn or damaged tail is cut off (the store is
// rebuilt from the ledger's point of view anyway: what it lost is sent again).
void FixStore::load() {
  creation_ns_ = 0;
  next_sender_ = next_target_ = 1;
  last_origin_ = {};
  kept_.clear();
  std::string data;
  {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw FIX::ConfigError("cannot read the FIX store " + path_ + ": " + std::strerror(errno));
    data.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < data.size()) {
      const ssize_t r = ::pread(fd_, data.data() + got, data.size() - got, static_cast<off_t>(got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw FIX::ConfigError("cannot read the FIX store " + path_ + ": " + std::strerror(errno));
      got += static_cast<std::size_t>(r);
    }
  }
  std::size_t at = 0;
  bool header = false;
  while (at + kRecordOverhead <= data.size()) {
    const auto kind = static_cast<Kind>(static_cast<unsigned char>(data[at]));
    const std::uint32_t len = static_cast<std::uint32_t>(get_le(data.data() + at + 1, 4));
    if (len > kMaxPayload || at + kRecordOverhead + len > data.size()) break;
    const std::string_view covered(data.data() + at, 5 + len);
    if (checksum(covered) != get_le(data.data() + at + 5 + len, 4)) break;
    const char* p = data.data() + at + 5;
    bool ok = true;
    switch (kind) {
      case Kind::Header:
        ok = len == 20;
        if (ok) {
          creation_ns_ = static_cast<std::int64_t>(get_le(p, 8));
          last_origin_ = {get_le(p + 8, 8), static_cast<std::uint32_t>(get_le(p + 16, 4))};
          header = true;
        }
        break;
      case Kind::Sender:
      case Kind::Target:
        ok = len == 4;
        if (ok) (kind == Kind::Sender ? next_sender_ : next_target_) = static_cast<int>(get_le(p, 4));
        break;
      case Kind::Message: {
        ok = len >= 16;
        if (!ok) break;
        const int seq = static_cast<int>(get_le(p, 4));
        const ReportOrigin origin{get_le(p + 4, 8), static_cast<std::uint32_t>(get_le(p + 12, 4))};
        if (!kept_.empty() && seq <= kept_.back().seq) {
          ok = false;  // sequence numbers only grow between resets
          break;
        }
        kept_.push_back(Kept{seq, at + 5 + 16, len - 16});
        // Written before it went to the socket: its number is used even if
        // the increment after it was lost with a torn tail.
        next_sender_ = std::max(next_sender_, seq + 1);
        if (!origin.none() && origin > last_origin_) last_origin_ = origin;
        break;
      }
      default: ok = false;
    }
    if (!ok || !header) break;  // a store starts with its header
    at += kRecordOverhead + len;
  }
  if (at != data.size() || !header) {
    if (!data.empty())
      spdlog::warn("fix {}: its store {} was cut at byte {} of {} (a torn or damaged tail)", name_, path_, at,
                   data.size());
    if (::ftruncate(fd_, static_cast<off_t>(header ? at : 0)) != 0)
      throw FIX::ConfigError("cannot repair the FIX store " + path_ + ": " + std::strerror(errno));
    if (!header) {
      file_size_ = 0;
      creation_ns_ = now_ns();
      write_header_now();
      return;
    }
  }
  file_size_ = at;
}

void FixStore::append(Kind kind, std::string_view head, std::string_view tail) {
  const std::size_t start = buffer_.size();
  buffer_.push_back(static_cast<char>(kind));
  put_u32(buffer_, static_cast<std::uint32_t>(head.size() + tail.size()));
  buffer_.append(head);
  buffer_.append(tail);
  put_u32(buffer_, checksum(std::string_view(buffer_).substr(start)));
  file_size_ += kRecordOverhead + head.size() + tail.size();
}

void FixStore::append_number(Kind kind, int value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((static_cast<std::uint32_t>(value) >> (8 * i)) & 0xff);
  append(kind, std::string_view(bytes, 4));
}

// The header starts a new file at once (not buffered): a store emptied by a
// reset must still know its creation time and the last origin it sent.
void FixStore::write_header_now() {
  std::string payload;
  put_u64(payload, static_cast<std::uint64_t>(creation_ns_));
  put_u64(payload, last_origin_.seq);
  put_u32(payload, last_origin_.ordinal);
  buffer_.clear();
  append(Kind::Header, payload);
  const bool ok = write_all(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
  if (!ok) spdlog::error("fix {}: cannot write its store {}: {}", name_, path_, std::strerror(errno));
}

bool FixStore::set(int seq, const std::string& message) {
  std::lock_guard lock(mu_);
  const ReportOrigin origin = std::exchange(pending_origin_, ReportOrigin{});
  // Market data is not kept: a resend gap-fills it (FIX allows a sender not
  // to resend what is stale), and it is most of the bytes a session is sent.
  // MsgType is the third field, a few bytes in.
  const std::size_t type_at = message.find(tag::wire::MsgTypeAfterSoh);
  const std::size_t value_at = type_at + tag::wire::MsgTypeAfterSoh.size();
  if (type_at != std::string::npos && value_at + 1 < message.size() && message[value_at + 1] == '\x01' &&
      (message[value_at] == 'W' || message[value_at] == 'X' || message[value_at] == 'Y'))
    return true;
  std::string head;
  put_u32(head, static_cast<std::uint32_t>(seq));
  put_u64(head, origin.seq);
  put_u32(head, origin.ordinal);
  const std::uint64_t text_at = file_size_ + 5 + head.size();
  append(Kind::Message, head, message);
  if (!kept_.empty() && seq <= kept_.back().seq) kept_.clear();  // cannot happen between resets; keep the index sorted
  kept_.push_back(Kept{seq, text_at, static_cast<std::uint32_t>(message.size())});
  if (!origin.none() && origin > last_origin_) last_origin_ = origin;
  return true;
}

void FixStore::get(int begin, int end, std::vector<std::string>& out) const {
  std::lock_guard lock(mu_);
  out.clear();
  const auto first = std::lower_bound(kept_.begin(), kept_.end(), begin, [](const Kept& k, int s) { return k.seq < s; });
  // Records still in the buffer are written first, so every offset is readable.
  flush_locked();
  for (auto it = first; it != kept_.end() && it->seq <= end; ++it) {
    std::string text(it->bytes, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
      const ssize_t r = ::pread(fd_, text.data() + got, text.size() - got, static_cast<off_t>(it->offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw FIX::IOException("cannot read the FIX store " + path_);
      got += static_cast<std::size_t>(r);
    }
    out.push_back(std::move(text));
  }
}

int FixStore::getNextSenderMsgSeqNum() const {
  std::lock_guard lock(mu_);
  return next_sender_;
}
int FixStore::getNextTargetMsgSeqNum() const {
  std::lock_guard lock(mu_);
  return next_target_;
}

void FixStore::setNextSenderMsgSeqNum(int value) {
  std::lock_guard lock(mu_);
  next_sender_ = value;
  append_number(Kind::Sender, value);
}
void FixStore::setNextTargetMsgSeqNum(int value) {
  std::lock_guard lock(mu_);
  next_target_ = value;
  append_number(Kind::Target, value);
}
void FixStore::incrNextSenderMsgSeqNum() { setNextSenderMsgSeqNum(getNextSenderMsgSeqNum() + 1); }
void FixStore::incrNextTargetMsgSeqNum() { setNextTargetMsgSeqNum(getNextTargetMsgSeqNum() + 1); }

FIX::UtcTimeStamp FixStore::getCreationTime() const {
  std::lock_guard lock(mu_);
  return FIX::UtcTimeStamp(static_cast<time_t>(creation_ns_ / 1'000'000'000),
                           static_cast<int>(creation_ns_ % 1'000'000'000), 9);
}

void FixStore::reset() {
  std::lock_guard lock(mu_);
  buffer_.clear();
  kept_.clear();
  next_sender_ = next_target_ = 1;
  pending_origin_ = {};
  creation_ns_ = now_ns();
  if (::ftruncate(fd_, 0) != 0) spdlog::error("fix {}: cannot reset its store {}: {}", name_, path_, std::strerror(errno));
  file_size_ = 0;
  write_header_now();  // keeps last_origin_: a reset changes the numbers, not what was delivered
}

void FixStore::refresh() {
  std::lock_guard lock(mu_);
  flush_locked();
  load();
}

void FixStore::set_origin_of_next(ReportOrigin origin) {
  std::lock_guard lock(mu_);
  pending_origin_ = origin;
}

bool FixStore::flush() {
  std::lock_guard lock(mu_);
  return flush_locked();
}

bool FixStore::flush_locked() const {
  if (buffer_.empty()) return true;
  if (!write_all(fd_, buffer_.data(), buffer_.size())) {
    if (!write_failed_)
      spdlog::error("fix {}: cannot write its store {}: {} (sequence numbers and resends may be lost at a restart)",
                    name_, path_, std::strerror(errno));
    write_failed_ = true;
    return false;
  }
  write_failed_ = false;
  buffer_.clear();
  return true;
}

ReportOrigin FixStore::last_origin() const {
  std::lock_guard lock(mu_);
  return last_origin_;
}

std::size_t FixStore::messages() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

// ------------------------------------------------------------ factory

bool FixStoreFactory::lock(std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return *error = "cannot create " + dir_ + ": " + ec.message(), false;
  const std::string path = dir_ + "/ERX-FIX.lock";
  std::string holder;
  const int rc = lock_.take(path, &holder, error);
  if (rc == EBUSY)
    *error = "the FIX stores in " + dir_ + " are already open for writing by " + holder + " (lock file " + path +
             "): one erxd per data directory";
  return rc == 0;
}

FIX::MessageStore* FixStoreFactory::create(const FIX::SessionID& id) {
  if (!lock_.held()) throw FIX::ConfigError("the FIX store directory " + dir_ + " is not locked");
  const std::string comp = id.getTargetCompID().getValue();
  auto* store = new FixStore(dir_ + "/" + comp + ".store", comp);
  std::lock_guard lock(mu_);
  stores_[comp] = store;
  return store;
}

void FixStoreFactory::destroy(FIX::MessageStore* store) {
  std::lock_guard lock(mu_);
  std::erase_if(stores_, [&](const auto& kv) { return kv.second == store; });
  delete store;
}

FixStore* FixStoreFactory::find(const FIX::SessionID& id) const {
  std::lock_guard lock(mu_);
  const auto it = stores_.find(id.getTargetCompID().getValue());
  return it == stores_.end() ? nullptr : it->second;
}

}  // namespace erx::gateway
