#!/usr/bin/env bash
# Studio-shaped pull over HTTP (issue 16, DESIGN §7): the whole SuperTuxKart closure (every track,
# kart and music package and what they need: 658 packages, ~3,100 objects, ~513 MB) synced
# `--frozen` into an empty cache from nginx and from `reel serve`, against `curl --parallel
# --parallel-max 16` of exactly the objects and archives that closure needs, side by side in one run.
#
#   repo       examples/supertuxkart/run.sh builds it (downloads Debian's supertuxkart-data .deb
#              with apt-get download; exit 77 when that is not reachable) into STK_WORK (default: a
#              folder under /tmp, removed afterwards); an STK_WORK that already holds repo/ is reused
#   closure    a workspace requiring every stk-track-*, stk-kart-* and stk-music-* package, locked
#              against the folder repo; each timed job gets its workspace.toml (pointing at the
#              server) and reel.lock in a new folder, and a new empty cache
#   reel       `reel -q -C JOB sync --frozen`: index files, archives and objects over HTTP, every
#              digest checked, files hard-linked into inputs/
#   curl       `curl --parallel --parallel-max 16 -K FILE` of the closure's objects and archives to a
#              new folder; `sha256sum -c` afterwards (untimed): every object and archive checked
#   no-op      `reel -q -C JOB sync --frozen` again on a synced job (everything installed), in ms
#   bootstrap  JOBS (16) such syncs at once on one empty cache vs one alone, against reel serve;
#              reel serve's log must show every object downloaded once
#
# Each timed step runs RUNS times (default 3), servers alternating; the median is reported, with
# the load average. `sync` runs before each timed step and the repo's files are read (servers'
# page cache warm).
#
# usage: stk.sh BUILD_DIR   (env: STK_WORK=DIR keeps/reuses the STK repo build; STK_TRACKS=a,b
# imports only those tracks (a smoke run: the closure is then smaller than 658 packages); RUNS=n;
# JOBS=n; CURL_MAX=n; KEEP=1 keeps the work folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:?usage: stk.sh BUILD_DIR}")
reel=$build/cli/reel
importer=$build/examples/reel-stk-import
runs=${RUNS:-3}
jobs=${JOBS:-16}
curl_max=${CURL_MAX:-16}
[ -x "$reel" ] || { echo "no reel binary at $reel (build first)" >&2; exit 2; }
[ -x "$importer" ] || { echo "no reel-stk-import at $importer (build first)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is not installed (scripts/install-deps.sh)" >&2; exit 2; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/reel-bench-stk-XXXXXX)
stk=${STK_WORK:-$work/stk}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; return; fi
  chmod -R u+w "$work" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export LC_ALL=C
fail() { echo "FAILED: $*" >&2; exit 1; }
. "$here/lib.sh"

# --- The repo (built once; reused when STK_WORK already holds it).
if [ ! -f "$stk/repo/reel-repo.json" ]; then
  echo "== building the SuperTuxKart repo into $stk (examples/supertuxkart/run.sh)"
  status=0
  bash "$here/../../examples/supertuxkart/run.sh" --work "$stk" --reel "$reel" --importer "$importer" \
    ${STK_TRACKS:+--tracks "$STK_TRACKS"} > "$work/stk-build.log" 2>&1 || status=$?
  [ "$status" = 77 ] && { tail -1 "$work/stk-build.log"; exit 77; }
  [ "$status" = 0 ] || { tail -20 "$work/stk-build.log" >&2; fail "examples/supertuxkart/run.sh"; }
fi
repo=$stk/repo
cd "$work"

# --- The closure: every track, kart and music package, locked against the folder repo.
"$reel" -q --cache-dir list-cache init closure --repo stk="$repo" >/dev/null
(cd "$repo/index" && ls | sed -n 's/^\(stk-\(track\|kart\|music\)-.*\)\.json$/\1 = "*"/p') \
  >> closure/workspace.toml
