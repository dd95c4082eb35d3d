#pragma once
// Members' requests, as FIX messages, into engine commands (or into a reject
// the gateway sends itself, when the request cannot even be expressed as a
// command: a ClOrdID too long, a side or order type ERX does not have, a
// number that does not parse). Also the throttle and the small replies built
// from the views (security list, session status, business rejects).

#include <chrono>
#include <optional>
#include <string>

#include "engine/exchange/commands.hpp"
#include "gateway/config.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/quickfix.hpp"
#include "gateway/router.hpp"
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

[[nodiscard]] OutMsg business_reject(const FIX::Message& m, const std::string& type, int reason, const std::string& text);
[[nodiscard]] OutMsg security_list(const FIX::Message& request, const InstrumentView& instruments);
[[nodiscard]] OutMsg session_status(const InstrumentInfo& ins);
// TradSesStatus(340) of an engine session state: 2 open, 1 halted, 4 pre-open, 3 closed.
[[nodiscard]] const char* trad_ses_status(exchange::SessionState s);

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
