// RandomFlow: see random_flow.hpp.

#include "tests/support/random_flow.hpp"

#include "tests/support/reference_book.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace erx::test {

using book::NewOrder;
using book::OrderId;
using book::OrderType;
using book::OwnerId;
using book::Side;
using book::StpMode;
using book::TimeInForce;
using book::Timestamp;

namespace {

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

std::string side_name(Side s) {
  if (s == Side::Buy || s == Side::Sell) return std::string(book::to_string(s));
  return "Side(" + std::to_string(static_cast<unsigned>(s)) + ")";
}

std::string type_name(OrderType t) {
  if (t == OrderType::Limit || t == OrderType::Market) return std::string(book::to_string(t));
  return "Type(" + std::to_string(static_cast<unsigned>(t)) + ")";
}

std::string tif_name(TimeInForce t) {
  if (static_cast<unsigned>(t) <= 4) return std::string(book::to_string(t));
  return "Tif(" + std::to_string(static_cast<unsigned>(t)) + ")";
}

std::string stp_name(StpMode m) {
  if (static_cast<unsigned>(m) <= 5) return std::string(book::to_string(m));
  return "Stp(" + std::to_string(static_cast<unsigned>(m)) + ")";
}

}  // namespace

std::string_view to_string(Profile p) noexcept {
  switch (p) {
    case Profile::Deep: return "deep";
    case Profile::Wide: return "wide";
    case Profile::Hot: return "hot";
  }
  return "?";
}

book::BookConfig book_config_for(Profile p) {
  book::BookConfig c;
  switch (p) {
    case Profile::Deep:
      c.tick = 10;
      c.lot = 10;
      c.ladder_min = 50'000;
      c.ladder_max = 150'000;  // 10,001 levels; the flow uses 100 of them
      c.initial_order_capacity = 1024;
      c.limits.max_order_qty = 1'000'000'000'000;
      c.limits.max_resting_orders = 4'000'000;
      c.limits.max_owners = 65'536;
      break;
    case Profile::Wide:
      c.tick = 2;
      c.lot = 5;
      c.ladder_min = 1'000;
      c.ladder_max = 400'000;  // 199,501 levels
      c.initial_order_capacity = 256;
      c.limits.max_order_qty = 50'000'000'000;
      c.limits.max_resting_orders = 100'000;
      c.limits.max_owners = 1'000;
      break;
    case Profile::Hot:
      c.tick = 5;
      c.lot = 1;
      c.ladder_min = 15'000;
      c.ladder_max = 35'000;  // 4,001 levels
      c.initial_order_capacity = 16;  // forces growth of the real book's node pool
      c.limits.max_order_qty = 1'000'000;
      c.limits.max_resting_orders = 300;  // BookFull happens
      c.limits.max_owners = 5;            // TooManyOwners happens
      break;
  }
  return c;
}

std::optional<OrderId> op_order_id(const Op& op) noexcept {
  switch (op.kind) {
    case OpKind::Add: return op.order.id;
    case OpKind::Cancel:
    case OpKind::Modify: return op.id;
    default: return std::nullopt;
  }
}

