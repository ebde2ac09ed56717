#!/usr/bin/env bash
# Configures and builds reel into build/ (or $REEL_BUILD_DIR) with Ninja.
# Extra arguments go to cmake's configure step (e.g. -DCMAKE_BUILD_TYPE=Debug).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REEL_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
ninja -C "$build"
