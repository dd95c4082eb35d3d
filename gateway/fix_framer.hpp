#pragma once
// Cuts a TCP byte stream into FIX messages before QuickFIX sees them, so the
// gateway, not the library, decides what an oversized or unreadable stream
// costs: one message is `8=<BeginString>SOH 9=<BodyLength>SOH <body> 10=nnnSOH`,
// its length known from BodyLength once the first two fields are in.
//
// Anything that cannot be framed — bytes before "8=", a BodyLength that is not
// a number, a message that would exceed the limit, a body not followed by
// "10=nnn" — leaves the stream unusable (there is no way to find the next
// message reliably), so the connection is closed (docs/FIX.md "Session
// behaviour"). The checksum itself is QuickFIX's to check.

#include <cstddef>
#include <string>
#include <string_view>

namespace erx::gateway {

class FixFramer {
 public:
  enum class Status {
    NeedMore,  // no complete message yet
    Message,   // one message was taken out
    Garbage,   // the stream does not start with a FIX message
    TooLarge,  // BodyLength says the message exceeds the limit
  };

  explicit FixFramer(std::size_t max_message_bytes) : max_(max_message_bytes) {}

  void feed(std::string_view bytes) {
    // What next() took is dropped here, once per read: dropping each message
    // as it is taken moved the rest of the read along every time (a read of
    // 70 orders moved ~35 reads' worth of bytes).
    buffer_.erase(0, head_);
    head_ = 0;
    buffer_.append(bytes);
  }
  // Takes the next whole message out of the buffer into `out`.
  Status next(std::string& out);
  [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - head_; }
  [[nodiscard]] std::size_t max_message_bytes() const noexcept { return max_; }

 private:
  std::size_t max_;
  std::string buffer_;
  std::size_t head_ = 0;  // buffer_[0, head_) was taken by next()
};

}  // namespace erx::gateway
