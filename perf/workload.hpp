#pragma once
// Seeded, reproducible order-book workloads (perf/README.md):
//   hot   small book, tens of levels, hundreds of orders; add / cancel / match mix
//   deep  >= 20,000 resting orders on <= 100 levels; ~95% of orders end cancelled,
//         in random order; modifies are reprices or size increases; ~15% IOC
//   wide  the mid price walks over >= 30,000 ticks (a crash and a recovery),
//         few orders per level
// Streams are generated once, before timing, by driving a real OrderBook and
// watching its events, so cancels and modifies target orders that are live.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/book/order_book.hpp"

namespace erx::perf {

struct Op {
  enum class Kind : std::uint8_t { Add, Cancel, Modify };
  Kind kind = Kind::Add;
  book::Side side = book::Side::Buy;
  book::OrderType type = book::OrderType::Limit;
  book::TimeInForce tif = book::TimeInForce::Gtc;
  book::OwnerId owner = 0;
  book::OrderId id = 0;
  Price price = 0;
  Qty qty = 0;
};
static_assert(sizeof(Op) == 32);

struct Workload {
  std::string name;
  book::BookConfig config;
  std::vector<Op> ops;
};

Workload make_hot(std::uint64_t seed, std::size_t ops);
Workload make_deep(std::uint64_t seed, std::size_t ops);
Workload make_wide(std::uint64_t seed, std::size_t ops);

inline void apply(book::OrderBook& b, const Op& op) {
  switch (op.kind) {
    case Op::Kind::Add:
      b.add(book::NewOrder{op.id, op.owner, op.side, op.type, op.tif, book::StpMode::None, op.price, op.qty, 0});
      break;
    case Op::Kind::Cancel:
      b.cancel(op.id);
      break;
    case Op::Kind::Modify:
      b.modify(op.id, op.price, op.qty);
      break;
  }
}

}  // namespace erx::perf
