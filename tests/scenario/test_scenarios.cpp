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
