#!/usr/bin/env bash
# The binary index cache end to end (issue 16, docs/decisions.md "Index cache"): `reel lock` fills
# CACHE/index-v1/ with one entry per index file it reads; damaged entries (truncated, zeroed,
# garbage) are ignored and rewritten, with the same lock; a new publication is seen at once (the
# index file's stat changed); a malformed index file is still refused with its field path even
# though a good entry for its old text is cached; REEL_INDEX_CACHE=off writes no entry.
# usage: index_cache.sh REEL_BINARY
source "$(dirname "$0")/lib.sh"
setup_kitchen

entries() { { find "$REEL_CACHE_DIR/index-v1" -name '*.idx' -type f 2>/dev/null || true; } | sort; }
valid_entries() {  # entries that start with the magic and are longer than a header
  local f n=0
  for f in $(entries); do
    [ "$(head -c 8 "$f")" = "REELIDX" ] && [ "$(stat -c %s "$f")" -gt 100 ] && n=$((n + 1))
  done
  echo "$n"
}

"$REEL" -q -C ws add KitchenSet
cp ws/reel.lock "$WORK/lock.first"
n=$(entries | wc -l)
[ "$n" -ge 3 ] || fail "expected an index-v1 entry for KitchenSet, Table and Chair, found $n"
[ "$(valid_entries)" = "$n" ] || fail "index-v1 entries without the magic"

# Damaged entries: each kind of damage is a miss, the lock is the same and the entry rewritten.
i=0
for f in $(entries); do
  case $((i % 3)) in
    0) truncate -s 40 "$f" ;;
    1) head -c "$(stat -c %s "$f")" /dev/zero > "$f.tmp" && mv "$f.tmp" "$f" ;;
    2) echo garbage > "$f" ;;
  esac
  i=$((i + 1))
done
expect 0 "$REEL" -C ws lock --upgrade
cmp -s ws/reel.lock "$WORK/lock.first" || { diff -u "$WORK/lock.first" ws/reel.lock; fail "lock changed after damaged cache entries"; }
[ "$(valid_entries)" = "$n" ] || fail "damaged index-v1 entries were not rewritten"

# A new publication is seen through the cache.
rm -rf staging/outputs/KitchenSet
cp -r "$KITCHEN/KitchenSet/1.4.0" staging/outputs/KitchenSet
sed -i 's/^version = .*/version = "1.5.0"/' staging/outputs/KitchenSet/asset.toml
"$REEL" -q -C staging publish KitchenSet --allow-dirty
expect 0 "$REEL" -C ws lock --upgrade
grep -A1 'name = "KitchenSet"' ws/reel.lock | grep -qF 'version = "1.5.0"' ||
  fail "lock --upgrade did not see KitchenSet 1.5.0: $(cat ws/reel.lock)"

# A malformed index file is refused with its field path, whatever the cache holds for its name.
cp repos/blessed/index/table.json "$WORK/table.json"
sed -i '0,/"sha256": "[0-9a-f]*"/s//"sha256": "zz"/' repos/blessed/index/table.json
expect 1 "$REEL" -C ws lock --upgrade
stderr_has "table.json: versions[0].archive.sha256"
cp "$WORK/table.json" repos/blessed/index/table.json
expect 0 "$REEL" -C ws lock --upgrade

# The cache can be turned off.
export REEL_CACHE_DIR="$WORK/cache-off"
REEL_INDEX_CACHE=off expect 0 "$REEL" -C ws lock --upgrade
[ ! -e "$WORK/cache-off/index-v1" ] || fail "REEL_INDEX_CACHE=off wrote $(ls -R "$WORK/cache-off/index-v1")"
echo "ok"
