#pragma once
// What the gateway remembers of a member's FIX request while its command goes
// through the sequencer: made by inbound translation (inbound.hpp) or, at
// recovery, from the committed command alone (router.hpp request_info), and
// read by the router to answer it. Plain data: no QuickFIX, no router.

#include <cstdint>
#include <string>

#include "engine/exchange/basic_types.hpp"
#include "gateway/latency_probe.hpp"

namespace erx::gateway {

// A configured FIX session (its index in the gateway's table).
using SlotId = std::uint32_t;
inline constexpr SlotId kNoSlot = UINT32_MAX;

// The FIX request a command came from, to answer it (rejects carry the
// request's own fields, as sent).
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

// MsgType (35) of the request a RequestInfo stands for.
[[nodiscard]] constexpr const char* request_msg_type(RequestInfo::Kind k) {
  switch (k) {
    case RequestInfo::Kind::NewOrder: return "D";
    case RequestInfo::Kind::Cancel: return "F";
    case RequestInfo::Kind::Replace: return "G";
    case RequestInfo::Kind::MassCancel:
    case RequestInfo::Kind::Internal: break;
  }
  return "q";
}

}  // namespace erx::gateway
