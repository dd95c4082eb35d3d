#pragma once
// Helpers for exchange tests written in C++: a recording sink and a driver
// that stamps seq and time, applies commands and checks every invariant after
// each one.

#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/exchange/exchange.hpp"

namespace erx::exchange::test {

class Recorder final : public ExchangeSink {
 public:
  void on_event(Seq, const Event& e) override { events.push_back(e); }
  std::vector<Event> events;
};

inline Decimal dec(std::int64_t units, int scale = 0) { return Decimal{units, static_cast<std::int8_t>(scale)}; }

class Driver {
 public:
  Driver() : ex(rec) {}

  // Applies one command (seq and time stamped here) and returns its events.
  std::vector<Event> apply(CommandBody body, Timestamp dt = 1'000'000) {
    rec.events.clear();
    time += dt;
    ex.apply(Command{++seq, time, std::move(body)});
    ex.check_invariants();
    return rec.events;
  }

  template <class E>
  static std::vector<E> all(const std::vector<Event>& evs) {
    std::vector<E> out;
    for (const Event& e : evs)
      if (const E* x = std::get_if<E>(&e)) out.push_back(*x);
    return out;
  }

  static RejectReason rejected(const std::vector<Event>& evs) {
    for (const Event& e : evs)
      if (const auto* r = std::get_if<CommandRejected>(&e)) return r->reason;
    return RejectReason::None;
  }

  Recorder rec;
  Exchange ex;
  Seq seq = 0;
  Timestamp time = 1'767'225'600'000'000'000;  // 2026-01-01T00:00:00Z
};

}  // namespace erx::exchange::test
