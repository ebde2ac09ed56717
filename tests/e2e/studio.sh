#!/usr/bin/env bash
# The studio's view of its repos (issue 14): reel list / search / show / log / status on a real
# folder repo and over `reel serve`, studio metadata checks, and `reel export watchtower`
# validated against the field list of notes/watchtower.md.
#   usage: studio.sh REEL CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

SERVERS=()
trap 'for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# png FILE W H: a W×H RGB PNG (a gradient), written with python3's zlib.
png() {
  python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = b"".join(b"\0" + bytes((x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), 128) [i % 3]
                               for x in range(w) for i in range(3)) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
}

# review REPO NAME VERSION STATE BY NOTE: sets a version's review state in a folder repo's index
# (the review commands are another branch's), and appends the matching audit line.
review() {
  python3 - "$@" <<'PY'
import json, sys
repo, name, version, state, by, note = sys.argv[1:7]
path = f"{repo}/index/{name.lower()}.json"
index = json.load(open(path))
for v in index["versions"]:
    if v["version"] == version:
        v["review"] = {"state": state, "by": by, "at": "2026-11-21T10:00:00Z", "note": note}
json.dump(index, open(path, "w"), indent=2)
action = {"approved": "approve", "rejected": "reject"}.get(state, "approve")
with open(f"{repo}/log/audit.jsonl", "a") as log:
    log.write(json.dumps({"at": "2026-11-21T10:00:00Z", "actor": by, "action": action, "name": name,
                          "version": version, "note": note, "commit": ""}) + "\n")
PY
}

# yank REPO NAME VERSION REASON
yank() {
  python3 - "$@" <<'PY'
import json, sys
repo, name, version, reason = sys.argv[1:5]
path = f"{repo}/index/{name.lower()}.json"
index = json.load(open(path))
for v in index["versions"]:
    if v["version"] == version:
        v["yanked"] = {"reason": reason, "by": "Lead <lead@studio>", "at": "2026-11-22T10:00:00Z"}
json.dump(index, open(path, "w"), indent=2)
PY
}

# Publishes write their own audit lines (issue 14, part 1) with REEL_USER as the actor.
export REEL_USER="Ana Artist <ana@studio>"
publish_log() { :; }

# check_json EXPR: evaluates a python expression over the JSON in $WORK/out (as `j`); fails if falsy.
check_json() {
  python3 - "$1" "$WORK/out" <<'PY' || { cat "$WORK/out"; fail "json check failed: $1"; }
import json, sys
j = json.load(open(sys.argv[2]))
if not eval(sys.argv[1]): sys.exit(1)
PY
}

# The kitchen repo with review states, a yank and an audit log.
setup_reviewed() {
  setup_kitchen
  publish_log repos/blessed
  review repos/blessed Table 3.2.1 approved "Jade Doe <jade@studio>" "ok for lighting"
  review repos/blessed Table 1.2.3 rejected "Jade Doe <jade@studio>" "legs too short"
  yank repos/blessed KitchenSet 1.3.0 "wrong scale"
}

# studio_asset DIR NAME TYPE DEPS METADATA: an asset folder with a 320×180 thumb.png.
studio_asset() {
  mkdir -p "$1"
  printf '[asset]\nname = "%s"\nversion = "1.0.0"\ntype = "%s"\n\n[dependencies]\n%b\n[metadata]\n%b\n' \
    "$2" "$3" "$4" "$5" > "$1/asset.toml"
  png "$1/thumb.png" 320 180
}

# The Kitchen project: sequence sq010 and three shots cast with the kitchen's assets.
setup_project() {
  setup_reviewed
  local meta='project = "Kitchen"\nsequence = "sq010"\nfps = 24\nthumbnail = "thumb.png"'
  studio_asset staging/outputs/sq010 sq010 sequence '' "$meta"
  studio_asset staging/outputs/SH010 SH010 shot 'Table = "*"\nChair = "*"' \
    "$meta\nshot = \"SH010\"\nframe_in = 1001\nframe_out = 1025"
  studio_asset staging/outputs/SH020 SH020 shot 'KitchenSet = "*"' \
    "$meta\nshot = \"SH020\"\nframe_in = 1025\nframe_out = 1061"
  studio_asset staging/outputs/SH030 SH030 shot 'Table = "*"' \
    "$meta\nshot = \"SH030\"\nframe_in = 1061\nframe_out = 1073"
  local n
  for n in sq010 SH010 SH020 SH030; do "$REEL" -q -C staging publish $n --allow-dirty >/dev/null; done
  publish_log repos/blessed
  review repos/blessed SH010 1.0.0 approved "Jade Doe <jade@studio>" "final"
  review repos/blessed SH020 1.0.0 rejected "Jade Doe <jade@studio>" "too dark"
}

