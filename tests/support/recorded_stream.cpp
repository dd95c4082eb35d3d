#include "tests/support/recorded_stream.hpp"

#include <algorithm>

#include "engine/exchange/exchange.hpp"
#include "tests/support/exchange_flow.hpp"

namespace erx::test {

namespace {

class FlowFeed final : public exchange::ExchangeSink {
 public:
  explicit FlowFeed(exchange::test::ExchangeFlow& flow) : flow_(flow) {}
  void on_event(exchange::Seq, const exchange::Event& e) override { flow_.observe(e); }

 private:
  exchange::test::ExchangeFlow& flow_;
};

}  // namespace

RecordedStream record_stream(std::uint64_t seed, std::size_t n) {
  RecordedStream s;
  exchange::test::ExchangeFlow flow(seed);
  FlowFeed feed(flow);
  exchange::Exchange ex(feed, exchange::test::flow_limits());
  s.commands.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    exchange::Command c = flow.next();
    ex.apply(c);
    s.commands.push_back(std::move(c));
  }
  return s;
}

std::uint64_t hash_after_prefix(const RecordedStream& s, std::size_t k) {
  erx::exchange::DiscardEvents sink;
  exchange::Exchange ex(sink, exchange::test::flow_limits());
  for (std::size_t i = 0; i < k; ++i) ex.apply(s.commands[i]);
  return ex.state_hash();
}

exchange::Timestamp ReplayClock::now() {
  const std::size_t k = std::min(next_, s_.commands.size() - 1);
  ++next_;
  return s_.commands[k].time;
}

void CountingCompletion::done(const ledger::Outcome& o) {
  {
    std::lock_guard lock(mu_);
    if (o.status == ledger::Outcome::Status::Committed) {
      ++committed_;
      max_seq_ = std::max(max_seq_, o.seq);
    } else {
      ++failed_;
    }
  }
  cv_.notify_all();
}

void CountingCompletion::wait_for(std::uint64_t n) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return committed_ + failed_ >= n; });
}

std::uint64_t CountingCompletion::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::uint64_t CountingCompletion::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

exchange::Seq CountingCompletion::max_seq() const {
  std::lock_guard lock(mu_);
  return max_seq_;
}

}  // namespace erx::test
