#!/usr/bin/env bash
# Hostile input, one case per run (issue 10): what a repo, a bundle, a file or a network peer sends
# must not run code, escape the workspace, crash reel or exhaust it. Each attack is made by hand,
# as an attacker would (a folder repo written with tar, zstd and jq, bypassing reel's publish), and
# each must end with a clear `error:` line, exit 1, nothing written outside the workspace, cache
# or repo, and the repo and cache as they were.
#   dotgit          packages carrying .git/config (core.fsmonitor), .Git/config, .GIT, a `.git`
#                   file (gitdir: elsewhere) or .reel/: add, edit and reel serve refuse them
#   symlink_escape  links that escape only when followed through other links (20 folders deep),
#                   a chain through a folder link, a target with a NUL byte: refused
#   deep_nesting    50,000 nested arrays / inline tables in workspace.toml, reel.lock, a repo's
#                   asset.toml, a bundle's workspace.toml, a POST to reel serve, index metadata
#                   100,000 deep, and 1,200 table headers of growing depth: exit 1, never a crash
#   unbounded_reads a repo whose index or archive is a symlink to /dev/zero or a FIFO, an object
#                   far larger than its files.json size: exit 1 at once, no hang, nothing cached
#   endless_http    an HTTP peer sending an endless index, archive or object body: cut off at the
#                   bound (the server sends little), never retried, nothing cached
#   smaller_gaps    an archive whose asset.toml names another package, two files.json members,
#                   cache objects replaced by a symlink or a FIFO (verify --cache reports them)
#   bundle          a bundle carrying a .git member, or a package whose files.json lists .git
# usage: hostile.sh REEL_BINARY CASE
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
case_name=$2

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
      chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# put_object REPO FILE: stores FILE's bytes as an object of the folder repo REPO; prints its hex.
put_object() {
  local hex
  hex=$(sha256sum < "$2" | cut -c1-64)
  mkdir -p "$1/objects/sha256/${hex:0:2}"
  cp "$2" "$1/objects/sha256/${hex:0:2}/${hex:2}"
  echo "$hex"
}

# file_entry PATH FILE: a files.json entry for FILE's bytes at PATH (the object put in repos/r).
file_entry() {
  local hex size
  hex=$(put_object repos/r "$2")
  size=$(stat -c %s "$2")
  jq -nc --arg p "$1" --arg h "$hex" --argjson s "$size" \
    '{path: $p, sha256: $h, size: $s, executable: false}'
}

# link_entry PATH TARGET: a files.json symlink entry.
link_entry() { jq -nc --arg p "$1" --arg t "$2" '{path: $p, symlink: $t}'; }

# forge NAME VERSION FILES_JSON [ASSET_TOML_FILE] [SECOND_FILES_JSON]: writes by hand into the
# folder repo repos/r a package NAME VERSION whose files.json is FILES_JSON (objects put there
# already), and its index file, as a hostile publisher would. Sets ARCHIVE (the repo path).
forge() {
  local name=$1 version=$2 files=$3 manifest=${4:-} second=${5:-}
  local lower d
  lower=$(echo "$name" | tr 'A-Z' 'a-z')
  d=$(mktemp -d "$WORK/forge-XXXXXX")
  if [ -n "$manifest" ]; then cp "$manifest" "$d/asset.toml"; else
    printf '[asset]\nname = "%s"\nversion = "%s"\ntype = "prop"\n' "$name" "$version" > "$d/asset.toml"
  fi
  printf '%s\n' "$files" > "$d/files.json"
  mkdir -p "repos/r/packages/$lower" repos/r/index
  ARCHIVE="repos/r/packages/$lower/$name-$version.reel"
  if [ -n "$second" ]; then
    mkdir "$d/2" && printf '%s\n' "$second" > "$d/2/files.json"
    tar --format=pax --owner=0 --group=0 --mtime=@0 -C "$d" -cf - asset.toml files.json \
      -C "$d/2" files.json | zstd -q -c > "$ARCHIVE"
  else
    tar --format=pax --owner=0 --group=0 --mtime=@0 -C "$d" -cf - asset.toml files.json |
      zstd -q -c > "$ARCHIVE"
  fi
  jq -nc --arg n "$name" --arg v "$version" --arg p "${ARCHIVE#repos/r/}" \
    --arg s "$(sha256sum < "$ARCHIVE" | cut -c1-64)" --argjson z "$(stat -c %s "$ARCHIVE")" \
    '{format: 1, name: $n, versions: [{version: $v, type: "prop", dependencies: {},
      archive: {path: $p, sha256: $s, size: $z}}]}' > "repos/r/index/$lower.json"
}

