#pragma once
// Powers of ten, the one table of the tree: 10^0 .. 10^18, every power an
// int64 holds (scales run 0..18). Money's wider powers (pow10_money in
// decimal.hpp, up to 10^38) are built from it.

#include <cstdint>

namespace erx {

inline constexpr int kMaxPow10Int64 = 18;

// A plain array, so that it indexes with the int scales the code computes.
inline constexpr std::int64_t kPow10[kMaxPow10Int64 + 1] = {
    1,
    10,
    100,
    1'000,
    10'000,
    100'000,
    1'000'000,
    10'000'000,
    100'000'000,
    1'000'000'000,
    10'000'000'000,
    100'000'000'000,
    1'000'000'000'000,
    10'000'000'000'000,
    100'000'000'000'000,
    1'000'000'000'000'000,
    10'000'000'000'000'000,
    100'000'000'000'000'000,
    1'000'000'000'000'000'000};

namespace detail {
constexpr bool each_ten_times_the_last() {
  for (int i = 1; i <= kMaxPow10Int64; ++i)
    if (kPow10[i] != kPow10[i - 1] * 10) return false;
  return kPow10[0] == 1;
}
}  // namespace detail
static_assert(detail::each_ten_times_the_last());
static_assert(kPow10[3] == 1'000);
static_assert(kPow10[kMaxPow10Int64] == 1'000'000'000'000'000'000);
static_assert(kPow10[kMaxPow10Int64] > INT64_MAX / 10, "10^19 would not fit: the table is complete");

}  // namespace erx