std::string describe(const Op& op) {
  switch (op.kind) {
    case OpKind::Add: {
      const NewOrder& o = op.order;
      std::string s = "add id=" + std::to_string(o.id) + " owner=" + std::to_string(o.owner) + " " +
                      side_name(o.side) + " " + type_name(o.type) + " " + tif_name(o.tif) +
                      " stp=" + stp_name(o.stp) + " price=" + std::to_string(o.price) +
                      " qty=" + std::to_string(o.qty);
      if (o.tif == TimeInForce::Gtd || o.expire_at != 0) s += " expire_at=" + std::to_string(o.expire_at);
      return s;
    }
    case OpKind::Cancel: return "cancel id=" + std::to_string(op.id);
    case OpKind::Modify:
      return "modify id=" + std::to_string(op.id) + " price=" + std::to_string(op.price) +
             " qty=" + std::to_string(op.qty);
    case OpKind::MassCancel: {
      std::string s = "mass_cancel";
      if (op.filter.owner) s += " owner=" + std::to_string(*op.filter.owner);
      if (op.filter.side) s += " side=" + side_name(*op.filter.side);
      if (!op.filter.owner && !op.filter.side) s += " (all)";
      return s;
    }
    case OpKind::CancelDay: return "cancel_day_orders";
    case OpKind::AdvanceTime: return "advance_time now=" + std::to_string(op.time);
    case OpKind::SetBand:
      return "set_price_band lo=" + std::to_string(op.price) + " hi=" + std::to_string(op.price_hi);
    case OpKind::SetOwnerStp:
      return "set_owner_stp owner=" + std::to_string(op.owner) + " mode=" + stp_name(op.mode);
    case OpKind::RebaseLadder:
      return "rebase_ladder lo=" + std::to_string(op.price) + " hi=" + std::to_string(op.price_hi);
  }
  return "?";
}

// ------------------------------------------------------------------ generator

