#pragma once
// SHA-256 (OpenSSL) for the journal's hash chain.

#include <array>
#include <string>
#include <string_view>

namespace erx::ledger {

using Hash = std::array<unsigned char, 32>;

[[nodiscard]] Hash sha256(std::string_view bytes);
[[nodiscard]] std::string to_hex(const Hash& h);
[[nodiscard]] inline std::string_view as_bytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace erx::ledger
