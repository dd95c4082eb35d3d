#!/usr/bin/env bash
# Installs the Debian packages ERX needs to build, test and run.
# Idempotent: when everything is present it changes nothing and says so.
# Works as root, or as a user with sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev            # Boost.Multiprecision (checked 128-bit money)
  catch2                  # Catch2 v2 test framework
  libbenchmark-dev        # Google Benchmark (perf/)
  libquickfix-dev         # FIX engine (gateway/)
  liblmdb-dev lmdb-utils  # ledger/ storage and mdb_stat / mdb_dump
  libspdlog-dev           # logging
  libssl-dev              # SHA-256 for the ledger hash chain
)

# Node.js and npm run the interop tests' FIX client (jspurefix, from the npm
# registry); Debian's packages are used when the machine has no node.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# jspurefix for the interop tests (tests/interop), at the version in
# package.json / package-lock.json. An unreachable registry is not fatal: the
# interop tests then report themselves skipped, saying why.
install_interop_client() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
  if [ -f "$dir/node_modules/jspurefix/package.json" ]; then
    return 0
  fi
  echo "setup: installing jspurefix for the interop tests"
  if ! (cd "$dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error); then
    echo "setup: WARNING: npm could not install jspurefix; the interop tests will be skipped" >&2
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  install_interop_client
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
install_interop_client
