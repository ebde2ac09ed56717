#!/usr/bin/env bash
# The object store side by side with borg, restic, git and cp on the same data in the same run
# (issue 4). The data set: Debian's assimp-testmodels (595 model files, 75 MB) plus 500 frames of
# 4 MiB from a seeded AES-CTR stream (incompressible, reproducible): 2.2 GB, 1,095 files.
#
#   publish      reel publish (first)        vs borg create, restic backup, git add
#   re-publish   after 3 frames re-rendered  vs borg create, restic backup (2nd snapshot)
#   install      reel add into a new workspace, cold cache (objects fetched and verified)
#   materialise  reel add into another new workspace (warm cache) vs cp -r, borg extract,
#                restic restore
#   growth       bytes each repo grew by on the re-publish
#
# Every tool reads the same warm files (the data set is written just before, and each tool gets
# one untimed warm-up read by the first). Times are wall seconds; peak memory is /usr/bin/time's
# maximum resident set. usage: run.sh [BUILD_DIR] [WORK_DIR]   (defaults: build/, a temp dir)
# Needs ~12 GB free in WORK_DIR. Set FRAMES to shrink the run (default 500).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-$root/build}")
reel=$build/cli/reel
frames=${FRAMES:-500}
seed=${SEED:-1}

need=()
command -v borg >/dev/null || need+=(borgbackup)
command -v restic >/dev/null || need+=(restic)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -n "${2:-}" ]; then
  work=$(realpath "$2")
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/reel-bench-storage-XXXXXX)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
cd "$work"
export BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR=$work/restic-cache
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

# frame_bytes INDEX: 4 MiB of a seeded AES-CTR key stream (seed, frame and take in the key).
frame_bytes() {
  openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:reel-frame-$seed-$1-${2:-0}" \
    -in <(head -c 4194304 /dev/zero)
}

