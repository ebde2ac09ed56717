#!/usr/bin/env bash
# How long a reel command takes to start, against git as the peer (a C program that links libcurl,
# OpenSSL and zlib too), in the same run: N runs each of `reel --version`, `git --version`, and
# `reel tree` / `git status` in a small workspace (a locked KitchenSet) and its outputs' git repo.
# Prints milliseconds per run (wall, and user+sys CPU) and reel's ratio to git. A second reel
# binary (an older build) is measured too when given, for a before/after.
#
# usage: run.sh REEL_BINARY [N [OTHER_REEL_BINARY]]   (N default 50)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reel=$(realpath "$1")
n=${2:-50}
other=${3:+$(realpath "$3")}
work=$(mktemp -d /tmp/reel-bench-startup-XXXXXX)
trap 'rm -rf "$work"' EXIT
export REEL_CACHE_DIR="$work/cache" GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@reel.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@reel.invalid
"$reel" -q repo init "$work/repo"
REEL=$reel bash "$here/../../examples/kitchen/publish.sh" "$work/repo" > /dev/null
"$reel" -q init "$work/ws" --repo "blessed=$work/repo"
"$reel" -q -C "$work/ws" add KitchenSet
"$reel" -q -C "$work/ws" edit Table

# measure LABEL CMD...: runs CMD N times; prints "LABEL wall_ms cpu_ms" (per run).
measure() {
  local label=$1 t0 t1 c0 c1
  shift
  "$@" > /dev/null 2>&1  # warm the page cache
  c0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  t0=$(date +%s%N)
  for _ in $(seq 1 "$n"); do "$@" > /dev/null 2>&1; done
  t1=$(date +%s%N)
  c1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)  # children's utime + stime, in ticks
  awk -v l="$label" -v t=$((t1 - t0)) -v c=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%s %.2f %.2f\n", l, t / n / 1e6, c / n / hz * 1000 }'
}

{
  measure "reel --version" "$reel" --version
  [ -z "$other" ] || measure "other --version" "$other" --version
  measure "git --version" git --version
  measure "reel tree" "$reel" -C "$work/ws" tree
  [ -z "$other" ] || measure "other tree" "$other" -C "$work/ws" tree
  measure "git status" git -C "$work/ws/outputs/Table" status
} > "$work/results"

echo "$n runs each (ms per run: wall, user+sys CPU):"
awk '
  { label = $1 " " $2; wall[label] = $3; cpu[label] = $4; order[NR] = label }
  END {
    for (i = 1; i <= NR; i++) {
      l = order[i]; split(l, w, " ")
      peer = (w[2] == "--version") ? "git --version" : "git status"
      ratio = (l ~ /^git/) ? "" : sprintf("  %.1fx %s (wall)", wall[l] / wall[peer], peer)
      printf "  %-16s %8.2f %8.2f%s\n", l, wall[l], cpu[l], ratio
    }
  }' "$work/results"
