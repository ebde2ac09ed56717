#!/usr/bin/env bash
# The concurrency soak (issue 11): for SECONDS seconds, rounds of 8 publishers of different
# packages, 4 publishers of one version with different bytes, 16 syncs, a gc and a promote, all at
# once on one review repo, one blessed repo and one shared cache. Afterwards: no published version
# is missing from its index (0 lost entries), every published and every promoted version installs
# and verifies, `reel verify --cache` is clean, and no temp file, staging folder or fetch lock is
# left. Prints the counts. CI runs a short soak (e2e.soak); scripts/soak.sh runs a long one.
#   usage: soak.sh REEL [SECONDS]
source "$(dirname "$0")/lib.sh"
seconds=${2:-40}
deadline=$((SECONDS + seconds))

"$REEL" -q repo init repos/review --name review >/dev/null
"$REEL" -q repo init repos/blessed --name blessed >/dev/null
head -c 262144 /dev/urandom > shared.bin  # the same bytes in every package: one object for all

# asset DIR NAME VERSION TAG: an asset folder with shared and unique files (TAG makes it unique).
asset() {
  mkdir -p "$1/tex"
  printf '[asset]\nname = "%s"\nversion = "%s"\n' "$2" "$3" > "$1/asset.toml"
  cp shared.bin "$1/tex/shared.bin"
  printf '%s\n' "$4" > "$1/tag.txt"
  head -c 65536 /dev/urandom > "$1/tex/unique.bin"
}

for i in $(seq 1 12); do
  "$REEL" -q init "pub$i" --repo review=repos/review --repo blessed=repos/blessed >/dev/null
done
for k in $(seq 1 16); do
  "$REEL" -q init "sync$k" --repo review=repos/review >/dev/null
done
"$REEL" -q init promoter --repo review=repos/review --repo blessed=repos/blessed >/dev/null

rounds=0 refused=0 syncs=0 gcs=0 promotes=0
: > published.txt
# Round 0, alone: the first version of every package, so the syncs of round 1 find them.
for i in $(seq 1 8); do
  asset "pub$i/outputs/P$i" "P$i" 1.0.0 "P$i 1.0.0"
  "$REEL" -q -C "pub$i" publish "P$i" --repo review --allow-dirty >/dev/null
  echo "P$i 1.0.0" >> published.txt
done
asset pub9/outputs/Same Same 1.0.0 "publisher 9"
"$REEL" -q -C pub9 publish Same --repo review --allow-dirty >/dev/null
echo "Same 1.0.0 9" >> published.txt
published=9
while [ "$rounds" -lt 1 ] || [ "$SECONDS" -lt "$deadline" ]; do
  rounds=$((rounds + 1))
  v="1.$rounds.0"
  pids=() kinds=() outs=()
  for i in $(seq 1 8); do
    rm -rf "pub$i/outputs/P$i"
    asset "pub$i/outputs/P$i" "P$i" "$v" "P$i $v"
    ( "$REEL" -q -C "pub$i" publish "P$i" --repo review --allow-dirty > "pub$i.out" 2>&1 &&
        echo "P$i $v" >> published.txt ) &
    pids+=($!) kinds+=(distinct) outs+=("pub$i.out")
  done
  for i in $(seq 9 12); do
    rm -rf "pub$i/outputs/Same"
    asset "pub$i/outputs/Same" Same "$v" "publisher $i"
    ( "$REEL" -q -C "pub$i" publish Same --repo review --allow-dirty > "pub$i.out" 2>&1 &&
        echo "Same $v $i" >> published.txt ) &
    pids+=($!) kinds+=(same) outs+=("pub$i.out")
  done
  for k in $(seq 1 16); do
    # Each sync workspace follows one package (published in round 0): the first round adds it,
    # later rounds upgrade to whatever the index holds at that moment.
    p="P$(( (k - 1) % 8 + 1 ))"
    if [ "$rounds" -eq 1 ]; then
      "$REEL" -q -C "sync$k" add "$p" > "sync$k.out" 2>&1 &
    else
      ( "$REEL" -q -C "sync$k" lock --upgrade && "$REEL" -q -C "sync$k" sync ) > "sync$k.out" 2>&1 &
    fi
    pids+=($!) kinds+=(sync) outs+=("sync$k.out")
  done
  "$REEL" -q gc > gc.out 2>&1 &
  pids+=($!) kinds+=(gc) outs+=(gc.out)
  # The version the round before published (or round 0's); --force: unreviewed (recorded).
  "$REEL" -q -C promoter promote "P1==1.$((rounds - 1)).0" --from review --to blessed --force \
    > promote.out 2>&1 &
  pids+=($!) kinds+=(promote) outs+=(promote.out)
  same_ok=0
  for n in "${!pids[@]}"; do
    if wait "${pids[$n]}"; then
      case ${kinds[$n]} in
        distinct) published=$((published + 1)) ;;
        same) same_ok=$((same_ok + 1)) ;;
        sync) syncs=$((syncs + 1)) ;;
        gc) gcs=$((gcs + 1)) ;;
        promote) promotes=$((promotes + 1)) ;;
      esac
    else
      case ${kinds[$n]} in
        same) refused=$((refused + 1)) ;;
        *) cat "${outs[$n]}"; fail "round $rounds: ${outs[$n]%.out} (${kinds[$n]}) failed" ;;
      esac
    fi
  done
  # Four publishers of one version with different bytes: exactly one wins, the others are told.
  [ "$same_ok" = 1 ] || { cat pub9.out pub10.out pub11.out pub12.out; fail "round $rounds: $same_ok publishers of Same $v succeeded, expected exactly 1"; }
  published=$((published + 1))
  for i in $(seq 9 12); do
    if ! grep -q "^Same $v $i\$" published.txt; then
      grep -q "already published" "pub$i.out" || { cat "pub$i.out"; fail "a refused publish did not say why"; }
    fi
  done
