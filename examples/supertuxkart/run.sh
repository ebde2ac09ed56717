#!/usr/bin/env bash
# SuperTuxKart's game data (Debian's supertuxkart-data) as reel packages: download and unpack the
# .deb, import it with reel-stk-import into a staging workspace's outputs/, publish everything to a
# folder repo, then build a workspace for one track (sync, verify) and a second one from the first
# one's workspace.toml + reel.lock alone (sync --frozen, verify, compared file by file).
#
# usage: run.sh [--tracks a,b,c] [--work DIR] [--importer BIN] [--reel BIN | REEL_BINARY]
#   REEL_BINARY (or --reel): the reel executable (default: build/cli/reel)
#   --importer: reel-stk-import (default: build/examples/reel-stk-import)
#   --work: where to work, kept afterwards (default: a temp dir, removed at exit)
#   --tracks limits the import to those tracks and what they need (default: everything)
#   $STK_DEB_DIR: where the .deb is kept between runs (default: WORK/deb)
# Exit 77 when the .deb cannot be downloaded (no route to Debian's mirrors).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reel=$here/../../build/cli/reel
importer=$here/../../build/examples/reel-stk-import
tracks=""
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reel) reel=$2; shift 2 ;;
    --importer) importer=$2; shift 2 ;;
    --tracks) tracks=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -*) echo "error: unknown option $1" >&2; exit 2 ;;
    *) reel=$1; shift ;;
  esac
done
reel=$(realpath "$reel")
importer=$(realpath "$importer")
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/reel-stk-XXXXXX)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
mkdir -p "$work"
cd "$work"
export REEL_CACHE_DIR="$work/cache"
now() { date +%s%N; }
elapsed() {  # seconds since $1 (a now() value), two decimals
  local ms=$((($(now) - $1) / 1000000))
  printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10))
}

deb_dir=${STK_DEB_DIR:-$work/deb}
mkdir -p "$deb_dir"
if ! ls "$deb_dir"/supertuxkart-data_*.deb >/dev/null 2>&1; then
  echo "== downloading supertuxkart-data"
  if ! (cd "$deb_dir" && apt-get download supertuxkart-data >/dev/null 2>&1); then
    echo "skip: apt-get download supertuxkart-data failed (no route to a Debian mirror?)"
    exit 77
  fi
fi
deb=$(ls "$deb_dir"/supertuxkart-data_*.deb | head -1)
t=$(now)
rm -rf data-root
dpkg-deb -x "$deb" data-root
data=$work/data-root/usr/share/games/supertuxkart/data
echo "unpacked $(basename "$deb") in $(elapsed "$t") s"

echo "== import and publish"
"$reel" -q repo init repo --name stk
"$reel" -q init staging --repo stk=repo
t=$(now)
"$importer" --data "$data" --out staging/outputs ${tracks:+--tracks "$tracks"} | tee import.txt
"$reel" -q -C staging publish --all --allow-dirty
import_time=$(elapsed "$t")
echo "import + publish: $import_time s ($(ls repo/index | wc -l) packages in the repo, $(du -sh repo | cut -f1))"

track=${tracks%%,*}
track=${track:-lighthouse}
echo "== a workspace for track $track"
"$reel" -q init ws --repo stk=repo
t=$(now)
"$reel" -q -C ws add "stk-track-$track"
sync_time=$(elapsed "$t")
"$reel" -C ws verify
"$reel" -C ws tree > tree.txt && head -20 tree.txt

echo "== a second workspace from workspace.toml + reel.lock, frozen, with an empty cache (a farm node)"
mkdir farm
cp ws/workspace.toml ws/reel.lock farm/
t=$(now)
REEL_CACHE_DIR="$work/farm-cache" "$reel" -q -C farm sync --frozen
frozen_time=$(elapsed "$t")
REEL_CACHE_DIR="$work/farm-cache" "$reel" -C farm verify
diff -r ws/inputs farm/inputs
echo "farm/inputs matches ws/inputs file by file ($(find farm/inputs -type f | wc -l) files)"

echo "== timings"
echo "import + publish: $import_time s; sync (resolve + install $track): $sync_time s; frozen re-sync into an empty cache: $frozen_time s"
grep -E '^(packages|edges):' import.txt
