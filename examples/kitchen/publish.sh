#!/usr/bin/env bash
# Publishes every version of the kitchen example's assets (Table 1.2.3-3.2.1, Chair 1.2.4,
# KitchenSet 1.2.0-1.4.0, KitchenTools 1.0.0; not the Shot, which a workspace makes) into the
# folder repo REPO, through a scratch workspace (and cache) that is removed afterwards. The
# README's "Using reel" tour starts with it; benchmarks/startup/run.sh uses it too.
#
# usage: publish.sh REPO   (reel is $REEL, else the reel on PATH)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: publish.sh REPO" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
reel=${REEL:-reel}
repo=$(realpath "$1")
staging=$(mktemp -d "${TMPDIR:-/tmp}/reel-kitchen-staging-XXXXXX")
trap 'chmod -R u+w "$staging" 2>/dev/null; rm -rf "$staging"' EXIT
export REEL_CACHE_DIR="$staging/cache"  # a throwaway cache: the scratch workspace is not registered
"$reel" -q init "$staging/ws" --repo "kitchen=$repo"
count=0
for asset in Table Chair KitchenSet KitchenTools; do  # dependencies before their dependents
  for version_dir in "$here/assets/$asset"/*/; do
    rm -rf "$staging/ws/outputs/$asset"
    cp -r "$version_dir" "$staging/ws/outputs/$asset"
    "$reel" -q -C "$staging/ws" publish "$asset" --allow-dirty
    count=$((count + 1))
  done
done
echo "published $count kitchen asset versions to $repo"
