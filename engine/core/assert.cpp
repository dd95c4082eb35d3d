#include "engine/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace erx::detail {

void assert_failed(const char* expr, const char* file, int line, const char* msg) noexcept {
  std::fprintf(stderr, "ERX invariant violated: %s at %s:%d%s%s\n", expr, file, line,
               msg ? ": " : "", msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace erx::detail
