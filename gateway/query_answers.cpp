#include "gateway/query_answers.hpp"

#include "gateway/fix_mapping.hpp"
#include "gateway/fix_time.hpp"
#include "gateway/reports.hpp"

namespace erx::gateway {

namespace {

// A status answer about no order (150=I 39=8 37=NONE): an unknown ClOrdID, or
// a mass status request that matches nothing.
OutMsg no_order_status(const std::string& symbol, const std::string& side, const std::string& text) {
  OutMsg r{"8", {}, {}};
  r.set(tag::OrderID, "NONE").set(tag::ExecID, "gw." + next_gateway_exec_serial())
      .set(tag::ExecType, kExecType.code(ExecType::OrderStatus)).set(tag::OrdStatus, kOrdStatus.code(OrderStatus::Rejected))
      .set(tag::Symbol, symbol).set(tag::Side, side).set(tag::LeavesQty, "0")
      .set(tag::CumQty, "0").set(tag::AvgPx, "0").set(tag::Text, text);
  return r;
}

// The Side a status answer about no order shows: the request's, else a buy.
std::string side_or_buy(const std::string& side) { return side.empty() ? kSide.text(Side::Buy) : side; }

}  // namespace

// ------------------------------------------------------------ order status

OutMsg order_status_report(const InstrumentView& instruments, const OrderInfo& o) {
  return order_report(instruments, o, "status." + std::to_string(o.id) + "." + next_gateway_exec_serial(),
                      ExecType::OrderStatus);
}

OutMsg order_status(const OrderStatusQuery& q, exchange::MemberId member, const OrderView& orders,
                    const InstrumentView& instruments) {
  OutMsg r;
  if (const OrderInfo* o = orders.find(member, q.clord_id)) {
    r = order_status_report(instruments, *o);
  } else {
    r = no_order_status(q.symbol, side_or_buy(q.side), "unknown order");
    r.set(tag::ClOrdID, q.clord_id).set(tag::OrdRejReason, std::to_string(ord_rej_reason::UnknownOrder));
  }
  // The request's id is echoed whether the order is known or not (FIX).
  if (q.req_id) r.set(tag::OrdStatusReqID, *q.req_id);
  return r;
}

// ------------------------------------------------------------ mass status

std::optional<std::string_view> mass_status_refusal(const MassStatusQuery& q) {
  if (q.type == mass_status_req_type::BySymbol && q.symbol.empty()) return "MassStatusReqType 1 requires Symbol (55)";
  return std::nullopt;
}

std::vector<OrderInfo> mass_status_orders(const MassStatusQuery& q, exchange::MemberId member, const OrderView& orders,
                                          const InstrumentView& instruments) {
  std::vector<OrderInfo> selected;
  for (const OrderInfo* o : orders.of(member, true)) {
    if (!q.account.empty() && std::to_string(o->account) != q.account) continue;
    if (!q.side.empty() && kSide.code(o->side) != q.side) continue;
    if (!q.symbol.empty()) {
      const InstrumentInfo* ins = instruments.find(o->instrument);
      if (ins == nullptr || ins->spec.symbol.view() != q.symbol) continue;
    }
    selected.push_back(*o);
  }
  return selected;
}

OutMsg mass_status_none(const MassStatusQuery& q) {
  OutMsg r = no_order_status(q.symbol.empty() ? "NONE" : q.symbol, side_or_buy(q.side), "no matching orders");
  r.set(tag::MassStatusReqID, q.req_id).set(tag::TotNumReports, "0").set(tag::LastRptRequested, yes_no::Yes);
  if (!q.account.empty()) r.set(tag::Account, q.account);
  return r;
}

OutMsg mass_status_report(const InstrumentView& instruments, const OrderInfo& o, const std::string& req_id,
                          std::size_t index, std::size_t total) {
  ERX_ASSERT(index < total);
  OutMsg r = order_status_report(instruments, o);
  r.set(tag::MassStatusReqID, req_id).set(tag::TotNumReports, std::to_string(total));
  if (index + 1 == total) r.set(tag::LastRptRequested, yes_no::Yes);
  return r;
}

// ------------------------------------------------------------ trading session status

OutMsg session_status(const InstrumentInfo& ins) {
  OutMsg m{"h", {}, {}};
  m.set(tag::TradingSessionID, std::string(ins.spec.symbol.view())).set(tag::TradSesStatus, kTradSesStatus.code(ins.session))
      .set(tag::Symbol, std::string(ins.spec.symbol.view()));
  return m;
}

std::vector<OutMsg> trading_session_status(const SessionStatusQuery& q, const InstrumentView& instruments) {
  std::vector<OutMsg> answers;
  if (!q.only.empty() && instruments.find(q.only) == nullptr) {
    OutMsg r{"h", {}, {}};
    r.set(tag::TradSesReqID, q.req_id).set(tag::TradingSessionID, q.only)
        .set(tag::TradSesStatus, trad_ses_status::RequestRejected)
        .set(tag::TradSesStatusRejReason, trad_ses_status_rej_reason::UnknownOrInvalidTradingSessionID)
        .set(tag::Text, "unknown symbol " + q.only);
    answers.push_back(std::move(r));
    return answers;
  }
  for (const auto& [id, ins] : instruments.all()) {
    if (!q.only.empty() && ins.spec.symbol.view() != q.only) continue;
    OutMsg r = session_status(ins);
    if (!q.req_id.empty()) r.set(tag::TradSesReqID, q.req_id);
    answers.push_back(std::move(r));
  }
  return answers;
}

// ------------------------------------------------------------ security list

namespace {

// One SecurityList entry: the standard fields, then ERX's InstrumentAttributes
// (custom tags 5810-5831, docs/FIX.md).
std::vector<OutField> instrument_fields(const InstrumentInfo& ins) {
  const exchange::InstrumentSpec& s = ins.spec;
  std::vector<OutField> f{{tag::Symbol, std::string(s.symbol.view())},
                          {tag::Currency, "CNY"},
                          {tag::RoundLot, decimal_text(s.lot)},
                          {tag::MinTradeVol, decimal_text(s.continuous.min_qty)},
                          {tag::RightClass, kRightClass.text(s.right_class)},
                          {tag::QuantityUnit, std::string(s.unit.view())}};
  auto text = [&](int t, std::string_view v) {
    if (!v.empty()) f.push_back({t, std::string(v)});
  };
  auto number = [&](int t, std::int64_t v) {
    if (v != 0) f.push_back({t, std::to_string(v)});
  };
  number(tag::Vintage, s.vintage);
  text(tag::ProjectID, s.project_id.view());
  text(tag::Pollutant, s.pollutant.view());
  text(tag::Region, s.region.view());
  text(tag::Basin, s.basin.view());
  number(tag::TermYears, s.term_years);
  number(tag::ComplianceYear, s.compliance_year);
  if (s.water_type != exchange::WaterRightType::None) text(tag::WaterRightType, kWaterRightType.code(s.water_type));
  f.push_back({tag::PriceUnitType, kPriceUnitType.text(s.price_unit)});
  f.push_back({tag::PriceScale, std::to_string(static_cast<int>(s.price_scale))});
  f.push_back({tag::QtyScale, std::to_string(static_cast<int>(s.qty_scale))});
  f.push_back({tag::TickSize, decimal_text(s.tick)});
  f.push_back({tag::MaxOrderQty, decimal_text(s.continuous.max_qty)});
  f.push_back({tag::PriceBandBps, std::to_string(s.continuous.band_bps)});
  if (ins.reference != 0) f.push_back({tag::ReferencePrice, format_price(ins, ins.reference)});
  if (ins.band_hi != 0) {
    f.push_back({tag::BandLowPrice, format_price(ins, ins.band_lo)});
    f.push_back({tag::BandHighPrice, format_price(ins, ins.band_hi)});
  }
  f.push_back({tag::Eligibility, kEligibility.text(s.eligibility)});
  if (s.holding_limit.units != 0) f.push_back({tag::HoldingLimit, decimal_text(s.holding_limit)});
  if (s.last_trading_date != 0) f.push_back({tag::LastTradingDate, std::to_string(s.last_trading_date)});  // YYYYMMDD
  f.push_back({tag::TradSesStatus, kTradSesStatus.text(ins.session)});
  return f;
}

}  // namespace

OutMsg security_list(const SecurityListQuery& q, const InstrumentView& instruments) {
  OutMsg m{"y", {}, {}};
  m.set(tag::SecurityReqID, q.req_id).set(tag::SecurityResponseID, "SL." + q.req_id);
  const auto answer = [&](std::string_view result, std::vector<const InstrumentInfo*> listed) {
    m.set(tag::SecurityRequestResult, result).set(tag::TotNoRelatedSym, std::to_string(listed.size()))
        .set(tag::LastFragment, yes_no::Yes);
    OutGroup g{tag::NoRelatedSym, tag::Symbol, {}};
    for (const InstrumentInfo* ins : listed) g.entries.push_back(instrument_fields(*ins));
    m.groups.push_back(std::move(g));
    return m;
  };
  const bool by_symbol = q.type == security_list_request_type::Symbol;
  const bool offered = (by_symbol || q.type == security_list_request_type::AllSecurities) &&
                       (q.subscription.empty() || q.subscription == subscription_request_type::Snapshot) &&
                       !(by_symbol && q.symbol.empty());
  if (!offered) {
    m.set(tag::Text, "ERX offers 559=4 (all instruments) or 559=0 with Symbol, as a snapshot (263=0)");
    return answer(security_request_result::InvalidRequest, {});
  }
  if (by_symbol) {
    const InstrumentInfo* ins = instruments.find(q.symbol);
    if (ins == nullptr) {
      m.set(tag::Text, "unknown symbol " + q.symbol);
      return answer(security_request_result::NoInstrumentsFound, {});
    }
    return answer(security_request_result::Valid, {ins});
  }
  std::vector<const InstrumentInfo*> all;
  for (const auto& [id, ins] : instruments.all()) all.push_back(&ins);
  return answer(security_request_result::Valid, std::move(all));
}

// ------------------------------------------------------------ market data

namespace {

// What ERX's market data offers (docs/FIX.md "Market data"): the reason a
// request asks for something else, if it does.
std::optional<std::string_view> unsupported_md(const MarketDataQuery& q) {
  using namespace md_req_rej_reason;
  using namespace subscription_request_type;
  if (q.subscription != Snapshot && q.subscription != Subscribe && q.subscription != Unsubscribe)
    return UnsupportedSubscriptionRequestType;
  if (q.depth && (q.depth->size() != 1 || (*q.depth)[0] < '0' || (*q.depth)[0] > '0' + kMaxMarketDepth))
    return UnsupportedMarketDepth;
  if (q.update_type && *q.update_type != md_update_type::Incremental) return UnsupportedMdUpdateType;
  if (q.aggregated_book && *q.aggregated_book != yes_no::Yes) return UnsupportedAggregatedBook;
  for (const std::string& t : q.entry_types)
    if (!kMdEntryType.parse(t)) return UnsupportedMdEntryType;
  return std::nullopt;
}

OutMsg md_reject(const MarketDataQuery& q, std::string_view reason, std::string text) {
  OutMsg r{"Y", {}, {}};
  r.set(tag::MDReqID, q.req_id).set(tag::MDReqRejReason, reason).set(tag::Text, std::move(text));
  return r;
}

}  // namespace

std::optional<OutMsg> market_data_refusal(const MarketDataQuery& q, const InstrumentView& instruments, bool duplicate) {
  if (const auto reason = unsupported_md(q)) return md_reject(q, *reason, "not offered by ERX (docs/FIX.md)");
  if (q.subscription == subscription_request_type::Unsubscribe) return std::nullopt;
  // MDReqID is unique among the session's live subscriptions: a second one
  // would double every increment under one id.
  if (q.subscription == subscription_request_type::Subscribe && duplicate)
    return md_reject(q, md_req_rej_reason::DuplicateMdReqId,
                     "duplicate MDReqID: a subscription with this id is live (unsubscribe it with 263=2 first)");
  for (const std::string& sym : q.symbols)
    if (instruments.find(sym) == nullptr) return md_reject(q, md_req_rej_reason::UnknownSymbol, "unknown symbol " + sym);
  return std::nullopt;
}

std::vector<OutField> day_volume_fields(const InstrumentInfo& ins, const DayStats& d) {
  return {{tag::MDEntrySize, format_qty(ins, d.volume)}, {tag::Turnover, format_cash(d.turnover)},
          {tag::NumberOfTrades, std::to_string(d.trades)}};
}

OutMsg market_data_snapshot(const InstrumentInfo& ins, const MarketView& market, const std::string& md_req_id,
                            std::uint64_t rpt_seq) {
  OutMsg m{"W", {}, {}};
  m.set(tag::MDReqID, md_req_id).set(tag::Symbol, std::string(ins.spec.symbol.view()));
  m.set(tag::RptSeq, std::to_string(rpt_seq));
  OutGroup g{tag::NoMDEntries, tag::MDEntryType, {}};
  auto entry = [&](MdEntryType type, Price px, std::optional<Qty> qty) -> std::vector<OutField>& {
    std::vector<OutField> e{{tag::MDEntryType, kMdEntryType.text(type)}, {tag::MDEntryPx, format_price(ins, px)}};
    if (qty) e.push_back({tag::MDEntrySize, format_qty(ins, *qty)});
    g.entries.push_back(std::move(e));
    return g.entries.back();
  };
  // Levels best first: MDEntryPositionNo 1..5 per side, and the orders resting there.
  for (const Side side : {Side::Buy, Side::Sell}) {
    int position = 0;
    for (const Level& l : market.top(ins.id, side)) {
      std::vector<OutField>& e = entry(side == Side::Buy ? MdEntryType::Bid : MdEntryType::Offer, l.price, l.qty);
      e.push_back({tag::MDEntryPositionNo, std::to_string(++position)});
      e.push_back({tag::NumberOfOrders, std::to_string(l.orders)});
    }
  }
  const DayStats d = market.stats(ins.id);
  if (d.trades > 0) {
    entry(MdEntryType::Open, d.open, std::nullopt);
    entry(MdEntryType::High, d.high, std::nullopt);
    entry(MdEntryType::Low, d.low, std::nullopt);
    // The last trade's quantity and time when this process saw it (not after a restart).
    std::vector<OutField>& last =
        entry(MdEntryType::Trade, d.last, d.last_time > 0 ? std::optional<Qty>(d.last_qty) : std::nullopt);
    if (d.last_time > 0) {
      last.push_back({tag::MDEntryDate, format_fix_date(d.last_time)});
      last.push_back({tag::MDEntryTime, format_fix_time_only(d.last_time)});
    }
    entry(MdEntryType::Vwap, exchange::vwap(d, 1), std::nullopt);
    std::vector<OutField> vol{{tag::MDEntryType, kMdEntryType.text(MdEntryType::Volume)}};
    for (OutField& f : day_volume_fields(ins, d)) vol.push_back(std::move(f));
    g.entries.push_back(std::move(vol));
  }
  if (d.close != 0) entry(MdEntryType::Close, d.close, std::nullopt);
  m.groups.push_back(std::move(g));
  return m;
}

}  // namespace erx::gateway
