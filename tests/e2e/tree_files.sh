#!/usr/bin/env bash
# File sequences end to end (issue 4): `reel tree --files NAME` collapses frame.0001.exr …
# frame.0120.exr with a gap into `renders/frame.####.exr [1-49,60-120]`, keeps plain files (and a
# lone numbered file) one a line, and --json gives the same groups. JSON is checked with jq.
# usage: tree_files.sh REEL_BINARY
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is missing (scripts/install-deps.sh installs it)"

"$REEL" -q repo init repos/blessed --name blessed
"$REEL" -q init staging --repo blessed=repos/blessed
asset=staging/outputs/Shot
mkdir -p "$asset/renders"
cat >"$asset/asset.toml" <<'TOML'
[asset]
name = "Shot"
version = "1.0.0"
type = "render"
description = "A render with a gap in its frames"

[dependencies]
TOML
for i in $(seq 1 120); do
  if [ "$i" -ge 50 ] && [ "$i" -le 59 ]; then continue; fi
  printf '%01024d' "$i" >"$asset/renders/frame.$(printf %04d "$i").exr"  # 1 KiB each
done
printf 'hello world\n' >"$asset/notes.txt"
printf '%0100d' 7 >"$asset/renders/frame.0500.jpg"  # numbered but alone: a plain file
printf '%02048d' 1 >"$asset/renders/thumb.jpg"
"$REEL" -q -C staging publish Shot --allow-dirty >/dev/null
"$REEL" -q init ws --repo blessed=repos/blessed
"$REEL" -q -C ws add Shot

expect 0 "$REEL" -C ws tree --files shot
diff -u - "$WORK/out" <<'OUT' || fail "tree --files text"
notes.txt  (12 B)
renders/frame.####.exr [1-49,60-120]  (110 files, 110.0 KiB)
renders/frame.0500.jpg  (100 B)
renders/thumb.jpg  (2.0 KiB)
OUT

expect 0 "$REEL" -C ws tree --files Shot --json
[ "$(jq -c '.[] | select(.kind == "sequence") | [.path, .directory, .pattern, .padding, .frames, .count, .size]' "$WORK/out")" = \
  '["renders/frame.####.exr","renders","frame.####.exr",4,[[1,49],[60,120]],110,112640]' ] ||
  fail "tree --files --json sequence: $(cat "$WORK/out")"
[ "$(jq -c '[.[] | select(.kind == "file") | [.path, .size]]' "$WORK/out")" = \
  '[["notes.txt",12],["renders/frame.0500.jpg",100],["renders/thumb.jpg",2048]]' ] ||
  fail "tree --files --json files: $(cat "$WORK/out")"
[ "$(jq -r '.[] | select(.path == "notes.txt") | .sha256' "$WORK/out")" = \
  "$(sha256sum <"$asset/notes.txt" | cut -c1-64)" ] || fail "tree --files --json sha256: $(cat "$WORK/out")"

# The plain dependency tree is unchanged; errors are clear.
expect 0 "$REEL" -C ws tree
[ "$(cat "$WORK/out")" = "Shot 1.0.0" ] || fail "tree: $(cat "$WORK/out")"
expect 1 "$REEL" -C ws tree --files Lamp
stderr_starts_with_error; stderr_has "Lamp is not in reel.lock"
expect 2 "$REEL" -C ws tree --files Shot --invert Shot
echo "tree_files: ok"
