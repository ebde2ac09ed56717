#!/usr/bin/env bash
# A fuzzing campaign (fuzz/README.md): scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds the fuzz targets (clang 14, -DREEL_FUZZ=ON, in $REEL_FUZZ_BUILD, default build-fuzz/),
# then for each TARGET (default: every target, build-fuzz/fuzz/targets.txt), one at a time:
#   1. runs each reproducer in fuzz/regressions/TARGET/ once (a crash there fails the target);
#   2. fuzzes for SECONDS (default 600) from the work corpus ($REEL_FUZZ_WORK/corpus/TARGET,
#      default /tmp/reel-fuzz, kept between campaigns) plus the seeds in fuzz/corpus/TARGET/
#      (read only: new inputs go to the work corpus), with the target's dictionary;
#   3. prints the runs (libFuzzer's stat::number_of_executed_units) and exec/s.
# Crash, timeout, leak and OOM inputs are written to $REEL_FUZZ_WORK/artifacts/TARGET/; logs to
# $REEL_FUZZ_WORK/logs/TARGET.log. Exits 1 if any target failed, after running the others.
# REEL_FUZZ_KEEP_GOING=1 fuzzes in libFuzzer's fork mode (one child at a time), which goes on
# after a crash and collects every distinct one; the default stops a target at its first crash.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift $(($# > 0 ? 1 : 0))
build=${REEL_FUZZ_BUILD:-$root/build-fuzz}
work=${REEL_FUZZ_WORK:-/tmp/reel-fuzz}

if [ ! -f "$build/build.ninja" ]; then
  CXX=${CXX:-clang++-14} cmake -S "$root" -B "$build" -G Ninja -DREEL_FUZZ=ON \
    -DREEL_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$build" fuzz >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets <"$build/fuzz/targets.txt"; fi

# The first sanitizer report or invariant failure of a log, with the top of its stack.
show_failure() {
  grep -m1 -A14 -E '^==[0-9]+==ERROR|fuzz invariant failed|runtime error:|terminate called|ERROR: libFuzzer' "$1" |
    sed 's/^/    /' || true
  grep -E 'Test unit written to|^artifact_prefix' "$1" | sed 's/^/    /' || true
}

failed=()
summary=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  if [ ! -x "$bin" ]; then
    echo "fuzz.sh: no target $t in $build/fuzz" >&2
    exit 2
  fi
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/logs"
  log=$work/logs/$t.log
  opts=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "-artifact_prefix=$work/artifacts/$t/")
  [ -f "$build/fuzz/$t.dict" ] && [ -s "$build/fuzz/$t.dict" ] && opts+=("-dict=$build/fuzz/$t.dict")

  regression_failed=0
  regressions=()
  if [ -d "$root/fuzz/regressions/$t" ]; then
    mapfile -t regressions < <(find "$root/fuzz/regressions/$t" -type f ! -name '*.md' | sort)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$bin" "${opts[@]}" "${regressions[@]}" >"$work/logs/$t.regressions.log" 2>&1; then
      echo "== $t: a regression reproducer fails (fuzz/regressions/$t/)"
      grep -E '^Running: ' "$work/logs/$t.regressions.log" | tail -1 | sed 's/^/    /'
      show_failure "$work/logs/$t.regressions.log"
      failed+=("$t (regression)")
      regression_failed=1
    fi
  fi

  seeds=()
  [ -d "$root/fuzz/corpus/$t" ] && seeds=("$root/fuzz/corpus/$t")
  mode=()
  [ "${REEL_FUZZ_KEEP_GOING:-0}" = 1 ] &&
    mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  start=$(date +%s)
  status=0
  # The outer timeout only guards against a wedged process; libFuzzer stops itself at SECONDS.
  timeout -s INT -k 30 $((seconds + 120)) "$bin" "${opts[@]}" "${mode[@]}" \
    -max_total_time="$seconds" "$work/corpus/$t" "${seeds[@]}" >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  runs=$(awk '/^stat::number_of_executed_units:/ {n = $2} END {print n}' "$log")
  rate=$(awk '/^stat::average_exec_per_sec:/ {n = $2} END {print n}' "$log")
  if [ -z "$runs" ]; then
    # Fork mode prints no final stats: take the last "#RUNS: cov: ..." progress line.
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    runs=${runs:-0}
    rate=$((runs / (elapsed > 0 ? elapsed : 1)))
  fi
  corpus_size=$(find "$work/corpus/$t" -type f | wc -l)
  crashes=$(find "$work/artifacts/$t" -type f -newermt "@$start" | wc -l)
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    echo "== $t: FAILED (exit $status, $crashes new artifact(s) in $work/artifacts/$t/)"
    show_failure "$log"
    failed+=("$t")
    verdict=FAILED
  elif [ "$regression_failed" = 1 ]; then
    verdict="FAILED (regression)"
  else
    verdict=ok
  fi
  line=$(printf '%-24s %12s runs %8s exec/s %5ss corpus %6s  %s' "$t" "$runs" "${rate:-0}" \
    "$elapsed" "$corpus_size" "$verdict")
  echo "$line"
  summary+=("$line")
done

echo "== fuzz summary ($seconds s a target, work dir $work)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  echo "fuzz.sh: save a reproducer as fuzz/regressions/TARGET/NAME (fuzz/README.md)" >&2
  exit 1
fi
