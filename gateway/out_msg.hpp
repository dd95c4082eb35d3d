#pragma once
// An outbound FIX application message as plain data: what the router builds on
// the ledger's writer thread (no QuickFIX there), and what a session's
// connection thread turns into a FIX::Message when it sends (fix_server.cpp).

#include <compare>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gateway/latency_probe.hpp"

namespace erx::gateway {

// Where a report came from: the committed command's seq and the report's
// place (1, 2, ...) among that command's reports to one session. {0, 0}: not
// a report of a committed command (an answer of the gateway's own). The FIX
// store keeps the last origin sent per session (fix_store.hpp), which is
// where recovery resumes.
struct ReportOrigin {
  std::uint64_t seq = 0;
  std::uint32_t ordinal = 0;
  [[nodiscard]] bool none() const noexcept { return seq == 0; }
  friend auto operator<=>(const ReportOrigin&, const ReportOrigin&) = default;
};

struct OutField {
  int tag = 0;
  std::string value;
};

struct OutGroup {
  int count_tag = 0;  // NoXxx
  int delimiter = 0;  // the first field of each entry
  std::vector<std::vector<OutField>> entries;
};

struct OutMsg {
  OutMsg() = default;
  explicit OutMsg(std::string msg_type, std::vector<OutField> f = {}, std::vector<OutGroup> g = {})
      : type(std::move(msg_type)), fields(std::move(f)), groups(std::move(g)) {}

  std::string type;  // MsgType(35)
  std::vector<OutField> fields;
  std::vector<OutGroup> groups;
  LatencyStamps stamps;  // the request's, on its first report when it was sampled
  ReportOrigin origin;   // set by the gateway for the reports of a committed command

  OutMsg& set(int tag, std::string value) {
    fields.push_back(OutField{tag, std::move(value)});
    return *this;
  }
  [[nodiscard]] const std::string* get(int tag) const {
    for (const OutField& f : fields)
      if (f.tag == tag) return &f.value;
    return nullptr;
  }
};

// FIX 4.4 tags the gateway writes or reads (numbers are the standard's; the
// custom ones are ERX's, docs/FIX.md).
namespace tag {
inline constexpr int Account = 1, AvgPx = 6, ClOrdID = 11, CumQty = 14, ExecID = 17, ExecInst = 18,
                     LastPx = 31, LastQty = 32, OrderID = 37, OrderQty = 38, OrdStatus = 39, OrdType = 40,
                     OrigClOrdID = 41, Price = 44, RefSeqNum = 45, SecurityID = 48, Side = 54, Symbol = 55,
                     Text = 58, TimeInForce = 59, TransactTime = 60, ExpireTime = 126, ExecType = 150,
                     LeavesQty = 151, CxlRejReason = 102, OrdRejReason = 103, MDReqID = 262,
                     SubscriptionRequestType = 263, MarketDepth = 264, MDUpdateType = 265, NoMDEntryTypes = 267,
                     NoMDEntries = 268, MDEntryType = 269, MDEntryPx = 270, MDEntrySize = 271,
                     MDUpdateAction = 279, MDReqRejReason = 281, TradingSessionID = 336, TradSesStatus = 340,
                     RefMsgType = 372, BusinessRejectRefID = 379, BusinessRejectReason = 380,
                     CxlRejResponseTo = 434, SecurityReqID = 320, SecurityResponseID = 322,
                     SecurityRequestResult = 560, SecurityListRequestType = 559, NoRelatedSym = 146,
                     TotNoRelatedSym = 393, LastFragment = 893, MassCancelRequestType = 530, MassCancelResponse = 531,
                     TotalAffectedOrders = 533, MassCancelRejectReason = 532, MassStatusReqID = 584,
                     MassStatusReqType = 585, TotNumReports = 911, LastRptRequested = 912,
                     CopyMsgIndicator = 797, OrdStatusReqID = 790, TradSesReqID = 335, Currency = 15,
                     TrdMatchID = 880, Username = 553, Password = 554, Commission = 12, CommType = 13,
                     ExecRestatementReason = 378, GrossTradeAmt = 381, LastLiquidityInd = 851,
                     RptSeq = 83, MDEntryDate = 272, MDEntryTime = 273, MDEntryPositionNo = 290,
                     NumberOfOrders = 346, SelfTradePreventionMode = 5800, CancelReason = 5801, PriorityKept = 5802,
                     CumCashAmt = 5803, Turnover = 5840, NumberOfTrades = 5841;
}  // namespace tag

}  // namespace erx::gateway