# validate DIR: the export against notes/watchtower.md's field list and links.
validate() {
  python3 - "$1" <<'PY' || fail "export in $1 does not validate"
import json, os, re, struct, sys
root = sys.argv[1]
def load(p): return json.load(open(os.path.join(root, p)))
def png_size(url):
    assert url.startswith("data/"), url
    b = open(os.path.join(root, url), "rb").read(24)
    assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", url
    return struct.unpack(">II", b[16:24])
color = re.compile(r"^#[0-9A-Fa-f]{6}$")
plist = load("data/projects-list/index.json")["projects"]
assert len(plist) == 1, plist
p = plist[0]
assert isinstance(p["id"], str) and re.fullmatch(r"[A-Za-z0-9-]+", p["id"]) and p["name"] == "Kitchen"
assert p["episodes"] == [] and "thumbnailUrl" in p
if p["thumbnailUrl"] is not None: png_size(p["thumbnailUrl"])
pid = p["id"]
d = f"data/projects/{pid}/"
proj = load(d + "project.json")
assert proj["id"] == pid and proj["name"] == "Kitchen" and proj["fps"] == 24 and proj["episodes"] == []
for t in proj["task_types"]:
    assert color.match(t["color"]) and isinstance(t["for_shots"], bool) and t["name"]
for t in proj["task_statuses"]: assert color.match(t["color"]) and t["name"]
assert {t["name"] for t in proj["task_statuses"]} == {"pending", "approved", "rejected"}
for u in proj["team"]:
    assert u["full_name"] and u["name"] == u["full_name"] and u["has_avatar"] is False and "thumbnailUrl" in u
assert sorted(u["full_name"] for u in proj["team"]) == ["Ana Artist", "Jade Doe"], proj["team"]
types = {t["id"] for t in proj["asset_types"]}
task_types = {t["id"] for t in proj["task_types"]}
statuses = {t["id"]: t["name"] for t in proj["task_statuses"]}
team = {u["id"] for u in proj["team"]}
seqs = load(d + "sequences.json")
assert [s["name"] for s in seqs] == ["sq010"]
seq_ids = {s["id"] for s in seqs}
def check_tasks(tasks):
    assert isinstance(tasks, list)
    for t in tasks:
        assert t["task_type_id"] in task_types and t["task_status_id"] in statuses
        assert all(a in team for a in t["assignees"]), t
        assert t["assignees"], t
    return [statuses[t["task_status_id"]] for t in tasks]
shots = load(d + "shots.json")
assert [s["name"] for s in shots] == ["SH010", "SH020", "SH030"], shots
assert [s["startFrame"] for s in shots] == [0, 24, 60]
assert [s["durationSeconds"] for s in shots] == [1.0, 1.5, 0.5]
for s in shots:
    assert isinstance(s["startFrame"], int) and isinstance(s["durationSeconds"], float)
    assert s["sequence_id"] in seq_ids
    assert png_size(s["thumbnailUrl"]) == (150, 100)
assert [check_tasks(s["tasks"]) for s in shots] == [["approved"], ["rejected"], ["pending"]]
assets = load(d + "assets.json")
assert [a["name"] for a in assets] == ["Chair", "KitchenSet", "Table"], assets
for a in assets:
    assert a["asset_type_id"] in types and "thumbnailUrl" in a
    if a["thumbnailUrl"] is not None: assert png_size(a["thumbnailUrl"]) == (150, 100)
assert [check_tasks(a["tasks"]) for a in assets] == [["pending"], ["pending"], ["approved"]]
byname = {a["name"]: a["id"] for a in assets}
shot_ids = {s["name"]: s["id"] for s in shots}
casting = load(d + "casting.json")
assert len({c["shot_id"] for c in casting}) == len(casting)
cast = {c["shot_id"]: set(c["asset_ids"]) for c in casting}
assert set(cast) <= set(shot_ids.values())
assert cast[shot_ids["SH010"]] == {byname["Table"], byname["Chair"]}
assert cast[shot_ids["SH020"]] == {byname["KitchenSet"]}
assert cast[shot_ids["SH030"]] == {byname["Table"]}
edits = load(d + "edits.json")
assert len(edits) == 1 and edits[0]["totalFrames"] == 72 and edits[0]["frameOffset"] == 0
assert edits[0]["episodeId"] is None
assert isinstance(load(d + "task_counts.json"), list)
assert not os.path.exists(os.path.join(root, "data/projects/context.json"))
PY
}