RandomFlow::RandomFlow(Profile profile, std::uint64_t seed)
    : profile_(profile), seed_(seed), cfg_(book_config_for(profile)), rng_(seed) {
  Params& p = p_;
  switch (profile) {
    case Profile::Deep:
      p.center = 10'000;  // price 100,000
      p.passive_span = 50;
      p.cross_span = 3;
      p.walk = false;
      p.band_window = 50;
      p.target_live = 20'000;
      p.owners = {0, 1, 2, 3, 4};
      p.rare_owners = {5, 6, 4'000'000'000u};
      p.rare_owner_per_mille = 5;
      p.small_lots = 10;
      p.big_lots = 300;
      p.big_per_mille = 60;
      p.huge_per_100k = 20;
      p.aggressive_per_mille = 40;
      p.market_per_mille = 15;
      p.ioc_per_mille = 40;
      p.fok_per_mille = 30;
      p.gtd_per_mille = 120;
      p.day_per_mille = 300;
      p.invalid_per_mille = 25;
      p.time_step = 20;
      p.gtd_horizon = 30'000;
      p.gtd_grain = 10;
      p.w_add = 47'000;
      p.w_cancel = 40'000;
      p.w_modify = 10'000;
      p.w_time = 2'000;
      p.w_stp = 400;
      p.w_band = 10;
      p.w_mass_owner = 1;
      p.w_mass_side = 1;
      p.w_mass_all = 1;
      p.w_day = 2;
      break;
    case Profile::Wide:
      p.center = 100'000;  // price 200,000
      p.passive_span = 3'000;
      p.cross_span = 30;
      p.walk = true;
      p.walk_lo = 20'000;
      p.walk_hi = 180'000;
      p.walk_step = 2;
      p.move_one_in = 2;
      p.flip_one_in = 30'000;
      p.band_window = 20'000;
      p.target_live = 3'000;
      p.owners = {11, 12, 13, 14};
      p.rare_owners = {15, 16, 0};
      p.rare_owner_per_mille = 5;
      p.small_lots = 20;
      p.big_lots = 2'000;
      p.big_per_mille = 50;
      p.huge_per_100k = 20;
      p.aggressive_per_mille = 120;
      p.edge_per_mille = 4;
      p.market_per_mille = 40;
      p.ioc_per_mille = 60;
      p.fok_per_mille = 50;
      p.gtd_per_mille = 250;
      p.day_per_mille = 250;
      p.invalid_per_mille = 25;
      p.time_step = 50;
      p.gtd_horizon = 20'000;
      p.gtd_grain = 5;
      p.w_add = 46'000;
      p.w_cancel = 38'000;
      p.w_modify = 12'000;
      p.w_time = 2'500;
      p.w_stp = 400;
      p.w_band = 80;
      p.w_mass_owner = 20;
      p.w_mass_side = 8;
      p.w_mass_all = 3;
      p.w_day = 4;
      break;
    case Profile::Hot:
      p.center = 5'000;  // price 25,000
      p.passive_span = 8;
      p.cross_span = 4;
      p.walk = true;
      p.walk_lo = 4'000;
      p.walk_hi = 6'000;
      p.walk_step = 1;
      p.move_one_in = 40;
      p.flip_one_in = 3;
      p.band_window = 6;
      p.target_live = 320;
      p.regime_one_in = 4'000;
      p.owners = {7, 8, 9};
      p.rare_owners = {0, 10, 11, 4'294'967'295u};
      p.rare_owner_per_mille = 10;
      p.small_lots = 50;
      p.big_lots = 5'000;
      p.big_per_mille = 10;
      p.huge_per_100k = 40;
      p.aggressive_per_mille = 150;
      p.edge_per_mille = 4;
      p.market_per_mille = 60;
      p.ioc_per_mille = 150;
      p.fok_per_mille = 120;
      p.gtd_per_mille = 250;
      p.day_per_mille = 250;
      p.invalid_per_mille = 50;
      p.time_step = 10;
      p.gtd_horizon = 400;
      p.gtd_grain = 4;
      p.w_add = 45'000;
      p.w_cancel = 22'000;
      p.w_modify = 22'000;
      p.w_time = 5'000;
      p.w_stp = 2'000;
      p.w_band = 100;
      p.w_mass_owner = 50;
      p.w_mass_side = 15;
      p.w_mass_all = 5;
      p.w_day = 10;
      break;
  }
  mid_ = p.center;
  ladder_lo_ = cfg_.ladder_min;
  ladder_hi_ = cfg_.ladder_max;
  band_lo_ = cfg_.ladder_min;
  band_hi_ = cfg_.ladder_max;
}

std::vector<Op> RandomFlow::generate(Profile profile, std::uint64_t seed, std::size_t n) {
  struct Discard final : book::EventSink {
    void on_event(const book::Event&) override {}
  } discard;
  RandomFlow f(profile, seed);
  ReferenceBook model(f.config(), discard);
  f.set_oracle([&model](OrderId id) { return model.find(id); });
  std::vector<Op> ops;
  ops.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ops.push_back(f.next());
    apply(model, ops.back());
  }
  return ops;
}

void RandomFlow::drop_at(std::size_t k) {
  pool_[k] = pool_.back();
  pool_.pop_back();
}

std::optional<std::size_t> RandomFlow::pick_live() {
  for (int attempt = 0; attempt < 16 && !pool_.empty(); ++attempt) {
    const std::size_t k = below(pool_.size());
    if (!oracle_) return k;
    const std::optional<book::OrderView> v = oracle_(pool_[k].id);
    if (v && v->owner == pool_[k].owner && v->side == pool_[k].side) {
      pool_[k].price = v->price;
      pool_[k].qty = v->leaves;
      return k;
    }
    note_dead(pool_[k].id);
    drop_at(k);
  }
  if (pool_.empty()) return std::nullopt;
  return below(pool_.size());
}

std::uint64_t RandomFlow::below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

std::int64_t RandomFlow::between(std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(below(span));
}

Price RandomFlow::clamp_to_band(Price p) const { return std::clamp(p, band_lo_, band_hi_); }

Price RandomFlow::passive_price(Side side) {
  // Denser near the touch: the smaller of two uniform draws.
  const std::int64_t d = std::min(between(0, p_.passive_span - 1), between(0, p_.passive_span - 1));
  const std::int64_t t = side == Side::Buy ? mid_ - 1 - d : mid_ + d;
  return clamp_to_band(tick_price(t));
}

Price RandomFlow::aggressive_price(Side side) {
  const std::int64_t d = between(0, p_.cross_span);
  const std::int64_t t = side == Side::Buy ? mid_ + d : mid_ - 1 - d;
  return clamp_to_band(tick_price(t));
}

Qty RandomFlow::random_qty() {
  const std::int64_t lots =
      per_mille(p_.big_per_mille) ? between(1, p_.big_lots) : between(1, p_.small_lots);
  return lots * cfg_.lot;
}

OrderId RandomFlow::fresh_id() {
  const std::uint64_t r = below(100);
  if (r < 4 && !dead_.empty()) {  // reuse an id that is (believed) dead
    const std::size_t k = below(dead_.size());
    const OrderId id = dead_[k];
    dead_[k] = dead_.back();
    dead_.pop_back();
    return id;
  }
  if (r < 7) {  // an arbitrary 64-bit id, sometimes the largest one
    if (below(20) == 0) return std::numeric_limits<OrderId>::max() - below(2);
    const OrderId id = rng_();
    return id == 0 ? 1 : id;
  }
  return next_id_++;
}

OwnerId RandomFlow::random_owner() {
  if (per_mille(p_.rare_owner_per_mille)) return p_.rare_owners[below(p_.rare_owners.size())];
  return p_.owners[below(p_.owners.size())];
}

StpMode RandomFlow::random_stp() {
  const std::uint64_t r = below(100);
  if (r < 35) return StpMode::OwnerDefault;
  if (r < 60) return StpMode::None;
  if (r < 70) return StpMode::CancelTaker;
  if (r < 80) return StpMode::CancelMaker;
  if (r < 90) return StpMode::CancelBoth;
  return StpMode::Decrement;
}

Timestamp RandomFlow::random_expiry() {
  const Timestamp steps = std::max<Timestamp>(1, p_.gtd_horizon / p_.gtd_grain);
  const Timestamp at = now_ + p_.gtd_grain * between(1, steps) - static_cast<Timestamp>(below(2));
  return std::max(at, now_ + 1);
}

void RandomFlow::forget_if(const auto& pred) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < pool_.size(); ++r) {
    if (pred(pool_[r])) {
      note_dead(pool_[r].id);
    } else {
      pool_[w++] = pool_[r];
    }
  }
  pool_.resize(w);
}

