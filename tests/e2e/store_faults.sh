#!/usr/bin/env bash
# Faults around the object store, one case per run, with the real binary: kill -9 during publish
# and during sync at several points (re-running completes, `reel verify` is clean), a read-only
# cache, concurrent syncs and publishes on one cache and repo, file names that are not valid UTF-8 or hold a newline, symlinks inside and leaving an
# asset, a damaged cache object found by `reel verify --cache`, and `reel gc` end to end.
# usage: store_faults.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

MiB=1048576

# published REPO: a repo with Shot 1.0.0 (40 frames) and 1.1.0 (3 frames re-rendered).
published() {
  "$REEL" -q repo init "$1" --name blessed >/dev/null
  "$REEL" -q init pub --repo blessed="$1" >/dev/null
  shot pub/outputs/Shot 40 $MiB
  "$REEL" -q -C pub publish Shot --allow-dirty >/dev/null
  "$REEL" -q -C pub bump Shot minor >/dev/null
  for i in 5 17 33; do head -c 1048576 /dev/urandom > "pub/outputs/Shot/renders/$(printf 'frame.%04d.exr' "$i")"; done
  "$REEL" -q -C pub publish Shot --allow-dirty >/dev/null
}

# no_temp_left DIR: no temp file or folder of reel's under DIR.
no_temp_left() {
  local left
  left=$(find "$1" \( -name '.tmp-*' -o -name '.old-*' -o -name '.reel-tmp-*' \) | head -5)
  [ -z "$left" ] || fail "temp files left: $left"
}

case "$case_name" in
kill9_publish)
  # Killed after 0.05 s .. 0.8 s: before, during and after the objects; re-running publishes, and
  # the published version installs and verifies.
  shot src 60 $MiB
  for delay in 0.05 0.15 0.3 0.5 0.8; do
    rm -rf repo ws job
    "$REEL" -q repo init repo --name blessed >/dev/null
    "$REEL" -q init ws --repo blessed=repo >/dev/null
    cp -a src ws/outputs/Shot
    kill_after "$delay" "$REEL" -q -C ws publish Shot --allow-dirty
    # Whatever the index says must be installable: it never names objects that are not there.
    if [ -f repo/index/shot.json ]; then
      "$REEL" -q init job --repo blessed=repo >/dev/null
      expect 0 "$REEL" -C job add Shot
      expect 0 "$REEL" -C job verify
      rm -rf job
    fi
    expect 0 "$REEL" -C ws publish Shot --allow-dirty
    grep -qE "published Shot 1.0.0|already published" "$WORK/out" || fail "delay $delay: $(cat "$WORK/out")"
    "$REEL" -q init job --repo blessed=repo >/dev/null
    expect 0 "$REEL" -C job add Shot
    expect 0 "$REEL" -C job verify
    cmp job/inputs/Shot/renders/frame.0060.exr src/renders/frame.0060.exr || fail "delay $delay: bytes differ"
  done
  ;;
kill9_sync)
  # A fresh install and an in-place update (1.0.0 -> 1.1.0), each killed at several points with a
  # cold cache; re-running sync completes and verifies, and no temp folder is left.
  published repo
  for delay in 0.02 0.1 0.2 0.4; do
    rm -rf ws cache
    "$REEL" -q init ws --repo blessed=repo >/dev/null
    printf 'Shot = "==1.0.0"\n' >> ws/workspace.toml  # [requirements] is the last table
    "$REEL" -q -C ws lock >/dev/null
    kill_after "$delay" "$REEL" -q -C ws sync
    expect 0 "$REEL" -C ws sync
    expect 0 "$REEL" -C ws verify
    no_temp_left ws/inputs
    # Now the update to 1.1.0, killed too.
    sed -i 's/==1.0.0/==1.1.0/' ws/workspace.toml
    "$REEL" -q -C ws lock >/dev/null
    kill_after "$delay" "$REEL" -q -C ws sync
    expect 0 "$REEL" -C ws sync
    expect 0 "$REEL" -C ws verify
    grep -q '"1.1.0"' ws/inputs/Shot/asset.toml || fail "delay $delay: not at 1.1.0"
    cmp ws/inputs/Shot/renders/frame.0017.exr pub/outputs/Shot/renders/frame.0017.exr ||
      fail "delay $delay: frame 17 is not the re-render"
    no_temp_left ws/inputs
  done
  ;;
