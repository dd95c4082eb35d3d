#include "gateway/credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

namespace erx::gateway {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

std::optional<std::vector<unsigned char>> unhex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned v = 0;
    const auto r = std::from_chars(s.data() + 2 * i, s.data() + 2 * i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + 2 * i + 2) return std::nullopt;
    out[i] = static_cast<unsigned char>(v);
  }
  return out;
}

std::array<unsigned char, kHashBytes> derive(std::string_view password, const unsigned char* salt, std::size_t salt_len,
                                             int iterations) {
  std::array<unsigned char, kHashBytes> out{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, static_cast<int>(salt_len),
                        iterations, EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

struct Parsed {
  int iterations = 0;
  std::vector<unsigned char> salt, hash;
};

std::optional<Parsed> parse(std::string_view stored) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    const std::size_t dollar = stored.find('$');
    if (dollar == std::string_view::npos) return std::nullopt;
    parts[i] = stored.substr(0, dollar);
    stored.remove_prefix(dollar + 1);
  }
  parts[3] = stored;
  if (parts[0] != kScheme) return std::nullopt;
  Parsed p;
  const auto r = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), p.iterations);
  if (r.ec != std::errc() || r.ptr != parts[1].data() + parts[1].size() || p.iterations < 1000) return std::nullopt;
  auto salt = unhex(parts[2]);
  auto hash = unhex(parts[3]);
  if (!salt || !hash || salt->empty() || hash->size() != kHashBytes) return std::nullopt;
  p.salt = std::move(*salt);
  p.hash = std::move(*hash);
  return p;
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no random bytes for a salt");
  const auto h = derive(password, salt, sizeof salt, iterations);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + hex(salt, sizeof salt) + "$" +
         hex(h.data(), h.size());
}

bool verify_password(std::string_view password, std::string_view stored) {
  const std::optional<Parsed> p = parse(stored);
  if (!p) return false;
  const auto h = derive(password, p->salt.data(), p->salt.size(), p->iterations);
  return CRYPTO_memcmp(h.data(), p->hash.data(), kHashBytes) == 0;
}

bool is_password_hash(std::string_view stored) { return parse(stored).has_value(); }

int password_iterations(std::string_view stored) {
  const std::optional<Parsed> p = parse(stored);
  return p ? p->iterations : 0;
}

}  // namespace erx::gateway
