#!/usr/bin/env bash
# The shared cache stays correct when people make mistakes (issue 11), one case per run:
#   write_through  a write into a hard-linked input (as root, or after chmod u+w) changed the
#                  cache object and every workspace linking it; sync sees it by stat, quarantines
#                  the object, fetches it again and repairs every workspace; a new workspace
#                  never receives the damaged bytes
#   truncated      a truncated, a removed and a replaced input file: the next sync places them
#                  again; a touched-only object is re-hashed, found intact and kept
#   cache_kinds    a cache object replaced by a symlink, a FIFO or a folder: sync fetches it again
#   verify_fix     verify --fix re-hashes inputs and cache, quarantines and repairs, and says what
#   reinstall      sync --reinstall [NAME] re-materialises from scratch
# usage: integrity.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

# A folder repo with Set 1.0.0 (set.usd, props/lamp.obj) and Shot 1.0.0 whose layout.usd has
# the same bytes as Set's set.usd (one cache object serves both), and workspaces shot020, shot030
# each installing both with hard links.
setup() {
  "$REEL" -q repo init repos/r --name blessed
  "$REEL" -q init staging --repo blessed=repos/r
  mkdir -p staging/outputs/Set/props staging/outputs/Shot
  printf '[asset]\nname = "Set"\nversion = "1.0.0"\n' > staging/outputs/Set/asset.toml
  printf '#usda 1.0\ndef Xform "Kitchen" {}\n' > staging/outputs/Set/set.usd
  printf 'v 0 0 0\n' > staging/outputs/Set/props/lamp.obj
  printf '[asset]\nname = "Shot"\nversion = "1.0.0"\n[dependencies]\nSet = "*"\n' > staging/outputs/Shot/asset.toml
  cp staging/outputs/Set/set.usd staging/outputs/Shot/layout.usd
  cp -r staging/outputs staging.orig
  "$REEL" -q -C staging publish Set --allow-dirty >/dev/null
  "$REEL" -q -C staging publish Shot --allow-dirty >/dev/null
  for ws in shot020 shot030; do
    "$REEL" -q init "$ws" --repo blessed=repos/r
    "$REEL" -q -C "$ws" add Shot >/dev/null 2>&1
  done
  [ "$(stat -c %i shot020/inputs/Set/set.usd)" = "$(stat -c %i shot030/inputs/Shot/layout.usd)" ] ||
    fail "the two workspaces do not share one cache object (setup)"
}

# same FILE ORIGINAL: FILE holds exactly ORIGINAL's bytes.
same() { cmp -s "$1" "$2" || fail "$1 does not hold the published bytes"; }

