#pragma once
// ERX_ASSERT: an invariant check that stays on in every build, Release included.
// A failed invariant means the engine's state can no longer be trusted, so the
// only safe reaction is to stop at once (fail-stop), printing where and why.
// Use it for cheap O(1) checks; expensive whole-structure checks live in
// check_invariants() functions that tests call after every operation.

namespace erx::detail {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line, const char* msg) noexcept;
}

#define ERX_ASSERT(expr)                                                          \
  do {                                                                            \
    if (!(expr)) [[unlikely]]                                                     \
      ::erx::detail::assert_failed(#expr, __FILE__, __LINE__, nullptr);           \
  } while (0)

#define ERX_ASSERT_MSG(expr, msg)                                                 \
  do {                                                                            \
    if (!(expr)) [[unlikely]]                                                     \
      ::erx::detail::assert_failed(#expr, __FILE__, __LINE__, (msg));             \
  } while (0)
