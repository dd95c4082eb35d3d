#pragma once
// What the single-process benchmarks share: their command line
//   --ops N --runs R --seed S --only NAME
// (each gives its own defaults and usage line), and the median over runs.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace erx::perf {

struct BenchArgs {
  std::size_t ops = 0;
  int runs = 1;
  std::uint64_t seed = 42;
  std::string only;  // empty: every workload
};

// Reads the options over `args` (which holds the defaults). On anything else
// prints `usage` and returns false.
inline bool parse_bench_args(int argc, char** argv, BenchArgs& args, const char* usage) {
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (has_value && a == "--ops") args.ops = std::strtoull(argv[i + 1], nullptr, 10);
    else if (has_value && a == "--runs") args.runs = std::atoi(argv[i + 1]);
    else if (has_value && a == "--seed") args.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (has_value && a == "--only") args.only = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s\n", usage);
      return false;
    }
  }
  if (args.runs < 1) args.runs = 1;
  return true;
}

// The median of one field over a benchmark's runs (at least one).
template <class Run, class Field>
double median_of(const std::vector<Run>& runs, Field Run::*field) {
  std::vector<double> v;
  for (const Run& r : runs) v.push_back(static_cast<double>(r.*field));
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace erx::perf
