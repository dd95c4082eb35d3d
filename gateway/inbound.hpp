#pragma once
// Members' requests, as FIX messages, into engine commands (or into a reject
// the gateway sends itself, when the request cannot even be expressed as a
// command: a ClOrdID too long, a side or order type ERX does not have, a
// number that does not parse), and queries into the plain requests that
// query_answers.hpp answers. Also the throttle and business rejects. The one
// part of the FIX boundary that reads QuickFIX messages; how each value maps
// is fix_mapping.hpp's.

#include <chrono>
#include <optional>
#include <string>

#include "engine/exchange/commands.hpp"
#include "gateway/config.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/query_answers.hpp"
#include "gateway/quickfix.hpp"
#include "gateway/request.hpp"
#include "gateway/views.hpp"

namespace erx::gateway {

struct Inbound {
  std::optional<exchange::CommandBody> command;
  std::optional<OutMsg> reject;
  RequestInfo info;
};

// NewOrderSingle D and OrderMassCancelRequest q: they read no view, so the
// gateway translates them without taking the views' lock (the order-entry
// path does not wait for the router).
[[nodiscard]] Inbound translate_entry(const FIX::Message& m, const std::string& type, const MemberSession& member);
// OrderCancelRequest F and OrderCancelReplaceRequest G: they name an order by
// its ClOrdID, found in `orders` (whose executed quantity a replace also
// needs: FIX's OrderQty is the new total, the engine takes the open quantity).
[[nodiscard]] Inbound translate_amend(const FIX::Message& m, const std::string& type, const MemberSession& member,
                                      const OrderView& orders, const InstrumentView& instruments);

// A BusinessMessageReject (j) of message `m` of MsgType `type`; `reason` is
// its BusinessRejectReason (380).
[[nodiscard]] OutMsg business_reject(const FIX::Message& m, const std::string& type, int reason, const std::string& text);

// The queries, as query_answers.hpp takes them (fields as sent).
[[nodiscard]] OrderStatusQuery order_status_query(const FIX::Message& m);          // H
[[nodiscard]] MassStatusQuery mass_status_query(const FIX::Message& m);            // AF
[[nodiscard]] SessionStatusQuery session_status_query(const FIX::Message& m);      // g
[[nodiscard]] SecurityListQuery security_list_query(const FIX::Message& m);        // x
[[nodiscard]] MarketDataQuery market_data_query(const FIX::Message& m);            // V

// Application messages per fixed window: over `limit` rejected, over
// `limit × logout_multiple` the session is logged out.
class Throttle {
 public:
  enum class Verdict { Ok, Reject, Logout };
  Throttle() = default;
  Throttle(std::uint32_t limit, std::uint32_t window_ms, std::uint32_t logout_multiple)
      : limit_(limit), window_(std::chrono::milliseconds(window_ms)), logout_at_(limit * logout_multiple) {}
  Verdict admit(std::chrono::steady_clock::time_point now) {
    if (now - window_start_ >= window_) {
      window_start_ = now;
      count_ = 0;
    }
    ++count_;
    if (count_ > logout_at_) return Verdict::Logout;
    return count_ > limit_ ? Verdict::Reject : Verdict::Ok;
  }

 private:
  std::uint32_t limit_ = 200;
  std::chrono::steady_clock::duration window_ = std::chrono::seconds(1);
  std::uint32_t logout_at_ = 1000;
  std::chrono::steady_clock::time_point window_start_{};
  std::uint32_t count_ = 0;
};

}  // namespace erx::gateway
