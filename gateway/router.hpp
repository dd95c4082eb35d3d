#pragma once
// Turns one committed command's events into the FIX messages members see, and
// keeps the gateway's views (views.hpp) up to date. It runs on the ledger's
// writer thread after the commit (Gateway::done), so nothing leaves the
// exchange before the ledger holds it. No QuickFIX here: it produces plain
// OutMsgs addressed to session slots; the Gateway queues them.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "engine/exchange/events.hpp"
#include "gateway/fix_time.hpp"
#include "gateway/latency_probe.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

using SlotId = std::uint32_t;
inline constexpr SlotId kNoSlot = UINT32_MAX;

// What the gateway remembers of the FIX request a command came from, to answer
// it (rejects carry the request's own fields).
struct RequestInfo {
  enum class Kind : std::uint8_t { Internal, NewOrder, Cancel, Replace, MassCancel };
  Kind kind = Kind::Internal;
  SlotId slot = kNoSlot;     // the requesting session
  exchange::MemberId member = 0;  // the requesting member
  std::string clord_id;      // ClOrdID(11) of the request
  std::string orig_clord_id; // OrigClOrdID(41) of a cancel / replace
  std::string symbol;
  char side = 0;             // FIX Side, as sent
  std::string order_qty, price;
  char ord_type = 0, tif = 0;
  std::string account;
  int mass_cancel_type = 0;  // MassCancelRequestType(530)
  LatencyStamps stamps;      // when sampled (latency_probe.hpp)
};

struct Delivery {
  SlotId slot = kNoSlot;
  OutMsg msg;
};

// Who gets what: the session of each member, the drop copies, the market data
// subscriptions.
struct Directory {
  std::map<exchange::MemberId, SlotId> member_slot;
  // The operator each member session trades as (unique across sessions), to
  // its member: a committed command names its operator, so who sent it — and
  // who gets its rejects — follows from the journal alone.
  std::map<exchange::OperatorId, exchange::MemberId> member_of_operator;
  std::map<exchange::MemberId, SlotId> drop_copy_slot;
  SlotId regulator_slot = kNoSlot;
  std::vector<SlotId> all_member_slots;  // TradingSessionStatus goes to these
};

// What the reports of a committed command need to know of its request, read
// from the command alone (and the directory): so the reports the journal
// holds can be made again at recovery exactly as they were made live. A
// command whose operator is no member session's (0: the exchange itself, a
// timer, cancel on disconnect, an operator script) is Internal: its rejects
// go nowhere, its order reports to the member's session as always.
[[nodiscard]] RequestInfo request_info(const exchange::CommandBody& body, const Directory& dir);

class Router {
 public:
  Router(InstrumentView& instruments, OrderView& orders, MarketView& market, const Directory& directory)
      : instruments_(instruments), orders_(orders), market_(market), dir_(directory) {}

  // One committed command: its seq and events. Appends what to send.
  void committed(const RequestInfo& request, exchange::Seq seq, exchange::Timestamp time,
                 std::span<const exchange::Event> events, std::vector<Delivery>& out);
  // The sequencer stopped before committing it: the requester is told.
  void failed(const RequestInfo& request, std::vector<Delivery>& out);

  // Market data subscriptions (MarketDataRequest 263=1 / 263=2).
  void subscribe(InstrumentId ins, SlotId slot, const std::string& md_req_id);
  // Whether the session has a live subscription with this MDReqID (a new
  // 263=1 must not reuse it: MDReqRejReason 1).
  [[nodiscard]] bool subscribed(SlotId slot, const std::string& md_req_id) const;
  void unsubscribe(SlotId slot, const std::string& md_req_id);
  void unsubscribe_all(SlotId slot);
  // A full refresh (W) of one instrument, for a snapshot request.
  [[nodiscard]] OutMsg snapshot(const InstrumentInfo& ins, const std::string& md_req_id) const;

  // An ExecutionReport for an order as it stands (OrderStatus / MassStatus);
  // its ExecID "status.<order id>.<n>" is new on every call.
  [[nodiscard]] OutMsg status_report(const OrderInfo& o, char exec_type) const;

