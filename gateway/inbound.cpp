#include "gateway/inbound.hpp"

#include <charconv>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_text.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::gateway {

namespace {

std::string field(const FIX::FieldMap& m, int t) { return m.isSetField(t) ? m.getField(t) : std::string(); }

// The reports of a request the gateway itself refuses (router.hpp builds them).
// ExecID "gw.reject.<ClOrdID>.<n>": unique per report (a ClOrdID refused
// twice gets two ExecIDs), never a digit first like the engine's.
OutMsg order_reject(const RequestInfo& r, int ord_rej_reason, const std::string& text) {
  return rejected_order_report(r, "gw.reject." + r.clord_id + "." + next_gateway_exec_serial(), ord_rej_reason, text);
}

// `order`: the member's order when the gateway knows it (its id and current
// status go in 37 and 39), else nullptr (37=NONE, 39=8).
OutMsg cancel_reject(const RequestInfo& r, const OrderInfo* order, int reason, const std::string& text) {
  return cancel_reject_report(r, order, reason, text);
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
  r.ord_type = field(m, tag::OrdType).empty() ? '2' : field(m, tag::OrdType)[0];
  r.tif = field(m, tag::TimeInForce).empty() ? '0' : field(m, tag::TimeInForce)[0];
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
  exchange::NewOrder o;
  o.op = member.op;
  if (!fits(o.clord_id, r.clord_id) || r.clord_id.empty()) return refuse(99, "ClOrdID must be 1 to 32 characters");
  if (!fits(o.symbol, r.symbol)) return refuse(1, "unknown symbol");
  if (r.side != '1' && r.side != '2') return refuse(11, "Side must be 1 (buy) or 2 (sell)");
  o.side = r.side == '1' ? exchange::Side::Buy : exchange::Side::Sell;
  if (r.ord_type != '1' && r.ord_type != '2') return refuse(11, "OrdType must be 1 (market) or 2 (limit)");
  o.type = r.ord_type == '1' ? exchange::OrderType::Market : exchange::OrderType::Limit;
  switch (r.tif) {
    case '0': o.tif = exchange::TimeInForce::Day; break;
    case '1': o.tif = exchange::TimeInForce::Gtc; break;
    case '3': o.tif = exchange::TimeInForce::Ioc; break;
    case '4': o.tif = exchange::TimeInForce::Fok; break;
    case '6': o.tif = exchange::TimeInForce::Gtd; break;
    default: return refuse(11, "TimeInForce must be 0, 1, 3, 4 or 6");
  }
  if (o.tif == exchange::TimeInForce::Gtd) {
    const std::string text = field(m, tag::ExpireTime);
    if (text.empty()) return refuse(99, "GTD needs ExpireTime (126)");
    const FixTime at = parse_fix_timestamp(text);
    if (!at.ok()) return refuse(99, "ExpireTime (126) is " + std::string(describe(at.status)));
    o.expire_at = at.ns;
  }
  const auto qty = exchange::parse_decimal(r.order_qty);
  if (!qty) return refuse(13, "OrderQty is not a decimal number");
  o.qty = *qty;
  if (o.type == exchange::OrderType::Limit || !r.price.empty()) {
    const auto price = exchange::parse_decimal(r.price.empty() ? "0" : r.price);
    if (!price) return refuse(99, "Price is not a decimal number");
    o.price = *price;
  }
  // SelfTradePreventionMode (5800): absent or 0 = the member's default; the
  // dictionary admits 0 to 5 only, and the engine's modes have the same numbers.
  if (const std::string stp = field(m, tag::SelfTradePreventionMode); !stp.empty()) {
    if (stp.size() != 1 || stp[0] < '0' || stp[0] > '5') return refuse(99, "SelfTradePreventionMode must be 0 to 5");
    o.stp = static_cast<exchange::StpMode>(stp[0] - '0');
  }
  const auto account = account_of(r.account, member);
  if (!account) return refuse(99, "Account must be an ERX account number");
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
  if (!fits(c.orig_clord_id, r.orig_clord_id) || !account) {
    in.reject = cancel_reject(r, orders.find(member.member, r.orig_clord_id), 1, "unknown order");
    return in;
  }
  // The request's own ClOrdID goes into the journal: its report echoes it.
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) {
    in.reject = cancel_reject(r, orders.find(member.member, r.orig_clord_id), 99, "ClOrdID must be 1 to 32 characters");
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
    in.reject = cancel_reject(r, o, code, text);
    return in;
  };
  exchange::ModifyOrder c;
  c.op = member.op;
  const auto account = account_of(r.account, member);
  if (!fits(c.orig_clord_id, r.orig_clord_id) || !account) return refuse(1, "unknown order");
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) return refuse(99, "ClOrdID must be 1 to 32 characters");
  c.account = *account;
  const auto price = exchange::parse_decimal(r.price);
  const auto total = exchange::parse_decimal(r.order_qty);
  if (!price || !total) return refuse(99, "Price and OrderQty must be decimal numbers");
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
    return refuse(99, "OrderQty does not fit the instrument's quantity scale");
  in.command = c;
  return in;
}

