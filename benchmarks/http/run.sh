#!/usr/bin/env bash
# Pulling a shot's frames over HTTP: `reel sync` vs curl on the same repo in the same run
# (DESIGN §7: pull the 500 frames from a loopback HTTP repo into an empty cache, ≥ 0.9× curl).
#
#   data       FRAMES random frames of MIB MiB (from /dev/urandom: incompressible) in one asset,
#              published with reel to a folder repo
#   servers    that folder repo served by `reel serve` and by nginx (Debian's nginx-light, its own
#              config, pid, logs and temp paths), both on a free loopback port
#   reel       `reel -q -C WS sync --frozen` into a new workspace with an empty cache: fetches the
#              archive and every object (8 parallel transfers), hashes each while it streams,
#              renames it into the cache on a match, then hard-links the files into inputs/.
#              workspace.toml and reel.lock are written before the clock starts.
#   curl       `curl --parallel --parallel-max 16` writing the same objects (every file under the
#              repo's objects/) to a new folder, from a config file of url/output pairs; then
#              `sha256sum -c` of what it wrote, timed apart (curl alone is the target's reference)
#   bootstrap  JOBS (16) farm jobs at once: `reel sync --frozen` of JOBS workspaces sharing one
#              empty node cache, against reel serve, vs one job alone on an empty cache
#
# Every workspace's frames and every curl file are checked with sha256sum (untimed for reel, whose
# time already includes its own verification). `sync` runs before each timed step, so no step pays
# for the write-back of the one before. Times are wall seconds; MB/s is the objects' bytes / 10^6
# per second; peak memory is /usr/bin/time's maximum resident set.
#
# The servers' page cache: SERVER_CACHE=warm (default: the repo's files are read just before each
# timed step), cold (`echo 3 > /proc/sys/vm/drop_caches` before each timed step: root only, falls
# back to warm) or both. The smoke test (ctest bench.http_smoke) runs `run.sh BUILD 20 1`.
#
# usage: run.sh BUILD_DIR [FRAMES] [MIB]   (defaults 500 and 4; needs ~4 × FRAMES × MIB MiB of
# free space under /tmp; JOBS=n sets the bootstrap's job count, CURL_MAX curl's --parallel-max,
# KEEP=1 keeps the work folder, with reel serve's log, for a look afterwards)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:?usage: run.sh BUILD_DIR [FRAMES] [MIB]}")
frames=${2:-500}
mib=${3:-4}
reel=$build/cli/reel
jobs=${JOBS:-16}
curl_max=${CURL_MAX:-16}
nginx=/usr/sbin/nginx
[ -x "$reel" ] || { echo "no reel binary at $reel (build first)" >&2; exit 2; }
[ -x "$nginx" ] || { echo "nginx is not installed (scripts/install-deps.sh)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is not installed (scripts/install-deps.sh)" >&2; exit 2; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/reel-bench-http-XXXXXX)
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
cd "$work"
export LC_ALL=C
fail() { echo "FAILED: $*" >&2; exit 1; }
. "$here/lib.sh"

case ${SERVER_CACHE:-warm} in
  warm) modes=(warm) ;;
  cold) modes=(cold) ;;
  both) modes=(warm cold) ;;
  *) echo "SERVER_CACHE must be warm, cold or both" >&2; exit 2 ;;