 private:
  void on_accepted(const exchange::OrderAccepted& e, std::string_view exec_id, std::vector<Delivery>& out);
  void on_trade(const exchange::Trade& e, exchange::Seq seq, std::vector<Delivery>& out);
  void on_cancelled(const exchange::OrderCancelled& e, const RequestInfo& r, std::string_view exec_id,
                    std::vector<Delivery>& out);
  void on_modified(const exchange::OrderModified& e, std::string_view exec_id, std::vector<Delivery>& out);
  void on_rejected(const exchange::CommandRejected& e, const RequestInfo& r, std::string_view exec_id,
                   std::vector<Delivery>& out);
  void on_mass_cancelled(const exchange::MassCancelled& e, const RequestInfo& r, std::vector<Delivery>& out);
  void on_session(const exchange::SessionChanged& e, std::vector<Delivery>& out);
  void on_close(const exchange::DailyStatistics& e);
  // ER to the order's member (to `slot` when given, else the member's
  // session), copied to its drop copy and the regulator.
  void send_report(exchange::MemberId member, OutMsg msg, std::vector<Delivery>& out, SlotId slot = kNoSlot);
  void publish_market_data(std::vector<Delivery>& out);
  [[nodiscard]] OutMsg report_base(const OrderInfo& o, std::string_view exec_id, char exec_type) const;

  InstrumentView& instruments_;
  OrderView& orders_;
  MarketView& market_;
  const Directory& dir_;
  // Market data: subscribers per instrument, the top levels last published,
  // and what the command being routed touched.
  std::map<InstrumentId, std::vector<std::pair<SlotId, std::string>>> subscribers_;
  std::map<InstrumentId, std::pair<TopLevels, TopLevels>> published_;
  std::map<InstrumentId, std::vector<std::vector<OutField>>> pending_entries_;  // trades, closing price
  std::vector<InstrumentId> traded_;
  std::vector<InstrumentId> touched_;
  // RptSeq(83) of the last incremental entry published per instrument (one
  // counter per instrument, shared by its subscribers; 0 = none yet in this
  // process). A snapshot carries it: its increments continue at + 1.
  std::map<InstrumentId, std::uint64_t> rpt_seq_;
  exchange::Timestamp time_ = 0;  // sequenced time of the command being routed
  std::string transact_time_;     // TransactTime(60) of the command being routed
};

// The next number of the gateway's own ExecIDs (status answers, gateway
// rejects, "gw." answers): one counter per process, starting from the
// process's start time in microseconds, so the numbers do not repeat after a
// restart. Those ExecIDs start with a letter; the engine's (seq based) with a
// digit, so the two never collide.
[[nodiscard]] std::string next_gateway_exec_serial();

// The reports a refused request gets, whether the engine or the gateway
// refused it: an ExecutionReport 150=8 for a NewOrderSingle, an
// OrderCancelReject for a cancel / replace (`order`: the member's order when
// known — its id and current status).
[[nodiscard]] OutMsg rejected_order_report(const RequestInfo& r, std::string exec_id, int ord_rej_reason,
                                           std::string_view text);
[[nodiscard]] OutMsg cancel_reject_report(const RequestInfo& r, const OrderInfo* order, int cxl_rej_reason,
                                          std::string_view text);

// FIX text of engine values (docs/FIX.md).
[[nodiscard]] char fix_side(exchange::Side s);
[[nodiscard]] char fix_ord_type(exchange::OrderType t);
[[nodiscard]] char fix_tif(exchange::TimeInForce t);
[[nodiscard]] std::string format_price(const InstrumentInfo& ins, Price p);
[[nodiscard]] std::string format_qty(const InstrumentInfo& ins, Qty q);
// Cash in fen as CNY with 2 decimals (GrossTradeAmt, Commission, CumCashAmt).
[[nodiscard]] std::string format_cash(const erx::Money& fen);
// CumCash ÷ CumQty as a price, half-up at price scale + 4 decimals; "0" before any fill.
[[nodiscard]] std::string average_price(const InstrumentInfo& ins, const erx::Money& cum_cash, Qty cum_qty);

}  // namespace erx::gateway
