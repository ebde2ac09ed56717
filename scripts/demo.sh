#!/usr/bin/env bash
# The README's main-job command: installs the Debian packages, builds, and runs reel's main job on
# the bundled kitchen example (repos, publish, workspace, lock, sync, edit, publish, promote,
# export, and a farm workspace rebuilt byte for byte from the lock), printing what it does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REEL_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
exec bash "$root/examples/kitchen/run.sh" "$build/cli/reel"