# The pristine data set, written once per work dir (re-runs reuse it).
data=$work/data/Shot
if [ ! -f "$work/data/.complete" ]; then
  rm -rf "$work/data" "$work/deb"
  mkdir -p "$work/deb" "$data/renders"
  (cd "$work/deb" && apt-get download assimp-testmodels >/dev/null 2>&1 && dpkg-deb -x ./*.deb x)
  cp -r "$work/deb/x/usr/share/assimp/models" "$data/models"
  for i in $(seq 1 "$frames"); do frame_bytes "$i" > "$data/renders/$(printf 'frame.%04d.exr' "$i")"; done
  touch "$work/data/.complete"
fi
files=$(find "$data" -type f | wc -l)
bytes=$(du -sb "$data" | cut -f1)
cat "$data"/renders/* "$data"/models/*/* > /dev/null 2>&1 || true  # warm the page cache

# measure NAME DIR CMD...: runs CMD in DIR; wall seconds into T[NAME], peak MB into M[NAME].
declare -A T M
measure() {
  local name=$1 dir=$2
  shift 2
  sync  # no tool pays for the write-back of the one before
  if ! (cd "$dir" && /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err"); then
    echo "FAILED: $name: $*" >&2
    tail -5 "$work/$name.err" >&2
    exit 1
  fi
  read -r T[$name] kb < <(tail -1 "$work/$name.time")
  M[$name]=$((kb / 1024))
}
size_of() { du -sb "$1" | cut -f1; }

rm -rf reel-repo ws ws2 ws3 reel-cache borg borg-out restic restic-out git-data cp-out
# reel: a folder repo and a workspace whose output is the data set (moved in: no copy).
"$reel" -q repo init reel-repo --name bench >/dev/null
"$reel" -q --cache-dir "$work/reel-cache" init ws --repo bench=reel-repo >/dev/null
"$reel" -q -C ws --cache-dir "$work/reel-cache" new Shot >/dev/null
cp -al "$data/models" "$data/renders" ws/outputs/Shot/  # hard links: the pristine set stays
src=$work/ws/outputs/Shot  # what every tool stores
# git's copy, linked now: a hard link made later would change every file's ctime, which a stat
# cache (reel's, borg's) rightly takes for a change.
mkdir git-data && cp -al "$data/models" "$data/renders" git-data/ && git -C git-data init -q
cat > ws/outputs/Shot/.gitignore <<'EOF'
models/
renders/
EOF
borg init -e none borg >/dev/null
restic init -q --repo restic >/dev/null

measure reel_publish ws "$reel" -q --cache-dir "$work/reel-cache" publish Shot --allow-dirty
measure borg_create "$src" borg create "$work/borg::one" .
measure restic_backup "$src" restic backup -q --repo "$work/restic" .
measure git_add git-data git add -A
reel_size1=$(size_of reel-repo); borg_size1=$(size_of borg); restic_size1=$(size_of restic)

# Three frames re-rendered: new bytes under the same names (new files, as a renderer writes).
for i in 100 250 400; do
  [ "$i" -le "$frames" ] || continue
  f=ws/outputs/Shot/renders/$(printf 'frame.%04d.exr' "$i")
  rm -f "$f" && frame_bytes "$i" 2 > "$f"
done
"$reel" -q -C ws --cache-dir "$work/reel-cache" bump Shot patch >/dev/null
measure reel_republish ws "$reel" --cache-dir "$work/reel-cache" publish Shot --allow-dirty
measure borg_recreate "$src" borg create "$work/borg::two" .
measure restic_rebackup "$src" restic backup -q --repo "$work/restic" .
reel_growth=$(( $(size_of reel-repo) - reel_size1 ))
borg_growth=$(( $(size_of borg) - borg_size1 ))
restic_growth=$(( $(size_of restic) - restic_size1 ))
frames3=$((3 * 4194304))
hashed=$(grep -o '[0-9]* files hashed' "$work/reel_republish.err" | head -1 || true)

# Install into a new workspace: first with a cold cache (every object fetched from the repo and
# verified), then, into another new workspace, from the now warm cache (the farm node's case),
# vs copies and restores.
"$reel" -q --cache-dir "$work/reel-cache" init ws2 --repo bench=reel-repo >/dev/null
measure reel_install_cold ws2 "$reel" -q --cache-dir "$work/reel-cache" add Shot
"$reel" -q --cache-dir "$work/reel-cache" init ws3 --repo bench=reel-repo >/dev/null
measure reel_materialise ws3 "$reel" -q --cache-dir "$work/reel-cache" add Shot
measure cp_r "$work" cp -r ws/outputs/Shot cp-out
mkdir borg-out
measure borg_extract borg-out borg extract "$work/borg::two"
measure restic_restore "$work" restic restore -q latest --repo "$work/restic" --target restic-out
last=$(printf "frame.%04d.exr" "$frames")
cmp "ws3/inputs/Shot/renders/$last" "ws/outputs/Shot/renders/$last" ||
  { echo "FAILED: materialised bytes differ" >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "MISSED") }'; }
echo "data set: $files files, $((bytes / 1048576)) MiB (assimp-testmodels + $frames × 4 MiB frames)"
printf '%-34s %9s %8s\n' step seconds peak_MB
for n in reel_publish borg_create restic_backup git_add reel_republish borg_recreate restic_rebackup \
         reel_install_cold reel_materialise cp_r borg_extract restic_restore; do
  printf '%-34s %9s %8s\n' "$n" "${T[$n]}" "${M[$n]}"
done
r1=$(ratio "${T[reel_publish]}" "${T[borg_create]}")
r2=$(ratio "${T[reel_republish]}" "${T[borg_recreate]}")
r3=$(ratio "${T[reel_materialise]}" "${T[cp_r]}")
echo
echo "publish:     reel/borg = $r1 (target <= 0.6: $(verdict "$r1" 0.6)); reel/restic = $(ratio "${T[reel_publish]}" "${T[restic_backup]}"); reel/git add = $(ratio "${T[reel_publish]}" "${T[git_add]}")"
echo "re-publish:  reel/borg = $r2 (target <= 0.5: $(verdict "$r2" 0.5)); reel/restic = $(ratio "${T[reel_republish]}" "${T[restic_rebackup]}"); reel ${hashed:-? files hashed}"
echo "materialise: reel/cp -r = $r3 (target <= 0.05: $(verdict "$r3" 0.05)); reel/borg extract = $(ratio "${T[reel_materialise]}" "${T[borg_extract]}"); reel/restic restore = $(ratio "${T[reel_materialise]}" "${T[restic_restore]}")"
echo "cold install (fetch + verify every object): reel/cp -r = $(ratio "${T[reel_install_cold]}" "${T[cp_r]}"); reel/borg extract = $(ratio "${T[reel_install_cold]}" "${T[borg_extract]}")"
echo "growth on re-publish: reel $reel_growth B, borg $borg_growth B, restic $restic_growth B (3 frames = $frames3 B; reel metadata $((reel_growth - frames3)) B)"
