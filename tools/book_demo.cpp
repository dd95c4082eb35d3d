// erx-book-demo: a short trading sequence on one emission-right book, printed
// event by event with decimal prices. It stands in for the exchange daemon
// until erxd exists (see docs/ARCHITECTURE.md); `tools/dev run` starts it.

#include <cstdio>
#include <string>

#include "engine/book/order_book.hpp"
#include "engine/fixed/decimal.hpp"

namespace {

using namespace erx;
using namespace erx::book;

constexpr int kPriceScale = 2;  // CNY 0.01
constexpr int kQtyScale = 0;    // whole t/yr

Price px(const char* text) {
  const ParsedInt64 p = parse_fixed(text, kPriceScale);
  if (!p.ok()) {
    std::fprintf(stderr, "bad price %s: %s\n", text, std::string(to_string(p.error)).c_str());
    std::exit(1);
  }
  return p.value;
}

class PrintingSink final : public EventSink {
 public:
  void on_event(const Event& e) override {
    std::printf("  %-9s id=%-3llu owner=%-2u %-4s px=%-7s qty=%-4s leaves=%-4s",
                kind(e.kind), static_cast<unsigned long long>(e.order_id), e.owner,
                std::string(to_string(e.side)).c_str(), format_fixed(e.price, kPriceScale).c_str(),
                format_fixed(e.qty, kQtyScale).c_str(), format_fixed(e.leaves, kQtyScale).c_str());
    if (e.kind == EventKind::Trade)
      std::printf(" maker=%llu maker_leaves=%s", static_cast<unsigned long long>(e.maker_id),
                  format_fixed(e.maker_leaves, kQtyScale).c_str());
    if (e.reason != Reason::None) std::printf(" reason=%s", std::string(to_string(e.reason)).c_str());
    std::printf("\n");
  }

 private:
  static const char* kind(EventKind k) {
    switch (k) {
      case EventKind::Accepted: return "Accepted";
      case EventKind::Trade: return "Trade";
      case EventKind::Cancelled: return "Cancelled";
      case EventKind::Modified: return "Modified";
      case EventKind::Rejected: return "Rejected";
    }
    return "?";
  }
};

void show_depth(const OrderBook& b) {
  LevelView bids[5], asks[5];
  const std::size_t nb = b.depth(Side::Buy, bids);
  const std::size_t na = b.depth(Side::Sell, asks);
  std::printf("  depth        bids                    asks\n");
  for (std::size_t i = 0; i < std::max(nb, na); ++i) {
    std::string l = i < nb ? format_fixed(bids[i].qty, kQtyScale) + " @ " + format_fixed(bids[i].price, kPriceScale) +
                                 " (" + std::to_string(bids[i].orders) + ")"
                           : "";
    std::string r = i < na ? format_fixed(asks[i].qty, kQtyScale) + " @ " + format_fixed(asks[i].price, kPriceScale) +
                                 " (" + std::to_string(asks[i].orders) + ")"
                           : "";
    std::printf("  %-2zu  %-24s %-24s\n", i + 1, l.c_str(), r.c_str());
  }
}

void step(const char* what) { std::printf("\n%s\n", what); }

}  // namespace

int main() {
  std::printf("ERX order-book demo: SO2 emission right, Gan basin, CNY per (t*yr), reference 389.00, band +/-10%%\n");
  PrintingSink sink;
  BookConfig cfg;
  cfg.ladder_min = px("0.01");
  cfg.ladder_max = px("2000.00");
  OrderBook b(cfg, sink);
  b.set_price_band(px("350.10"), px("427.90"));

  step("Two sellers post offers; a buyer bids below them.");
  b.add({1, 10, Side::Sell, OrderType::Limit, TimeInForce::Day, StpMode::OwnerDefault, px("390.00"), 300, 0});
  b.add({2, 11, Side::Sell, OrderType::Limit, TimeInForce::Gtc, StpMode::OwnerDefault, px("391.50"), 500, 0});
  b.add({3, 20, Side::Buy, OrderType::Limit, TimeInForce::Day, StpMode::OwnerDefault, px("388.00"), 200, 0});
  show_depth(b);

  step("A buyer takes 450 t/yr up to 392.00: fills at the resting prices, best first.");
  b.add({4, 21, Side::Buy, OrderType::Limit, TimeInForce::Ioc, StpMode::OwnerDefault, px("392.00"), 450, 0});
  show_depth(b);

  step("The bidder raises price and size (loses priority); an order outside the band is rejected.");
  b.modify(3, px("389.00"), 250);
  b.add({5, 22, Side::Buy, OrderType::Limit, TimeInForce::Day, StpMode::OwnerDefault, px("430.00"), 10, 0});
  show_depth(b);

  step("Self-trade prevention: seller 11 hits its own... bid from the same owner is cancelled instead.");
  b.add({6, 11, Side::Buy, OrderType::Limit, TimeInForce::Day, StpMode::CancelTaker, px("391.50"), 100, 0});

  step("Session close: day orders are cancelled by the system.");
  b.cancel_day_orders();
  show_depth(b);
  return 0;
}
