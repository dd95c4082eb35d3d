// erx: the operator's and regulator's command-line tool.
//
//   erx run SCRIPT     run a command script (docs/COMMANDS.md) through a fresh
//                      exchange and print every command and its events, one
//                      line each, then the state hash; invariants are checked
//                      after every command
//   erx check SCRIPT   parse only: report every error with its line number
//
// Exit status: 0 success, 1 the script has errors, 2 usage or I/O error.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/script_run.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: erx run SCRIPT | erx check SCRIPT\n");
  return 2;
}

bool read_file(const char* path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  out = buf.str();
  return true;
}

int report(const std::vector<erx::exchange::ParseError>& errors, const char* path) {
  for (const auto& e : errors) std::fprintf(stderr, "%s: %s\n", path, erx::exchange::to_string(e).c_str());
  return errors.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return usage();
  const std::string cmd = argv[1];
  std::string text;
  if (!read_file(argv[2], text)) {
    std::fprintf(stderr, "erx: cannot read %s\n", argv[2]);
    return 2;
  }
  if (cmd == "check") {
    const auto script = erx::exchange::parse_script(text);
    if (const int rc = report(script.errors, argv[2]); rc != 0) return rc;
    std::printf("%s: %zu commands, no errors\n", argv[2], script.commands.size());
    return 0;
  }
  if (cmd == "run") {
    const erx::exchange::ScriptRun run = erx::exchange::run_script(text, true);
    if (const int rc = report(run.errors, argv[2]); rc != 0) return rc;
    for (const std::string& line : run.lines) std::cout << line << '\n';
    return 0;
  }
  return usage();
}
