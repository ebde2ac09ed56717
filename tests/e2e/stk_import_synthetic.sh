#!/usr/bin/env bash
# reel-stk-import on a small synthetic data tree laid out like supertuxkart-data (no download):
# the dependency kinds (track -> library, music, textures; library -> nested library, textures;
# kart -> textures), texture lookup in the mesh's own folder first, texture families, a missing
# texture reported as a warning, --tracks closure, case-insensitively unique names and hard links.
# Then the imported packages are published with the real reel and one track is installed.
# usage: stk_import_synthetic.sh REEL_BINARY IMPORTER_BINARY
source "$(dirname "$0")/lib.sh"
IMPORTER=$(realpath "$2")
export LC_ALL=C

# spm FILE TEXTURE...: a minimal .spm mesh header naming the textures, one material per texture
# (its second texture string empty), in the layout the notes describe.
spm() {
  local file=$1 tex
  shift
  {
    printf 'SP\001\000'
    head -c 24 /dev/zero
    printf "\\x$(printf %02x $#)\\x00"
    for tex; do
      printf "\\x$(printf %02x ${#tex})%s\\x00" "$tex"
    done
  } > "$file"
}

data=$WORK/data
mkdir -p "$data"/{textures/deprecated,library/lampA,library/bulbB,music,karts/tux,tracks/alpha,tracks/beta}
for t in stktex_wood_a stktex_wood_b stktex_wood_a_nm stktex_rock_a stktex_Rock_b; do
  echo "png $t" > "$data/textures/$t.png"
done
echo "old" > "$data/textures/deprecated/stktex_old_a.png"
echo "shadowed" > "$data/textures/deprecated/stktex_wood_a.png"
printf '<library>\n  <library name="bulbB" id="b1" xyz="0 1 0"/>\n  <object model="lamp.spm"/>\n</library>\n' \
  > "$data/library/lampA/node.xml"
spm "$data/library/lampA/lamp.spm" stktex_wood_a.png gfx_jetblastGround_a.png
printf '<library>\n  <object model="bulb.spm"/>\n</library>\n' > "$data/library/bulbB/node.xml"
echo "glow" > "$data/library/bulbB/stktex_rock_a.png"  # own folder wins over textures/
spm "$data/library/bulbB/bulb.spm" stktex_rock_a.png
printf '<music title="Race" file="race.ogg"/>\n' > "$data/music/race.music"
echo "ogg" > "$data/music/race.ogg"
printf '<music title="Calm" file="calm.ogg"/>\n' > "$data/music/calm.music"
echo "ogg" > "$data/music/calm.ogg"
echo '<kart name="Tux"/>' > "$data/karts/tux/kart.xml"
spm "$data/karts/tux/tux.spm" stktex_old_a.png
printf '<track name="Alpha" music="race.music"/>\n' > "$data/tracks/alpha/track.xml"
printf '<scene>\n  <library name="lampA" id="l1" xyz="1 2 3"/>\n  <library name="nosuchlib" id="l2"/>\n</scene>\n' \
  > "$data/tracks/alpha/scene.xml"
spm "$data/tracks/alpha/alpha.spm" stktex_Rock_b.png stktex_wood_b.png
printf '<track name="Beta" music="calm.music"/>\n' > "$data/tracks/beta/track.xml"

# deps DIR: the dependency names of one imported asset.toml, sorted, on one line.
deps() {
  sed -n '/^\[dependencies\]/,/^\[/p' "$1/asset.toml" | grep ' = "\*"' | cut -d'"' -f2 | sort | tr '\n' ' '
}

# Only track alpha and the closure of what it needs.
expect 0 "$IMPORTER" --data "$data" --out subset --tracks alpha
grep -qF "warning: library/lampA/lamp.spm names texture gfx_jetblastGround_a.png" "$WORK/err" ||
  { cat "$WORK/err"; fail "no warning for the missing texture"; }
[ "$(ls subset | tr '\n' ' ')" = "stk-lib-bulbB stk-lib-lampA stk-music-race stk-tex-stktex_Rock stk-tex-stktex_wood stk-track-alpha " ] ||
  fail "subset packages: $(ls subset | tr '\n' ' ')"
