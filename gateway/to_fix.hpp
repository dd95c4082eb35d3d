#pragma once
// An OutMsg as the FIX::Message a session sends: done on the member's
// connection thread, just before Session::send (which adds the header and
// stores the text for resends).

#include "gateway/out_msg.hpp"
#include "gateway/quickfix.hpp"

namespace erx::gateway {

// Fills `msg`, cleared first. Its storage is reused: a connection thread
// keeps one message for all it sends, where a new FIX::Message would
// allocate three field vectors (each over glibc's 1 KiB small-request line)
// for every report.
void to_fix(const OutMsg& m, FIX::Message& msg);

}  // namespace erx::gateway
