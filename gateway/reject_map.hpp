#pragma once
// How the gateway reports an engine RejectReason to a FIX member.
//
// One entry per RejectReason (reject_map.cpp is a switch without a default, so
// a new reason that has no FIX mapping fails the build under -Wswitch). Which
// code a message carries depends on what was refused:
//   NewOrderSingle                 ExecutionReport 150=8, OrdRejReason(103)
//   OrderCancelRequest / Replace   OrderCancelReject, CxlRejReason(102)
//   OrderMassCancelRequest         OrderMassCancelReport 531=0, MassCancelRejectReason(532)
//   anything else                  BusinessMessageReject, BusinessRejectReason(380)
// and every one of them carries `text` in Text(58). docs/FIX.md has the table.
//
// Codes are FIX 4.4 values. -1 means "no code of that kind": the reason cannot
// come back for that kind of message (an operator-only reason, or None).
// No QuickFIX types here: this is plain C++20, testable on its own.

#include <string_view>

#include "engine/exchange/events.hpp"

namespace erx::gateway {

struct FixReject {
  int ord_rej_reason = -1;             // OrdRejReason (103), or -1: not an order reject
  int cxl_rej_reason = -1;             // CxlRejReason (102), or -1
  int mass_cancel_reject_reason = -1;  // MassCancelRejectReason (532), or -1
  int business_reject_reason = -1;     // BusinessRejectReason (380), or -1 (only for None)
  std::string_view text;               // short, member-facing; never empty
};

// The FIX codes and text for one engine reject reason. A value outside the
// enumeration gets 103=99, 102=99, 532=99, 380=0 and the text "rejected".
[[nodiscard]] FixReject fix_reject(exchange::RejectReason reason) noexcept;

}  // namespace erx::gateway
