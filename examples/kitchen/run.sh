#!/usr/bin/env bash
# reel's main job on the bundled kitchen example (tgzr's scenario), end to end, printing each step:
# repos, publishing every asset version, a TD's workspace (add, tree, lock, sync, verify), editing
# and publishing a new Table, promotion review -> blessed, a bounded requirement, the requirements
# export, an artist's shot workspace (a tool asset's script and PATH, a Shot whose build steps run
# Debian's ffmpeg and assimp only when their inputs changed), and a "farm" workspace rebuilt from
# workspace.toml + reel.lock alone, byte for byte.
#
# usage: run.sh [REEL_BINARY] [WORK_DIR]   (WORK_DIR default: a new temp dir, removed on success)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reel=$(realpath "${1:-$here/../../build/cli/reel}")
work=${2:-}
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/reel-kitchen-XXXXXX)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
mkdir -p "$work"
cd "$work"
export REEL_CACHE_DIR="$work/cache"
export GIT_AUTHOR_NAME="reel example" GIT_AUTHOR_EMAIL="example@reel.invalid"
# Who the audit logs name (the artist publishing; the lead below approves as herself).
export REEL_USER="Ana Artist <ana@kitchen.example>"
export GIT_COMMITTER_NAME="reel example" GIT_COMMITTER_EMAIL="example@reel.invalid"

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ reel %s\n' "$*"; "$reel" "$@"; }

step "Two folder repos: blessed (install from) and review (publish to)"
run repo init repos/blessed --name blessed
run repo init repos/review --name review

step "Publish every asset version of the kitchen into blessed"
run init staging --repo blessed=repos/blessed
for asset in Table Chair KitchenSet KitchenTools; do
  for version_dir in "$here/assets/$asset"/*/; do
    rm -rf "staging/outputs/$asset"
    cp -r "$version_dir" "staging/outputs/$asset"
    run -C staging publish "$asset" --allow-dirty --repo blessed
  done
done

step "A TD's workspace: blessed to install from, review to publish to"
run init shot010 --repo blessed=repos/blessed
run -C shot010 repo add review "$work/repos/review" --default
run -C shot010 repo list
run -C shot010 add KitchenSet
run -C shot010 tree
run -C shot010 lock
run -C shot010 sync
run -C shot010 why Table
run -C shot010 verify
grep -q 'version = "3.2.1"' shot010/inputs/Table/asset.toml
echo "KitchenSet 1.4.0 pins Table ==3.2.1 (concrete): installed Table 3.2.1"

step "Edit Table, bump it, publish to review, promote to blessed"
run -C shot010 edit Table
sed -i 's/^Kd .*/Kd 0.900 0.850 0.800/' shot010/outputs/Table/table.mtl
git -C shot010/outputs/Table commit -qam "Lighter varnish"
run -C shot010 bump Table minor
git -C shot010/outputs/Table commit -qam "Table 3.3.0"
run -C shot010 publish Table
grep -q '"version": "3.3.0"' repos/review/index/table.json
if grep -q '"version": "3.3.0"' repos/blessed/index/table.json; then
  echo "error: Table 3.3.0 went to blessed, not to the default repo review" >&2
  exit 1
fi
echo "Table 3.3.0 is in review (the default publish target), not yet in blessed"
run -C shot010 review list
REEL_USER="Jade Lead <jade@kitchen.example>" \
  run -C shot010 review approve Table==3.3.0 --note "varnish matches the lookdev turntable"
run -C shot010 review list --state approved
run -C shot010 promote Table==3.3.0 --from review --to blessed
grep -q '"version": "3.3.0"' repos/blessed/index/table.json
run init check --repo blessed=repos/blessed
run -C check add 'Table==3.3.0'
grep -q '^Kd 0.900 0.850 0.800' check/inputs/Table/table.mtl
echo "Table 3.3.0 installs from blessed with the edited varnish"

step "KitchenSet 1.3.0 takes Table >=1.2.3,<2.0 (bounded): the newest below 2.0"
run -C shot010 add 'KitchenSet==1.3.0'
grep -q 'version = "1.5.0"' shot010/inputs/Table/asset.toml
run -C shot010 tree
run -C shot010 add Table
run -C shot010 tree
run -C shot010 export requirements -o requirements.txt
cat shot010/requirements.txt
run -C shot010 env

