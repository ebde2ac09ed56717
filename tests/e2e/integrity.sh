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
#   case_names     `reel new table` (or a hand-made output) where the repo has `Table`: refused, by
#                  new, by a folder publish and by reel serve; the index keeps one spelling
#   installable    a publish whose dependency does not exist (refused, or flagged with
#                  --allow-unresolved), a promote whose dependency is only in review (refused,
#                  naming what to promote first; --with-deps promotes it too)
#   gitignore      files git ignores are not published, tracked ones are; the dirty-tree error
#                  lists the paths
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
case_names)
  setup
  "$REEL" -q init ws --repo blessed=repos/r
  for spelling in set SET; do
    expect 1 "$REEL" -C ws new "$spelling"
    stderr_starts_with_error; stderr_has "already has an asset named 'Set'"
    [ ! -e "ws/outputs/$spelling" ] || fail "outputs/$spelling was made"
  done
  index_before=$(cat repos/r/index/set.json)
  mkdir -p ws/outputs/set && printf '[asset]\nname = "set"\nversion = "9.0.0"\n' > ws/outputs/set/asset.toml
  expect 1 "$REEL" -C ws publish set --allow-dirty
  stderr_has "already has an asset named 'Set', not 'set'; names compare case-insensitively"
  [ "$index_before" = "$(cat repos/r/index/set.json)" ] || fail "the index changed"
  # Over HTTP: reel serve refuses it too.
  echo tok > tokens
  "$REEL" serve repos/r --bind 127.0.0.1:0 --token-file tokens 2> serve.log &
  server=$!
  trap 'kill $server 2>/dev/null || true; chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 400); do grep -q "^serving " serve.log 2>/dev/null && break; sleep 0.05; done
  url=$(grep -o "http://127.0.0.1:[0-9]*" serve.log | head -1)
  [ -n "$url" ] || fail "reel serve did not start"
  "$REEL" -q init hws --repo blessed="$url"
  cp -r ws/outputs/set hws/outputs/set
  REEL_TOKEN=tok REEL_TOKEN_URL="$url" expect 1 "$REEL" -C hws publish set --allow-dirty
  stderr_has "names compare case-insensitively"
  [ "$index_before" = "$(cat repos/r/index/set.json)" ] || fail "the index changed over HTTP"
  ;;
installable)
  setup
  "$REEL" -q repo init repos/review --name review
  "$REEL" -q init ws --repo blessed=repos/r
  "$REEL" -q -C ws repo add review "$WORK/repos/review" --default
  mkdir -p ws/outputs/Prop2
  printf '[asset]\nname = "Prop2"\nversion = "1.0.0"\n[dependencies]\nNoSuchThing = "^2"\n' > ws/outputs/Prop2/asset.toml
  expect 1 "$REEL" -C ws publish Prop2 --allow-dirty
  stderr_starts_with_error; stderr_has "cannot publish Prop2 1.0.0 to 'review'"
  stderr_has "NoSuchThing"; stderr_has "--allow-unresolved"
  [ ! -e repos/review/index/prop2.json ] || fail "Prop2 was published"
  expect 0 "$REEL" -C ws publish Prop2 --allow-dirty --allow-unresolved
  stderr_has "cannot be resolved"
  jq -e '.versions[0].unresolved == true' repos/review/index/prop2.json >/dev/null || fail "not flagged"
  # Bulb only in review; Lamp (review) depends on it: promoting Lamp alone is refused.
  mkdir -p ws/outputs/Bulb ws/outputs/Lamp
  printf '[asset]\nname = "Bulb"\nversion = "1.0.0"\n' > ws/outputs/Bulb/asset.toml
  printf '[asset]\nname = "Lamp"\nversion = "1.0.0"\n[dependencies]\nBulb = "^1"\nSet = "*"\n' > ws/outputs/Lamp/asset.toml
  expect 0 "$REEL" -C ws publish Bulb --allow-dirty
  expect 0 "$REEL" -C ws publish Lamp --allow-dirty   # Bulb in review, Set in blessed: fine
  expect 0 "$REEL" -C ws review approve Bulb==1.0.0 --repo review
  expect 0 "$REEL" -C ws review approve Lamp==1.0.0 --repo review
  blessed_before=$(snapshot repos/r/index)
  expect 1 "$REEL" -C ws promote Lamp==1.0.0 --from review --to blessed
  stderr_starts_with_error; stderr_has "cannot promote Lamp 1.0.0 to 'blessed'"
  stderr_has "promote first Bulb 1.0.0 (or pass --with-deps)"
  [ "$blessed_before" = "$(snapshot repos/r/index)" ] || fail "blessed changed"
  expect 0 "$REEL" -C ws promote Lamp==1.0.0 --from review --to blessed --with-deps
  grep -q "promoted Bulb 1.0.0 from review to blessed (a dependency)" "$WORK/out" || fail "$(cat "$WORK/out")"
  "$REEL" -q init farm --repo blessed=repos/r
  expect 0 "$REEL" -C farm add Lamp
  [ -f farm/inputs/Bulb/asset.toml ] || fail "Bulb not installable from blessed"
  ;;
gitignore)
  "$REEL" -q repo init repos/r --name blessed
  "$REEL" -q init ws --repo blessed=repos/r
  expect 0 "$REEL" -C ws new Props
  printf '*.bak\ncache/\n' > ws/outputs/Props/.gitignore
  echo mesh > ws/outputs/Props/mesh.obj
  echo autosave > ws/outputs/Props/autosave.bak
  echo kept > ws/outputs/Props/keep.bak
  mkdir -p ws/outputs/Props/cache && echo sim > ws/outputs/Props/cache/sim.bin
  git -C ws/outputs/Props add .gitignore mesh.obj && git -C ws/outputs/Props add -f keep.bak
  git -C ws/outputs/Props commit -qm props
  echo new > ws/outputs/Props/new.txt  # untracked, not ignored: dirty, and published with --allow-dirty
  expect 1 "$REEL" -C ws publish Props
  stderr_has "has uncommitted changes: new.txt"
  expect 0 "$REEL" -C ws publish Props --allow-dirty
  expect 0 "$REEL" -C ws add Props
  expect 0 "$REEL" -C ws tree --files Props
  for f in mesh.obj keep.bak new.txt .gitignore; do grep -qF "$f" "$WORK/out" || fail "$f not published: $(cat "$WORK/out")"; done
  for f in autosave.bak sim.bin; do ! grep -qF "$f" "$WORK/out" || fail "$f (ignored) was published"; done
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: integrity $case_name"
