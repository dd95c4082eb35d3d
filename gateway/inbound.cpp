#include "gateway/inbound.hpp"

#include <charconv>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/fixed/decimal.hpp"
#include "gateway/fix_mapping.hpp"
#include "gateway/fix_time.hpp"
#include "gateway/reports.hpp"

namespace erx::gateway {

namespace {

std::string field(const FIX::FieldMap& m, int t) { return m.isSetField(t) ? m.getField(t) : std::string(); }
std::optional<std::string> optional_field(const FIX::FieldMap& m, int t) {
  return m.isSetField(t) ? std::optional<std::string>(m.getField(t)) : std::nullopt;
}

// The report of a new order the gateway itself refuses (reports.hpp).
// ExecID "gw.reject.<ClOrdID>.<n>": unique per report (a ClOrdID refused
// twice gets two ExecIDs), never a digit first like the engine's.
OutMsg order_reject(const RequestInfo& r, int ord_rej_reason, const std::string& text) {
  return rejected_order_report(r, "gw.reject." + r.clord_id + "." + next_gateway_exec_serial(), ord_rej_reason, text);
}

template <std::size_t N>
bool fits(exchange::FixedString<N>& out, const std::string& s) {
  return out.assign(s);
}

std::optional<exchange::AccountId> account_of(const std::string& text, const MemberSession& member) {
  if (text.empty()) return member.account;
  exchange::AccountId a = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), a);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || a == 0) return std::nullopt;
  return a;
}

// The request's own fields, as sent (what its reject reports echo).
Inbound begin(const FIX::Message& m, RequestInfo::Kind kind) {
  Inbound in;
  RequestInfo& r = in.info;
  r.kind = kind;
  r.clord_id = field(m, tag::ClOrdID);
  r.orig_clord_id = field(m, tag::OrigClOrdID);
  r.symbol = field(m, tag::Symbol);
  r.side = field(m, tag::Side).empty() ? 0 : field(m, tag::Side)[0];
  r.order_qty = field(m, tag::OrderQty);
  r.price = field(m, tag::Price);
  // Absent: a limit order, for the day.
  r.ord_type = field(m, tag::OrdType).empty() ? kOrdType.code_char(OrderType::Limit) : field(m, tag::OrdType)[0];
  r.tif = field(m, tag::TimeInForce).empty() ? kTimeInForce.code_char(TimeInForce::Day) : field(m, tag::TimeInForce)[0];
  r.account = field(m, tag::Account);
  return in;
}

Inbound new_order(const FIX::Message& m, const MemberSession& member) {
  Inbound in = begin(m, RequestInfo::Kind::NewOrder);
  RequestInfo& r = in.info;
  auto refuse = [&](int code, const std::string& text) {
    in.reject = order_reject(r, code, text);
    return in;
  };
  using namespace ord_rej_reason;
  exchange::NewOrder o;
  o.op = member.op;
  if (!fits(o.clord_id, r.clord_id) || r.clord_id.empty()) return refuse(Other, "ClOrdID must be 1 to 32 characters");
  if (!fits(o.symbol, r.symbol)) return refuse(UnknownSymbol, "unknown symbol");
  const auto side = kSide.parse(r.side);
  if (!side) return refuse(UnsupportedOrderCharacteristic, "Side must be 1 (buy) or 2 (sell)");
  o.side = *side;
  const auto type = kOrdType.parse(r.ord_type);
  if (!type) return refuse(UnsupportedOrderCharacteristic, "OrdType must be 1 (market) or 2 (limit)");
  o.type = *type;
  const auto tif = kTimeInForce.parse(r.tif);
  if (!tif) return refuse(UnsupportedOrderCharacteristic, "TimeInForce must be 0, 1, 3, 4 or 6");
  o.tif = *tif;
  if (o.tif == exchange::TimeInForce::Gtd) {
    const std::string text = field(m, tag::ExpireTime);
    if (text.empty()) return refuse(Other, "GTD needs ExpireTime (126)");
    const FixTime at = parse_fix_timestamp(text);
    if (!at.ok()) return refuse(Other, "ExpireTime (126) is " + std::string(describe(at.status)));
    o.expire_at = at.ns;
  }
  const auto qty = exchange::parse_decimal(r.order_qty);
  if (!qty) return refuse(IncorrectQuantity, "OrderQty is not a decimal number");
  o.qty = *qty;
  if (o.type == exchange::OrderType::Limit || !r.price.empty()) {
    const auto price = exchange::parse_decimal(r.price.empty() ? "0" : r.price);
    if (!price) return refuse(Other, "Price is not a decimal number");
    o.price = *price;
  }
  // SelfTradePreventionMode (5800): absent or 0 = the member's default.
  if (const std::string stp = field(m, tag::SelfTradePreventionMode); !stp.empty()) {
    const auto mode = kStpMode.parse(stp);
    if (!mode) return refuse(Other, "SelfTradePreventionMode must be 0 to 5");
    o.stp = *mode;
  }
  const auto account = account_of(r.account, member);
  if (!account) return refuse(Other, "Account must be an ERX account number");
  o.account = *account;
  in.command = o;
  return in;
}

