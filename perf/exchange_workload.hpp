#pragma once
// The "full exchange" command streams of perf/README.md, shared by
// erx-exchange-bench (in memory) and erx-ledger-bench (durable): reference
// data, 64 prefunded members, and the book workloads (hot / deep / wide)
// turned into order, cancel and modify commands.

#include <vector>

#include "engine/exchange/commands.hpp"
#include "perf/workload.hpp"

namespace erx::perf {

inline constexpr std::uint32_t kMembers = 64;

// Reference data, members, funding, and an open continuous session (seq 1..).
std::vector<exchange::Command> setup_commands(const Workload& w);
// The workload's ops as commands, seq from `first`.
std::vector<exchange::Command> flow_commands(const Workload& w, exchange::Seq first);

}  // namespace erx::perf