catalog_checks() {  # catalog_checks ARGS...: list/search/show/log with ARGS (a repo choice)
  expect 0 "$REEL" --json list "$@"
  check_json '[p["name"] for p in j["packages"]] == ["Chair", "KitchenSet", "Table"]'
  check_json '[p for p in j["packages"] if p["name"] == "Table"][0]["newest"] == "3.2.1"'
  check_json '[p for p in j["packages"] if p["name"] == "Table"][0]["review"] == "approved"'
  check_json '[p for p in j["packages"] if p["name"] == "Chair"][0]["review"] == "pending"'
  expect 0 "$REEL" list "$@"
  grep -Eq '^Table +3\.2\.1 +prop +approved' "$WORK/out" || { cat "$WORK/out"; fail "list text"; }
  expect 0 "$REEL" --json list --type PROP "$@"
  check_json '[p["name"] for p in j["packages"]] == ["Chair", "Table"]'
  # search: case-insensitive over name, type, description (carried in the index) and tags.
  expect 0 "$REEL" --json search "SET DRESSING" "$@"
  check_json '[p["name"] for p in j["packages"]] == ["KitchenSet"]'
  expect 0 "$REEL" --json search kitchen "$@"
  check_json '[p["name"] for p in j["packages"]] == ["Chair", "KitchenSet", "Table"]'
  expect 0 "$REEL" --json search CHAIR "$@"
  check_json '[p["name"] for p in j["packages"]] == ["Chair"]'
  expect 0 "$REEL" --json search prop "$@"
  check_json '[p["name"] for p in j["packages"]] == ["Chair", "Table"]'
  expect 0 "$REEL" search nothing-like-this "$@"
  grep -q "no package matches" "$WORK/out" || fail "search with no match said nothing"
  # show: versions with review states, one version in full, the publisher from the audit log.
  expect 0 "$REEL" --json show table "$@"
  check_json 'j["name"] == "Table" and [v["version"] for v in j["versions"]] == ["1.2.3", "3.2.1"]'
  check_json '[v["review"]["state"] for v in j["versions"]] == ["rejected", "approved"]'
  check_json 'j["detail"]["version"] == "3.2.1" and j["detail"]["published"]["by"] == "Ana Artist <ana@studio>"'
  check_json 'j["detail"]["files"]["count"] >= 2 and j["detail"]["files"]["size"] > 0'
  check_json 'j["detail"]["metadata"]["description"] == "Kitchen table, 2.0 m"'
  expect 0 "$REEL" --json show KitchenSet==1.4.0 "$@"
  check_json 'j["detail"]["dependencies"] == {"Chair": ">=1.2.3,<2.0", "Table": "==3.2.1"}'
  check_json '[v["yanked"] for v in j["versions"] if v["version"] == "1.3.0"][0]["reason"] == "wrong scale"'
  expect 0 "$REEL" show Table==1.2.3 "$@"
  grep -q "review: *rejected by Jade Doe <jade@studio> at 2026-11-21T10:00:00Z: legs too short" "$WORK/out" ||
    { cat "$WORK/out"; fail "show Table==1.2.3: no rejection"; }
  grep -q "published: .* by Ana Artist" "$WORK/out" || { cat "$WORK/out"; fail "show: no publisher"; }
  expect 0 "$REEL" show KitchenSet "$@"
  grep -Eq '^  1\.3\.0 +pending, yanked.*wrong scale' "$WORK/out" || { cat "$WORK/out"; fail "show: yank"; }
  expect 1 "$REEL" show NoSuchThing "$@"
  stderr_has "error: no package named 'NoSuchThing'"
  expect 1 "$REEL" show Table==9.9.9 "$@"
  stderr_has "Table has no version 9.9.9"
  expect 2 "$REEL" show Table==1..2 "$@"
  # log: newest first; NAME filters.
  expect 0 "$REEL" --json log "$@"
  check_json 'len(j["records"]) == 7 and [r["at"] for r in j["records"]] == sorted((r["at"] for r in j["records"]), reverse=True)'
  check_json '[r["at"] for r in j["records"]] == sorted([r["at"] for r in j["records"]], reverse=True)'
  expect 0 "$REEL" --json log TABLE "$@"
  check_json '{r["name"] for r in j["records"]} == {"Table"} and len(j["records"]) == 4'
}

