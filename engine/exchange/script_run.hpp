#pragma once
// Running a command script through a fresh Exchange, text in, text out.
// Used by the `erx run` CLI and by the golden scenario tests. Pure: the caller
// reads the file and prints the lines.
//
// Output, one line each: every command echoed in canonical form after "> ",
// then the events it caused (docs/COMMANDS.md, "Events"), and at the end
// "state-hash <16 hex digits>".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/exchange/command_text.hpp"

namespace erx::exchange {

struct ScriptRun {
  std::vector<ParseError> errors;  // when not empty, nothing was run
  std::vector<std::string> lines;
  std::uint64_t state_hash = 0;
  std::size_t commands = 0;
};

// check_invariants: call Exchange::check_invariants() after every command
// (it aborts the process on a violation).
[[nodiscard]] ScriptRun run_script(std::string_view text, bool check_invariants);

}  // namespace erx::exchange