Inbound cancel(const FIX::Message& m, const MemberSession& member, const OrderView& orders) {
  Inbound in = begin(m, RequestInfo::Kind::Cancel);
  RequestInfo& r = in.info;
  exchange::CancelOrder c;
  c.op = member.op;
  const auto account = account_of(r.account, member);
  // The member's order when the gateway knows it: its id and current status
  // go in 37 and 39 (else 37=NONE, 39=8).
  if (!fits(c.orig_clord_id, r.orig_clord_id) || !account) {
    in.reject = cancel_reject_report(r, orders.find(member.member, r.orig_clord_id), cxl_rej_reason::UnknownOrder,
                                     "unknown order");
    return in;
  }
  // The request's own ClOrdID goes into the journal: its report echoes it.
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) {
    in.reject = cancel_reject_report(r, orders.find(member.member, r.orig_clord_id), cxl_rej_reason::Other,
                                     "ClOrdID must be 1 to 32 characters");
    return in;
  }
  c.account = *account;
  in.command = c;
  return in;
}

Inbound replace(const FIX::Message& m, const MemberSession& member, const OrderView& orders,
                const InstrumentView& instruments) {
  Inbound in = begin(m, RequestInfo::Kind::Replace);
  RequestInfo& r = in.info;
  // The member's order, when the gateway knows it: a refusal reports its id
  // and current status (docs/FIX.md section 6).
  const OrderInfo* o = orders.find(member.member, r.orig_clord_id);
  auto refuse = [&](int code, const std::string& text) {
    in.reject = cancel_reject_report(r, o, code, text);
    return in;
  };
  using namespace cxl_rej_reason;
  exchange::ModifyOrder c;
  c.op = member.op;
  const auto account = account_of(r.account, member);
  if (!fits(c.orig_clord_id, r.orig_clord_id) || !account) return refuse(UnknownOrder, "unknown order");
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) return refuse(Other, "ClOrdID must be 1 to 32 characters");
  c.account = *account;
  const auto price = exchange::parse_decimal(r.price);
  const auto total = exchange::parse_decimal(r.order_qty);
  if (!price || !total) return refuse(Other, "Price and OrderQty must be decimal numbers");
  c.price = *price;
  // FIX's OrderQty is the new total. The engine subtracts the executed
  // quantity when it applies the modify (the views here may not have seen
  // the latest fill yet) and refuses a total not above it
  // (qty-not-above-executed, 102=99).
  c.qty = *total;
  c.qty_is_total = true;
  // The quantity scale cannot change, so the view can check the fit.
  const InstrumentInfo* ins = o ? instruments.find(o->instrument) : nullptr;
  if (ins != nullptr && !parse_fixed(r.order_qty, ins->qty_scale()).ok())
    return refuse(Other, "OrderQty does not fit the instrument's quantity scale");
  in.command = c;
  return in;
}

Inbound mass_cancel(const FIX::Message& m, const MemberSession& member) {
  Inbound in = begin(m, RequestInfo::Kind::MassCancel);
  RequestInfo& r = in.info;
  const std::string type = field(m, tag::MassCancelRequestType);
  r.mass_cancel_type = 0;  // neither 1 (by Symbol) nor 7 (all orders)
  for (const int t : {mass_cancel_request_type::BySymbol, mass_cancel_request_type::AllOrders})
    if (type == std::to_string(t)) r.mass_cancel_type = t;
  // A refused mass cancel: 531=0 with MassCancelRejectReason (docs/FIX.md
  // section 4), echoing the request type as sent.
  auto refuse = [&](std::string_view reason, const std::string& text) {
    in.reject = mass_cancel_reject_report(r, type, std::string(reason), text);
    return in;
  };
  using namespace mass_cancel_reject_reason;
  exchange::MassCancel c;
  c.member = member.member;
  c.op = member.op;
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) return refuse(Other, "ClOrdID must be 1 to 32 characters");
  if (r.mass_cancel_type == 0) return refuse(Other, "MassCancelRequestType must be 1 (by Symbol) or 7 (all orders)");
  if (r.mass_cancel_type == mass_cancel_request_type::BySymbol) {
    // An empty symbol would be every instrument: 530=1 needs the one it names.
    if (r.symbol.empty()) return refuse(Other, "MassCancelRequestType 1 requires Symbol (55)");
    // Longer than any symbol: no such instrument (docs/FIX.md section 3).
    if (!fits(c.symbol, r.symbol)) return refuse(UnknownSecurity, "unknown symbol");
  }
  // Account (1): only that account's orders; absent = every account of the
  // member. The engine checks that the account is the member's.
  if (!r.account.empty()) {
    const auto account = account_of(r.account, member);
    if (!account) return refuse(Other, "Account must be an ERX account number");
    c.account = *account;
  }
  // Side (54): only that side; absent = both.
  if (r.side != 0) {
    const auto side = kSide.parse(r.side);
    if (!side) return refuse(Other, "Side must be 1 (buy) or 2 (sell)");
    c.side = *side;
  }
  in.command = c;
  return in;
}

}  // namespace

