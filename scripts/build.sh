#!/usr/bin/env bash
# Configures and builds reel into build/ (or $REEL_BUILD_DIR) with Ninja.
# Extra arguments go to cmake's configure step (e.g. -DCMAKE_BUILD_TYPE=Debug).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REEL_BUILD_DIR:-$root/build}
# REEL_WERROR=ON (what .ci/run sets) makes warnings errors.
cmake -S "$root" -B "$build" -G Ninja -DREEL_WERROR="${REEL_WERROR:-OFF}" "$@" >/dev/null
ninja -C "$build"
