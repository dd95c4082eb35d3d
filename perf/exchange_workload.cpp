#include "perf/exchange_workload.hpp"

#include <string>
#include <unordered_map>

namespace erx::perf {

using namespace erx::exchange;

namespace {

Decimal d(std::int64_t units, int scale) { return Decimal{units, static_cast<std::int8_t>(scale)}; }

ClOrdId clord_of(book::OrderId id) { return ClOrdId::of(std::to_string(id)); }

// Reference data, members, funding, and an open continuous session.
}  // namespace

std::vector<Command> setup_commands(const Workload& w) {
  std::vector<CommandBody> body;
  InstrumentSpec s;
  s.symbol = Symbol::of("CEA25");
  s.right_class = RightClass::CarbonAllowance;
  s.unit = Label::of("tCO2e");
  s.vintage = 2025;
  s.price_scale = 2;
  s.qty_scale = 0;
  s.tick = d(1, 2);
  s.lot = d(1, 0);
  s.continuous = ModeRules{d(1, 0), d(1'000'000, 0), 9'000};
  // The band (±90% around the reference) must hold every price of the workload.
  const Price mid = w.name == "wide" ? 27'500 : 1'000;
  s.reference_price = d(mid, 2);
  body.emplace_back(CreateInstrument{s});
  body.emplace_back(SetFees{RightClass::CarbonAllowance, FeeLine{1'500, d(100, 2)}, FeeLine{500, d(50, 2)}});
  for (std::uint32_t m = 0; m < kMembers; ++m) {
    const MemberId member = m + 1;
    body.emplace_back(CreateMember{member, Label::of("member-" + std::to_string(member)), Label::of("Nanchang"),
                                   Label::of("Gan"), MemberCategory::Investor, false, StpMode::None});
    body.emplace_back(CreateAccount{member, member, false});
    body.emplace_back(Deposit{member, d(1'000'000'000'000'000, 2)});
    body.emplace_back(IssueRights{member, s.symbol, d(1'000'000'000'000, 0)});
    body.emplace_back(MoveRights{member, s.symbol, d(1'000'000'000'000, 0), true});
  }
  body.emplace_back(OpenDay{20260105});
  body.emplace_back(SetSession{{}, SessionState::Continuous});
  std::vector<Command> out;
  for (auto& b : body) out.push_back(Command{out.size() + 1, 1, std::move(b)});
  return out;
}

std::vector<Command> flow_commands(const Workload& w, Seq first) {
  std::vector<Command> out;
  out.reserve(w.ops.size());
  std::unordered_map<book::OrderId, AccountId> account_of;  // cancels and modifies name only the order
  Seq seq = first;
  for (const Op& op : w.ops) {
    CommandBody body;
    if (op.kind == Op::Kind::Add) {
      NewOrder o;
      o.account = op.owner + 1;
      o.clord_id = clord_of(op.id);
      o.symbol = Symbol::of("CEA25");
      o.side = op.side == book::Side::Buy ? Side::Buy : Side::Sell;
      o.tif = op.tif == book::TimeInForce::Ioc ? TimeInForce::Ioc : TimeInForce::Gtc;
      o.price = d(op.price, 2);
      o.qty = d(op.qty, 0);
      account_of[op.id] = o.account;
      body = o;
    } else if (op.kind == Op::Kind::Cancel) {
      body = CancelOrder{account_of.at(op.id), clord_of(op.id)};
    } else {
      body = ModifyOrder{account_of.at(op.id), clord_of(op.id), {}, d(op.price, 2), d(op.qty, 0)};
    }
    out.push_back(Command{seq++, 2, std::move(body)});
  }
  return out;
}

}  // namespace erx::perf
