#!/usr/bin/env bash
# Bundles end to end, one case per run, with the real binary (docs/decisions.md "Bundles"):
#   roundtrip   publish, lock, export; a "farm" with the repo moved away and an empty cache:
#               import --workspace, sync --frozen, verify; the bundle is the same bytes twice and
#               unpacks to a folder repo
#   repo_dir    import --repo-dir --workspace: the job's repo points at the new folder repo, from
#               which a node with an empty cache syncs; re-importing publishes nothing
#   bad_bundle  a truncated bundle, a file that is not a tar, a tampered object, a '..' entry:
#               exit 1 with `error: ` naming the file, nothing stored in the cache
#   export_fail export without a lock, into a missing folder, from a repo lacking an object:
#               exit 1, the -o file untouched or absent, no temp file left
# usage: bundle.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

# A locked workspace `ws` (KitchenSet 1.4.0 -> Table 3.2.1, Chair 1.2.4) on the kitchen repo,
# synced, so the cache is warm.
locked_kitchen() {
  setup_kitchen
  "$REEL" -q -C ws add KitchenSet==1.4.0 >/dev/null 2>&1
  [ -f ws/reel.lock ] || fail "no lock"
}

# cache_is_empty DIR: no object or archive in the cache at DIR.
cache_is_empty() {
  local left
  left=$(find "$1" -path '*/objects-v1/sha256/*' -type f -o -path '*/archives-v1/sha256/*' -type f 2>/dev/null | head -3)
  [ -z "$left" ] || fail "the cache holds: $left"
}

case "$case_name" in
roundtrip)
  locked_kitchen
  rm -rf cache  # a cold cache: export fetches from the repo first
  expect 0 "$REEL" -C ws export bundle -o ../job.tar.zst
  grep -q "^exported 3 packages, [0-9]* objects" "$WORK/out" || fail "$(cat "$WORK/out")"
  expect 0 "$REEL" --json -C ws export bundle -o ../again.tar.zst
  grep -q '"packages": 3' "$WORK/out" || fail "$(cat "$WORK/out")"
  cmp job.tar.zst again.tar.zst || fail "two exports of one lock differ"
  # Unpacked, a bundle is a folder repo (tar reads it as any tar.zst).
  mkdir unpacked && tar --zstd -xf job.tar.zst -C unpacked
  [ -f unpacked/reel-repo.json ] && [ -f unpacked/index/kitchenset.json ] || fail "layout"
  cmp unpacked/workspace/reel.lock ws/reel.lock || fail "the bundled lock differs"
  # The farm: no route to the repo, an empty cache.
  mv repos repos.away
  export REEL_CACHE_DIR="$WORK/farm-cache"
  expect 0 "$REEL" import bundle job.tar.zst --workspace job
  grep -q "^imported 3 packages" "$WORK/out" || fail "$(cat "$WORK/out")"
  expect 0 "$REEL" -C job sync --frozen
  grep -q "synced: 3 installed" "$WORK/out" || fail "$(cat "$WORK/out")"
  expect 0 "$REEL" -C job verify
  cmp job/inputs/Table/asset.toml "$KITCHEN/Table/3.2.1/asset.toml" || fail "Table differs"
  # The same with the job carrying only its two files and the cache filled by a plain import.
  export REEL_CACHE_DIR="$WORK/node-cache"
  expect 0 "$REEL" import bundle "$WORK/job.tar.zst"
  mkdir job2 && cp ws/workspace.toml ws/reel.lock job2/
  expect 0 "$REEL" -C job2 sync --frozen
  expect 0 "$REEL" -C job2 verify
  # A workspace folder whose files differ is not overwritten.
  printf 'version = 1\n' > job2/reel.lock
  expect 1 "$REEL" import bundle job.tar.zst --workspace job2
  stderr_starts_with_error
  stderr_has "job2/reel.lock already exists and differs from the bundle's"
  ;;
