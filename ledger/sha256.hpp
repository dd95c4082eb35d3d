#pragma once
// SHA-256 (OpenSSL) for the journal's hash chain.

#include <array>
#include <string>
#include <string_view>

namespace erx::ledger {

using Hash = std::array<unsigned char, 32>;

[[nodiscard]] Hash sha256(std::string_view bytes);
// Lower-case hex of any bytes (hashes, keys in messages).
[[nodiscard]] std::string to_hex(std::string_view bytes);
[[nodiscard]] inline std::string_view as_bytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}
[[nodiscard]] inline std::string to_hex(const Hash& h) { return to_hex(as_bytes(h)); }

}  // namespace erx::ledger
