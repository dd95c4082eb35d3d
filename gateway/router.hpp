#pragma once
// Turns one committed command's events into the FIX messages members see, and
// keeps the gateway's views (views.hpp) up to date. It runs on the ledger's
// writer thread after the commit (Gateway::done), so nothing leaves the
// exchange before the ledger holds it. No QuickFIX here (nor in anything it
// includes): it produces plain OutMsgs addressed to session slots; the Gateway
// queues them. How each value is written is fix_mapping.hpp's.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "engine/exchange/events.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/request.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

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
  // A full refresh (W) of one instrument, for a snapshot request: its
  // increments continue from it (query_answers.hpp market_data_snapshot).
  [[nodiscard]] OutMsg snapshot(const InstrumentInfo& ins, const std::string& md_req_id) const;

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

}  // namespace erx::gateway
