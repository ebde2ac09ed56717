#!/usr/bin/env bash
# The README's test command: installs the Debian packages, builds, and runs the whole test suite
# (unit tests of every library and the end-to-end tests that run the real reel binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REEL_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j2 --timeout 1500 "$@"
