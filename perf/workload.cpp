#include "perf/workload.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

namespace erx::perf {

namespace {

using book::Event;
using book::EventKind;
using book::OrderId;
using book::Side;
using book::TimeInForce;

// Tracks which order ids are live while a stream is generated, so cancels and
// modifies can pick a uniformly random live order in O(1).
class LiveSet final : public book::EventSink {
 public:
  void on_event(const Event& e) override {
    if (e.kind == EventKind::Trade && e.maker_leaves == 0) erase(e.maker_id);
    if (e.kind == EventKind::Cancelled && e.leaves == 0) erase(e.order_id);
  }
  void insert(OrderId id) {
    pos_[id] = ids_.size();
    ids_.push_back(id);
  }
  void erase(OrderId id) {
    auto it = pos_.find(id);
    if (it == pos_.end()) return;
    const std::size_t at = it->second;
    ids_[at] = ids_.back();
    pos_[ids_[at]] = at;
    ids_.pop_back();
    pos_.erase(it);
  }
  [[nodiscard]] std::size_t size() const { return ids_.size(); }
  [[nodiscard]] OrderId pick(std::mt19937_64& rng) const { return ids_[rng() % ids_.size()]; }

 private:
  std::vector<OrderId> ids_;
  std::unordered_map<OrderId, std::size_t> pos_;
};

// Drives a generation-time book with the ops as they are chosen.
class Generator {
 public:
  Generator(const book::BookConfig& cfg, std::uint64_t seed) : book_(cfg, live_), rng_(seed) {}

  std::mt19937_64& rng() { return rng_; }
  [[nodiscard]] std::size_t live() const { return live_.size(); }
  const book::OrderBook& book() const { return book_; }

  void add(Side side, TimeInForce tif, Price price, Qty qty) {
    Op op;
    op.kind = Op::Kind::Add;
    op.side = side;
    op.tif = tif;
    op.owner = static_cast<book::OwnerId>(rng_() % 64);
    op.id = next_id_++;
    op.price = price;
    op.qty = qty;
    push(op);
    if (book_.find(op.id)) live_.insert(op.id);
  }
  void cancel_random() {
    Op op;
    op.kind = Op::Kind::Cancel;
    op.id = live_.pick(rng_);
    push(op);
  }
  // Modify a random live order with `f(view) -> (price, qty)`.
  template <class F>
  void modify_random(F f) {
    const OrderId id = live_.pick(rng_);
    const book::OrderView v = *book_.find(id);
    const auto [price, qty] = f(v);
    Op op;
    op.kind = Op::Kind::Modify;
    op.id = id;
    op.price = price;
    op.qty = qty;
    push(op);
  }
  std::vector<Op> take() { return std::move(ops_); }

 private:
  void push(const Op& op) {
    ops_.push_back(op);
    apply(book_, op);
  }

  LiveSet live_;
  book::OrderBook book_;
  std::mt19937_64 rng_;
  std::vector<Op> ops_;
  OrderId next_id_ = 1;
};

Price clamp_price(Price p, Price lo, Price hi) { return std::clamp(p, lo, hi); }

}  // namespace

Workload make_hot(std::uint64_t seed, std::size_t n) {
  Workload w{"hot", {}, {}};
  w.config.ladder_min = 1;
  w.config.ladder_max = 2'000;
  const Price mid = 1'000;
  Generator g(w.config, seed);
  auto& rng = g.rng();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = rng() % 100;
    if (g.live() < 200 || r < 45) {
      // Passive adds within 20 ticks of the mid keep the book at tens of levels.
      const Side side = rng() % 2 ? Side::Buy : Side::Sell;
      const auto off = static_cast<Price>(1 + rng() % 20);
      g.add(side, TimeInForce::Gtc, side == Side::Buy ? mid - off : mid + off - 1,
            static_cast<Qty>(1 + rng() % 10));
    } else if (r < 85) {
      g.cancel_random();
    } else {
      // Aggressive: crosses up to 3 ticks past the mid, IOC or resting remainder.
      const Side side = rng() % 2 ? Side::Buy : Side::Sell;
      const auto off = static_cast<Price>(rng() % 4);
      g.add(side, rng() % 2 ? TimeInForce::Ioc : TimeInForce::Gtc, side == Side::Buy ? mid + off : mid - 1 - off,
            static_cast<Qty>(1 + rng() % 20));
    }
  }
  w.ops = g.take();
  return w;
}

