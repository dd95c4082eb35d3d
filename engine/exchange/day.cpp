// The business day and the instruments' sessions:
//   open-day   T+1 locks release, pending instrument changes apply, today's
//              reference price and band are set, instruments go to PreOpen
//   set-session PreOpen / Continuous / Halted, per instrument or for all
//   close-day  DAY orders are cancelled by the system, the close price (VWAP of
//              the day's order-book trades, else the previous close) becomes
//              the next reference price, instruments go to Closed
// Time itself arrives with every command; GTD orders expire as it passes.

#include "engine/core/assert.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

void Exchange::advance_time(Timestamp t) {
  if (t <= now_) return;
  now_ = t;
  for (InstrumentState& ins : instruments_) ins.book->advance_time(t);  // GTD expiry
}

void Exchange::on(const Timer&) {
  // Only moves time (done in apply()); expiries, if any, are its events.
}

void Exchange::on(const OpenDay& c) {
  if (day_open_) return reject(RejectReason::DayAlreadyOpen);
  if (!plausible_date(c.date) || c.date <= date_) return reject(RejectReason::InvalidBusinessDate);
  date_ = c.date;
  day_open_ = true;
  emit(DayOpened{c.date});

  // T+1: what was bought before today becomes tradable.
  for (const AccountState& a : accounts_)
    for (AssetId asset = 1; asset < balances_.assets(); ++asset) {
      const Money& locked = balances_.get(a.slot, asset, Bucket::Locked);
      if (locked > 0) transfer(spec(asset, a, Bucket::Locked, a, Bucket::Tradable, locked, TransferKind::Unlock, 0));
    }

  // A ClOrdID may be reused once its order is finished and its day is over.
  clord_ids_.reset([this](const ClOrdIndex::Entry& e) {
    const std::uint32_t slot = order_index_.find(e.order);
    // Live, and still under this ClOrdID (a modify may have given it a new one).
    return slot != book::IdIndex::kMissing && orders_[slot].clord_id == e.clord_id;
  });

  for (InstrumentState& ins : instruments_) {
    if (ins.pending) {
      const RejectReason r = decode_spec(*ins.pending, ins);
      ERX_ASSERT(r == RejectReason::None);  // validated when it was submitted
      ins.pending.reset();
      emit(InstrumentChanged{ins.id, ins.spec});
      cancel_ineligible_orders(ins);
    }
    ins.day = DayStats{};
    if (term_ended(ins)) {
      // Its term (or vintage) is over: what rests is cancelled, and it does
      // not open - today or ever, unless a change extends its date.
      cancel_orders_of_ended_right(ins);
      continue;
    }
    set_band(ins);
    ins.state = SessionState::PreOpen;
    emit(SessionChanged{ins.id, ins.state});
  }
}

void Exchange::on(const SetSession& c) {
  if (!day_open_) return reject(RejectReason::DayNotOpen);
  const SessionState to = c.state;
  if (to != SessionState::PreOpen && to != SessionState::Continuous && to != SessionState::Halted)
    return reject(RejectReason::InvalidSessionTransition);
  if (!c.symbol.empty()) {
    InstrumentState* ins = instrument(c.symbol);
    if (!ins) return reject(RejectReason::UnknownInstrument);
    if (term_ended(*ins)) return reject(RejectReason::TermEnded);
    if (ins->state == to) return reject(RejectReason::InvalidSessionTransition);
    ins->state = to;
    emit(SessionChanged{ins->id, to});
    return;
  }
  bool changed = false;
  for (InstrumentState& ins : instruments_) {
    if (ins.state == to || term_ended(ins)) continue;
    ins.state = to;
    emit(SessionChanged{ins.id, to});
    changed = true;
  }
  if (!changed) reject(RejectReason::InvalidSessionTransition);
}

void Exchange::on(const CloseDay&) {
  if (!day_open_) return reject(RejectReason::DayNotOpen);
  for (InstrumentState& ins : instruments_) {
    if (term_ended(ins)) continue;  // closed since the open, nothing rests, nothing traded
    ins.book->cancel_day_orders();  // "system cancel" of every DAY order
    const DayStats& d = ins.day;
    DailyStatistics st;
    st.instrument = ins.id;
    st.date = date_;
    st.open = d.open;
    st.high = d.high;
    st.low = d.low;
    st.last = d.last;
    st.volume = d.volume;
    st.turnover = d.turnover;
    st.trades = d.trades;
    st.vwap = vwap(d, ins.tick);  // rounded half up to a whole tick
    st.close = st.vwap != 0 ? st.vwap : ins.reference;
    emit(st);
    ins.reference = st.close;
    ins.state = SessionState::Closed;
    emit(SessionChanged{ins.id, ins.state});
  }
  day_open_ = false;
  emit(DayClosed{date_});
}

}  // namespace erx::exchange
