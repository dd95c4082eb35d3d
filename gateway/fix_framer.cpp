#include "gateway/fix_framer.hpp"

#include "gateway/fix_tags.hpp"

namespace erx::gateway {

namespace {
using namespace tag::wire;
constexpr char kSoh = '\x01';
constexpr std::size_t kTrailer = 7;  // "10=nnn" + SOH
}  // namespace

FixFramer::Status FixFramer::next(std::string& out) {
  const std::string_view b = std::string_view(buffer_).substr(head_);
  if (b.empty()) return Status::NeedMore;
  // "8=" then the BeginString up to SOH.
  if (b.size() >= BeginString.size() && b.substr(0, BeginString.size()) != BeginString) return Status::Garbage;
  if (b.size() < BeginString.size() && b != BeginString.substr(0, b.size())) return Status::Garbage;
  const std::size_t begin_end = b.find(kSoh);
  if (begin_end == std::string_view::npos) return b.size() > 32 ? Status::Garbage : Status::NeedMore;
  // "9=" then digits up to SOH.
  const std::size_t len_at = begin_end + 1;
  const std::size_t digits_at = len_at + BodyLength.size();
  if (b.size() < digits_at) return Status::NeedMore;
  if (b.substr(len_at, BodyLength.size()) != BodyLength) return Status::Garbage;
  std::size_t body_len = 0;
  std::size_t i = digits_at;
  for (; i < b.size() && b[i] != kSoh; ++i) {
    if (b[i] < '0' || b[i] > '9' || i - digits_at >= 7) return Status::Garbage;
    body_len = body_len * 10 + static_cast<std::size_t>(b[i] - '0');
  }
  if (i == b.size()) return Status::NeedMore;
  if (i == digits_at) return Status::Garbage;  // "9=" with no digits
  const std::size_t body_start = i + 1;
  const std::size_t total = body_start + body_len + kTrailer;
  if (total > max_) return Status::TooLarge;
  if (b.size() < total) return Status::NeedMore;
  const std::string_view trailer = b.substr(body_start + body_len, kTrailer);
  if (trailer.substr(0, CheckSum.size()) != CheckSum || trailer[kTrailer - 1] != kSoh) return Status::Garbage;
  out.assign(b.substr(0, total));
  head_ += total;
  return Status::Message;
}

}  // namespace erx::gateway
