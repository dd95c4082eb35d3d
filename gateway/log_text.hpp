#pragma once
// What a client sent, made fit for a log line. Every byte outside printable
// ASCII (control characters — a line feed would start a forged log line —
// DEL and bytes >= 0x80) and the backslash are written as \xNN, and the text
// is cut at `max_bytes` (a "..." marks the cut), so one log line stays one
// line of bounded length whatever the client sent.
//
// This is for text that cannot be a secret (a CompID, a QuickFIX error that
// names a tag). A Logon's fields are never logged at all: the gateway reads
// them itself (logon_check.hpp) and logs only which rule failed.

#include <cstddef>
#include <string>
#include <string_view>

namespace erx::gateway {

[[nodiscard]] inline std::string log_text(std::string_view s, std::size_t max_bytes = 120) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
  for (const char c : s) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace erx::gateway
