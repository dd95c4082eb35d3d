#include "engine/exchange/script_run.hpp"

#include <cinttypes>
#include <cstdio>

#include "engine/exchange/event_text.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

namespace {

class LinesSink final : public ExchangeSink {
 public:
  explicit LinesSink(std::vector<std::string>& out) : out_(out) {}
  void on_event(Seq seq, const Event& e) override { out_.push_back(printer_.print(seq, e)); }

 private:
  std::vector<std::string>& out_;
  EventPrinter printer_;
};

}  // namespace

ScriptRun run_script(std::string_view text, bool check_invariants) {
  ScriptRun run;
  ParsedScript script = parse_script(text);
  if (!script.errors.empty()) {
    run.errors = std::move(script.errors);
    return run;
  }
  LinesSink sink(run.lines);
  Exchange ex(sink);
  for (const Command& c : script.commands) {
    run.lines.push_back("> " + print(c));
    ex.apply(c);
    if (check_invariants) ex.check_invariants();
    ++run.commands;
  }
  run.state_hash = ex.state_hash();
  char hash[40];
  std::snprintf(hash, sizeof hash, "state-hash %016" PRIx64, run.state_hash);
  run.lines.emplace_back(hash);
  return run;
}

}  // namespace erx::exchange