Workload make_deep(std::uint64_t seed, std::size_t n) {
  Workload w{"deep", {}, {}};
  w.config.ladder_min = 1;
  w.config.ladder_max = 2'000;
  w.config.initial_order_capacity = 32'768;
  const Price mid = 1'000;  // bids on [950, 999], asks on [1000, 1049]: 100 levels
  const std::size_t target = 20'000;
  Generator g(w.config, seed);
  auto& rng = g.rng();
  auto passive_price = [&](Side side) {
    const auto off = static_cast<Price>(rng() % 50);
    return side == Side::Buy ? mid - 1 - off : mid + off;
  };
  // Prefill: 200 orders on each of the 100 levels.
  for (std::size_t i = 0; i < target; ++i) {
    const Side side = i % 2 ? Side::Buy : Side::Sell;
    g.add(side, TimeInForce::Gtc, passive_price(side), static_cast<Qty>(1 + rng() % 10));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = rng() % 100;
    const Side side = rng() % 2 ? Side::Buy : Side::Sell;
    if (g.live() > target + 1'000 || (g.live() > target - 1'000 && r < 40)) {
      g.cancel_random();  // random position in a deep queue: O(1) through the id index
    } else if (r < 55 || g.live() <= target - 1'000) {
      g.add(side, TimeInForce::Gtc, passive_price(side), static_cast<Qty>(1 + rng() % 10));
    } else if (r < 70) {
      const auto through = static_cast<Price>(rng() % 3);
      g.add(side, TimeInForce::Ioc, side == Side::Buy ? mid + through : mid - 1 - through,
            static_cast<Qty>(1 + rng() % 30));
    } else {
      // Modifies lose priority: a reprice on the same side, or a size increase.
      const bool reprice = rng() % 2 == 0;
      g.modify_random([&](const book::OrderView& v) {
        if (reprice) return std::pair<Price, Qty>{passive_price(v.side), v.leaves};
        return std::pair<Price, Qty>{v.price, v.leaves + 1 + static_cast<Qty>(rng() % 5)};
      });
    }
  }
  w.ops = g.take();
  return w;
}

Workload make_wide(std::uint64_t seed, std::size_t n) {
  Workload w{"wide", {}, {}};
  w.config.ladder_min = 1;
  w.config.ladder_max = 65'536;
  w.config.initial_order_capacity = 16'384;
  const Price high = 45'000;
  const Price low = 10'000;  // a 35,000-tick crash, then the recovery
  const std::size_t target = 5'000;
  Generator g(w.config, seed);
  auto& rng = g.rng();
  for (std::size_t i = 0; i < n; ++i) {
    // The mid walks down over the first half of the stream and back up over the second.
    const auto progress = static_cast<Price>((2 * (high - low) * static_cast<Price>(i)) / static_cast<Price>(n));
    const Price mid = progress <= high - low ? high - progress : low + (progress - (high - low));
    const std::uint64_t r = rng() % 100;
    const Side side = rng() % 2 ? Side::Buy : Side::Sell;
    if (g.live() > target && r < 45) {
      g.cancel_random();
    } else if (r < 85) {
      const auto off = static_cast<Price>(rng() % 100);
      const Price px = side == Side::Buy ? mid - 1 - off : mid + off;
      g.add(side, TimeInForce::Gtc, clamp_price(px, 1, 65'536), static_cast<Qty>(1 + rng() % 10));
    } else {
      const auto through = static_cast<Price>(rng() % 20);
      const Price px = side == Side::Buy ? mid + through : mid - 1 - through;
      g.add(side, TimeInForce::Ioc, clamp_price(px, 1, 65'536), static_cast<Qty>(1 + rng() % 40));
    }
  }
  w.ops = g.take();
  return w;
}

}  // namespace erx::perf
