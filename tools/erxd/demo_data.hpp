#pragma once
// The demo reference data erxd loads into an empty ledger when `demo = true`:
// the members of the embedded configuration, one instrument per right class,
// fees, cash and rights, and an open business day in continuous trading.

#include <string>

#include "engine/exchange/basic_types.hpp"

namespace erx::erxd {

// The demo as a command script (docs/COMMANDS.md), for business date `today`.
[[nodiscard]] std::string demo_script(exchange::BusinessDate today);

}  // namespace erx::erxd