roots=$(grep -c ' = "\*"$' closure/workspace.toml)
"$reel" -q --cache-dir list-cache -C closure sync >/dev/null
packages=$(grep -c '^\[\[package\]\]' closure/reel.lock)
# What a sync needs besides index files: the archives (paths and digests from reel.lock) and the
# objects (the ones the sync just put in its fresh cache: exactly the closure's).
awk -F'"' '/^name = /{ n = $2 } /^version = /{ v = $2 }
  /^archive = /{ sub("sha256:", "", $2); printf "%s  packages/%s/%s-%s.reel\n", $2, tolower(n), n, v }' \
  closure/reel.lock > archives.sha256
(cd list-cache/objects-v1/sha256 && find . -type f | sed 's|^\./||' | sort) > objects.list
awk -F/ '{ print $1 $2 "  objects/sha256/" $1 "/" $2 }' objects.list > objects.sha256
cat archives.sha256 objects.sha256 > wanted.sha256
objects=$(wc -l < objects.list)
[ "$(wc -l < archives.sha256)" = "$packages" ] || fail "reel.lock: $packages packages, $(wc -l < archives.sha256) archives"
bytes=$(cd "$repo" && awk '{ print $2 }' "$work/wanted.sha256" | xargs stat -c %s | awk '{ n += $1 } END { print n }')
chmod -R u+w list-cache && rm -rf list-cache

# --- The servers, and per server a job template and curl's config (one url/output pair a file).
start_reel_serve "$repo" serve.log
start_nginx "$repo"
servers=(nginx reel-serve)
declare -A url=([reel-serve]=$serve_url [nginx]=$nginx_url)
for s in "${servers[@]}"; do
  mkdir "template-$s"
  sed "s|^url = .*|url = \"${url[$s]}\"|" closure/workspace.toml > "template-$s/workspace.toml"
  cp closure/reel.lock "template-$s/"
  awk -v base="${url[$s]}" '{ printf "url = \"%s/%s\"\noutput = \"%s\"\n", base, $2, $2 }' \
    wanted.sha256 > "curl-$s.conf"
done
grep -q "^url = \"http" template-nginx/workspace.toml || fail "no repo url in workspace.toml"

new_job() { mkdir "$1" && cp "template-$2/workspace.toml" "template-$2/reel.lock" "$1/"; }
prepare() { sync; (cd "$repo" && awk '{ print $2 }' "$work/wanted.sha256" | xargs cat > /dev/null); }
# check_job DIR: every file of DIR/inputs is what the closure workspace holds (same digests).
(cd closure/inputs && find . -type f -print0 | sort -z | xargs -0 sha256sum) > inputs.sha256
check_job() { (cd "$1/inputs" && sha256sum -c --quiet "$work/inputs.sha256") || fail "$1: inputs differ"; }

declare -A R  # R[step-server] = the RUNS times
for run in $(seq 1 "$runs"); do
  for s in "${servers[@]}"; do
    key=$s-$run
    new_job "job-$key" "$s"
    prepare
    measure "reel-$key" "$work" env REEL_CACHE_DIR="$work/cache-$key" "$reel" -q -C "job-$key" sync --frozen
    R[reel-$s]+="${T[reel-$key]} "
    [ "$run" = 1 ] && check_job "job-$key"
    # The warm no-op: everything installed, the same cache.
    for i in 1 2 3; do
      measure "noop-$key-$i" "$work" env REEL_CACHE_DIR="$work/cache-$key" "$reel" -q -C "job-$key" sync --frozen
      R[noop-$s]+="${T[noop-$key-$i]} "
    done
    chmod -R u+w "job-$key" "cache-$key" && rm -rf "job-$key" "cache-$key"

    mkdir "curl-$key"
    prepare
    measure "curl-$key" "curl-$key" curl --parallel --parallel-max "$curl_max" -s -S --fail --create-dirs -K "$work/curl-$s.conf"
    R[curl-$s]+="${T[curl-$key]} "
    (cd "curl-$key" && sha256sum -c --quiet "$work/wanted.sha256") || fail "curl-$key: digest mismatch"
    rm -rf "curl-$key"
  done
