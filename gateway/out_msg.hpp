#pragma once
// An outbound FIX application message as plain data: what the router builds on
// the ledger's writer thread (no QuickFIX there), and what a session's
// connection thread turns into a FIX::Message when it sends (fix_server.cpp).

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/fix_tags.hpp"
#include "gateway/latency_probe.hpp"

namespace erx::gateway {

// Where a report came from: the committed command's seq and the report's
// place (1, 2, ...) among that command's reports to one session. {0, 0}: not
// a report of a committed command (an answer of the gateway's own). The FIX
// store keeps the last origin sent per session (fix_store.hpp), which is
// where recovery resumes.
struct ReportOrigin {
  std::uint64_t seq = 0;
  std::uint32_t ordinal = 0;
  [[nodiscard]] bool none() const noexcept { return seq == 0; }
  friend auto operator<=>(const ReportOrigin&, const ReportOrigin&) = default;
};

struct OutField {
  int tag = 0;
  std::string value;
};

struct OutGroup {
  int count_tag = 0;  // NoXxx
  int delimiter = 0;  // the first field of each entry
  std::vector<std::vector<OutField>> entries;
};

struct OutMsg {
  OutMsg() = default;
  explicit OutMsg(std::string msg_type, std::vector<OutField> f = {}, std::vector<OutGroup> g = {})
      : type(std::move(msg_type)), fields(std::move(f)), groups(std::move(g)) {}

  std::string type;  // MsgType(35)
  std::vector<OutField> fields;
  std::vector<OutGroup> groups;
  LatencyStamps stamps;  // the request's, on its first report when it was sampled
  ReportOrigin origin;   // set by the gateway for the reports of a committed command

  OutMsg& set(int tag, std::string value) {
    fields.push_back(OutField{tag, std::move(value)});
    return *this;
  }
  // A code of fix_mapping.hpp, or a literal.
  OutMsg& set(int tag, std::string_view value) { return set(tag, std::string(value)); }
  OutMsg& set(int tag, const char* value) { return set(tag, std::string(value)); }
  [[nodiscard]] const std::string* get(int tag) const {
    for (const OutField& f : fields)
      if (f.tag == tag) return &f.value;
    return nullptr;
  }
};

}  // namespace erx::gateway