case $case_name in
catalog)
  setup_reviewed
  cd ws
  catalog_checks
  cd ..
  catalog_checks --repo repos/blessed      # outside a workspace: a path
  expect 1 "$REEL" list
  stderr_has "list outside a workspace needs --repo"
  # First repo that has a name wins (DESIGN §2): review's Table 9.0.0 is not mixed in.
  "$REEL" -q repo init repos/review --name review
  mkdir -p staging2/outputs && "$REEL" -q init staging2 --repo review=repos/review
  cp -r "$KITCHEN/Table/3.2.1" staging2/outputs/Table
  sed -i 's/^version = .*/version = "9.0.0"/' staging2/outputs/Table/asset.toml
  "$REEL" -q -C staging2 publish Table --allow-dirty
  "$REEL" -q -C ws repo add review "$WORK/repos/review"
  expect 0 "$REEL" -C ws --json list
  check_json '[(p["name"], p["newest"], p["repo"]) for p in j["packages"] if p["name"] == "Table"] == [("Table", "3.2.1", "blessed")]'
  expect 0 "$REEL" -C ws --json list --repo review
  check_json '[(p["name"], p["newest"]) for p in j["packages"]] == [("Table", "9.0.0")]'
  # A torn last line: a warning, the rest still read.
  printf '{"at": "2026-11-23T00:00:00Z", "actor": "x", "act' >> repos/blessed/log/audit.jsonl
  expect 0 "$REEL" -C ws --json log --repo blessed
  check_json 'len(j["records"]) == 7 and "torn" in j["warnings"][0]'
  stderr_has "warning: repo 'blessed': log/audit.jsonl:8: torn last line ignored"
  ;;
http)
  setup_reviewed
  "$REEL" serve repos/blessed --bind 127.0.0.1:0 2> serve.log &
  SERVERS+=($!)
  for _ in $(seq 1 400); do grep -q "^serving " serve.log && break; sleep 0.05; done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" serve.log | head -1)
  [ -n "$URL" ] || { cat serve.log; fail "reel serve did not start"; }
  catalog_checks --repo "$URL"
  ;;
status)
  setup_reviewed
  "$REEL" -q -C ws add KitchenSet==1.4.0
  expect 0 "$REEL" -C ws --json status
  check_json 'j["rejected"] == [] and j["yanked"] == []'
  review repos/blessed Table 3.2.1 rejected "Jade Doe <jade@studio>" "wrong wood"
  yank repos/blessed Chair 1.2.4 "broken leg"
  expect 0 "$REEL" -C ws --json status
  check_json '[(r["name"], r["version"], r["note"]) for r in j["rejected"]] == [("Table", "3.2.1", "wrong wood")]'
  check_json '[(y["name"], y["version"]) for y in j["yanked"]] == [("Chair", "1.2.4")]'
  expect 0 "$REEL" -C ws status
  grep -q "locked Table 3.2.1 was rejected in blessed by Jade Doe <jade@studio>: wrong wood" "$WORK/out" ||
    { cat "$WORK/out"; fail "status text lacks the rejection"; }
  ;;