grep -q '^packages: 6 (2 library, 1 music, 2 texture, 1 track)$' "$WORK/out" || fail "counts: $(cat "$WORK/out")"
grep -q '^edges: 6 (library->library 1, library->texture 1, track->library 1, track->music 1, track->texture 2)$' \
  "$WORK/out" || fail "edges: $(cat "$WORK/out")"
[ "$(deps subset/stk-track-alpha)" = "stk-lib-lampA stk-music-race stk-tex-stktex_Rock stk-tex-stktex_wood " ] ||
  fail "alpha deps: $(deps subset/stk-track-alpha)"
[ "$(deps subset/stk-lib-lampA)" = "stk-lib-bulbB stk-tex-stktex_wood " ] || fail "lampA deps: $(deps subset/stk-lib-lampA)"
[ "$(deps subset/stk-lib-bulbB)" = "" ] || fail "bulbB should find its texture in its own folder"
[ -f subset/stk-music-race/race.ogg ] && [ -f subset/stk-music-race/race.music ] || fail "music files"
ls subset/stk-tex-stktex_wood | sort | tr '\n' ' ' | grep -qx 'asset.toml stktex_wood_a.png stktex_wood_a_nm.png stktex_wood_b.png ' ||
  fail "wood family: $(ls subset/stk-tex-stktex_wood)"
[ "$(stat -c %i subset/stk-track-alpha/alpha.spm)" = "$(stat -c %i "$data/tracks/alpha/alpha.spm")" ] ||
  fail "files are not hard-linked from the data"
grep -q '^STK_TRACK_ALPHA = "{root}"$' subset/stk-track-alpha/asset.toml || fail "track env"

# Everything: stk-tex-stktex_rock collides case-insensitively with stk-tex-stktex_Rock.
expect 0 "$IMPORTER" --data "$data" --out all
grep -q '^packages: 12 (1 kart, 2 library, 2 music, 5 texture, 2 track)$' "$WORK/out" || fail "counts: $(cat "$WORK/out")"
[ -d all/stk-tex-stktex_Rock ] && [ -d all/stk-tex-stktex_rock-2 ] || fail "names not unique: $(ls all | tr '\n' ' ')"
[ "$(deps all/stk-track-alpha)" = "stk-lib-lampA stk-music-race stk-tex-stktex_Rock stk-tex-stktex_wood " ] ||
  fail "alpha deps (all): $(deps all/stk-track-alpha)"
[ "$(deps all/stk-kart-tux)" = "stk-tex-deprecated-stktex_old " ] || fail "tux deps: $(deps all/stk-kart-tux)"
grep -q '"stk-music-calm"' all/stk-track-beta/asset.toml || fail "beta music"

# Bad usage: exit 2 with an error line, nothing written.
expect 2 "$IMPORTER" --data "$data" --out none --tracks
stderr_has "error: option --tracks needs a value"
expect 1 "$IMPORTER" --data "$data" --out none --tracks gamma
stderr_has "error: no track named 'gamma'"
[ ! -e none ] || fail "a failed import wrote files"

# The import is valid reel input: publish it all, install track alpha.
"$REEL" -q repo init repo --name stk
"$REEL" -q init staging --repo stk=repo
rm -rf staging/outputs && mv all staging/outputs
expect 0 "$REEL" -C staging publish --all --allow-dirty
[ "$(ls repo/index | wc -l)" = 12 ] || fail "published $(ls repo/index | wc -l) packages, expected 12"
"$REEL" -q init ws --repo stk=repo
expect 0 "$REEL" -C ws add stk-track-alpha
[ "$(ls ws/inputs | tr '\n' ' ')" = "stk-lib-bulbB stk-lib-lampA stk-music-race stk-tex-stktex_Rock stk-tex-stktex_wood stk-track-alpha " ] ||
  fail "installed: $(ls ws/inputs | tr '\n' ' ')"
cmp ws/inputs/stk-lib-bulbB/stktex_rock_a.png "$data/library/bulbB/stktex_rock_a.png" || fail "installed bytes differ"
expect 0 "$REEL" -C ws verify
echo "ok: stk_import_synthetic"