read_only_cache)
  # A cache this user cannot write: a clear error naming it, exit 1, nothing installed. Run as
  # `nobody`, since root ignores permissions.
  command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 0; }
  published repo
  "$REEL" -q init ws --repo blessed=repo >/dev/null
  printf 'Shot = "*"\n' >> ws/workspace.toml
  "$REEL" -q -C ws lock >/dev/null
  mkdir -p cache/locks
  chmod 755 "$WORK"
  chmod -R a+rwX ws repo
  chmod -R a-w cache
  expect 1 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$REEL" -C ws sync
  stderr_starts_with_error
  stderr_has "$WORK/cache/locks"
  stderr_has "Permission denied"
  [ -z "$(ls ws/inputs)" ] || fail "something was installed: $(ls ws/inputs)"
  ;;
bad_file_names)
  # Names that are not valid UTF-8, or hold a newline: publish refuses them, naming the file.
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init ws --repo blessed=repo >/dev/null
  for name in $'frame\n0001.exr' $'frame.\xff.exr'; do
    rm -rf ws/outputs/Shot
    shot ws/outputs/Shot 2 $MiB
    echo x > "ws/outputs/Shot/renders/$name"
    before=$(snapshot repo)
    expect 1 "$REEL" -C ws publish Shot --allow-dirty
    stderr_starts_with_error
    stderr_has "cannot be packaged: the path"
    stderr_has "ws/outputs/Shot/renders/frame"
    [ "$before" = "$(snapshot repo)" ] || fail "the repo changed"
  done
  ;;
symlinks)
  # A symlink that stays inside the asset is published and installed as a symlink; one that
  # leaves it is refused.
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init ws --repo blessed=repo >/dev/null
  shot ws/outputs/Shot 3 $MiB
  ln -s renders/frame.0003.exr ws/outputs/Shot/latest.exr
  ln -s ../../../../etc/passwd ws/outputs/Shot/renders/escape
  expect 1 "$REEL" -C ws publish Shot --allow-dirty
  stderr_has "cannot be packaged: 'renders/escape' -> '../../../../etc/passwd': leaves the asset"
  rm ws/outputs/Shot/renders/escape
  expect 0 "$REEL" -C ws publish Shot --allow-dirty
  "$REEL" -q init job --repo blessed=repo >/dev/null
  expect 0 "$REEL" -C job add Shot
  [ -L job/inputs/Shot/latest.exr ] || fail "latest.exr is not a symlink"
  [ "$(readlink job/inputs/Shot/latest.exr)" = renders/frame.0003.exr ] || fail "symlink target"
  cmp job/inputs/Shot/latest.exr ws/outputs/Shot/renders/frame.0003.exr || fail "symlink bytes"
  expect 0 "$REEL" -C job verify
  ;;
verify_cache)
  published repo
  "$REEL" -q init ws --repo blessed=repo >/dev/null
  expect 0 "$REEL" -C ws add Shot  # 1.1.0: 40 objects and its archive
  expect 0 "$REEL" verify --cache
  grep -q "^verified 41 cache objects and archives: all match$" "$WORK/out" || fail "$(cat "$WORK/out")"
  obj=$(find cache/objects-v1/sha256 -type f | sort | head -1)
  chmod u+w "$obj"; printf 'X' | dd of="$obj" bs=1 seek=100 conv=notrunc 2>/dev/null
  expect 1 "$REEL" verify --cache
  stderr_has "the cache holds 1 damaged objects"
  stderr_has "$WORK/$obj: content does not match its name"
  expect 1 "$REEL" --json verify --cache
  [ "$(jq -r '.problems | length' "$WORK/out")" = 1 ] || fail "json: $(cat "$WORK/out")"
  ;;
