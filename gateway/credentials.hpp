#pragma once
// Member passwords, stored salted and hashed: PBKDF2-HMAC-SHA256 (OpenSSL),
// text form "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>". erxd's
// configuration holds only this form; `erx hash-password` makes it. The
// plain password exists only in the Logon message and is never logged.

#include <string>
#include <string_view>

namespace erx::gateway {

inline constexpr int kDefaultPasswordIterations = 20'000;

// A new random salt each call.
[[nodiscard]] std::string hash_password(std::string_view password, int iterations = kDefaultPasswordIterations);
// Constant-time comparison; false also for a malformed stored form.
[[nodiscard]] bool verify_password(std::string_view password, std::string_view stored);
// Whether `stored` is in the form above (configuration checks).
[[nodiscard]] bool is_password_hash(std::string_view stored);
// The iteration count of a stored hash (0 when malformed).
[[nodiscard]] int password_iterations(std::string_view stored);

}  // namespace erx::gateway
