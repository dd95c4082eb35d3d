#include "gateway/to_fix.hpp"

#include <array>

namespace erx::gateway {

FIX::Message to_fix(const OutMsg& m) {
  FIX::Message msg;
  to_fix(m, msg);
  return msg;
}

void to_fix(const OutMsg& m, FIX::Message& msg) {
  msg.clear();
  msg.getHeader().setField(FIX::FIELD::MsgType, m.type);
  // In tag order: QuickFIX keeps a message's fields sorted, so each field
  // then goes to the end instead of being inserted in the middle.
  std::array<const OutField*, 64> sorted{};
  std::size_t n = 0;
  for (const OutField& f : m.fields) {
    if (n == sorted.size()) break;
    std::size_t at = n++;
    for (; at > 0 && sorted[at - 1]->tag > f.tag; --at) sorted[at] = sorted[at - 1];
    sorted[at] = &f;
  }
  if (n == m.fields.size()) {
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
