#pragma once
// The demo reference data erxd loads into an empty ledger when `demo = true`:
// the members of the embedded configuration, one instrument per right class,
// fees, cash and rights, and an open business day in continuous trading.

#include <cstdint>
#include <string>

#include "engine/exchange/basic_types.hpp"

namespace erx::erxd {

// The demo as a command script (docs/COMMANDS.md), for business date `today`:
// members 1..`members` (member n: account n·100+1, operator n·1000+1; the
// first three have the names of the README's demo members).
[[nodiscard]] std::string demo_script(exchange::BusinessDate today, std::uint32_t members = 3);

}  // namespace erx::erxd
