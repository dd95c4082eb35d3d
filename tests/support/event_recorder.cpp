// EventRecorder and the event-stream comparator; see event_recorder.hpp.

#include "tests/support/event_recorder.hpp"

#include <algorithm>

namespace erx::test {

void EventRecorder::on_event(const book::Event& e) {
  events_.push_back(e);
  hash_ = book::hash_event(hash_, e);
  ++count_;
}

void EventRecorder::reset() noexcept {
  events_.clear();
  hash_ = kHashSeed;
  count_ = 0;
}

std::vector<std::string_view> differing_fields(const book::Event& a, const book::Event& b) {
  std::vector<std::string_view> out;
  if (a.kind != b.kind) out.emplace_back("kind");
  if (a.request != b.request) out.emplace_back("request");
  if (a.side != b.side) out.emplace_back("side");
  if (a.type != b.type) out.emplace_back("type");
  if (a.tif != b.tif) out.emplace_back("tif");
  if (a.priority_kept != b.priority_kept) out.emplace_back("priority_kept");
  if (a.reason != b.reason) out.emplace_back("reason");
  if (a.owner != b.owner) out.emplace_back("owner");
  if (a.maker_owner != b.maker_owner) out.emplace_back("maker_owner");
  if (a.order_id != b.order_id) out.emplace_back("order_id");
  if (a.maker_id != b.maker_id) out.emplace_back("maker_id");
  if (a.price != b.price) out.emplace_back("price");
  if (a.qty != b.qty) out.emplace_back("qty");
  if (a.leaves != b.leaves) out.emplace_back("leaves");
  if (a.maker_leaves != b.maker_leaves) out.emplace_back("maker_leaves");
  return out;
}

std::string describe_all(const std::vector<book::Event>& events, std::size_t first_index) {
  std::string s;
  for (std::size_t i = 0; i < events.size(); ++i) {
    s += "  #" + std::to_string(first_index + i) + " " + book::describe(events[i]) + "\n";
  }
  if (events.empty()) s += "  (no events)\n";
  return s;
}

StreamComparison compare_streams(const std::vector<book::Event>& expected,
                                 const std::vector<book::Event>& actual) {
  StreamComparison r;
  const std::size_t common = std::min(expected.size(), actual.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (expected[i] == actual[i]) continue;
    r.first_difference = i;
    std::string fields;
    for (std::string_view f : differing_fields(expected[i], actual[i])) {
      if (!fields.empty()) fields += ", ";
      fields += f;
    }
    r.description = "event #" + std::to_string(i) + " differs in [" + fields + "]\n" +
                    "  expected: " + book::describe(expected[i]) + "\n" +
                    "  actual:   " + book::describe(actual[i]);
    return r;
  }
  if (expected.size() > actual.size()) {
    r.first_difference = common;
    r.description = "event #" + std::to_string(common) + " is missing from the actual stream (" +
                    std::to_string(expected.size()) + " expected, " +
                    std::to_string(actual.size()) + " actual)\n  expected: " +
                    book::describe(expected[common]);
  } else if (actual.size() > expected.size()) {
    r.first_difference = common;
    r.description = "event #" + std::to_string(common) + " is extra in the actual stream (" +
                    std::to_string(expected.size()) + " expected, " +
                    std::to_string(actual.size()) + " actual)\n  actual:   " +
                    book::describe(actual[common]);
  }
  return r;
}

}  // namespace erx::test