gc)
  # Two workspaces on 1.0.0 and 1.1.0; the 1.0.0 one is deleted, and so is the publishing one
  # (its build/ archives protect what they name): gc removes exactly the 3 frames only 1.0.0 had,
  # and the other workspace still verifies.
  published repo
  for v in 1.0.0 1.1.0; do
    "$REEL" -q init "ws-$v" --repo blessed=repo >/dev/null
    expect 0 "$REEL" -C "ws-$v" add "Shot==$v"
  done
  rm -rf ws-1.0.0 pub
  sleep 0.05
  expect 0 "$REEL" gc --dry-run
  grep -q "^would remove 3 objects and 1 archive (3.0 MiB); kept 40 objects and 1 archive used by 1 workspace$" \
    "$WORK/out" || fail "dry run: $(cat "$WORK/out")"
  [ "$(find cache/objects-v1/sha256 -type f | wc -l)" = 43 ] || fail "the dry run removed objects"
  expect 0 "$REEL" gc
  grep -q "^removed 3 objects and 1 archive (3.0 MiB)" "$WORK/out" || fail "gc: $(cat "$WORK/out")"
  stderr_has "forgot $WORK/ws-1.0.0 (no workspace there)"
  [ "$(find cache/objects-v1/sha256 -type f | wc -l)" = 40 ] || fail "objects left: $(find cache/objects-v1/sha256 -type f | wc -l)"
  expect 0 "$REEL" -C ws-1.1.0 verify
  expect 0 "$REEL" -C ws-1.1.0 sync --frozen
  ;;
concurrent)
  # Eight syncs of one lock into eight workspaces at once, on a cold shared cache: every object is
  # fetched once in all (the per-package fetch lock), all eight verify, no temp file is left.
  # Then four workspaces publish four packages sharing most frames to one repo at once.
  published repo
  "$REEL" -q init ws0 --repo blessed=repo >/dev/null
  printf 'Shot = "*"\n' >> ws0/workspace.toml
  "$REEL" -q -C ws0 lock >/dev/null
  for i in 1 2 3 4 5 6 7 8; do
    mkdir "ws$i" && cp ws0/workspace.toml ws0/reel.lock "ws$i/"
  done
  pids=()
  for i in 1 2 3 4 5 6 7 8; do
    "$REEL" --json -C "ws$i" sync --frozen > "sync$i.json" 2> "sync$i.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat sync*.err; fail "a concurrent sync failed"; }; done
  total=$(cat sync?.json | jq -s 'map(.objects_fetched) | add')
  [ "$total" = 40 ] || fail "objects fetched in all: $total, expected 40 (each once)"
  for i in 1 2 3 4 5 6 7 8; do expect 0 "$REEL" -C "ws$i" verify; done
  [ -z "$(ls -A cache/objects-v1/tmp 2>/dev/null)" ] || fail "temp files left in the cache"
  [ -z "$(find cache/objects-v1 -name '.tmp-*' 2>/dev/null)" ] || fail "download temp files left in the cache"
  no_temp_left .

  for i in 1 2 3 4; do
    "$REEL" -q init "pw$i" --repo blessed=repo >/dev/null
    mkdir -p "pw$i/outputs/Shot$i"
    cp -r pub/outputs/Shot/renders "pw$i/outputs/Shot$i/"
    printf '[asset]\nname = "Shot%s"\nversion = "1.0.0"\n' "$i" > "pw$i/outputs/Shot$i/asset.toml"
  done
  pids=()
  for i in 1 2 3 4; do
    "$REEL" -q -C "pw$i" publish "Shot$i" --allow-dirty > "pub$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat pub?.out; fail "a concurrent publish failed"; }; done
  "$REEL" -q init all --repo blessed=repo >/dev/null
  expect 0 "$REEL" -C all add Shot1 Shot2 Shot3 Shot4
  expect 0 "$REEL" -C all verify
  [ -z "$(ls -A repo/objects/tmp 2>/dev/null)" ] || fail "temp files left in the repo"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
