#!/usr/bin/env bash
# Reading a studio-scale repo's indexes (issue 16, DESIGN §7: resolve against 10,000 packages × 10
# versions with a warm cache in ≤ 0.2 s). The same reel binary, in the same run, with its binary
# index cache (CACHE/index-v1/, engine/index_cache.h) and without it (REEL_INDEX_CACHE=off: every
# index file's JSON read and parsed, as before the cache); optionally also an older reel binary.
#
#   data    reel-bench-index: PACKAGES packages × 10 versions, ≤ 3 dependencies each on earlier
#           packages with studio-style names and ranges, every field of an index entry filled in,
#           as a real folder repo; a workspace requiring the 50 last packages (their closure is
#           thousands of packages, so `reel lock` reads thousands of index files)
#   lock    `reel -q -C WS lock` (reel.lock removed before each run, so each one resolves)
#   rdeps   `reel -q -C WS rdeps NAME --repo REPO`: every index file of the repo
#           (Repo::read_all_indexes)
#   modes   off: no index cache (best of RUNS after one untimed run warms the page cache);
#           cold: index cache enabled and empty (the first run after a publish pays this);
#           warm: the runs after it (best of RUNS); old: OLD_REEL if given (best of RUNS)
#
# Each lock and rdeps output with the cache is compared with the one without it; the last line,
# "outputs: identical", is printed only when they all match (ctest bench.index_smoke runs
# `run.sh BUILD 1000`). Times are seconds of the whole command: wall, and CPU (user + system).
# In the lock row "indexes" is the number of packages in reel.lock (the provider reads at least
# those index files, and the names their versions depend on).
#
# usage: run.sh BUILD_DIR [PACKAGES] [OLD_REEL]    (default 10000; RUNS=n, default 3; KEEP=1 keeps
# the work folder)
set -euo pipefail
build=$(realpath "${1:?usage: run.sh BUILD_DIR [PACKAGES] [OLD_REEL]}")
packages=${2:-10000}
old=${3:-}
runs=${RUNS:-3}
reel=$build/cli/reel
gen=$build/benchmarks/reel-bench-index
[ -x "$reel" ] || { echo "FAILED: no reel binary at $reel (build first)" >&2; exit 2; }
[ -x "$gen" ] || { echo "FAILED: no $gen (build first)" >&2; exit 2; }
work=$(mktemp -d /tmp/reel-bench-index-XXXXXX)
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT

"$gen" "$work/data" --packages "$packages" --versions 10 --roots 50
ws=$work/data/ws
repo=$work/data/repo
target=$(cat "$work/data/first.txt")

# run1 OUT BINARY CACHE_DIR ENV... -- ARGS...: one run; prints "WALL CPU" (seconds; CPU = user +
# system, which a loaded machine does not inflate as it does wall time), output into OUT.*.
run1() {
  local out=$1 bin=$2 cache=$3
  shift 3
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  rm -f "$ws/reel.lock"
  if ! env "${envs[@]}" /usr/bin/time -f "%e %U %S" -o "$out.time" \
      "$bin" -q -C "$ws" --cache-dir "$cache" "$@" > "$out.out" 2> "$out.err"; then
    echo "FAILED: $bin $* (exit $?): $(head -3 "$out.err")" >&2
    exit 1
  fi
  [ -f "$ws/reel.lock" ] && cp "$ws/reel.lock" "$out.lock"
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$out.time"
}

# best OUT BINARY CACHE ENV... -- ARGS...: the least wall and the least CPU time of $runs runs.
best() {
  local w c bw="" bc=""
  for _ in $(seq "$runs"); do
    read -r w c < <(run1 "$@")
    if [ -z "$bw" ] || awk -v t="$w" -v b="$bw" 'BEGIN { exit !(t < b) }'; then bw=$w; fi
    if [ -z "$bc" ] || awk -v t="$c" -v b="$bc" 'BEGIN { exit !(t < b) }'; then bc=$c; fi
  done
  echo "$bw $bc"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times grow with load; CPU times do not)"
printf '%-6s %8s %-5s %8s %8s %8s %8s %9s %s\n' case indexes time off cold warm old warm/off target
same=1
for case in lock rdeps; do
  if [ "$case" = lock ]; then args=(lock); else args=(rdeps "$target" --repo "$repo"); fi
  d=$work/$case
  mkdir -p "$d"
  run1 "$d/warmup" "$reel" "$d/cache-off" REEL_INDEX_CACHE=off -- "${args[@]}" > /dev/null
  read -r off_w off_c < <(best "$d/off" "$reel" "$d/cache-off" REEL_INDEX_CACHE=off -- "${args[@]}")
  rm -rf "$d/cache-on"
  read -r cold_w cold_c < <(run1 "$d/cold" "$reel" "$d/cache-on" -- "${args[@]}")
  read -r warm_w warm_c < <(best "$d/warm" "$reel" "$d/cache-on" -- "${args[@]}")
  old_w=- old_c=-
  if [ -n "$old" ]; then read -r old_w old_c < <(best "$d/old" "$old" "$d/cache-old" -- "${args[@]}"); fi
  if [ "$case" = lock ]; then
    indexes=$(grep -c '^\[\[package\]\]' "$d/warm.lock" || true)
    cmp -s "$d/off.lock" "$d/cold.lock" && cmp -s "$d/off.lock" "$d/warm.lock" || {
      echo "FAILED: reel.lock differs with the index cache" >&2; same=0; }
  else
    indexes=$(find "$repo/index" -name '*.json' | wc -l)
    cmp -s "$d/off.out" "$d/cold.out" && cmp -s "$d/off.out" "$d/warm.out" || {
      echo "FAILED: rdeps output differs with the index cache" >&2; same=0; }
  fi
  for kind in wall cpu; do
    if [ $kind = wall ]; then o=$off_w c=$cold_w w=$warm_w p=$old_w; else o=$off_c c=$cold_c w=$warm_c p=$old_c; fi
    verdict=-
    [ "$case" = lock ] && verdict="warm <= 0.2 s: $(awk -v w="$w" 'BEGIN { print (w <= 0.2 ? "met" : "NOT met") }')"
    printf '%-6s %8s %-5s %8s %8s %8s %8s %9s %s\n' "$case" "$indexes" "$kind" "$o" "$c" "$w" "$p" \
      "$(ratio "$w" "$o")" "$verdict"
  done
done
echo "cache on disk: $(du -sh "$work/lock/cache-on/index-v1" | cut -f1) for the lock's indexes;" \
  "index JSON: $(du -sh "$repo/index" | cut -f1) for $packages packages"
echo "warm/off below 1: the cache is faster (best of $runs runs each; off = REEL_INDEX_CACHE=off)"
[ "$same" = 1 ] && echo "outputs: identical"
