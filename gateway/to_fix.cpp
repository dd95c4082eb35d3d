#include "gateway/to_fix.hpp"

#include <array>

namespace erx::gateway {

void to_fix(const OutMsg& m, FIX::Message& msg) {
  msg.clear();
  msg.getHeader().setField(FIX::FIELD::MsgType, m.type);
  // In tag order: QuickFIX keeps a message's fields sorted, so each field
  // then goes to the end instead of being inserted in the middle. Insertion
  // sort: stable (a repeated tag keeps its last value, as in field order) and
  // no allocation. A message with more fields than the array goes as it is.
  std::array<const OutField*, 64> sorted{};
  const std::size_t n = m.fields.size();
  if (n <= sorted.size()) {
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t at = i;
      for (; at > 0 && sorted[at - 1]->tag > m.fields[i].tag; --at) sorted[at] = sorted[at - 1];
      sorted[at] = &m.fields[i];
    }
    for (std::size_t i = 0; i < n; ++i) msg.setField(sorted[i]->tag, sorted[i]->value);
  } else {
    for (const OutField& f : m.fields) msg.setField(f.tag, f.value);
  }
  for (const OutGroup& g : m.groups) {
    for (const auto& entry : g.entries) {
      FIX::Group group(g.count_tag, g.delimiter);
      for (const OutField& f : entry) group.setField(f.tag, f.value);
      msg.addGroup(group);
    }
    if (g.entries.empty()) msg.setField(g.count_tag, "0");
  }
}

}  // namespace erx::gateway