esac
if [ "${modes[*]}" != warm ] && ! (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  echo "note: cannot drop the page cache (not root?): every run is warm" >&2
  modes=(warm)
fi

# --- The data: one asset, Shot 1.0.0, published to a folder repo (its own cache, not timed).
"$reel" -q repo init repo --name bench >/dev/null
"$reel" -q --cache-dir studio-cache init studio --repo bench=repo >/dev/null
shot=studio/outputs/Shot
mkdir -p "$shot/renders"
printf '[asset]\nname = "Shot"\nversion = "1.0.0"\n' > "$shot/asset.toml"
for i in $(seq 1 "$frames"); do
  head -c $((mib * 1048576)) /dev/urandom > "$shot/renders/$(printf 'frame.%04d.exr' "$i")"
done
(cd "$shot" && sha256sum renders/*) > frames.sha256
"$reel" -q --cache-dir studio-cache -C studio publish Shot --allow-dirty >/dev/null
rm -rf studio-cache "$shot/renders"  # the frames live on in the repo only

# The objects: what a sync fetches (besides the archive and the index). Names are the digests.
(cd repo/objects/sha256 && find . -type f | sed 's|^\./||' | sort) > objects.list
objects=$(wc -l < objects.list)
bytes=$(find repo/objects/sha256 -type f -printf '%s\n' | awk '{ n += $1 } END { print n }')
awk -F/ '{ print $1 $2 "  " $1 $2 }' objects.list > objects.sha256
[ "$objects" = "$frames" ] || fail "expected $frames objects (one a frame) in the repo, found $objects"

# --- The servers.
start_reel_serve repo serve.log
start_nginx "$work/repo"
servers=(reel-serve nginx)
declare -A url=([reel-serve]=$serve_url [nginx]=$nginx_url)

# A locked workspace per server (locking reads the index over HTTP; a throwaway cache). Each timed
# sync gets a copy of its workspace.toml and reel.lock in a new folder, and a new empty cache.
for s in "${servers[@]}"; do
  "$reel" -q --cache-dir lock-cache init "ws-$s" --repo bench="${url[$s]}" >/dev/null
  printf 'Shot = "*"\n' >> "ws-$s/workspace.toml"
  "$reel" -q --cache-dir lock-cache -C "ws-$s" lock >/dev/null
  # curl's config: one url/output pair an object, outputs relative to a new folder.
  awk -F/ -v base="${url[$s]}" '{ printf "url = \"%s/objects/sha256/%s/%s\"\noutput = \"%s%s\"\n", base, $1, $2, $1, $2 }' \
    objects.list > "curl-$s.conf"
done
rm -rf lock-cache

# prepare MODE: before a timed step, the servers' files warm (read) or cold (caches dropped);
# either way nothing dirty is left to write back.
prepare() {
  sync
  if [ "$1" = cold ]; then
    echo 3 > /proc/sys/vm/drop_caches
  else
    (cd repo && cat objects/sha256/*/* packages/*/* > /dev/null)
  fi
}

# new_job DIR SERVER: a farm job's folder holding only workspace.toml and reel.lock.
new_job() {
  mkdir "$1"
  cp "ws-$2/workspace.toml" "ws-$2/reel.lock" "$1/"
}
# check_frames DIR: DIR/inputs/Shot holds every frame with its digest.
check_frames() {
  (cd "$1/inputs/Shot" && sha256sum -c --quiet "$work/frames.sha256") ||
    fail "$1: frames do not match their digests"
}
# check_objects DIR: DIR holds every object, each hashing to its name.
check_objects() {
  [ "$(find "$1" -type f | wc -l)" = "$objects" ] || fail "$1: not every object was written"
  (cd "$1" && sha256sum -c --quiet "$work/objects.sha256") || fail "$1: digest mismatch"
}

checked_reel=0 checked_curl=0
rows=()
for mode in "${modes[@]}"; do
  for s in "${servers[@]}"; do
    key=$s-$mode
    new_job "job-$key" "$s"
    prepare "$mode"
    measure "reel-$key" "$work" env REEL_CACHE_DIR="$work/cache-$key" "$reel" -q -C "job-$key" sync --frozen
    check_frames "job-$key"
    checked_reel=$((checked_reel + 1))
    chmod -R u+w "job-$key" "cache-$key" && rm -rf "job-$key" "cache-$key"

    mkdir "curl-$key"
    prepare "$mode"
    measure "curl-$key" "curl-$key" curl --parallel --parallel-max "$curl_max" -s -S --fail -K "$work/curl-$s.conf"
    sync
    measure "sha256sum-$key" "curl-$key" sha256sum -c --quiet "$work/objects.sha256"
    check_objects "curl-$key"
    checked_curl=$((checked_curl + 1))
    rm -rf "curl-$key"
    rows+=("$key")
  done
done

# --- The bootstrap: JOBS syncs at once on one empty node cache vs one alone, against reel serve.
bmode=${modes[0]}
new_job boot-one reel-serve
prepare "$bmode"
measure boot-one "$work" env REEL_CACHE_DIR="$work/cache-one" "$reel" -q -C boot-one sync --frozen
check_frames boot-one
chmod -R u+w boot-one cache-one && rm -rf boot-one cache-one
for i in $(seq 1 "$jobs"); do new_job "boot-$i" reel-serve; done
cat > boot.sh <<'EOF'
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
EOF
log_from=$(wc -l < serve.log)
prepare "$bmode"
measure boot-many "$work" env REEL_CACHE_DIR="$work/cache-many" bash boot.sh "$reel" "$jobs"
gets=$(tail -n +"$((log_from + 1))" serve.log | grep " GET /objects/" | grep -c " 200 " || true)
[ "$gets" = "$objects" ] || fail "bootstrap: $gets object downloads for $objects objects (each should be once)"
# Job 1's frames are hashed; every other job must hold the same inodes (hard links into the one
# cache), or else its frames are hashed too.
check_frames boot-1
(cd boot-1/inputs/Shot && find . -type f -printf '%P %i\n' | sort) > boot-1.inodes
for i in $(seq 2 "$jobs"); do
  if ! (cd "boot-$i/inputs/Shot" && find . -type f -printf '%P %i\n' | sort) | cmp -s - boot-1.inodes; then
    check_frames "boot-$i"
  fi
done

# --- The report.
mbps() { awk -v b="$bytes" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", b / 1e6 / t; else print "n/a" }'; }
row() { printf '%-11s %-6s %-32s %8s %6s %8s %8s\n' "$@"; }
echo "data: $frames frames × $mib MiB = $objects objects, $bytes bytes; $(nproc) CPUs; load average" \
  "$load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
row server cache tool seconds MB/s cpu_s peak_MB
for key in "${rows[@]}"; do
  s=${key%-*} mode=${key##*-}
  row "$s" "$mode" "reel sync --frozen (8 transfers)" "${T[reel-$key]}" "$(mbps "${T[reel-$key]}")" "${C[reel-$key]}" "${M[reel-$key]}"
  row "$s" "$mode" "curl --parallel-max $curl_max" "${T[curl-$key]}" "$(mbps "${T[curl-$key]}")" "${C[curl-$key]}" "${M[curl-$key]}"
  both=$(sum "${T[curl-$key]}" "${T[sha256sum-$key]}")
  row "$s" "$mode" "curl, then sha256sum -c" "$both" "$(mbps "$both")" "$(sum "${C[curl-$key]}" "${C[sha256sum-$key]}")" ""
done
echo
for key in "${rows[@]}"; do
  s=${key%-*} mode=${key##*-}
  speed=$(ratio "${T[curl-$key]}" "${T[reel-$key]}")
  verdict=$(awk -v r="${T[reel-$key]}" -v c="${T[curl-$key]}" 'BEGIN { print (r * 0.9 <= c ? "met" : "MISSED") }')
  echo "$s, $mode: reel speed = ${speed}× curl's (target ≥ 0.9×: $verdict; reel/curl time" \
    "$(ratio "${T[reel-$key]}" "${T[curl-$key]}"), reel/(curl + sha256sum) time" \
    "$(ratio "${T[reel-$key]}" "$(sum "${T[curl-$key]}" "${T[sha256sum-$key]}")"))"
done
echo "bootstrap ($bmode, reel serve): 1 job ${T[boot-one]} s; $jobs jobs on one empty cache" \
  "${T[boot-many]} s = $(ratio "${T[boot-many]}" "${T[boot-one]}")× one job's time (each of the" \
  "$objects objects downloaded once; the largest job's peak ${M[boot-many]} MB)"
echo "digests: all matched ($checked_reel reel workspaces and $jobs bootstrap jobs of $frames frames;" \
  "$checked_curl curl folders of $objects objects)"