Inbound translate_entry(const FIX::Message& m, const std::string& type, const MemberSession& member) {
  ERX_ASSERT(type == "D" || type == "q");
  return type == "D" ? new_order(m, member) : mass_cancel(m, member);
}

Inbound translate_amend(const FIX::Message& m, const std::string& type, const MemberSession& member,
                        const OrderView& orders, const InstrumentView& instruments) {
  ERX_ASSERT(type == "F" || type == "G");
  return type == "F" ? cancel(m, member, orders) : replace(m, member, orders, instruments);
}

OutMsg business_reject(const FIX::Message& m, const std::string& type, int reason, const std::string& text) {
  OutMsg r{"j", {}, {}};
  const std::string seq = m.getHeader().isSetField(tag::MsgSeqNum) ? m.getHeader().getField(tag::MsgSeqNum) : "0";
  r.set(tag::RefSeqNum, seq).set(tag::RefMsgType, type);
  // BusinessRejectRefID: the message's ClOrdID, else whichever request id it carries.
  for (const int id_tag : {tag::ClOrdID, tag::MDReqID, tag::SecurityReqID, tag::TradSesReqID, tag::MassStatusReqID,
                           tag::OrdStatusReqID}) {
    if (m.isSetField(id_tag)) {
      r.set(tag::BusinessRejectRefID, m.getField(id_tag));
      break;
    }
  }
  r.set(tag::BusinessRejectReason, std::to_string(reason)).set(tag::Text, text);
  return r;
}

OrderStatusQuery order_status_query(const FIX::Message& m) {
  return {field(m, tag::ClOrdID), field(m, tag::Symbol), field(m, tag::Side), optional_field(m, tag::OrdStatusReqID)};
}

MassStatusQuery mass_status_query(const FIX::Message& m) {
  return {field(m, tag::MassStatusReqID), field(m, tag::MassStatusReqType), field(m, tag::Account),
          field(m, tag::Symbol), field(m, tag::Side)};
}

// The instrument named by Symbol (55), else by TradingSessionID (336).
SessionStatusQuery session_status_query(const FIX::Message& m) {
  SessionStatusQuery q{field(m, tag::TradSesReqID), field(m, tag::Symbol)};
  if (q.only.empty()) q.only = field(m, tag::TradingSessionID);
  return q;
}

SecurityListQuery security_list_query(const FIX::Message& m) {
  return {field(m, tag::SecurityReqID), field(m, tag::SecurityListRequestType), field(m, tag::SubscriptionRequestType),
          field(m, tag::Symbol)};
}

MarketDataQuery market_data_query(const FIX::Message& m) {
  MarketDataQuery q;
  q.req_id = field(m, tag::MDReqID);
  q.subscription = field(m, tag::SubscriptionRequestType);
  q.depth = optional_field(m, tag::MarketDepth);
  q.update_type = optional_field(m, tag::MDUpdateType);
  q.aggregated_book = optional_field(m, tag::AggregatedBook);
  const std::size_t types = m.groupCount(tag::NoMDEntryTypes);
  for (std::size_t i = 1; i <= types; ++i) {
    FIX::Group g(tag::NoMDEntryTypes, tag::MDEntryType);
    m.getGroup(static_cast<unsigned>(i), g);
    q.entry_types.push_back(field(g, tag::MDEntryType));
  }
  const std::size_t symbols = m.groupCount(tag::NoRelatedSym);
  for (std::size_t i = 1; i <= symbols; ++i) {
    FIX::Group g(tag::NoRelatedSym, tag::Symbol);
    m.getGroup(static_cast<unsigned>(i), g);
    q.symbols.push_back(field(g, tag::Symbol));
  }
  return q;
}

}  // namespace erx::gateway
