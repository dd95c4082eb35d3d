// The exchange state machine end to end on one instrument, in C++ (the golden
// text scenarios live in tests/scenario/).
#include <catch2/catch.hpp>

#include "engine/exchange/script_run.hpp"
#include "tests/unit/exchange_test_helpers.hpp"

using namespace erx;
using namespace erx::exchange;
using namespace erx::exchange::test;

namespace {

InstrumentSpec so2_spec() {
  InstrumentSpec s;
  s.symbol = Symbol::of("SO2-GAN-5Y");
  s.right_class = RightClass::EmissionRight;
  s.unit = Label::of("t/yr");
  s.pollutant = Label::of("SO2");
  s.region = Label::of("Ganzhou");
  s.term_years = 5;
  s.last_trading_date = 20301231;
  s.price_scale = 2;
  s.qty_scale = 0;
  s.tick = dec(1, 2);
  s.lot = dec(1);
  s.price_unit = PriceUnit::PerUnitYear;
  s.continuous = ModeRules{dec(1), dec(10'000), 1'000};
  s.reference_price = dec(38'900, 2);
  s.eligibility = Eligibility::Anyone;
  return s;
}

// Two members (a buyer and a seller), fees, funding and rights, day open, trading.
void setup(Driver& d) {
  REQUIRE(Driver::rejected(d.apply(CreateMember{1, Label::of("Buyer Co"), Label::of("Ganzhou"), Label::of("Gan"),
                                                MemberCategory::ComplianceEntity, false, StpMode::CancelTaker})) ==
          RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(CreateMember{2, Label::of("Seller Co"), Label::of("Ganzhou"), Label::of("Gan"),
                                                MemberCategory::ComplianceEntity, false, StpMode::CancelTaker})) ==
          RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(CreateAccount{101, 1, false})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(CreateAccount{201, 2, false})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(CreateInstrument{so2_spec()})) == RejectReason::None);
  // Trading fee 0.1% (min 1.00), settlement fee 0.05% (min 0.50).
  REQUIRE(Driver::rejected(d.apply(SetFees{RightClass::EmissionRight, FeeLine{1'000, dec(100, 2)},
                                           FeeLine{500, dec(50, 2)}})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(Deposit{101, dec(100'000'000, 2)})) == RejectReason::None);  // 1,000,000.00
  REQUIRE(Driver::rejected(d.apply(Deposit{201, dec(1'000, 2)})) == RejectReason::None);        // 10.00 for fees
  REQUIRE(Driver::rejected(d.apply(IssueRights{201, Symbol::of("SO2-GAN-5Y"), dec(500)})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(MoveRights{201, Symbol::of("SO2-GAN-5Y"), dec(300), true})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(OpenDay{20260105})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(SetSession{{}, SessionState::Continuous})) == RejectReason::None);
}

NewOrder order(AccountId acc, const char* clord, Side side, std::int64_t price_fen, std::int64_t qty,
               TimeInForce tif = TimeInForce::Day) {
  NewOrder o;
  o.account = acc;
  o.clord_id = ClOrdId::of(clord);
  o.symbol = Symbol::of("SO2-GAN-5Y");
  o.side = side;
  o.tif = tif;
  o.price = dec(price_fen, 2);
  o.qty = dec(qty);
  return o;
}

}  // namespace

TEST_CASE("exchange: a trade settles delivery versus payment with fees, T+1 lock", "[exchange]") {
  Driver d;
  setup(d);
  const AssetId so2 = 1;
  // Seller offers 100 t/yr at 390.00; buyer bids 100 at 391.00 and lifts it at 390.00.
  auto ev = d.apply(order(201, "S1", Side::Sell, 39'000, 100));
  REQUIRE(Driver::rejected(ev) == RejectReason::None);
  CHECK(d.ex.balance(201, so2, Bucket::Reserved) == 100);
  // No cash reserved: the sale's proceeds at its limit (195,000.00) cover its
  // fees, which come out of them (issue 13 item 5).
  CHECK(d.ex.balance(201, kCash, Bucket::Reserved) == 0);
  ev = d.apply(order(101, "B1", Side::Buy, 39'100, 100));
  REQUIRE(Driver::rejected(ev) == RejectReason::None);
  const auto trades = Driver::all<Trade>(ev);
  REQUIRE(trades.size() == 1);
  const Trade& t = trades[0];
  CHECK(t.price == 39'000);
  CHECK(t.qty == 100);
  // 390.00 × 100 t/yr × 5 years = 195,000.00
  CHECK(t.cash == Money(19'500'000));
  // Fees: 0.1% = 195.00 and 0.05% = 97.50 each side.
  CHECK(t.buy.fee == Money(19'500 + 9'750));
  CHECK(t.sell.fee == Money(19'500 + 9'750));
  CHECK(t.buy.leaves == 0);
  CHECK(t.sell.leaves == 0);
  // Buyer: 1,000,000.00 - 195,000.00 - 292.50; bought rights are locked until tomorrow.
  CHECK(d.ex.balance(101, kCash, Bucket::Tradable) == Money(100'000'000 - 19'500'000 - 29'250));
  CHECK(d.ex.balance(101, kCash, Bucket::Reserved) == 0);
  CHECK(d.ex.balance(101, so2, Bucket::Locked) == 100);
  CHECK(d.ex.balance(101, so2, Bucket::Tradable) == 0);
  // Seller: 10.00 + 195,000.00 - 292.50, usable at once.
  CHECK(d.ex.balance(201, kCash, Bucket::Tradable) == Money(1'000 + 19'500'000 - 29'250));
  CHECK(d.ex.balance(201, so2, Bucket::Tradable) == 200);
  CHECK(d.ex.balance(0, kCash, Bucket::Fees) == Money(2 * 29'250));

  // Locked today: the buyer cannot sell it yet.
  ev = d.apply(order(101, "B2", Side::Sell, 39'000, 10));
  CHECK(Driver::rejected(ev) == RejectReason::InsufficientHoldings);

  // Close: VWAP 390.00 becomes the next reference; the next day open unlocks.
  ev = d.apply(CloseDay{});
  const auto stats = Driver::all<DailyStatistics>(ev);
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].close == 39'000);
  CHECK(stats[0].volume == 100);
  ev = d.apply(OpenDay{20260106});
  CHECK(d.ex.balance(101, so2, Bucket::Tradable) == 100);
  CHECK(d.ex.balance(101, so2, Bucket::Locked) == 0);
  CHECK(d.ex.reference_price(1) == 39'000);
}

TEST_CASE("exchange: a buy below its limit gets the difference back - cancel releases the rest", "[exchange]") {
  Driver d;
  setup(d);
  d.apply(order(201, "S1", Side::Sell, 38'000, 40));
  auto ev = d.apply(order(101, "B1", Side::Buy, 39'000, 100));
  REQUIRE(Driver::all<Trade>(ev).size() == 1);
  // 60 left at 390.00 × 5 years + fees on the whole order at most.
  const Money paid = Money(38'000) * 40 * 5;
  const Money left = Money(39'000) * 60 * 5;
  const Money fee_max = (paid + left) * 1'000 / 1'000'000 + (paid + left) * 500 / 1'000'000;
  const Money charged = paid * 1'000 / 1'000'000 + paid * 500 / 1'000'000;
  CHECK(d.ex.balance(101, kCash, Bucket::Reserved) == left + fee_max - charged);
  ev = d.apply(CancelOrder{101, ClOrdId::of("B1")});
  REQUIRE(Driver::all<OrderCancelled>(ev).size() == 1);
  CHECK(d.ex.balance(101, kCash, Bucket::Reserved) == 0);
  CHECK(d.ex.balance(101, kCash, Bucket::Tradable) == Money(100'000'000) - paid - charged);
}

TEST_CASE("exchange: replay of the same commands gives the same state hash", "[exchange]") {
  Driver a, b;
  setup(a);
  setup(b);
  for (Driver* d : {&a, &b}) {
    d->apply(order(201, "S1", Side::Sell, 38'000, 40));
    d->apply(order(101, "B1", Side::Buy, 39'000, 100));
    d->apply(CloseDay{});
  }
  CHECK(a.ex.state_hash() == b.ex.state_hash());
  a.apply(Timer{});
  CHECK(a.ex.state_hash() != b.ex.state_hash());
}

TEST_CASE("exchange: sequencing rejects do not consume the sequence number", "[exchange]") {
  Recorder rec;
  Exchange ex(rec);
  ex.apply(Command{2, 10, Timer{}});  // gap: expected seq 1
  REQUIRE(rec.events.size() == 1);
  CHECK(std::get<CommandRejected>(rec.events[0]).reason == RejectReason::SequenceGap);
  CHECK(ex.last_seq() == 0);
  ex.apply(Command{1, 10, Timer{}});
  CHECK(ex.last_seq() == 1);
  rec.events.clear();
  ex.apply(Command{2, 9, Timer{}});  // time goes backwards
  REQUIRE(rec.events.size() == 1);
  CHECK(std::get<CommandRejected>(rec.events[0]).reason == RejectReason::TimeWentBackwards);
  CHECK(ex.last_seq() == 1);
  ex.apply(Command{2, 10, Timer{}});  // the same time again is fine
  CHECK(ex.last_seq() == 2);
  ex.check_invariants();
}

TEST_CASE("exchange: explicit limits are rejects at their edge", "[exchange]") {
  Recorder rec;
  ExchangeLimits lim;
  lim.max_members = 2;
  lim.max_accounts = 2;
  lim.max_instruments = 1;
  lim.max_operators = 2;
  lim.max_open_orders_per_book = 2;
  Exchange ex(rec, lim);
  Seq seq = 0;
  auto run = [&](CommandBody b) {
    rec.events.clear();
    ex.apply(Command{++seq, 1'000, std::move(b)});
    ex.check_invariants();
    return Driver::rejected(rec.events);
  };
  CHECK(run(CreateMember{1, Label::of("A"), {}, {}, MemberCategory::Investor, false, StpMode::None}) ==
        RejectReason::None);
  CHECK(run(CreateMember{2, Label::of("B"), {}, {}, MemberCategory::Investor, false, StpMode::None}) ==
        RejectReason::None);
  CHECK(run(CreateMember{3, Label::of("C"), {}, {}, MemberCategory::Investor, false, StpMode::None}) ==
        RejectReason::LimitReached);
  CHECK(run(CreateAccount{11, 1, false}) == RejectReason::None);
  CHECK(run(CreateAccount{12, 1, false}) == RejectReason::None);
  CHECK(run(CreateAccount{13, 2, false}) == RejectReason::LimitReached);
  CHECK(run(CreateOperator{1, 1, Label::of("op1"), OperatorRole::Trader}) == RejectReason::None);
  CHECK(run(CreateOperator{2, 2, Label::of("op2"), OperatorRole::Viewer}) == RejectReason::None);
  CHECK(run(CreateOperator{3, 1, Label::of("op3"), OperatorRole::Trader}) == RejectReason::LimitReached);
  InstrumentSpec s = so2_spec();
  s.eligibility = Eligibility::Anyone;
  CHECK(run(CreateInstrument{s}) == RejectReason::None);
  s.symbol = Symbol::of("OTHER");
  CHECK(run(CreateInstrument{s}) == RejectReason::LimitReached);
  CHECK(run(Deposit{11, dec(100'000'000, 2)}) == RejectReason::None);
  CHECK(run(OpenDay{20260105}) == RejectReason::None);
  CHECK(run(SetSession{{}, SessionState::Continuous}) == RejectReason::None);
  // Two resting orders fill the book; the third is refused, an IOC still trades nothing and passes.
  CHECK(run(order(11, "B1", Side::Buy, 38'000, 1)) == RejectReason::None);
  CHECK(run(order(11, "B2", Side::Buy, 38'000, 1)) == RejectReason::None);
  CHECK(run(order(11, "B3", Side::Buy, 38'000, 1)) == RejectReason::BookFull);
  CHECK(run(order(11, "B4", Side::Buy, 38'000, 1, TimeInForce::Ioc)) == RejectReason::None);
  // The refused order reserved nothing and its ClOrdID is still free.
  CHECK(ex.open_orders() == 2);
  CHECK(run(CancelOrder{11, ClOrdId::of("B1")}) == RejectReason::None);
  CHECK(run(order(11, "B3", Side::Buy, 38'000, 1)) == RejectReason::None);
}

TEST_CASE("exchange: mass-cancel day_only cancels the member's DAY orders, in one command", "[exchange]") {
  const ScriptRun run = run_script(R"(at 2026-03-02T01:00:00Z
create-instrument symbol=CEA24 right_class=carbon-allowance unit=tCO2e vintage=2024 price_scale=2 qty_scale=0 tick=0.01 lot=1 min_qty=1 max_qty=99999 band_bps=1000 reference_price=90.00
create-member member=1 name=Buyer region=Nanchang
create-member member=2 name=Other region=Nanchang
create-account account=11 member=1
create-account account=21 member=2
deposit account=11 amount=100000.00
deposit account=21 amount=100000.00
open-day date=2026-03-02
set-session state=continuous
order account=11 clord_id=D1 symbol=CEA24 side=buy price=85.00 qty=1
order account=11 clord_id=G1 symbol=CEA24 side=buy price=85.00 qty=1 tif=gtc
order account=11 clord_id=D2 symbol=CEA24 side=buy price=86.00 qty=1
order account=21 clord_id=O1 symbol=CEA24 side=buy price=85.00 qty=1
mass-cancel member=1 day_only=true
)",
                                   true);
  REQUIRE(run.errors.empty());
  std::vector<std::string> cancelled;
  for (const std::string& l : run.lines)
    if (l.find("order-cancelled") != std::string::npos) {
      CHECK(l.find("reason=mass-cancel") != std::string::npos);
      cancelled.push_back(l.substr(l.find("clord_id=") + 9, 2));
    }
  CHECK(cancelled == std::vector<std::string>{"D1", "D2"});  // not the GTC, not the other member's
  bool reported = false;
  for (const std::string& l : run.lines) reported = reported || l.find("mass-cancelled") != std::string::npos;
  CHECK(reported);
}

// ---------------------------------------------------------------- modify with qty_is_total (FIX OrderQty)

namespace {

ModifyOrder modify(const char* orig, std::int64_t price_fen, std::int64_t qty, bool total) {
  ModifyOrder m;
  m.account = 101;
  m.orig_clord_id = ClOrdId::of(orig);
  m.price = dec(price_fen, 2);
  m.qty = dec(qty);
  m.qty_is_total = total;
  return m;
}

OrderModified modified(const std::vector<Event>& ev) {
  REQUIRE(Driver::rejected(ev) == RejectReason::None);
  const std::vector<OrderModified> m = Driver::all<OrderModified>(ev);
  REQUIRE(m.size() == 1);
  return m[0];
}

Exchange::OpenOrder open_order(const Driver& d, const char* clord) {
  for (const Exchange::OpenOrder& o : d.ex.list_open_orders())
    if (o.order.clord_id == ClOrdId::of(clord)) return o;
  FAIL("no open order " << clord);
  return {};
}

// The buyer's B1: 100 @ 390.00, and `filled` of it sold to it by the seller.
void rest_b1(Driver& d, std::int64_t filled) {
  setup(d);
  REQUIRE(Driver::rejected(d.apply(order(101, "B1", Side::Buy, 39'000, 100))) == RejectReason::None);
  if (filled > 0) {
    const auto ev = d.apply(order(201, "S1", Side::Sell, 39'000, filled));
    REQUIRE(Driver::all<Trade>(ev).size() == 1);
  }
}

}  // namespace

TEST_CASE("exchange: modify qty_is_total of an unfilled order is the modify with those leaves", "[exchange][modify]") {
  struct Case {
    std::int64_t price_fen, qty;
    bool priority_kept;
  };
  for (const Case c : {Case{39'000, 60, true},     // a decrease keeps priority
                       Case{39'000, 100, true},    // unchanged
                       Case{39'000, 150, false},   // an increase loses it
                       Case{39'100, 100, false}}) {  // so does a price change
    INFO("price " << c.price_fen << " qty " << c.qty);
    Driver leaves, total;
    rest_b1(leaves, 0);
    rest_b1(total, 0);
    const OrderModified l = modified(leaves.apply(modify("B1", c.price_fen, c.qty, false)));
    const OrderModified t = modified(total.apply(modify("B1", c.price_fen, c.qty, true)));
    CHECK(t.leaves == c.qty);
    CHECK(t.cum_qty == 0);
    CHECK(t.priority_kept == c.priority_kept);
    CHECK(t.leaves == l.leaves);
    CHECK(t.price == l.price);
    CHECK(t.priority_kept == l.priority_kept);
    CHECK(total.ex.state_hash() == leaves.ex.state_hash());
  }
}

TEST_CASE("exchange: modify qty_is_total after a partial fill leaves the total less the executed quantity",
          "[exchange][modify]") {
  // B1 100 @ 390.00 with 40 filled: 60 open. Each total T is the leaves
  // modify to T - 40, priority included.
  struct Case {
    std::int64_t total;
    bool priority_kept;
  };
  for (const Case c : {Case{70, true},      // 30 open: a decrease keeps priority
                       Case{100, true},     // 60 open: unchanged
                       Case{41, true},      // one lot above what has executed
                       Case{120, false}}) { // 80 open: an increase loses priority
    INFO("total " << c.total);
    Driver leaves, total;
    rest_b1(leaves, 40);
    rest_b1(total, 40);
    const OrderModified t = modified(total.apply(modify("B1", 39'000, c.total, true)));
    CHECK(t.cum_qty == 40);
    CHECK(t.leaves == c.total - 40);
    CHECK(t.priority_kept == c.priority_kept);
    const Exchange::OpenOrder o = open_order(total, "B1");
    CHECK(o.order.qty == c.total);
    CHECK(o.leaves == c.total - 40);
    CHECK(o.cum_qty == 40);
    // The same as the leaves modify to total - executed.
    const OrderModified l = modified(leaves.apply(modify("B1", 39'000, c.total - 40, false)));
    CHECK(l.priority_kept == t.priority_kept);
    CHECK(total.ex.state_hash() == leaves.ex.state_hash());
  }
}

TEST_CASE("exchange: modify qty_is_total counts a fill sequenced after the sender's view", "[exchange][modify]") {
  // Member 1 sees B1 with nothing executed and sends OrderQty 70 (reduce by
  // 30). Before its modify is sequenced, 40 of B1 trade.
  Driver d, stale;
  rest_b1(d, 0);
  rest_b1(stale, 0);
  const std::int64_t view_cum_qty = open_order(d, "B1").cum_qty;
  REQUIRE(view_cum_qty == 0);
  for (Driver* x : {&d, &stale})
    REQUIRE(Driver::all<Trade>(x->apply(order(201, "S1", Side::Sell, 39'000, 40))).size() == 1);

  // The engine takes the executed quantity at apply time: 70 - 40 = 30 open.
  const OrderModified m = modified(d.apply(modify("B1", 39'000, 70, true)));
  CHECK(m.cum_qty == 40);
  CHECK(m.leaves == 30);
  CHECK(m.priority_kept);
  CHECK(open_order(d, "B1").order.qty == 70);

  // What converting with the view's CumQty gave (the gateway before): 70 open
  // on top of the 40 executed, an order of 110 where 70 was asked for.
  modified(stale.apply(modify("B1", 39'000, 70 - view_cum_qty, false)));
  CHECK(open_order(stale, "B1").order.qty == 110);

  // The order can execute no more than the 70 asked for.
  const auto ev = d.apply(order(201, "S2", Side::Sell, 39'000, 60));
  const std::vector<Trade> trades = Driver::all<Trade>(ev);
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].qty == 30);
  CHECK(trades[0].buy.cum_qty == 70);
  CHECK(trades[0].buy.leaves == 0);
}

TEST_CASE("exchange: modify qty_is_total not above the executed quantity is qty-not-above-executed, order unchanged",
          "[exchange][modify]") {
  for (const std::int64_t total : {40, 39, 1}) {
    INFO("total " << total);
    Driver d, timer;
    rest_b1(d, 40);
    rest_b1(timer, 40);
    const Exchange::OpenOrder before = open_order(d, "B1");
    ModifyOrder m = modify("B1", 39'100, total, true);
    m.clord_id = ClOrdId::of("B1b");
    const auto ev = d.apply(m);
    CHECK(Driver::rejected(ev) == RejectReason::QtyNotAboveExecuted);
    const std::vector<CommandRejected> r = Driver::all<CommandRejected>(ev);
    REQUIRE(r.size() == 1);
    CHECK(r[0].clord_id == ClOrdId::of("B1b"));
    CHECK(Driver::all<OrderModified>(ev).empty());
    const Exchange::OpenOrder after = open_order(d, "B1");
    CHECK(after.order.price == before.order.price);
    CHECK(after.order.qty == before.order.qty);
    CHECK(after.leaves == 60);
    CHECK(after.cum_qty == 40);
    // Nothing changed that a timer in its place would not have changed (the
    // new ClOrdID is not used up either).
    timer.apply(Timer{});
    CHECK(d.ex.state_hash() == timer.ex.state_hash());
  }
  // The leaves form of the same numbers is a plain modify.
  Driver d;
  rest_b1(d, 40);
  CHECK(modified(d.apply(modify("B1", 39'000, 40, false))).leaves == 40);
}
