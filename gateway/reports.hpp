#pragma once
// The reports about members' orders, as OutMsgs: an ExecutionReport of an
// order as the views hold it, and the answers to a refused request (whether
// the engine or the gateway refused it). Shared by the router (committed
// events), inbound translation (the gateway's own refusals) and the query
// answers (order status). No QuickFIX here.

#include <string>
#include <string_view>

#include "gateway/fix_mapping.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/request.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

// An ExecutionReport of an order as it stands in the views: its identity,
// terms, quantities and cash (the caller adds what the event says: LastPx,
// CancelReason, ...).
[[nodiscard]] OutMsg order_report(const InstrumentView& instruments, const OrderInfo& o, std::string_view exec_id,
                                  ExecType exec_type);

// The next number of the gateway's own ExecIDs (status answers, gateway
// rejects, "gw." answers): one counter per process, starting from the
// process's start time in microseconds, so the numbers do not repeat after a
// restart. Those ExecIDs start with a letter; the engine's (seq based) with a
// digit, so the two never collide.
[[nodiscard]] std::string next_gateway_exec_serial();

// The reports a refused request gets: an ExecutionReport 150=8 for a
// NewOrderSingle, an OrderCancelReject for a cancel / replace (`order`: the
// member's order when known — its id and current status), an
// OrderMassCancelReport 531=0 for a mass cancel (`request_type`: its 530 as
// the report echoes it).
[[nodiscard]] OutMsg rejected_order_report(const RequestInfo& r, std::string exec_id, int ord_rej_reason,
                                           std::string_view text);
[[nodiscard]] OutMsg cancel_reject_report(const RequestInfo& r, const OrderInfo* order, int cxl_rej_reason,
                                          std::string_view text);
[[nodiscard]] OutMsg mass_cancel_reject_report(const RequestInfo& r, std::string request_type,
                                               std::string mass_cancel_reject_reason, std::string_view text);

}  // namespace erx::gateway
