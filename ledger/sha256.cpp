#include "ledger/sha256.hpp"

#include <openssl/evp.h>

#include "engine/core/assert.hpp"

namespace erx::ledger {

namespace {

// OpenSSL 3's one-shot SHA256() looks the algorithm up on every call (an
// EVP_MD_fetch, about as costly as hashing a journal record): fetch it once,
// and keep one digest context per thread.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  ERX_ASSERT(md != nullptr);
  return md;
}

struct Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Hash sha256(std::string_view bytes) {
  thread_local Context c;
  Hash h{};
  unsigned int n = 0;
  const bool ok = c.ctx != nullptr && EVP_DigestInit_ex2(c.ctx, sha256_md(), nullptr) == 1 &&
                  EVP_DigestUpdate(c.ctx, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(c.ctx, h.data(), &n) == 1;
  ERX_ASSERT(ok && n == h.size());
  return h;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

}  // namespace erx::ledger