# A folder repo repos/r with Table 1.0.0 (published by reel), and a workspace ws on it.
setup() {
  "$REEL" -q repo init repos/r --name blessed
  "$REEL" -q init staging --repo blessed=repos/r
  mkdir -p staging/outputs/Table
  printf '[asset]\nname = "Table"\nversion = "1.0.0"\n' > staging/outputs/Table/asset.toml
  echo "v 0 0 0" > staging/outputs/Table/table.obj
  "$REEL" -q -C staging publish Table --allow-dirty >/dev/null
  "$REEL" -q init ws --repo blessed=repos/r
}

# content: what must not change when an attack is refused: the repo, the cache's objects and
# archives, the workspace's inputs (the cache's registry of workspaces and lock files may).
content() { snapshot repos cache/objects-v1 cache/archives-v1 ws/inputs; }

# retar DIR OUT: packs the unpacked bundle DIR into OUT (members without a leading "./").
retar() { (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tar --zstd -cf "$2" -T -); }

# refused DESC TEXT CMD...: CMD exits 1 with an `error:` line holding TEXT, and neither the repo,
# the cache's content nor the workspace's inputs changed.
refused() {
  local desc=$1 text=$2
  shift 2
  local before
  before=$(content)
  expect 1 timeout 120 "$@"
  stderr_starts_with_error
  grep -qF -- "$text" "$WORK/err" || { cat "$WORK/err"; fail "$desc: stderr lacks: $text"; }
  [ "$before" = "$(content)" ] || fail "$desc: the repo, cache or inputs changed"
  [ ! -e "$WORK/pwned" ] || fail "$desc: the package ran a command"
}

# serve_repo: reel serve on repos/r with a write token `tok`; sets URL.
serve_repo() {
  echo tok > token
  "$REEL" serve repos/r --bind 127.0.0.1:0 --token-file token 2> serve.log &
  PIDS+=($!)
  for _ in $(seq 1 400); do
    grep -q "^serving " serve.log 2>/dev/null && break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" serve.log | head -1)
  [ -n "$URL" ] || { cat serve.log; fail "reel serve did not start"; }
}

# post ARCHIVE NAME VERSION: POSTs ARCHIVE as a publish to reel serve; prints the HTTP status.
post() {
  curl -s -o post.out -w '%{http_code}' -X POST -H 'Authorization: Bearer tok' \
    -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$URL/publish/$2/$3"
}

# nested N OPEN CLOSE: OPEN N times then CLOSE N times.
nested() { printf "%0.s$2" $(seq 1 "$1"); printf "%0.s$3" $(seq 1 "$1"); }

case "$case_name" in
dotgit)
  setup
  printf '[core]\n\tfsmonitor = "touch %s/pwned"\n' "$WORK" > config
  echo "gitdir: $WORK/elsewhere/.git" > gitfile
  echo x > x
  forge Evil1 1.0.0 "[$(file_entry .git/config config)]"
  forge Evil2 1.0.0 "[$(file_entry .Git/config config)]"
  forge Evil3 1.0.0 "[$(file_entry .GIT x), $(file_entry a.txt x)]"
  forge Evil4 1.0.0 "[$(file_entry .git gitfile)]"
  forge Evil5 1.0.0 "[$(file_entry .reel/installed.json x)]"
  forge Evil6 1.0.0 "[$(file_entry sub/.git/hooks/post-checkout x)]"
  forge Evil7 1.0.0 "[$(file_entry "GIT~1/config" config)]"
  forge Evil8 1.0.0 "[$(file_entry "a" x), $(link_entry "b" ".git/config")]"
  for n in 1 2 3 4 5 6 7 8; do
    refused "Evil$n add" "never packaged" "$REEL" -C ws add "Evil$n"
    [ ! -e "ws/inputs/Evil$n" ] || fail "Evil$n was installed"
    refused "Evil$n edit" "never packaged" "$REEL" -C ws edit "Evil$n"
    [ ! -e "ws/outputs/Evil$n" ] || fail "Evil$n became an output"
  done
  # reel serve refuses such an archive (today: 201).
  serve_repo
  code=$(post repos/r/packages/evil1/Evil1-1.0.0.reel Evil1 1.0.0)
  [ "$code" = 400 ] || fail "reel serve answered $code to a package carrying .git: $(cat post.out)"
  grep -q "never packaged" post.out || fail "reason: $(cat post.out)"
  # Building never packages a .git at any depth (a vendored checkout's), nor installs one.
  mkdir -p staging/outputs/Vendor/tools/lib/.git
  printf '[asset]\nname = "Vendor"\nversion = "1.0.0"\n' > staging/outputs/Vendor/asset.toml
  echo "[core]" > staging/outputs/Vendor/tools/lib/.git/config
  echo "code" > staging/outputs/Vendor/tools/lib/lib.py
  expect 0 "$REEL" -C staging publish Vendor --allow-dirty
  expect 0 "$REEL" -C ws add Vendor
  [ -f ws/inputs/Vendor/tools/lib/lib.py ] || fail "Vendor's files were not installed"
  [ ! -e ws/inputs/Vendor/tools/lib/.git ] || fail "a nested .git was packaged"
  ;;
