#pragma once
// The answers to members' queries, from the gateway's views to outgoing
// messages: order status (H), mass status (AF), trading session status (g),
// security list (x) and the market data snapshot (V). Nothing here reaches
// the sequencer: a query reads the views (under the views' lock, held by the
// caller) and is answered at once. The requests come as plain structs, read
// from the FIX message by inbound.hpp; no QuickFIX here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/out_msg.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

// ------------------------------------------------------------ OrderStatusRequest (H)

struct OrderStatusQuery {
  std::string clord_id, symbol, side;  // as sent (empty: absent)
  std::optional<std::string> req_id;   // OrdStatusReqID (790), echoed
};

// An ExecutionReport 150=I of the member's order as it stands, or, for an
// unknown ClOrdID, one of no order (39=8 37=NONE 103=5).
[[nodiscard]] OutMsg order_status(const OrderStatusQuery& q, exchange::MemberId member, const OrderView& orders,
                                  const InstrumentView& instruments);

// An ExecutionReport 150=I of an order as it stands; its ExecID
// "status.<order id>.<n>" is new on every call.
[[nodiscard]] OutMsg order_status_report(const InstrumentView& instruments, const OrderInfo& o);

// ------------------------------------------------------------ OrderMassStatusRequest (AF)

struct MassStatusQuery {
  std::string req_id, type, account, symbol, side;  // 584, 585, 1, 55, 54 as sent (empty: absent)
};

// Why ERX cannot answer the request (a BusinessMessageReject 380=5 says so), if it cannot.
[[nodiscard]] std::optional<std::string_view> mass_status_refusal(const MassStatusQuery& q);
// The member's orders of the business day the request selects, live or
// finished, by order id, as they stand now.
[[nodiscard]] std::vector<OrderInfo> mass_status_orders(const MassStatusQuery& q, exchange::MemberId member,
                                                        const OrderView& orders, const InstrumentView& instruments);
// The answer when none matches: one report saying so (911=0 912=Y).
[[nodiscard]] OutMsg mass_status_none(const MassStatusQuery& q);
// The report of selected order number `index` (from 0) of `total`.
[[nodiscard]] OutMsg mass_status_report(const InstrumentView& instruments, const OrderInfo& o,
                                        const std::string& req_id, std::size_t index, std::size_t total);

// ------------------------------------------------------------ TradingSessionStatusRequest (g)

struct SessionStatusQuery {
  std::string req_id;  // TradSesReqID (335), echoed when sent
  std::string only;    // Symbol (55), else TradingSessionID (336); empty: every instrument
};

// A TradingSessionStatus per instrument asked for; for an unknown one, 340=6 with 567=1.
[[nodiscard]] std::vector<OutMsg> trading_session_status(const SessionStatusQuery& q, const InstrumentView& instruments);
// An instrument's TradingSessionStatus (h): its session as the views hold it.
[[nodiscard]] OutMsg session_status(const InstrumentInfo& ins);

// ------------------------------------------------------------ SecurityListRequest (x)

struct SecurityListQuery {
  std::string req_id, type, subscription, symbol;  // 320, 559, 263, 55 as sent (empty: absent)
};

// 559=4 every instrument, 559=0 the one named by 55; always one message
// (893=Y). 560=1 for a request ERX does not offer, 560=2 for an unknown symbol.
[[nodiscard]] OutMsg security_list(const SecurityListQuery& q, const InstrumentView& instruments);

// ------------------------------------------------------------ MarketDataRequest (V)

struct MarketDataQuery {
  std::string req_id, subscription;                // 262, 263
  std::optional<std::string> depth, update_type;   // 264, 265
  std::optional<std::string> aggregated_book;      // 266
  std::vector<std::string> entry_types;            // 269 of the 267 group
  std::vector<std::string> symbols;                // 55 of the 146 group
};

// A MarketDataRequestReject (Y) when ERX does not offer what is asked
// (checked before any symbol is looked at), the MDReqID is already live
// (`duplicate`, for a subscription) or a symbol is unknown; nullopt when the
// request is answered (an unsubscription always is).
[[nodiscard]] std::optional<OutMsg> market_data_refusal(const MarketDataQuery& q, const InstrumentView& instruments,
                                                        bool duplicate);
// A full refresh (W) of one instrument: its top levels, the day's statistics
// and close; `rpt_seq` is the RptSeq of its last incremental entry (0: none),
// from which the increments after this snapshot continue.
[[nodiscard]] OutMsg market_data_snapshot(const InstrumentInfo& ins, const MarketView& market,
                                          const std::string& md_req_id, std::uint64_t rpt_seq);
// The fields of the day's volume entry (269=B): volume, turnover (CNY) and
// number of trades — in the snapshot and in the increments after a trade.
[[nodiscard]] std::vector<OutField> day_volume_fields(const InstrumentInfo& ins, const DayStats& d);

}  // namespace erx::gateway