case "$case_name" in
write_through)
  setup
  chmod u+w shot020/inputs/Set/set.usd  # as a user would; root needs no chmod to write
  echo "oops" >> shot020/inputs/Set/set.usd
  # The write went through the hard link into the cache and the other workspace.
  cmp -s shot030/inputs/Set/set.usd staging.orig/Set/set.usd && fail "setup: the write did not go through"
  expect 0 "$REEL" -C shot020 sync
  stderr_has "inputs/Set/set.usd was changed or removed since it was installed"
  stderr_has "is damaged; moved to"
  grep -q "files repaired" "$WORK/out" || fail "sync did not say it repaired: $(cat "$WORK/out")"
  same shot020/inputs/Set/set.usd staging.orig/Set/set.usd
  same shot020/inputs/Shot/layout.usd staging.orig/Shot/layout.usd
  ls cache/quarantine-v1/* >/dev/null 2>&1 || fail "nothing in quarantine-v1"
  expect 0 "$REEL" -C shot020 verify
  # The other workspace finds its damaged files by stat too.
  expect 0 "$REEL" -C shot030 sync
  stderr_has "was changed or removed since it was installed"
  same shot030/inputs/Set/set.usd staging.orig/Set/set.usd
  same shot030/inputs/Shot/layout.usd staging.orig/Shot/layout.usd
  expect 0 "$REEL" -C shot030 verify
  # A new workspace gets good bytes; nothing is left to repair anywhere.
  "$REEL" -q init shot040 --repo blessed=repos/r
  cp shot020/workspace.toml shot020/reel.lock shot040/
  expect 0 "$REEL" -C shot040 sync --frozen
  same shot040/inputs/Set/set.usd staging.orig/Set/set.usd
  expect 0 "$REEL" verify --cache
  expect 0 "$REEL" -C shot020 sync
  grep -q "0 installed, 0 removed, 2 unchanged$" "$WORK/out" || fail "$(cat "$WORK/out")"
  ;;
truncated)
  setup
  chmod u+w shot020/inputs/Set/props/lamp.obj
  : > shot020/inputs/Set/props/lamp.obj           # truncated through the link
  rm -f shot020/inputs/Shot/layout.usd            # removed
  chmod u+w shot020/inputs/Set shot020/inputs/Set/asset.toml
  echo "# edited" >> shot020/inputs/Set/asset.toml  # a copy, not a link: only this workspace
  expect 0 "$REEL" -C shot020 sync
  grep -q "3 files repaired" "$WORK/out" || fail "$(cat "$WORK/out")"
  same shot020/inputs/Set/props/lamp.obj staging.orig/Set/props/lamp.obj
  same shot020/inputs/Shot/layout.usd staging.orig/Shot/layout.usd
  same shot020/inputs/Set/asset.toml staging.orig/Set/asset.toml
  expect 0 "$REEL" -C shot020 verify
  expect 0 "$REEL" -C shot030 sync  # lamp.obj was the shared object
  same shot030/inputs/Set/props/lamp.obj staging.orig/Set/props/lamp.obj
  # A touch moves the mtime without changing bytes: re-hashed, found intact, not quarantined.
  rm -rf cache/quarantine-v1
  touch -d '2020-01-01' shot020/inputs/Set/set.usd
  expect 0 "$REEL" -C shot020 sync
  [ ! -e cache/quarantine-v1 ] || fail "an intact object was quarantined"
  expect 0 "$REEL" -C shot020 verify
  ;;
cache_kinds)
  setup
  objects=($(find cache/objects-v1/sha256 -type f | sort))
  [ ${#objects[@]} = 2 ] || fail "expected 2 objects, found ${#objects[@]}"
  chmod u+w "$(dirname "${objects[0]}")" "$(dirname "${objects[1]}")"
  rm -f "${objects[0]}" "${objects[1]}"
  ln -s /etc/hostname "${objects[0]}"
  mkfifo "${objects[1]}"
  "$REEL" -q init fresh --repo blessed=repos/r
  cp shot020/workspace.toml shot020/reel.lock fresh/
  expect 0 timeout 60 "$REEL" -C fresh sync --frozen
  stderr_has "is damaged; moved to"
  same fresh/inputs/Set/set.usd staging.orig/Set/set.usd
  same fresh/inputs/Set/props/lamp.obj staging.orig/Set/props/lamp.obj
  [ -f "${objects[0]}" ] && [ ! -L "${objects[0]}" ] && [ -f "${objects[1]}" ] || fail "objects not restored"
  rm -rf "${objects[1]}" && chmod u+w "$(dirname "${objects[1]}")" && rm -f "${objects[1]}" && mkdir "${objects[1]}"
  rm -rf fresh && "$REEL" -q init fresh --repo blessed=repos/r && cp shot020/workspace.toml shot020/reel.lock fresh/
  expect 0 timeout 60 "$REEL" -C fresh sync --frozen
  [ -f "${objects[1]}" ] || fail "a folder where an object belongs was not replaced"
  expect 0 "$REEL" -C fresh verify
  ;;
verify_fix)
  setup
  chmod u+w shot020/inputs/Set/set.usd
  printf 'same size, other bytes!!\n' | head -c "$(stat -c %s staging.orig/Set/set.usd)" > tmp.bytes
  cat tmp.bytes > shot020/inputs/Set/set.usd  # same size through the link
  touch -r staging.orig/Set/set.usd shot020/inputs/Set/set.usd 2>/dev/null || true
  expect 1 "$REEL" -C shot020 verify
  stderr_has "content differs from the lock"
  stderr_has "reel verify --fix"
  expect 0 "$REEL" -C shot020 verify --fix
  stderr_has "quarantined damaged cache object sha256:"
  stderr_has "re-materialised"
  grep -q "^repaired " "$WORK/out" || fail "$(cat "$WORK/out")"
  same shot020/inputs/Set/set.usd staging.orig/Set/set.usd
  expect 0 "$REEL" -C shot020 verify
  expect 0 "$REEL" -C shot020 verify --fix
  grep -q "nothing to repair" "$WORK/out" || fail "$(cat "$WORK/out")"
  ;;
reinstall)
  setup
  ino=$(stat -c %i shot020/inputs/Set)
  expect 0 "$REEL" -C shot020 sync --reinstall Set
  grep -q "1 installed" "$WORK/out" || fail "$(cat "$WORK/out")"
  [ "$(stat -c %i shot020/inputs/Set)" != "$ino" ] || fail "Set was not re-materialised"
  expect 0 "$REEL" -C shot020 sync --reinstall
  grep -q "2 installed" "$WORK/out" || fail "$(cat "$WORK/out")"
  expect 0 "$REEL" -C shot020 verify
  expect 0 "$REEL" -C shot020 sync
  grep -q "2 unchanged" "$WORK/out" || fail "$(cat "$WORK/out")"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: integrity $case_name"