symlink_escape)
  setup
  P=d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19
  to_root=..; for _ in $(seq 2 20); do to_root="$to_root/.."; done
  # As text each target stays inside ("P/s/../../../etc/passwd" is P/../../etc/passwd); followed,
  # P/s is the root, so P/u is /etc/passwd and `passwd` a link to it.
  forge Esc1 1.0.0 "[$(link_entry "$P/s" "$to_root"), $(link_entry "$P/u" "s/../../../etc/passwd"), $(link_entry passwd "$P/u")]"
  echo x > x
  forge Esc2 1.0.0 "[$(file_entry a/b/c x), $(link_entry up "a/b/../.."), $(link_entry x "up/../etc")]"
  forge Esc3 1.0.0 '[{"path": "l", "symlink": "ok\u0000/../../../etc"}]'
  forge Esc4 1.0.0 "[$(link_entry d "sub"), $(file_entry d/f x), $(file_entry sub/g x)]"
  forge Esc5 1.0.0 "[$(link_entry a "b"), $(link_entry b "a")]"
  refused Esc1 "leaves the asset" "$REEL" -C ws add Esc1
  refused Esc2 "leaves the asset" "$REEL" -C ws add Esc2
  refused Esc3 "control character" "$REEL" -C ws add Esc3
  refused Esc4 "below the symlink" "$REEL" -C ws add Esc4
  refused Esc5 "too many levels" "$REEL" -C ws add Esc5
  refused "Esc1 edit" "leaves the asset" "$REEL" -C ws edit Esc1
  for n in 1 2 3 4 5; do [ ! -e "ws/inputs/Esc$n" ] || fail "Esc$n was installed"; done
  serve_repo
  code=$(post repos/r/packages/esc1/Esc1-1.0.0.reel Esc1 1.0.0)
  [ "$code" = 400 ] || fail "reel serve answered $code to an escaping link: $(cat post.out)"
  # A link inside, even through another link, still installs.
  forge Fine 1.0.0 "[$(link_entry l "t/a.png"), $(link_entry t "tex"), $(file_entry tex/a.png x)]"
  expect 0 "$REEL" -C ws add Fine
  [ "$(cat ws/inputs/Fine/l)" = x ] || fail "Fine's link does not read through"
  expect 0 "$REEL" -C ws verify
  ;;
