#pragma once
// EventRecorder: an EventSink that keeps the events it receives (optionally)
// and a running hash of all of them, plus compare_streams(), which finds the
// first difference between two event streams and explains it in words.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/book/book_types.hpp"

namespace erx::test {

class EventRecorder final : public book::EventSink {
 public:
  static constexpr std::uint64_t kHashSeed = 0x45525845'56454e54ull;  // "ERXEVENT"

  void on_event(const book::Event& e) override;

  // Events received since construction or the last clear_events().
  [[nodiscard]] const std::vector<book::Event>& events() const noexcept { return events_; }
  // Hash over every event ever received (clear_events() does not reset it).
  [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
  // Number of events ever received.
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

  // Drops the stored events but keeps the hash and the count: lets a long run
  // compare window by window without holding millions of events.
  void clear_events() noexcept { events_.clear(); }
  void reset() noexcept;

 private:
  std::vector<book::Event> events_;
  std::uint64_t hash_ = kHashSeed;
  std::uint64_t count_ = 0;
};

struct StreamComparison {
  std::optional<std::size_t> first_difference;  // index of the first differing event; none = equal
  std::string description;                       // empty when equal
  [[nodiscard]] bool equal() const noexcept { return !first_difference.has_value(); }
};

// Compares two event streams event by event. A difference is: an event whose
// fields differ, an event missing from `actual`, or an extra event in `actual`.
[[nodiscard]] StreamComparison compare_streams(const std::vector<book::Event>& expected,
                                               const std::vector<book::Event>& actual);

// Names of the Event fields that differ between a and b ("qty", "leaves", ...).
[[nodiscard]] std::vector<std::string_view> differing_fields(const book::Event& a,
                                                             const book::Event& b);

// All events, one describe() line each, prefixed with their index (+ first_index).
[[nodiscard]] std::string describe_all(const std::vector<book::Event>& events,
                                       std::size_t first_index = 0);

}  // namespace erx::test
