#!/usr/bin/env bash
# -v / -vv / -q on the real binary (issue 15; docs/decisions.md "The command line's manners (issue
# 15, third part)"). Cases:
#   folder   over a folder repo: -v says the repos opened, the resolver's counts and time, the
#            index files and where they came from (all from the index cache on a second lock),
#            sync's and publish's numbers and the command's wall time; -vv says strictly more (each
#            index file, each package materialised); neither changes stdout; `--json -v` keeps
#            stdout one JSON document
#   http     the same over `reel serve`: the repo opened over http, -vv one line a request with
#            its status and time, 304s counted on a second lock, the upload counts of a publish
#   quiet    -q prints nothing at all in every command of a scenario over a folder repo and over
#            `reel serve` (exit codes unchanged; errors still print)
# Usage: verbose.sh REEL CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

SERVERS=()
stop_servers() {
  local p
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap 'stop_servers; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# serve REPO [ARGS...]: starts reel serve on a free loopback port; sets URL (as http.sh does).
serve() {
  local repo=$1
  shift
  "$REEL" serve "$repo" --bind 127.0.0.1:0 "$@" 2> "$WORK/serve.log" &
  SERVERS+=("$!")
  for _ in $(seq 1 400); do
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$!" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
}

# require WS NAME: adds `NAME = "*"` to WS's [requirements] (workspace.toml ends with that table).
require() { printf '%s = "*"\n' "$2" >> "$1/workspace.toml"; }

# has REGEX: the last command's stderr has a line matching the extended REGEX.
has() { grep -qE -- "$1" "$WORK/err" || { cat "$WORK/err"; fail "stderr has no line matching: $1"; }; }
# no_detail: the last command printed no debug:/trace: line.
no_detail() {
  ! grep -qE '^(debug|trace): ' "$WORK/err" || { cat "$WORK/err"; fail "detail lines without -v"; }
}
# same_stdout DIR CMD...: runs CMD in copies of workspace DIR, each with a copy of the cache,
# without -v, with -v and with -vv;
# their stdouts must be equal, the -vv stderr strictly longer than the -v one, and the plain one
# without detail. Leaves the -v run's output in $WORK/out.v / err.v and the -vv one's in out.vv /
# err.vv.
same_stdout() {
  local dir=$1
  shift
  local level
  for level in plain v vv; do
    rm -rf "$dir.$level" "$WORK/cache.$level"
    cp -a "$dir" "$dir.$level"
    if [ -d "$REEL_CACHE_DIR" ]; then cp -a "$REEL_CACHE_DIR" "$WORK/cache.$level"; fi
  done
  REEL_CACHE_DIR=$WORK/cache.plain expect 0 "$REEL" -C "$dir.plain" "$@"
  no_detail
  cp "$WORK/out" "$WORK/out.plain"
  REEL_CACHE_DIR=$WORK/cache.v expect 0 "$REEL" -v -C "$dir.v" "$@"
  cp "$WORK/out" "$WORK/out.v"
  cp "$WORK/err" "$WORK/err.v"
  REEL_CACHE_DIR=$WORK/cache.vv expect 0 "$REEL" -vv -C "$dir.vv" "$@"
  cp "$WORK/out" "$WORK/out.vv"
  cp "$WORK/err" "$WORK/err.vv"
  cmp -s "$WORK/out.plain" "$WORK/out.v" || { diff "$WORK/out.plain" "$WORK/out.v"; fail "-v changed stdout of $*"; }
  cmp -s "$WORK/out.plain" "$WORK/out.vv" || { diff "$WORK/out.plain" "$WORK/out.vv"; fail "-vv changed stdout of $*"; }
  local nv nvv
  nv=$(grep -cE '^(debug|trace): ' "$WORK/err.v" || true)
  nvv=$(grep -cE '^(debug|trace): ' "$WORK/err.vv" || true)
  [ "$nv" -gt 0 ] || { cat "$WORK/err.v"; fail "-v printed no detail for $*"; }
  [ "$nvv" -gt "$nv" ] || { cat "$WORK/err.vv"; fail "-vv ($nvv lines) is not more than -v ($nv) for $*"; }
  ! grep -q '^trace: ' "$WORK/err.v" || { cat "$WORK/err.v"; fail "-v printed trace lines"; }
  # Everything -v says, -vv says too (the same kinds of lines).
  local kind
  for kind in $(sed -n 's/^debug: \([a-z]*\).*/\1/p' "$WORK/err.v" | sort -u); do
    grep -q "^debug: $kind" "$WORK/err.vv" || fail "-vv lacks -v's '$kind' line"
  done
  cp "$WORK/err.v" "$WORK/err"
}

# json_one CMD...: `--json -v CMD` prints one valid JSON document on stdout and detail on stderr.
json_one() {
  expect 0 "$REEL" --json -v "$@"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/out" ||
    { cat "$WORK/out"; fail "--json -v $*: stdout is not one JSON document"; }
  grep -q '^debug: ' "$WORK/err" || { cat "$WORK/err"; fail "--json -v $*: no detail on stderr"; }
  ! grep -qE '^(debug|trace):' "$WORK/out" || fail "detail on stdout"
}

case "$case_name" in
folder)
  setup_kitchen
  require ws Table  # no `reel add`: the first lock is the first to read the index files
  # A first lock: the repo opened, the resolver's counts, the index files parsed, the wall time.
  same_stdout ws lock
  has "^debug: repo blessed: folder $WORK/repos/blessed \([0-9.]+ m?s\)$"
  has '^debug: resolver: solved in [0-9.]+ m?s: [0-9]+ packages?, [0-9]+ decisions?, [0-9]+ conflicts?, [0-9]+ backtracks?, [0-9]+ incompatibilit(y|ies)$'
  has '^debug: index files: [1-9][0-9]* read \([0-9]+ from the index cache by stat, [0-9]+ by digest, [0-9]+ parsed\)$'
  has '^debug: reel lock: exit 0 after [0-9.]+ m?s$'
  grep -qE '^trace: index table\.json \(repo blessed\): ' "$WORK/err.vv" ||
    { cat "$WORK/err.vv"; fail "-vv did not name the index files"; }
  # A second lock reads every index file from the binary index cache, trusted by its stat (once
  # the files are older than the cache's racy-timestamp window of 2 s: engine/index_cache.h).
  touch -m -d '1 hour ago' repos/blessed/index/*.json
  expect 0 "$REEL" -C ws lock
  expect 0 "$REEL" -v -C ws lock --upgrade
  read -r n stat <<< "$(sed -nE 's/^debug: index files: ([0-9]+) read \(([0-9]+) from the index cache by stat.*/\1 \2/p' "$WORK/err")"
  [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" = "$stat" ] ||
    { cat "$WORK/err"; fail "a second lock did not read its $n index files from the cache ($stat)"; }
  # Sync: packages installed and kept, objects fetched, files placed, the link mode.
  same_stdout ws sync
  has '^debug: sync: 1 package installed, 0 kept, 0 removed; [0-9]+ objects? fetched into the cache \([0-9.]+ [KMG]?i?B\); [1-9][0-9]* files? placed \([0-9.]+ [KMG]?i?B\) by (hardlink|clone|copy|symlink)$'
  has '^debug: prepare: 1 package: [01] archives in the cache, [01] fetched; [1-9][0-9]* objects?, [0-9]+ in the cache, [0-9]+ to fetch$'
  grep -qE '^trace: materialised Table 3\.2\.1$' "$WORK/err.vv" ||
    { cat "$WORK/err.vv"; fail "-vv did not name the package materialised"; }
  # Publish: files, objects, hashing, the archive.
  rm -rf staging/outputs/Table
  cp -r "$KITCHEN/Table/1.5.0" staging/outputs/Table
  expect 0 "$REEL" -v -C staging publish Table --allow-dirty
  [ "$(cat "$WORK/out")" = "published Table 1.5.0 to blessed (3 files, 542 B)" ] ||
    fail "-v changed publish's stdout: $(cat "$WORK/out")"
  has '^debug: built Table 1\.5\.0: [0-9]+ files? \([0-9]+ B\) as [0-9]+ objects?, [0-9]+ hashed, [0-9]+ unchanged \(stat cache\); archive [0-9]+ B sha256:[0-9a-f]{64}$'
  # A command without a repo still says its time; --json -v keeps stdout one document.
  expect 0 "$REEL" -v semver '^1.0' 1.2.3
  has '^debug: reel semver: exit 0 after'
  json_one -C ws lock
  json_one -C ws sync
  json_one -C ws tree
  # A failure's exit code and error are unchanged; -v still says the time and exit.
  expect 1 "$REEL" -v -C ws add NoSuchThing
  stderr_starts_with_error
  has '^debug: reel add: exit 1 after'
  ;;
http)
  "$REEL" -q repo init repo --name blessed
  echo "write-token-123" > tokens
  serve repo --token-file tokens
  "$REEL" -q init staging --repo blessed="$URL"
  for spec in Table/3.2.1 Chair/1.2.4; do
    rm -rf "staging/outputs/${spec%/*}"
    cp -r "$KITCHEN/$spec" "staging/outputs/${spec%/*}"
    "$REEL" -q --token-file tokens -C staging publish "${spec%/*}" --allow-dirty
  done
  "$REEL" -q init ws --repo blessed="$URL"
  require ws Table
  require ws Chair
  rm -rf "$REEL_CACHE_DIR"  # every index file fetched afresh
  same_stdout ws lock
  has "^debug: repo blessed: http $URL \([0-9.]+ m?s\)$"
  has '^debug: index files: [1-9][0-9]* read \(0 from the index cache by stat, [0-9]+ by digest, [0-9]+ parsed\); HTTP: [0-9]+ not modified \(304\), [0-9]+ fetched$'
  has '^debug: http: [0-9]+ requests?, [0-9.]+ [KMG]?i?B received$'
  grep -qE "^trace: GET $URL/index/table\.json: 200, [0-9]+ B, [0-9]+ ms$" "$WORK/err.vv" ||
    { cat "$WORK/err.vv"; fail "-vv did not show the index GET with its status and time"; }
  grep -qE "^trace: GET $URL/reel-repo\.json: 200, " "$WORK/err.vv" || fail "-vv lacks the repo's GET"
  # Again: the server answers 304 for both index files (ETags from the first lock's cache).
  expect 0 "$REEL" -C ws lock
  expect 0 "$REEL" -v -C ws lock --upgrade
  has '^debug: index files: ([1-9][0-9]*) read \(0 from the index cache by stat, \1 by digest, 0 parsed\); HTTP: \1 not modified \(304\), 0 fetched$'
  same_stdout ws sync
  has '^debug: sync: 2 packages installed, 0 kept, 0 removed; [1-9][0-9]* objects? fetched into the cache'
  has '^debug: prepare: 2 packages: 0 archives in the cache, 2 fetched; ([1-9][0-9]*) objects, 0 in the cache, \1 to fetch$'
  grep -qE "^trace: GET $URL/objects/sha256/[0-9a-f]{2}/[0-9a-f]{62}: 200, [0-9]+ B, [0-9]+ ms$" "$WORK/err.vv" ||
    { cat "$WORK/err.vv"; fail "-vv did not show the object GETs"; }
  # Publish over HTTP: how many objects went up and how many the server had.
  rm -rf staging/outputs/Table
  cp -r "$KITCHEN/Table/1.5.0" staging/outputs/Table
  expect 0 "$REEL" -v --token-file tokens -C staging publish Table --allow-dirty
  has '^debug: publish Table 1\.5\.0 to repo blessed: [0-9]+ of [0-9]+ objects? to upload \([0-9]+ already there\), archive [0-9]+ B$'
  has "^debug: built Table 1\.5\.0: "
  json_one -C ws lock
  ;;