void RandomFlow::note_dead(OrderId id) {
  if (dead_.size() < 2'000) {
    dead_.push_back(id);
  } else {
    dead_[below(dead_.size())] = id;
  }
}

Op RandomFlow::next() {
  ++generated_;
  if (oracle_) {  // forget a few ids that were filled or cancelled meanwhile
    for (int i = 0; i < 3 && !pool_.empty(); ++i) {
      const std::size_t k = below(pool_.size());
      if (!oracle_(pool_[k].id)) {
        note_dead(pool_[k].id);
        drop_at(k);
      }
    }
  }
  if (p_.walk && below(p_.move_one_in) == 0) {
    if (below(p_.flip_one_in) == 0) trend_ = -trend_;
    mid_ += trend_ * between(0, p_.walk_step);
    if (mid_ <= p_.walk_lo) {
      mid_ = p_.walk_lo;
      trend_ = 1;
    } else if (mid_ >= p_.walk_hi) {
      mid_ = p_.walk_hi;
      trend_ = -1;
    }
  }

  if (p_.regime_one_in != 0 && below(p_.regime_one_in) == 0) calm_ = !calm_;

  // Steer the number of live orders towards the target: a fast warm-up, then balance.
  std::uint32_t w_add = p_.w_add;
  std::uint32_t w_cancel = calm_ ? p_.w_cancel / 3 : p_.w_cancel;
  if (pool_.size() < p_.target_live / 2) {
    w_add *= 2;
    w_cancel /= 3;
  } else if (pool_.size() < p_.target_live) {
    w_add = w_add * 3 / 2;
    w_cancel = w_cancel * 2 / 3;
  } else {
    w_cancel *= 2;
  }
  const std::uint32_t weights[] = {w_add,         w_cancel,      p_.w_modify,      p_.w_time,
                                   p_.w_stp,      p_.w_band,     p_.w_mass_owner,  p_.w_mass_side,
                                   p_.w_mass_all, p_.w_day};
  std::uint64_t total = 0;
  for (std::uint32_t w : weights) total += w;
  std::uint64_t r = below(total);
  std::size_t k = 0;
  while (r >= weights[k]) {
    r -= weights[k];
    ++k;
  }
  switch (k) {
    case 0: return make_add();
    case 1: return make_cancel();
    case 2: return make_modify();
    case 3: return make_advance_time();
    case 4: return make_set_owner_stp();
    case 5: return make_set_band();
    case 6: return make_mass_cancel(0);
    case 7: return make_mass_cancel(1);
    case 8: return make_mass_cancel(2);
    default: return make_cancel_day();
  }
}