export)
  setup_project
  expect 0 "$REEL" -C ws export watchtower -o "$WORK/site"
  validate site
  [ -f site/.reel-watchtower.json ] || fail "no marker"
  # Ids are stable and a re-export writes the same bytes.
  cp -r site site.first
  expect 0 "$REEL" -C ws --json export watchtower -o "$WORK/site"
  check_json 'j["shots"] == 3 and j["assets"] == 3 and j["sequences"] == 1 and j["total_frames"] == 72'
  diff -r site.first site || fail "a re-export is not byte-identical"
  # Outside a workspace, from a repo path.
  expect 0 "$REEL" export watchtower -o "$WORK/site2" --repo repos/blessed --project Kitchen
  diff -r site site2 || fail "the export from --repo differs"
  # A non-empty folder that is not an export is refused, nothing written; --force writes.
  mkdir other && echo keep > other/notes.txt
  expect 1 "$REEL" -C ws export watchtower -o "$WORK/other"
  stderr_has "is not empty and is not a Watchtower export"
  stderr_has "hint: "
  [ ! -e other/data ] || fail "a refused export wrote data/"
  expect 0 "$REEL" -C ws export watchtower -o "$WORK/other" --force
  validate other
  [ "$(cat other/notes.txt)" = keep ] || fail "--force lost a file"
  # Two projects: --project chooses.
  studio_asset staging/outputs/XSH010 XSH010 shot '' 'project = "Other"\nframe_in = 1\nframe_out = 10'
  "$REEL" -q -C staging publish XSH010 --allow-dirty >/dev/null
  expect 1 "$REEL" -C ws export watchtower -o "$WORK/site3"
  stderr_has "several projects: Kitchen, Other"
  expect 0 "$REEL" -C ws export watchtower -o "$WORK/site3" --project Kitchen
  validate site3
  expect 1 "$REEL" -C ws export watchtower -o "$WORK/site4" --project Nope
  stderr_has 'no package has [metadata] project = "Nope"'
  # A first image file that is not an image (no [metadata] thumbnail names it) costs its package
  # the preview, with a warning; a named thumbnail that is not one fails the export.
  mkdir -p staging/outputs/Broken
  printf '[asset]\nname = "Broken"\nversion = "1.0.0"\ntype = "prop"\n\n[metadata]\nproject = "Kitchen"\n' \
    > staging/outputs/Broken/asset.toml
  echo "not a png" > staging/outputs/Broken/a.png
  "$REEL" -q -C staging publish Broken --allow-dirty >/dev/null
  expect 0 "$REEL" -C ws export watchtower -o "$WORK/site5" --project Kitchen
  stderr_has "Broken 1.0.0: a.png: not an image OpenImageIO can read"
  stderr_has "no preview for it"
  ;;
bad_metadata)
  "$REEL" -q repo init repos/blessed --name blessed
  "$REEL" -q init staging --repo blessed=repos/blessed
  bad() {  # bad METADATA WHAT: publish refuses it, naming asset.toml and the key
    rm -rf staging/outputs/Bad
    studio_asset staging/outputs/Bad Bad shot '' "$1"
    expect 1 "$REEL" -C staging publish Bad --allow-dirty
    stderr_has "asset.toml"
    stderr_has "$2"
    [ ! -e repos/blessed/index/bad.json ] || fail "a bad asset was published"
  }
  bad 'frame_in = 1048\nframe_out = 1001' '[metadata] frame_in: 1048 is after frame_out 1001'
  bad 'frame_in = "1001"' '[metadata] frame_in: expected an integer'
  bad 'fps = 0' '[metadata] fps: expected a number greater than 0'
  bad 'thumbnail = "../x.png"' "[metadata] thumbnail: '../x.png' is not a path inside the asset"
  bad 'thumbnail = "/tmp/x.png"' "[metadata] thumbnail: '/tmp/x.png' is not a path inside the asset"
  bad 'thumbnail = "missing.png"' "[metadata] thumbnail: 'missing.png' is not one of the package's files"
  expect 1 "$REEL" -C staging build Bad
  stderr_has "[metadata] thumbnail: 'missing.png'"
  # The good ones publish.
  rm -rf staging/outputs/Bad
  studio_asset staging/outputs/Bad Bad shot '' 'frame_in = 1001\nframe_out = 1001\nfps = 23.976\nthumbnail = "thumb.png"'
  expect 0 "$REEL" -C staging publish Bad --allow-dirty
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