done

# 0 lost index entries: every version a publisher was told is published is in the index.
lost=0
while read -r name version _; do
  lower=$(printf '%s' "$name" | tr 'A-Z' 'a-z')
  jq -e --arg v "$version" 'any(.versions[]; .version == $v)' "repos/review/index/$lower.json" \
    >/dev/null || { echo "lost: $name $version"; lost=$((lost + 1)); }
done < published.txt
[ "$lost" = 0 ] || fail "$lost published versions are missing from the index"
entries=$(cat repos/review/index/*.json | jq -s 'map(.versions | length) | add')
[ "$entries" = "$published" ] || fail "the index holds $entries entries, $published were published"

# Every published version installs from review and verifies; every promoted one from blessed.
for r in $(seq 0 "$rounds"); do
  "$REEL" -q init "check$r" --repo review=repos/review >/dev/null
  reqs=(Same=="1.$r.0")
  for i in $(seq 1 8); do reqs+=("P$i==1.$r.0"); done
  expect 0 "$REEL" -q -C "check$r" add "${reqs[@]}"
  expect 0 "$REEL" -C "check$r" verify
  grep -qx "publisher [0-9]*" "check$r/inputs/Same/tag.txt" || fail "Same 1.$r.0 has no publisher's tag"
done
for r in $(seq 0 $((rounds - 1))); do
  "$REEL" -q init "blessed$r" --repo blessed=repos/blessed >/dev/null
  expect 0 "$REEL" -q -C "blessed$r" add "P1==1.$r.0"
  expect 0 "$REEL" -C "blessed$r" verify
done
expect 0 "$REEL" verify --cache
for k in $(seq 1 16); do expect 0 "$REEL" -C "sync$k" verify; done

# Nothing left behind: temp files, staging folders, fetch locks.
left=$(find repos cache pub* sync* check* \( -name '.tmp-*' -o -name '.old-*' -o -name 'import-*' \
  -o -name 'fetch-*' \) -print 2>/dev/null | grep -v '/.git/' || true)
[ -z "$left" ] || { echo "$left"; fail "temp files or locks left"; }
[ -z "$(ls -A repos/review/objects/tmp 2>/dev/null)" ] || fail "temp files left in the repo"
[ -z "$(ls -A cache/objects-v1/tmp 2>/dev/null)" ] || fail "temp files left in the cache"

echo "soak: $seconds s, $rounds rounds: $published versions published (0 lost), $refused same-version publishes refused, $syncs syncs, $gcs gcs, $promotes promotes; cache verified, no temp files"
echo "ok: soak"
