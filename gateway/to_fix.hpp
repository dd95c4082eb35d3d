#pragma once
// An OutMsg as the FIX::Message a session sends: done on the member's
// connection thread, just before Session::send (which adds the header and
// stores the text for resends).

#include "gateway/out_msg.hpp"
#include "gateway/quickfix.hpp"

namespace erx::gateway {

[[nodiscard]] FIX::Message to_fix(const OutMsg& m);

}  // namespace erx::gateway