Op RandomFlow::make_add() {
  Op op;
  op.kind = OpKind::Add;
  NewOrder& o = op.order;
  o.id = fresh_id();
  o.owner = random_owner();
  o.side = below(2) == 0 ? Side::Buy : Side::Sell;
  o.stp = random_stp();
  o.qty = random_qty();

  const std::uint32_t calm_div = calm_ ? 5 : 1;
  if (per_mille(p_.market_per_mille / calm_div)) {
    o.type = OrderType::Market;
    o.tif = below(3) == 0 ? TimeInForce::Fok : TimeInForce::Ioc;
    o.price = below(3) == 0 ? aggressive_price(o.side) : 0;  // protection price or the band edge
  } else {
    o.type = OrderType::Limit;
    const std::uint32_t t = static_cast<std::uint32_t>(below(1000));
    if (t < p_.ioc_per_mille / calm_div) {
      o.tif = TimeInForce::Ioc;
    } else if (t < (p_.ioc_per_mille + p_.fok_per_mille) / calm_div) {
      o.tif = TimeInForce::Fok;
    } else {
      const std::uint32_t u = static_cast<std::uint32_t>(below(1000));
      o.tif = u < p_.gtd_per_mille                     ? TimeInForce::Gtd
              : u < p_.gtd_per_mille + p_.day_per_mille ? TimeInForce::Day
                                                        : TimeInForce::Gtc;
    }
    const bool immediate = o.tif == TimeInForce::Ioc || o.tif == TimeInForce::Fok;
    const bool aggressive = per_mille(immediate ? 700 : p_.aggressive_per_mille / calm_div);
    o.price = aggressive ? aggressive_price(o.side) : passive_price(o.side);
    const std::uint64_t edge = below(1000);
    if (edge < p_.edge_per_mille * 3 / 4) {  // rests at the far edge of the band (first / last ladder level)
      o.price = o.side == Side::Buy ? band_lo_ : band_hi_;
    } else if (edge < p_.edge_per_mille) {  // sweeps towards the far edge
      o.price = o.side == Side::Buy ? band_hi_ : band_lo_;
      o.tif = TimeInForce::Ioc;
    }
  }
  if (o.tif == TimeInForce::Gtd) o.expire_at = random_expiry();
  if (below(100'000) < p_.huge_per_100k) {
    o.qty = cfg_.limits.max_order_qty / cfg_.lot * cfg_.lot;  // valid, and huge
    if (o.type == OrderType::Limit && below(4) != 0) o.tif = TimeInForce::Ioc;
  }

  if (per_mille(p_.invalid_per_mille)) {
    inject_add_faults(o);
    return op;  // rejected: never tracked
  }
  if (o.type == OrderType::Limit &&
      (o.tif == TimeInForce::Day || o.tif == TimeInForce::Gtc || o.tif == TimeInForce::Gtd)) {
    pool_.push_back(Tracked{o.id, o.owner, o.side, o.tif, o.price, o.qty, o.expire_at});
  }
  return op;
}

void RandomFlow::inject_add_faults(NewOrder& o) {
  const std::uint64_t n = 1 + below(3) / 2 + below(4) / 3;  // 1..3 faults, mostly 1
  for (std::uint64_t f = 0; f < n; ++f) {
    switch (below(17)) {
      case 0: o.id = 0; break;
      case 1:
        if (const auto k = pick_live()) o.id = pool_[*k].id;  // most likely live: duplicate
        break;
      case 2: o.side = static_cast<Side>(2 + below(254)); break;
      case 3: o.type = static_cast<OrderType>(2 + below(254)); break;
      case 4: o.tif = static_cast<TimeInForce>(5 + below(251)); break;
      case 5:  // a market order that could rest
        o.type = OrderType::Market;
        o.tif = static_cast<TimeInForce>(below(3));
        break;
      case 6: o.stp = static_cast<StpMode>(6 + below(250)); break;
      case 7: o.qty = 0; break;
      case 8: o.qty = below(4) == 0 ? kI64Min : -cfg_.lot * between(1, 100); break;
      case 9:
        o.qty = below(4) == 0 ? kI64Max : cfg_.limits.max_order_qty / cfg_.lot * cfg_.lot + cfg_.lot;
        break;
      case 10:  // off lot (from a sane base, so nothing overflows)
        if (cfg_.lot > 1) o.qty = cfg_.lot * between(1, 20) + between(1, cfg_.lot - 1);
        else o.qty = 0;
        break;
      case 11: o.price = 0; if (o.type == OrderType::Market) o.price = -cfg_.tick; break;
      case 12: o.price = below(4) == 0 ? kI64Min : -cfg_.tick * between(1, 50); break;
      case 13:  // off tick
        o.price = tick_price(mid_) + between(1, cfg_.tick - 1 > 0 ? cfg_.tick - 1 : 1);
        break;
      case 14: {  // outside the band (on tick)
        const std::uint64_t w = below(3);
        if (w == 0) {
          o.price = band_hi_ + cfg_.tick * between(1, 5);
        } else if (w == 1 && band_lo_ > cfg_.tick) {
          o.price = band_lo_ - cfg_.tick * between(1, std::min<std::int64_t>(5, band_lo_ / cfg_.tick - 1));
        } else {
          o.price = kI64Max / cfg_.tick * cfg_.tick;
        }
        break;
      }
      case 15:
        o.tif = TimeInForce::Gtd;
        o.expire_at = now_ - static_cast<Timestamp>(below(5));
        break;
      default:  // Gtd in the past but with another tif: must be ignored (not a fault)
        if (o.tif != TimeInForce::Gtd) o.expire_at = now_ - 1 - static_cast<Timestamp>(below(5));
        else o.id = 0;
        break;
    }
  }
}

Op RandomFlow::make_cancel() {
  Op op;
  op.kind = OpKind::Cancel;
  const std::uint64_t r = below(100);
  const std::optional<std::size_t> k = r < 88 ? pick_live() : std::nullopt;
  if (k) {
    op.id = pool_[*k].id;
    drop_at(*k);
    note_dead(op.id);
  } else if (r < 92) {
    op.id = 0;
  } else if (r < 96 && !dead_.empty()) {
    op.id = dead_[below(dead_.size())];
  } else {
    op.id = next_id_ + 1'000'000'000 + below(1'000'000);  // never issued
  }
  return op;
}

Op RandomFlow::make_modify() {
  Op op;
  op.kind = OpKind::Modify;
  const std::optional<std::size_t> k = below(100) < 5 ? std::nullopt : pick_live();
  if (!k) {
    op.id = !dead_.empty() && below(2) == 0 ? dead_[below(dead_.size())] : next_id_ + 2'000'000'000;
    op.price = passive_price(Side::Buy);
    op.qty = random_qty();
    return op;
  }
  Tracked& t = pool_[*k];
  op.id = t.id;
  op.price = t.price;
  const std::int64_t lots = std::max<std::int64_t>(1, t.qty / cfg_.lot);
  const std::uint64_t r = below(100);
  if (r < 25) {  // same price, fewer (or the same number of) lots: keeps priority if leaves allow
    op.qty = between(1, lots) * cfg_.lot;
  } else if (r < 35) {
    op.qty = t.qty;
  } else if (r < 50) {  // same price, more: loses priority
    op.qty = (lots + between(1, p_.small_lots)) * cfg_.lot;
  } else {  // new price, sometimes through the other side
    op.price = below(5) == 0 ? aggressive_price(t.side) : passive_price(t.side);
    op.qty = below(2) == 0 ? t.qty : random_qty();
  }

  if (per_mille(p_.invalid_per_mille * 3)) {
    const std::uint64_t n = 1 + below(3) / 2;
    for (std::uint64_t f = 0; f < n; ++f) {
      switch (below(9)) {
        case 0: op.qty = 0; break;
        case 1: op.qty = below(3) == 0 ? kI64Min : -cfg_.lot; break;
        case 2: op.qty = cfg_.limits.max_order_qty / cfg_.lot * cfg_.lot + cfg_.lot; break;
        case 3: op.qty = cfg_.lot > 1 ? op.qty + 1 : -1; break;
        case 4: op.price = 0; break;
        case 5: op.price = -cfg_.tick * between(1, 10); break;
        case 6: op.price = cfg_.tick > 1 ? op.price + 1 : -1; break;
        case 7: op.price = band_hi_ + cfg_.tick; break;
        default: op.price = band_lo_ > cfg_.tick ? band_lo_ - cfg_.tick : 0; break;
      }
    }
    return op;  // rejected: the tracked order is unchanged
  }
  t.price = op.price;
  t.qty = op.qty;
  return op;
}

Op RandomFlow::make_mass_cancel(std::uint32_t which) {
  Op op;
  op.kind = OpKind::MassCancel;
  if (which == 0) {  // by owner, sometimes also by side
    const OwnerId owner = below(20) == 0 ? 999'999 : random_owner();
    op.filter.owner = owner;
    if (below(3) == 0) op.filter.side = below(2) == 0 ? Side::Buy : Side::Sell;
  } else if (which == 1) {  // by side, rarely an invalid one
    op.filter.side = below(10) == 0 ? static_cast<Side>(2 + below(254)) : below(2) == 0 ? Side::Buy : Side::Sell;
    if (below(10) == 0) op.filter.owner = random_owner();
  }
  const auto f = op.filter;
  if (f.side && *f.side != Side::Buy && *f.side != Side::Sell) return op;  // rejected
  forget_if([&](const Tracked& t) {
    return (!f.owner || t.owner == *f.owner) && (!f.side || t.side == *f.side);
  });
  return op;
}

Op RandomFlow::make_cancel_day() {
  Op op;
  op.kind = OpKind::CancelDay;
  forget_if([](const Tracked& t) { return t.tif == TimeInForce::Day; });
  return op;
}

Op RandomFlow::make_advance_time() {
  Op op;
  op.kind = OpKind::AdvanceTime;
  const std::uint64_t r = below(100);
  if (r < 4) {  // backwards: rejected
    op.time = now_ - 1 - static_cast<Timestamp>(below(10));
    return op;
  }
  if (r < 6) {
    op.time = now_;
  } else if (r < 7) {  // a long jump expires many Gtd orders at once
    op.time = now_ + p_.gtd_horizon / 4 + static_cast<Timestamp>(below(static_cast<std::uint64_t>(p_.gtd_horizon)));
  } else {
    op.time = now_ + static_cast<Timestamp>(below(static_cast<std::uint64_t>(p_.time_step) + 1));
  }
  now_ = op.time;
  forget_if([&](const Tracked& t) { return t.tif == TimeInForce::Gtd && t.expire_at <= now_; });
  return op;
}

Op RandomFlow::make_set_band() {
  Op op;
  op.kind = OpKind::SetBand;
  const Price tick = cfg_.tick;
  const std::uint64_t r = below(100);
  if (r < 40) {
    op.price = ladder_lo_;
    op.price_hi = ladder_hi_;
  } else if (r < 65) {
    const std::int64_t w = between(p_.band_window / 2, p_.band_window);
    op.price = std::max(ladder_lo_, tick_price(mid_ - w));
    op.price_hi = std::min(ladder_hi_, tick_price(mid_ + w));
    if (op.price > op.price_hi) {  // the mid is off a moved ladder: the whole ladder
      op.price = ladder_lo_;
      op.price_hi = ladder_hi_;
    }
  } else if (r < 80) {
    // The ladder moves (as at an exchange open): the configured ladder
    // shifted by up to a band window either way, or just a window around the
    // mid; the orders outside go, the others keep their place.
    op.kind = OpKind::RebaseLadder;
    if (below(2) == 0) {
      const std::int64_t shift = between(-p_.band_window, p_.band_window);
      op.price = std::max(tick, cfg_.ladder_min + tick_price(shift));
      op.price_hi = std::max(op.price, cfg_.ladder_max + tick_price(shift));
    } else {
      const std::int64_t w = between(p_.band_window / 2, p_.band_window);
      op.price = std::max(tick, tick_price(mid_ - w));
      op.price_hi = tick_price(mid_ + w);
    }
    ladder_lo_ = op.price;
    ladder_hi_ = op.price_hi;
  } else {  // invalid, one way or another
    op.price = tick_price(mid_ - 5);
    op.price_hi = tick_price(mid_ + 5);
    // Outside the ladder is a fault for a band only; the others are faults
    // for a re-base too, which takes them now and then.
    bool also_for_rebase = true;
    switch (below(7)) {
      case 0: std::swap(op.price, op.price_hi); break;                    // lo > hi
      case 1: op.price = tick > 1 ? op.price + 1 : ladder_lo_ - 1; also_for_rebase = tick > 1; break;  // off tick
      case 2: op.price_hi = tick > 1 ? op.price_hi - 1 : ladder_hi_ + 1; also_for_rebase = tick > 1; break;
      case 3: op.price = ladder_lo_ - tick; also_for_rebase = false; break;   // below the ladder (0)
      case 4: op.price_hi = ladder_hi_ + tick; also_for_rebase = false; break;  // above the ladder
      case 5:  // a ladder one level wider than the limit
        op.kind = OpKind::RebaseLadder;
        op.price = tick;
        op.price_hi = tick_price(static_cast<std::int64_t>(cfg_.limits.max_ladder_levels) + 1);
        break;
      default: op.price = -tick * between(1, 100); break;
    }
    if (also_for_rebase && below(4) == 0) op.kind = OpKind::RebaseLadder;
    return op;
  }
  band_lo_ = op.price;
  band_hi_ = op.price_hi;
  forget_if([&](const Tracked& t) { return t.price < band_lo_ || t.price > band_hi_; });
  return op;
}

Op RandomFlow::make_set_owner_stp() {
  Op op;
  op.kind = OpKind::SetOwnerStp;
  op.owner = random_owner();
  const std::uint64_t r = below(100);
  if (r < 8) {
    op.mode = StpMode::OwnerDefault;
  } else if (r < 14) {
    op.mode = static_cast<StpMode>(6 + below(250));
  } else {
    op.mode = static_cast<StpMode>(1 + below(5));
  }
  return op;
}

// ------------------------------------------------------------------ lockstep helpers

namespace detail {

std::string describe_level(const std::optional<book::LevelView>& v) {
  if (!v) return "(none)";
  return "{price " + std::to_string(v->price) + ", qty " + std::to_string(v->qty) + ", orders " +
         std::to_string(v->orders) + "}";
}

std::string describe_levels(std::span<const book::LevelView> v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += " ";
    s += describe_level(v[i]);
  }
  return s + "]";
}

std::string describe_order(const std::optional<book::OrderView>& v) {
  if (!v) return "(not live)";
  return "{id " + std::to_string(v->id) + ", owner " + std::to_string(v->owner) + ", " +
         side_name(v->side) + ", " + tif_name(v->tif) + ", stp " + stp_name(v->stp) + ", price " +
         std::to_string(v->price) + ", leaves " + std::to_string(v->leaves) + ", expire_at " +
         std::to_string(v->expire_at) + "}";
}

bool same_order(const std::optional<book::OrderView>& a, const std::optional<book::OrderView>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->id == b->id && a->owner == b->owner && a->side == b->side && a->tif == b->tif &&
         a->stp == b->stp && a->price == b->price && a->leaves == b->leaves &&
         a->expire_at == b->expire_at;
}

}  // namespace detail

}  // namespace erx::test