deep_nesting)
  setup
  # workspace.toml: arrays and inline tables 50,000 deep.
  cp ws/workspace.toml ws.good
  { cat ws.good; printf 'x = '; nested 50000 '[' ']'; echo; } > ws/workspace.toml
  refused "workspace.toml arrays" "nesting deeper than 128" "$REEL" -C ws lock
  { cat ws.good; printf 'x = '; nested 50000 '{a=' '}'; echo; } > ws/workspace.toml
  refused "workspace.toml inline tables" "nesting deeper than 128" "$REEL" -C ws lock
  # 1,200 table headers of growing depth (1.4 MB; quadratic in toml11): refused at once.
  { cat ws.good; h=a; for _ in $(seq 1 1200); do echo "[$h]"; h="$h.a"; done; } > ws/workspace.toml
  refused "table headers" "nesting deeper than 128" "$REEL" -C ws lock
  cp ws.good ws/workspace.toml
  # reel.lock.
  expect 0 "$REEL" -C ws add Table
  cp ws/reel.lock lock.good
  { cat lock.good; printf 'x = '; nested 50000 '[' ']'; echo; } > ws/reel.lock
  refused "reel.lock" "nesting deeper than 128" "$REEL" -C ws sync --frozen
  cp lock.good ws/reel.lock
  # asset.toml inside a repo's archive: `reel add` against a hostile repo.
  { printf '[asset]\nname = "Deep"\nversion = "1.0.0"\n[metadata]\nx = '; nested 50000 '[' ']'; echo; } > deep.toml
  forge Deep 1.0.0 "[]" deep.toml
  refused "a repo's asset.toml" "nesting deeper than 128" "$REEL" -C ws add Deep
  # Index metadata 100,000 deep (crashed in nlohmann-json's dump()).
  forge Meta 1.0.0 "[]"
  { head -c -4 repos/r/index/meta.json; printf ', "metadata": {"x": '; nested 100000 '[' ']'; printf '}}]}'; } > meta.json
  mv meta.json repos/r/index/meta.json
  refused "index metadata" "nesting deeper than 128" "$REEL" -C ws add Meta
  # A bundle whose workspace.toml nests 50,000 deep.
  expect 0 "$REEL" -C ws export bundle -o ../job.tar.zst
  mkdir unpacked && tar --zstd -xf job.tar.zst -C unpacked
  { cat unpacked/workspace/workspace.toml; printf 'x = '; nested 50000 '[' ']'; echo; } > w && mv w unpacked/workspace/workspace.toml
  retar unpacked "$WORK/deep.tar.zst"
  refused "a bundle" "nesting deeper than 128" "$REEL" import bundle deep.tar.zst --workspace job
  [ ! -e job ] || fail "an import of a deep bundle wrote a workspace"
  # POST /publish with a 40 KB asset.toml nested 20,000 deep: the server answers and lives on.
  { printf '[asset]\nname = "Post"\nversion = "1.0.0"\nx = '; nested 20000 '[' ']'; echo; } > post.toml
  forge Post 1.0.0 "[]" post.toml
  serve_repo
  code=$(post repos/r/packages/post/Post-1.0.0.reel Post 1.0.0)
  [ "$code" = 400 ] || fail "reel serve answered $code: $(cat post.out)"
  grep -q "nesting deeper than 128" post.out || fail "reason: $(cat post.out)"
  curl -sf "$URL/reel-repo.json" > /dev/null || fail "reel serve died"
  ;;
unbounded_reads)
  setup
  forge Zero 1.0.0 "[]"
  rm repos/r/index/zero.json && ln -s /dev/zero repos/r/index/zero.json
  refused "index -> /dev/zero" "not a regular file" "$REEL" -C ws add Zero
  rm repos/r/index/zero.json && mkfifo repos/r/index/zero.json
  refused "index is a FIFO" "not a regular file" "$REEL" -C ws add Zero
  rm repos/r/index/zero.json
  forge Arch 1.0.0 "[]"
  rm "$ARCHIVE" && ln -s /dev/zero "$ARCHIVE"
  refused "archive -> /dev/zero" "not a regular file" "$REEL" -C ws add Arch
  # An object of a declared 6 bytes that is 1 GiB (sparse) in the repo: refused without reading
  # it all (the cache keeps nothing of it).
  printf 'small\n' > small
  forge Big 1.0.0 "[$(file_entry big.bin small)]"
  hex=$(sha256sum < small | cut -c1-64)
  obj="repos/r/objects/sha256/${hex:0:2}/${hex:2}"
  rm "$obj" && truncate -s 1G "$obj"
  before=$(snapshot cache/objects-v1 ws/inputs)
  expect 1 timeout 120 "$REEL" -C ws add Big
  stderr_starts_with_error; stderr_has "larger than the 6 bytes its file list states"
  # The archive (verified against its index) may stay cached; no object, no temp file does.
  [ "$before" = "$(snapshot cache/objects-v1 ws/inputs)" ] || fail "an object or input was written"
  ;;
endless_http)
  setup
  printf 'six b\n' > six
  forge Obj 1.0.0 "[$(file_entry six.bin six)]"
  hex=$(sha256sum < six | cut -c1-64)
  forge Arc 1.0.0 "[]"
  python3 "$HERE/hostile_server.py" repos/r sent.log --endless index/idx.json \
    --endless packages/arc/Arc-1.0.0.reel --endless "objects/sha256/${hex:0:2}/${hex:2}" > hs.out &
  PIDS+=($!)
  for _ in $(seq 1 200); do grep -q "^listening" hs.out 2>/dev/null && break; sleep 0.05; done
  HURL="http://127.0.0.1:$(awk '/^listening/ {print $3}' hs.out)"
  [ "$HURL" != "http://127.0.0.1:" ] || fail "the hostile server did not start"
  "$REEL" -q init hws --repo blessed="$HURL"
  before=$(snapshot cache)
  expect 1 timeout 120 "$REEL" -C hws add Idx
  stderr_has "larger than the 67108864 bytes accepted"
  expect 1 timeout 120 "$REEL" -C hws add Arc
  stderr_has "larger than the"
  expect 1 timeout 120 "$REEL" -C hws add Obj
  stderr_has "more than the 6 bytes"
  [ -z "$(find cache -path '*objects-v1/*' -name '.tmp-*' -type f)" ] || fail "a temp file was left"
  [ ! -e "cache/objects-v1/sha256/${hex:0:2}/${hex:2}" ] || fail "the object was cached"
  # Each endless body was asked for once (no retry of an oversized body) and cut off near its
  # bound: the index's 64 MiB, a few MiB of socket buffers for the rest.
  for p in /index/idx.json /packages/arc/Arc-1.0.0.reel "/objects/sha256/${hex:0:2}/${hex:2}"; do
    for _ in $(seq 1 100); do grep -q "^$p " sent.log 2>/dev/null && break; sleep 0.05; done
    [ "$(grep -c "^$p " sent.log)" = 1 ] || { cat sent.log; fail "$p was requested more than once"; }
  done
  sent=$(awk '{s += $2} END {print s}' sent.log)
  [ "$sent" -lt $((256 * 1024 * 1024)) ] || { cat sent.log; fail "the peer sent $sent bytes"; }
  ;;
