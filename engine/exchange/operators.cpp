// Members' operators: the people who act for a member (a FIX Username), each
// with a role. Order commands name their operator; check_operator() decides
// whether that operator may send them. Rules: docs/EXCHANGE.md "Operators".

#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

namespace {

bool valid(OperatorRole r) {
  return r == OperatorRole::Trader || r == OperatorRole::Admin || r == OperatorRole::Viewer;
}

bool role_allows(OperatorRole role, bool entering) {
  switch (role) {
    case OperatorRole::Trader: return true;
    case OperatorRole::Admin: return !entering;  // may pull orders, never add exposure
    case OperatorRole::Viewer: return false;
  }
  return false;
}

}  // namespace

void Exchange::on(const CreateOperator& c) {
  if (c.op == 0 || c.name.empty()) return reject(RejectReason::InvalidName);
  if (operators_.count(c.op)) return reject(RejectReason::DuplicateOperator);
  if (!member(c.member) || c.member == kExchangeMember) return reject(RejectReason::UnknownMember);
  if (!valid(c.role)) return reject(RejectReason::InvalidEnum);
  if (operators_.size() >= limits_.max_operators) return reject(RejectReason::LimitReached);
  operators_.emplace(c.op, OperatorState{c, true});
  emit(OperatorCreated{c});
}

void Exchange::on(const SetOperator& c) {
  auto it = operators_.find(c.op);
  if (it == operators_.end()) return reject(RejectReason::UnknownOperator);
  if (!valid(c.role)) return reject(RejectReason::InvalidEnum);
  it->second.spec.role = c.role;
  it->second.active = c.active;
  emit(OperatorSet{c});
}

// Operator 0 is the exchange acting for the member (operator desk, cancel on
// disconnect): always allowed. Any other operator must exist, belong to the
// member whose orders the command touches, be active, and have a role that
// allows the action.
RejectReason Exchange::check_operator(OperatorId op, MemberId member_id, OperatorAction action) const {
  if (op == 0) return RejectReason::None;
  auto it = operators_.find(op);
  if (it == operators_.end()) return RejectReason::UnknownOperator;
  const OperatorState& o = it->second;
  if (o.spec.member != member_id) return RejectReason::OperatorOfOtherMember;
  if (!o.active) return RejectReason::OperatorInactive;
  if (!role_allows(o.spec.role, action == OperatorAction::Enter)) return RejectReason::OperatorNotPermitted;
  return RejectReason::None;
}

}  // namespace erx::exchange
