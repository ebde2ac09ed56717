#!/usr/bin/env bash
# Resolver side by side with libsolv (testsolv, the SAT solver behind dnf/zypper/mamba) on the same
# generated problems, each answer checked by an independent checker. Prints wall time, peak memory
# and the ratio. usage: run.sh [BUILD_DIR] [SEEDS]   (default build/, seeds "1 2 3"); each solver
# run is stopped after $TIMEOUT seconds (default 900).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-$root/build}")
seeds=${2:-"1 2 3"}
if ! command -v testsolv >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq libsolv-tools >/dev/null
fi
gen=$build/benchmarks/reel-bench-problem
reel=$build/cli/reel
work=$(mktemp -d /tmp/reel-bench-resolver-XXXXXX)
trap 'rm -rf "$work"' EXIT

measure() {  # measure OUT_PREFIX CMD...: wall seconds and peak KB into OUT_PREFIX.time, exit code into .rc
  local rc=0
  /usr/bin/time -f "%e %M" -o "$1.time" timeout "${TIMEOUT:-900}" "${@:2}" > "$1.out" 2> "$1.err" || rc=$?
  echo "$rc" > "$1.rc"
}

printf '%-28s %5s %10s %10s %8s %9s %s\n' family seed libsolv_s reel_s ratio reel_MB answers
for family in "k3:--deps 3" "k5:--deps 5" "k6-narrow:--deps 6 --narrow"; do
  name=${family%%:*}
  flags=${family#*:}
  for seed in $seeds; do
    d=$work/$name-$seed
    # shellcheck disable=SC2086
    "$gen" generate --out "$d" --packages 2000 --versions 20 $flags --seed "$seed"
    measure "$d/libsolv" testsolv "$d/problem.t"
    measure "$d/reel" "$reel" -q -C "$d/ws" --cache-dir "$d/cache" lock
    read -r ls_s _ < <(tail -1 "$d/libsolv.time")
    read -r reel_s reel_kb < <(tail -1 "$d/reel.time")
    if [ "$(cat "$d/libsolv.rc")" = 124 ]; then
      ls_ok="no answer within ${TIMEOUT:-900} s (timed out)"
      ls_s=">$ls_s"
    elif grep -q "installed packages" "$d/libsolv.out"; then
      ls_ok=$("$gen" check "$d" "$d/libsolv.out" | head -1)
    else
      ls_ok="no solution"
    fi
    if [ -f "$d/ws/reel.lock" ]; then
      reel_ok=$("$gen" check "$d" "$d/ws/reel.lock" | head -1)
    elif [ "$(cat "$d/reel.rc")" = 124 ]; then
      reel_ok="no answer within ${TIMEOUT:-900} s (timed out)"
    elif grep -q "version solving failed" "$d/reel.err"; then
      reel_ok="no solution"
    else
      reel_ok="error: $(head -1 "$d/reel.err")"
    fi
    ratio=$(echo "${ls_s#>} / ($reel_s + 0.001)" | bc -l | xargs printf '%.1fx')
    [ "${ls_s#>}" != "$ls_s" ] && ratio=">$ratio"
    printf '%-28s %5s %10s %10s %8s %9.1f libsolv: %s; reel: %s\n' "$name ($flags)" "$seed" "$ls_s" "$reel_s" "$ratio" \
      "$(echo "$reel_kb / 1024" | bc -l)" "$ls_ok" "$reel_ok"
  done
done
echo "ratio = libsolv time / reel time (above 1: reel is faster). reel's time includes reading the index from disk."