repo_dir)
  locked_kitchen
  expect 0 "$REEL" -C ws export bundle -o "$WORK/job.tar.zst"
  mv repos repos.away
  export REEL_CACHE_DIR="$WORK/import-cache"
  expect 0 "$REEL" import bundle job.tar.zst --repo-dir farm/repo --workspace farm/job
  grep -q "3 newly published to $WORK/farm/repo" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -q "url = \"$WORK/farm/repo\"" farm/job/workspace.toml || fail "$(cat farm/job/workspace.toml)"
  # A node with an empty cache syncs the job from the new repo.
  export REEL_CACHE_DIR="$WORK/node-cache"
  expect 0 "$REEL" --json -C farm/job sync --frozen
  grep -q '"objects_fetched": [1-9]' "$WORK/out" || fail "$(cat "$WORK/out")"
  expect 0 "$REEL" -C farm/job verify
  # The repo is an ordinary one: a new workspace resolves against it.
  "$REEL" -q init other --repo blessed=farm/repo >/dev/null
  expect 0 "$REEL" -C other add KitchenSet
  expect 0 "$REEL" -C other verify
  before=$(snapshot farm/repo)
  export REEL_CACHE_DIR="$WORK/import-cache"
  expect 0 "$REEL" import bundle job.tar.zst --repo-dir farm/repo --workspace farm/job
  grep -q "0 newly published" "$WORK/out" || fail "$(cat "$WORK/out")"
  [ "$before" = "$(snapshot farm/repo)" ] || fail "re-importing changed the repo"
  # A folder that is not a repo and not empty is refused.
  mkdir -p stuff && echo x > stuff/file
  expect 1 "$REEL" import bundle job.tar.zst --repo-dir stuff
  stderr_has "neither a reel repo nor an empty folder"
  ;;
bad_bundle)
  locked_kitchen
  expect 0 "$REEL" -C ws export bundle -o "$WORK/job.tar.zst"
  export REEL_CACHE_DIR="$WORK/farm-cache"
  head -c 1500 job.tar.zst > cut.tar.zst
  expect 1 "$REEL" import bundle cut.tar.zst
  stderr_starts_with_error
  stderr_has "$WORK/cut.tar.zst"
  stderr_has "not a complete tar.zst"
  echo "not a bundle, just words" > words.tar.zst
  expect 1 "$REEL" import bundle words.tar.zst
  stderr_starts_with_error
  stderr_has "$WORK/words.tar.zst"
  expect 1 "$REEL" import bundle missing.tar.zst
  stderr_has "$WORK/missing.tar.zst"
  # A tampered object (same size, other bytes): refused, naming the entry; not stored.
  mkdir t && tar --zstd -xf job.tar.zst -C t
  object=$(cd t && find objects -type f | sort | head -1)
  size=$(stat -c %s "t/$object")
  head -c "$size" /dev/zero | tr '\0' 'x' > "t/$object"
  (cd t && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tar --zstd -cf ../tampered.tar.zst -T -)
  expect 1 "$REEL" import bundle tampered.tar.zst
  stderr_starts_with_error
  stderr_has "bundle $WORK/tampered.tar.zst: entry '$object': digest mismatch"
  [ ! -e "farm-cache/objects-v1/sha256/${object#objects/sha256/}" ] || fail "the tampered object was stored"
  cache_is_empty farm-cache
  # An entry climbing out: refused before anything is written anywhere.
  mkdir -p evil/a && echo owned > evil/x
  (cd evil/a && tar -P --zstd -cf "$WORK/evil.tar.zst" ../x)
  tar --zstd -tf evil.tar.zst | grep -qx '../x' || fail "could not build a tar holding ../x"
  expect 1 "$REEL" import bundle evil.tar.zst
  stderr_starts_with_error
  stderr_has "evil.tar.zst"
  stderr_has "has an unsafe path: it has a '..' component"
  cache_is_empty farm-cache
  ;;
export_fail)
  locked_kitchen
  echo "the previous bundle" > job.tar.zst
  "$REEL" -q init nolock --repo blessed=repos/blessed >/dev/null
  expect 1 "$REEL" -C nolock export bundle -o ../job.tar.zst
  stderr_starts_with_error
  stderr_has "reel.lock does not exist"
  [ "$(cat job.tar.zst)" = "the previous bundle" ] || fail "-o was touched"
  expect 1 "$REEL" -C ws export bundle -o ../no/such/dir/job.tar.zst
  stderr_starts_with_error
  stderr_has "no/such/dir"
  # A cold cache and a repo that lost an object: nothing is written, the old file stays.
  rm -rf cache
  hex=$(sha256sum < "$KITCHEN/Table/3.2.1/table.obj" | cut -c1-64)
  object=repos/blessed/objects/sha256/${hex:0:2}/${hex:2}
  [ -f "$object" ] || fail "no object $object"
  rm -f "$object"
  expect 1 "$REEL" -C ws export bundle -o ../job.tar.zst
  stderr_starts_with_error
  stderr_has "lacks object sha256:$hex"
  stderr_has "Table 3.2.1: table.obj"
  [ "$(cat job.tar.zst)" = "the previous bundle" ] || fail "-o was touched"
  left=$(find . -maxdepth 1 -name '.tmp-*')
  [ -z "$left" ] || fail "temp files left: $left"
  expect 2 "$REEL" -C ws export bundle
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: bundle $case_name"
