#include "gateway/reports.hpp"

#include <atomic>
#include <chrono>

#include "gateway/fix_time.hpp"

namespace erx::gateway {

// Fields of a full ExecutionReport of a known order (base, fill and optional
// fields), so its field vector is allocated once.
constexpr std::size_t kReportFields = 32;

OutMsg order_report(const InstrumentView& instruments, const OrderInfo& o, std::string_view exec_id,
                    ExecType exec_type) {
  const InstrumentInfo* ins = instruments.find(o.instrument);
  OutMsg m{"8", {}, {}};
  m.fields.reserve(kReportFields);  // one allocation, not one per doubling
  m.set(tag::OrderID, std::to_string(o.id))
      .set(tag::ClOrdID, std::string(o.clord_id.view()))
      .set(tag::ExecID, std::string(exec_id))
      .set(tag::ExecType, kExecType.code(exec_type))
      .set(tag::OrdStatus, kOrdStatus.code(o.status))
      .set(tag::Account, std::to_string(o.account))
      .set(tag::Symbol, ins ? std::string(ins->spec.symbol.view()) : "")
      .set(tag::Side, kSide.code(o.side))
      .set(tag::OrdType, kOrdType.code(o.type))
      .set(tag::TimeInForce, kTimeInForce.code(o.tif));
  // ExpireTime only for a GTD order (the others have none).
  if (o.tif == exchange::TimeInForce::Gtd && o.expire_at > 0) m.set(tag::ExpireTime, format_fix_timestamp(o.expire_at));
  // The STP mode the order trades with: the engine's resolved mode (never the
  // member default once resolved).
  m.set(tag::SelfTradePreventionMode, kStpMode.code(o.stp));
  if (ins) {
    if (o.type == exchange::OrderType::Limit) m.set(tag::Price, format_price(*ins, o.price));
    m.set(tag::OrderQty, format_qty(*ins, o.order_qty))
        .set(tag::LeavesQty, format_qty(*ins, o.live() ? o.leaves : 0))
        .set(tag::CumQty, format_qty(*ins, o.cum_qty))
        .set(tag::AvgPx, average_price(*ins, o.cum_cash, o.cum_qty));
  }
  // Cash of all fills so far (exact, CNY), on every report of a known order.
  m.set(tag::CumCashAmt, format_cash(o.cum_cash));
  return m;
}

std::string next_gateway_exec_serial() {
  static std::atomic<std::uint64_t> next{static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count())};
  return std::to_string(next.fetch_add(1, std::memory_order_relaxed));
}

OutMsg rejected_order_report(const RequestInfo& r, std::string exec_id, int ord_rej_reason, std::string_view text) {
  OutMsg m{"8", {}, {}};
  // The request's Side echoed, as a side ERX has (a bad one reads as a buy).
  const Side side = kSide.parse(r.side).value_or(Side::Buy);
  m.set(tag::OrderID, "NONE").set(tag::ClOrdID, r.clord_id).set(tag::ExecID, std::move(exec_id))
      .set(tag::ExecType, kExecType.code(ExecType::Rejected)).set(tag::OrdStatus, kOrdStatus.code(OrderStatus::Rejected))
      .set(tag::Symbol, r.symbol).set(tag::Side, kSide.code(side))
      .set(tag::OrderQty, r.order_qty.empty() ? "0" : r.order_qty)
      .set(tag::LeavesQty, "0").set(tag::CumQty, "0").set(tag::AvgPx, "0")
      .set(tag::OrdRejReason, std::to_string(ord_rej_reason));
  if (!r.account.empty()) m.set(tag::Account, r.account);
  m.set(tag::Text, std::string(text));
  return m;
}

OutMsg cancel_reject_report(const RequestInfo& r, const OrderInfo* order, int cxl_rej_reason, std::string_view text) {
  OutMsg m{"9", {}, {}};
  m.set(tag::OrderID, order ? std::to_string(order->id) : "NONE").set(tag::ClOrdID, r.clord_id)
      .set(tag::OrigClOrdID, r.orig_clord_id)
      .set(tag::OrdStatus, kOrdStatus.code(order ? order->status : OrderStatus::Rejected))
      .set(tag::CxlRejResponseTo, r.kind == RequestInfo::Kind::Cancel ? cxl_rej_response_to::CancelRequest
                                                                      : cxl_rej_response_to::ReplaceRequest)
      .set(tag::CxlRejReason, std::to_string(cxl_rej_reason)).set(tag::Text, std::string(text));
  return m;
}

OutMsg mass_cancel_reject_report(const RequestInfo& r, std::string request_type, std::string mass_cancel_reject_reason,
                                 std::string_view text) {
  OutMsg m{"r", {}, {}};
  m.set(tag::ClOrdID, r.clord_id).set(tag::OrderID, "NONE").set(tag::MassCancelRequestType, std::move(request_type))
      .set(tag::MassCancelResponse, mass_cancel_response::Rejected)
      .set(tag::MassCancelRejectReason, std::move(mass_cancel_reject_reason)).set(tag::Text, std::string(text));
  return m;
}

}  // namespace erx::gateway
