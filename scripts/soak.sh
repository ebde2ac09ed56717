#!/usr/bin/env bash
# The long concurrency soak (issue 11; CI runs a 40 s one as e2e.soak): rounds of 8 publishers
# of different packages, 4 of one version, 16 syncs, a gc and a promote on one repo and one cache,
# for SECONDS (default 600), then the checks of tests/e2e/soak.sh. Builds first if needed.
#   usage: scripts/soak.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REEL_BUILD_DIR:-$root/build}
[ -x "$build/cli/reel" ] || "$root/scripts/build.sh"
exec bash "$root/tests/e2e/soak.sh" "$build/cli/reel" "${1:-600}"