step "An artist's shot workspace: KitchenTools puts its bin/ on PATH and python/ on PYTHONPATH"
run init sh010 --repo blessed=repos/blessed
run -C sh010 add KitchenTools
run -C sh010 scripts
run -C sh010 run KitchenTools:info
run -C sh010 run -- sh -c 'command -v kitchen-info'
printf '$ eval "$(reel -C sh010 env --shell bash)"; kitchen-info\n'
(eval "$("$reel" -C sh010 env --shell bash)" && kitchen-info)
run -C sh010 env --diff

step "Shot: 48 frames, a preview step (ffmpeg) and a mesh step (assimp: Table's OBJ -> glTF)"
mkdir -p sh010/outputs/Shot/frames
cp "$here/assets/Shot/1.0.0/asset.toml" sh010/outputs/Shot/
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=320x180:rate=24 -frames:v 48 \
  sh010/outputs/Shot/frames/shot.%04d.png
git -C sh010/outputs/Shot init -q
git -C sh010/outputs/Shot add -A
git -C sh010/outputs/Shot commit -qm "Shot 1.0.0: 48 frames"
run -C sh010 sync                       # Shot's dependency on Table joins the lock
run -C sh010 build Shot | tee build1.txt
grep -q "^ran step preview" build1.txt && grep -q "^ran step mesh" build1.txt
echo "both steps ran: preview.mp4 $(stat -c %s sh010/outputs/Shot/preview.mp4) bytes, table.glb $(stat -c %s sh010/outputs/Shot/table.glb) bytes"
run -C sh010 build Shot | tee build2.txt
grep -q "^step preview is up to date" build2.txt && grep -q "^step mesh is up to date" build2.txt
if grep -q "^ran step" build2.txt; then echo "error: a step ran again with nothing changed" >&2; exit 1; fi
echo "nothing changed: no step ran"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=red:size=320x180 -frames:v 1 -update 1 \
  sh010/outputs/Shot/frames/shot.0012.png
echo "frame 12 repainted"
run -C sh010 status
run -C sh010 build Shot | tee build3.txt
grep -q "^ran step preview (frames/ changed)" build3.txt && grep -q "^step mesh is up to date" build3.txt
echo "one frame changed: only preview ran again"
git -C sh010/outputs/Shot add -A
git -C sh010/outputs/Shot commit -qm "preview and mesh"
run -C sh010 publish Shot --repo blessed
run -C sh010 status
run init review-shot --repo blessed=repos/blessed
run -C review-shot add Shot
sed -n '/^name = "mesh"/,/^outs/{p;/^outs/{n;p}}' review-shot/inputs/Shot/steps.lock
echo "a consumer of Shot sees in steps.lock how table.glb was made"

step "The studio's view: project Kitchen, sequence sq010, shots sh010-sh030 cast with the kitchen assets"
# Shot (above) is sq010's sh010, frames 1-48 (frame_out exclusive, as Watchtower counts); sh020
# and sh030 follow it, each with its frames and a thumbnail (ffmpeg test patterns), and an edit
# package holds the cut as an H.264 movie.
shot_asset() {  # shot_asset NAME FRAME_IN FRAME_OUT PATTERN DEPS
  local dir="staging/outputs/$1" count=$(($3 - $2))
  rm -rf "$dir" && mkdir -p "$dir/frames"
  ffmpeg -hide_banner -loglevel error -f lavfi -i "$4=size=320x180:rate=24" -frames:v "$count" \
    -start_number "$2" "$dir/frames/$1.%04d.png"
  ffmpeg -hide_banner -loglevel error -i "$dir/frames/$1.$(printf %04d "$2").png" -vf scale=300:200 "$dir/thumb.png"
  printf '[asset]\nname = "%s"\nversion = "1.0.0"\ntype = "shot"\ndescription = "Kitchen shot %s"\n\n[dependencies]\n%b\n[metadata]\nproject = "Kitchen"\nsequence = "sq010"\nshot = "%s"\nframe_in = %s\nframe_out = %s\nfps = 24\nthumbnail = "thumb.png"\n' \
    "$1" "$1" "$5" "$1" "$2" "$3" > "$dir/asset.toml"
  run -C staging publish "$1" --allow-dirty --repo blessed
}
rm -rf staging/outputs/sq010 && mkdir -p staging/outputs/sq010
ffmpeg -hide_banner -loglevel error -f lavfi -i smptebars=size=300x200 -frames:v 1 staging/outputs/sq010/thumb.png
printf '[asset]\nname = "sq010"\nversion = "1.0.0"\ntype = "sequence"\ndescription = "Breakfast in the kitchen"\n\n[metadata]\nproject = "Kitchen"\nsequence = "sq010"\nfps = 24\nthumbnail = "thumb.png"\n' \
  > staging/outputs/sq010/asset.toml