quiet)
  # quiet CMD...: `reel -q CMD` succeeds and prints nothing on stdout or stderr.
  quiet() {
    expect 0 "$REEL" -q "$@"
    [ ! -s "$WORK/out" ] && [ ! -s "$WORK/err" ] ||
      { echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"; fail "reel -q $* printed something"; }
  }
  # Over a folder repo: every command that acts (the ones whose product is a listing, such as
  # tree or repo list, print it under -q too: docs/decisions.md).
  quiet repo init repos/blessed --name blessed
  quiet repo init repos/review --name review
  quiet init ws --repo blessed=repos/blessed
  cd ws
  quiet repo add review ../repos/review
  quiet repo set-default review
  quiet repo set-blessed blessed
  quiet new Table
  quiet build Table
  quiet publish Table --repo blessed --allow-dirty
  quiet add Table
  quiet lock
  quiet lock --upgrade
  quiet sync
  quiet sync --reinstall
  quiet verify
  quiet bump Table minor
  quiet publish Table --allow-dirty
  quiet review approve Table==0.2.0 --repo review
  quiet promote Table==0.2.0 --from review --to blessed
  quiet bump Table minor
  quiet publish Table --allow-dirty
  quiet review reject Table==0.3.0 --repo review --note "fix the legs"
  rm -rf outputs/Table
  quiet edit Table==0.2.0
  echo "reference" > ../ref.txt
  quiet ingest Table ../ref.txt
  quiet ingest --check
  quiet yank Table==0.1.0 --repo blessed --reason "broken"
  quiet unyank Table==0.1.0 --repo blessed
  quiet export requirements -o ../requirements.txt
  quiet export bundle -o ../job.tar.zst
  quiet import bundle ../job.tar.zst --workspace ../job
  quiet import bundle ../job.tar.zst --repo-dir ../farm --workspace ../farmjob
  quiet remove Table
  quiet add Table
  quiet gc
  quiet repo set-default blessed
  quiet repo remove review  # no warning to give (warnings show under -q, as errors do)
  # -v with -q: -q wins.
  quiet -v lock --upgrade
  cd "$WORK"
  # Over reel serve.
  echo "write-token-123" > tokens
  "$REEL" -q repo init served --name served
  serve served --token-file tokens
  quiet init hws --repo served="$URL"
  cd hws
  quiet new Chair
  quiet --token-file ../tokens publish Chair --allow-dirty
  quiet add Chair
  quiet lock --upgrade
  quiet sync --reinstall
  quiet verify
  quiet repo add local ../repos/blessed
  quiet --token-file ../tokens promote Table==0.2.0 --from local --to served
  cd "$WORK"
  # Errors still print under -q, with the same exit codes.
  expect 1 "$REEL" -q -C ws add NoSuchThing
  stderr_starts_with_error
  expect 2 "$REEL" -q -C ws lokc
  stderr_starts_with_error
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