smaller_gaps)
  setup
  # An index entry whose archive's asset.toml says it is another package.
  printf '[asset]\nname = "Other"\nversion = "9.9.9"\n' > other.toml
  forge Liar 1.0.0 "[]" other.toml
  refused "manifest mismatch" "holds the manifest of Other 9.9.9" "$REEL" -C ws add Liar
  # Two files.json members: the second must not silently win.
  echo x > x
  forge Twice 1.0.0 "[$(file_entry a x)]" "" "[$(file_entry b x)]"
  refused "two files.json" "appears twice" "$REEL" -C ws add Twice
  # Cache objects replaced by a symlink and by a FIFO: verify --cache reports both.
  expect 0 "$REEL" -C ws add Table
  objs=($(find cache/objects-v1/sha256 -type f | sort))
  [ ${#objs[@]} -ge 1 ] || fail "no cached object"
  chmod u+w "$(dirname "${objs[0]}")"
  rm -f "${objs[0]}" && ln -s /etc/hostname "${objs[0]}"
  arch=$(find cache/archives-v1/sha256 -type f | head -1)
  chmod u+w "$(dirname "$arch")"
  rm -f "$arch" && mkfifo "$arch"
  expect 1 timeout 60 "$REEL" -C ws verify --cache
  grep -qF "${objs[0]}: not a regular file" "$WORK/out" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "the symlink was not reported"; }
  grep -qF "$arch: not a regular file" "$WORK/out" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "the FIFO was not reported"; }
  ;;
bundle)
  setup
  echo x > x
  expect 0 "$REEL" -C ws add Table
  expect 0 "$REEL" -C ws export bundle -o ../job.tar.zst
  mkdir unpacked && tar --zstd -xf job.tar.zst -C unpacked
  mkdir -p unpacked/.git && echo "[core]" > unpacked/.git/config
  retar unpacked "$WORK/gitdir.tar.zst"
  export REEL_CACHE_DIR="$WORK/farm-cache"
  expect 1 "$REEL" import bundle gitdir.tar.zst --workspace job
  stderr_starts_with_error; stderr_has "never packaged"
  [ -z "$(find farm-cache -type f -path '*-v1/*' 2>/dev/null)" ] || { find farm-cache; fail "the cache changed"; }
  [ ! -e job ] || fail "a workspace was written"
  # A bundle whose package lists .git/config in its files.json.
  forge Evil 1.0.0 "[$(file_entry .git/config x)]"
  rm -rf unpacked/.git
  lower=evil
  mkdir -p unpacked/packages/$lower
  cp repos/r/packages/evil/Evil-1.0.0.reel unpacked/packages/evil/
  cp repos/r/index/evil.json unpacked/index/
  hex=$(sha256sum < x | cut -c1-64)
  mkdir -p "unpacked/objects/sha256/${hex:0:2}" && cp x "unpacked/objects/sha256/${hex:0:2}/${hex:2}"
  arch_hex=$(sha256sum < unpacked/packages/evil/Evil-1.0.0.reel | cut -c1-64)
  printf '\n[[package]]\nname = "Evil"\nversion = "1.0.0"\nrepo = "blessed"\narchive = "sha256:%s"\ndependencies = []\n' "$arch_hex" >> unpacked/workspace/reel.lock
  retar unpacked "$WORK/evil.tar.zst"
  expect 1 "$REEL" import bundle evil.tar.zst --workspace job
  stderr_starts_with_error; stderr_has "never packaged"
  [ ! -e job ] || fail "a workspace was written"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: hostile $case_name"
