// Runs the jspurefix interop script (erx_interop.js) against a fresh erxd.
// Exit 0: every check passed; 1: a check failed; 77: skipped because node or
// jspurefix is not installed (tools/setup.sh installs them; only an
// unreachable npm registry leaves them out) — CTest reports that as skipped.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "tests/fix/fix_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

int main() {
  const fs::path dir = ERX_INTEROP_DIR;
  if (!fs::exists(dir / "node_modules" / "jspurefix" / "package.json")) {
    std::printf("SKIP: jspurefix is not installed in %s (npm registry unreachable when tools/setup.sh ran?)\n",
                dir.c_str());
    return 77;
  }
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    std::printf("SKIP: node is not installed\n");
    return 77;
  }
  erx::test::TempDir tmp("erx-interop");
  erx::test::ErxdProcess erxd(tmp.path() / "erxd");
  erx::crash::Child::Options o;
  o.argv = {"/usr/bin/env", "node", (dir / "erx_interop.js").string(), std::to_string(erxd.port()), ERX_FIX_DICTIONARY};
  o.output = tmp.path() / "interop.log";
  erx::crash::Child node = erx::crash::Child::spawn(o);
  const auto [status, killed] = node.wait_or_kill(std::chrono::milliseconds(60000));
  const std::string out = erx::crash::slurp(o.output);
  // The checks, without jspurefix's own chatter.
  for (std::size_t at = 0; at < out.size();) {
    const std::size_t nl = out.find('\n', at);
    const std::string line = out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (line.rfind("PASS", 0) == 0 || line.rfind("FAIL", 0) == 0 || line.rfind("interop", 0) == 0)
      std::printf("%s\n", line.c_str());
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  const bool ok = !killed && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) std::printf("interop failed; erxd log:\n%s\njspurefix output:\n%s\n", erxd.log().c_str(), out.c_str());
  return ok ? 0 : 1;
}