Inbound mass_cancel(const FIX::Message& m, const MemberSession& member) {
  Inbound in = begin(m, RequestInfo::Kind::MassCancel);
  RequestInfo& r = in.info;
  const std::string type = field(m, tag::MassCancelRequestType);
  r.mass_cancel_type = type == "1" ? 1 : type == "7" ? 7 : 0;
  // A refused mass cancel: 531=0 with MassCancelRejectReason (docs/FIX.md section 4).
  auto refuse = [&](const char* reason, const std::string& text) {
    OutMsg rep{"r", {}, {}};
    rep.set(tag::ClOrdID, r.clord_id).set(tag::OrderID, "NONE").set(tag::MassCancelRequestType, type)
        .set(tag::MassCancelResponse, "0").set(tag::MassCancelRejectReason, reason).set(tag::Text, text);
    in.reject = std::move(rep);
    return in;
  };
  exchange::MassCancel c;
  c.member = member.member;
  c.op = member.op;
  if (!fits(c.clord_id, r.clord_id) || r.clord_id.empty()) return refuse("99", "ClOrdID must be 1 to 32 characters");
  if (r.mass_cancel_type == 0) return refuse("99", "MassCancelRequestType must be 1 (by Symbol) or 7 (all orders)");
  if (r.mass_cancel_type == 1) {
    // An empty symbol would be every instrument: 530=1 needs the one it names.
    if (r.symbol.empty()) return refuse("99", "MassCancelRequestType 1 requires Symbol (55)");
    // Longer than any symbol: no such instrument (docs/FIX.md section 3).
    if (!fits(c.symbol, r.symbol)) return refuse("1", "unknown symbol");
  }
  // Account (1): only that account's orders; absent = every account of the
  // member. The engine checks that the account is the member's.
  if (!r.account.empty()) {
    const auto account = account_of(r.account, member);
    if (!account) return refuse("99", "Account must be an ERX account number");
    c.account = *account;
  }
  // Side (54): only that side; absent = both.
  if (r.side != 0) {
    if (r.side != '1' && r.side != '2') return refuse("99", "Side must be 1 (buy) or 2 (sell)");
    c.side = r.side == '1' ? exchange::Side::Buy : exchange::Side::Sell;
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
  const std::string seq = m.getHeader().isSetField(FIX::FIELD::MsgSeqNum) ? m.getHeader().getField(FIX::FIELD::MsgSeqNum) : "0";
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

OutMsg session_status(const InstrumentInfo& ins) {
  OutMsg m{"h", {}, {}};
  const char* status = trad_ses_status(ins.session);
  m.set(tag::TradingSessionID, std::string(ins.spec.symbol.view())).set(tag::TradSesStatus, status)
      .set(tag::Symbol, std::string(ins.spec.symbol.view()));
  return m;
}

const char* trad_ses_status(exchange::SessionState s) {
  switch (s) {
    case exchange::SessionState::Continuous: return "2";
    case exchange::SessionState::Halted: return "1";
    case exchange::SessionState::PreOpen: return "4";
    case exchange::SessionState::Closed: return "3";
  }
  return "3";
}

namespace {

std::string decimal_text(const exchange::Decimal& d) { return format_fixed(d.units, d.scale); }

// One SecurityList entry: the standard fields, then ERX's InstrumentAttributes
// (custom tags 5810-5830, docs/FIX.md).
std::vector<OutField> instrument_fields(const InstrumentInfo& ins) {
  const exchange::InstrumentSpec& s = ins.spec;
  std::vector<OutField> f{{tag::Symbol, std::string(s.symbol.view())},
                          {tag::Currency, "CNY"},
                          {561, decimal_text(s.lot)},
                          {562, decimal_text(s.continuous.min_qty)},
                          {5810, std::to_string(static_cast<int>(s.right_class))},
                          {5811, std::string(s.unit.view())}};
  auto text = [&](int t, std::string_view v) {
    if (!v.empty()) f.push_back({t, std::string(v)});
  };
  auto number = [&](int t, std::int64_t v) {
    if (v != 0) f.push_back({t, std::to_string(v)});
  };
  number(5812, s.vintage);
  text(5813, s.project_id.view());
  text(5814, s.pollutant.view());
  text(5815, s.region.view());
  text(5816, s.basin.view());
  number(5817, s.term_years);
  number(5818, s.compliance_year);
  number(5819, static_cast<int>(s.water_type));
  f.push_back({5820, std::to_string(static_cast<int>(s.price_unit))});
  f.push_back({5821, std::to_string(static_cast<int>(s.price_scale))});
  f.push_back({5822, std::to_string(static_cast<int>(s.qty_scale))});
  f.push_back({5823, decimal_text(s.tick)});
  f.push_back({5824, decimal_text(s.continuous.max_qty)});
  f.push_back({5825, std::to_string(s.continuous.band_bps)});
  if (ins.reference != 0) f.push_back({5826, format_price(ins, ins.reference)});
  if (ins.band_hi != 0) {
    f.push_back({5827, format_price(ins, ins.band_lo)});
    f.push_back({5828, format_price(ins, ins.band_hi)});
  }
  f.push_back({5829, std::to_string(static_cast<int>(s.eligibility))});
  if (s.holding_limit.units != 0) f.push_back({5830, decimal_text(s.holding_limit)});
  if (s.last_trading_date != 0) f.push_back({5831, std::to_string(s.last_trading_date)});  // YYYYMMDD
  f.push_back({tag::TradSesStatus, trad_ses_status(ins.session)});
  return f;
}

}  // namespace

// 559=4 every instrument, 559=0 the one named by 55; always one message
// (893=Y). 560=1 for a request ERX does not offer, 560=2 for an unknown symbol.
OutMsg security_list(const FIX::Message& request, const InstrumentView& instruments) {
  OutMsg m{"y", {}, {}};
  const std::string req = field(request, tag::SecurityReqID);
  const std::string type = field(request, tag::SecurityListRequestType);
  const std::string sub = field(request, tag::SubscriptionRequestType);
  const std::string symbol = field(request, tag::Symbol);
  m.set(tag::SecurityReqID, req).set(tag::SecurityResponseID, "SL." + req);
  const auto answer = [&](const char* result, std::vector<const InstrumentInfo*> listed) {
    m.set(tag::SecurityRequestResult, result).set(tag::TotNoRelatedSym, std::to_string(listed.size()))
        .set(tag::LastFragment, "Y");
    OutGroup g{tag::NoRelatedSym, tag::Symbol, {}};
    for (const InstrumentInfo* ins : listed) g.entries.push_back(instrument_fields(*ins));
    m.groups.push_back(std::move(g));
    return m;
  };
  if ((type != "0" && type != "4") || (!sub.empty() && sub != "0") || (type == "0" && symbol.empty())) {
    m.set(tag::Text, "ERX offers 559=4 (all instruments) or 559=0 with Symbol, as a snapshot (263=0)");
    return answer("1", {});
  }
  if (type == "0") {
    const InstrumentInfo* ins = instruments.find(symbol);
    if (ins == nullptr) {
      m.set(tag::Text, "unknown symbol " + symbol);
      return answer("2", {});
    }
    return answer("0", {ins});
  }
  std::vector<const InstrumentInfo*> all;
  for (const auto& [id, ins] : instruments.all()) all.push_back(&ins);
  return answer("0", std::move(all));
}

}  // namespace erx::gateway