done

# --- The bootstrap: JOBS syncs at once on one empty cache vs one alone, against reel serve.
for run in $(seq 1 "$runs"); do
  new_job "boot-one-$run" reel-serve
  prepare
  measure "boot-one-$run" "$work" env REEL_CACHE_DIR="$work/cache-one" "$reel" -q -C "boot-one-$run" sync --frozen
  R[boot-one]+="${T[boot-one-$run]} "
  chmod -R u+w "boot-one-$run" cache-one && rm -rf "boot-one-$run" cache-one
done
for i in $(seq 1 "$jobs"); do new_job "boot-$i" reel-serve; done
cat > boot.sh <<'BOOT'
# JOBS syncs of boot-1..boot-JOBS at once; fails if any fails.
reel=$1 jobs=$2
pids=()
for i in $(seq 1 "$jobs"); do
  "$reel" -q -C "boot-$i" sync --frozen > "boot-$i.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" = 0 ] || cat boot-*.log >&2
exit "$status"
BOOT
log_from=$(wc -l < serve.log)
prepare
measure boot-many "$work" env REEL_CACHE_DIR="$work/cache-many" bash boot.sh "$reel" "$jobs"
gets=$(tail -n +"$((log_from + 1))" serve.log | grep " GET /objects/" | grep -c " 200 " || true)
[ "$gets" = "$objects" ] || fail "bootstrap: $gets object downloads for $objects objects (each should be once)"
check_job boot-1
for i in $(seq 2 "$jobs"); do
  [ "$(find "boot-$i/inputs" -type f | wc -l)" = "$(wc -l < inputs.sha256)" ] || fail "boot-$i: files missing"
done

# --- The report.
med() { median ${R[$1]}; }
ms() { awk -v t="$1" 'BEGIN { printf "%.0f", t * 1000 }'; }
echo "data: $roots roots (every track, kart and music), $packages packages, $objects objects +" \
  "$packages archives, $bytes bytes; $(nproc) CPUs; load average $load_start at the start," \
  "$(cut -d' ' -f1-3 /proc/loadavg) at the end; $runs runs a step, medians"
printf '%-11s %-34s %-9s %-24s %s\n' server tool median runs ratio
for s in "${servers[@]}"; do
  target=0.9
  [ "$s" = reel-serve ] && target=0.8
  speed=$(ratio "$(med "curl-$s")" "$(med "reel-$s")")
  verdict=$(awk -v r="$speed" -v t="$target" 'BEGIN { print (r >= t ? "met" : "MISSED") }')
  printf '%-11s %-34s %-9s %-24s %s\n' "$s" "reel sync --frozen, empty cache" "$(med "reel-$s")" "${R[reel-$s]}" \
    "speed ${speed}× curl's (target ≥ ${target}×: $verdict)"
  printf '%-11s %-34s %-9s %-24s\n' "$s" "curl --parallel-max $curl_max" "$(med "curl-$s")" "${R[curl-$s]}"
done
noop=$(median ${R[noop-nginx]} ${R[noop-reel-serve]})
echo "no-op sync (everything installed): median $(ms "$noop") ms over $((2 * 3 * runs)) runs" \
  "(target ≤ 50 ms: $(awk -v t="$noop" 'BEGIN { print (t <= 0.05 ? "met" : "MISSED") }'))"
boot_ratio=$(ratio "${T[boot-many]}" "$(med boot-one)")
echo "bootstrap (reel serve): 1 job $(med boot-one) s (median of ${R[boot-one]}); $jobs jobs on one" \
  "empty cache ${T[boot-many]} s = ${boot_ratio}× one job's time (target ≤ 2×:" \
  "$(awk -v r="$boot_ratio" 'BEGIN { print (r <= 2 ? "met" : "MISSED") }'); each of the $objects" \
  "objects downloaded once)"
echo "digests: all matched"