run -C staging publish sq010 --allow-dirty --repo blessed
shot_asset sh020 48 84 rgbtestsrc 'KitchenSet = "*"\nChair = "*"'
shot_asset sh030 84 96 mandelbrot 'Table = "*"'
rm -rf staging/outputs/KitchenEdit && mkdir -p staging/outputs/KitchenEdit
ffmpeg -hide_banner -loglevel error -framerate 24 -i sh010/outputs/Shot/frames/shot.%04d.png \
  -framerate 24 -start_number 48 -i staging/outputs/sh020/frames/sh020.%04d.png \
  -framerate 24 -start_number 84 -i staging/outputs/sh030/frames/sh030.%04d.png \
  -filter_complex '[0:v]trim=end_frame=47[a];[a][1:v][2:v]concat=n=3:v=1[v]' -map '[v]' \
  -c:v libx264 -pix_fmt yuv420p -threads 1 staging/outputs/KitchenEdit/edit.mp4
printf '[asset]\nname = "KitchenEdit"\nversion = "1.0.0"\ntype = "edit"\n\n[metadata]\nproject = "Kitchen"\nfps = 24\n' \
  > staging/outputs/KitchenEdit/asset.toml
run -C staging publish KitchenEdit --allow-dirty --repo blessed
run -C shot010 list --repo blessed
run -C shot010 search kitchen
run -C shot010 show Table
run -C shot010 show sh020
run -C shot010 log
run -C shot010 export watchtower -o "$work/watchtower" --repo blessed
python3 - "$work/watchtower" <<'PY'
import json, os, struct, sys
root = sys.argv[1]
load = lambda p: json.load(open(os.path.join(root, p)))
pid = load("data/projects-list/index.json")["projects"][0]["id"]
d = f"data/projects/{pid}/"
shots = load(d + "shots.json")
assert [s["name"] for s in shots] == ["sh010", "sh020", "sh030"], shots
assert [s["startFrame"] for s in shots] == [0, 47, 83], shots
for s in shots:
    with open(os.path.join(root, s["thumbnailUrl"]), "rb") as f:
        assert struct.unpack(">II", f.read(24)[16:24]) == (150, 100), s["thumbnailUrl"]
cast = {c["shot_id"]: len(c["asset_ids"]) for c in load(d + "casting.json")}
assert [cast[s["id"]] for s in shots] == [1, 2, 1], cast
edit = load(d + "edits.json")[0]
assert edit["totalFrames"] == 95 and os.path.getsize(os.path.join(root, edit["sourceName"])) > 0, edit
print(f"watchtower export: project Kitchen ({pid}), {len(shots)} shots, {len(load(d + 'assets.json'))} assets, "
      f"edit movie {edit['sourceName']}; serve {root} with the Watchtower client beside data/")
PY

step "The farm: a job folder with only workspace.toml and reel.lock"
mkdir farm
cp shot010/workspace.toml shot010/reel.lock farm/
export REEL_CACHE_DIR="$work/farm-cache"
run -C farm sync --frozen
run -C farm verify
diff -r shot010/inputs farm/inputs
echo "farm/inputs is byte for byte the same as shot010/inputs"
run -C farm run -- sh -c 'echo "TABLE_ROOT=$TABLE_ROOT"; test -f "$TABLE_ROOT/table.obj"'

step "Done: the main job ran end to end in $work"
