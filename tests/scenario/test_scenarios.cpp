// Golden scenario tests: every *.erx script under tests/scenario/scripts/ and
// tools/examples/ runs through a fresh exchange (invariants checked after every
// command), and its output (commands echoed, events, state hash; see
// engine/exchange/script_run.hpp) must equal the *.expected file beside it,
// line for line.
//
// After an intended change of behaviour, regenerate and review the diff:
//   ERX_UPDATE_GOLDEN=1 ./build/release/tests/test_scenarios

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/script_run.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<fs::path> scripts() {
  std::vector<fs::path> out;
  for (const char* dir : {"tests/scenario/scripts", "tools/examples"})
    for (const auto& e : fs::directory_iterator(fs::path(ERX_SOURCE_DIR) / dir))
      if (e.path().extension() == ".erx") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("golden scenarios", "[scenario]") {
  const bool update = std::getenv("ERX_UPDATE_GOLDEN") != nullptr;
  const std::vector<fs::path> all = scripts();
  REQUIRE(all.size() >= 2);
  for (const fs::path& script : all) {
    DYNAMIC_SECTION(script.filename().string()) {
      const erx::exchange::ScriptRun run = erx::exchange::run_script(slurp(script), true);
      for (const auto& e : run.errors) FAIL(script.filename().string() << ": " << erx::exchange::to_string(e));
      REQUIRE(run.errors.empty());
      fs::path expected_path = script;
      expected_path.replace_extension(".expected");
      if (update) {
        std::ofstream out(expected_path, std::ios::binary);
        for (const std::string& line : run.lines) out << line << '\n';
        continue;
      }
      REQUIRE(fs::exists(expected_path));
      const std::vector<std::string> expected = split_lines(slurp(expected_path));
      const std::size_t n = std::min(expected.size(), run.lines.size());
      for (std::size_t i = 0; i < n; ++i) {
        INFO(script.filename().string() << " line " << (i + 1));
        REQUIRE(run.lines[i] == expected[i]);
      }
      REQUIRE(run.lines.size() == expected.size());
    }
  }
}

// Every state a scenario passes through survives a snapshot: saved after each
// command, loaded into a fresh exchange, it has the same state hash, passes
// every invariant and saves to the same bytes. The scenarios hold the states
// the randomized flow rarely reaches (rights past their term, prepaid sub-fen
// of kg buys, resolved eligibility, cancels by restriction).
TEST_CASE("golden scenarios: a snapshot after every command restores the same state", "[scenario]") {
  using namespace erx::exchange;
  class Null final : public ExchangeSink {
    void on_event(Seq, const Event&) override {}
  } none;
  std::size_t restored = 0;
  for (const fs::path& script : scripts()) {
    const ParsedScript parsed = parse_script(slurp(script));
    REQUIRE(parsed.errors.empty());
    Exchange ex(none);
    std::string bytes, again, error;
    for (std::size_t i = 0; i < parsed.commands.size(); ++i) {
      ex.apply(parsed.commands[i]);
      ex.save_snapshot(bytes);
      Exchange copy(none);
      INFO(script.filename().string() << " after command " << (i + 1) << ": " << error);
      REQUIRE(copy.load_snapshot(bytes, &error));
      REQUIRE(copy.state_hash() == ex.state_hash());
      copy.check_invariants();
      copy.save_snapshot(again);
      REQUIRE(again == bytes);
      ++restored;
    }
  }
  CHECK(restored > 500);
}
