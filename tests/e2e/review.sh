#!/usr/bin/env bash
# The review workflow end to end (issue 14): publish -> review list -> reject with a note ->
# publish a fixed version -> approve -> promote -> yank -> install refusal and warning, with the
# audit log checked line by line, and the bad inputs (each an `error:` line, exit 1, the index
# byte-identical afterwards).
#   folder  over folder repos (the actor from REEL_USER)
#   http    over `reel serve` with role tokens (publish / review / admin; the actor is the token's
#           name whatever REEL_USER says)
#   torn    an audit log with a torn last line: reported by review list, the next operation works
# Usage: review.sh REEL CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

SERVERS=()
stop_servers() {
  local p
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap 'stop_servers; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# serve REPO [ARGS...]: reel serve on a free loopback port; sets URL (waits for its "serving" line).
serve() {
  local repo=$1
  shift
  "$REEL" serve "$repo" --bind 127.0.0.1:0 "$@" 2> "$WORK/serve.log" &
  SERVERS+=("$!")
  local pid=$!
  for _ in $(seq 1 400); do
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
}

# asset NAME VERSION BODY: outputs/NAME in the workspace ws, holding one file.
asset() {
  rm -rf "ws/outputs/$1"
  mkdir -p "ws/outputs/$1"
  printf '[asset]\nname = "%s"\nversion = "%s"\ntype = "prop"\n' "$1" "$2" > "ws/outputs/$1/asset.toml"
  printf '%s\n' "$3" > "ws/outputs/$1/model.obj"
}

# actions LOG: the log's lines as "action name version actor note", one a line (python3 json).
actions() {
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["action"], r["name"], r["version"], r["actor"], r["note"], sep="|")
' "$1"
}

# unchanged FILE BEFORE: FILE still has the bytes BEFORE (a sha256).
unchanged() { [ "$(sha256sum < "$1" | cut -c1-64)" = "$2" ] || fail "$1 changed"; }
digest() { sha256sum < "$1" | cut -c1-64; }

case "$case_name" in
folder)
  export REEL_USER="Jade Doe <jade@studio>"
  "$REEL" -q repo init repos/blessed --name blessed
  "$REEL" -q repo init repos/review --name review
  "$REEL" -q init ws --repo blessed=repos/blessed
  "$REEL" -q -C ws repo add review ../repos/review --default
  asset Table 3.3.0 "v 0 0 0"
  expect 0 "$REEL" -C ws publish Table --allow-dirty
  [ -f repos/review/index/table.json ] || fail "Table did not go to review"
  expect 0 "$REEL" -C ws review list
  grep -Eq '^Table +3\.3\.0 +pending' "$WORK/out" || fail "review list: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws --json review list --state pending
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["repo"]=="review"; assert [(v["name"],v["version"],v["state"]) for v in d["versions"]]==[("Table","3.3.0","pending")], d' "$WORK/out"

  # Bad input: each an error, exit 1 (2 for a missing required option), the index unchanged.
  before=$(digest repos/review/index/table.json)
  expect 1 "$REEL" -C ws review approve Table==9.9.9
  stderr_starts_with_error; stderr_has "Table 9.9.9 is not published in repo 'review'"
  unchanged repos/review/index/table.json "$before"
  expect 2 "$REEL" -C ws review reject Table==3.3.0
  stderr_starts_with_error; stderr_has "--note"
  expect 1 "$REEL" -C ws review reject Table==3.3.0 --note ""
  stderr_starts_with_error; stderr_has "rejecting Table 3.3.0 needs a note"
  unchanged repos/review/index/table.json "$before"

  expect 0 "$REEL" -C ws review reject Table==3.3.0 --note "legs too thin"
  expect 0 "$REEL" -C ws review list
  grep -Eq '^Table +3\.3\.0 +rejected +Jade Doe <jade@studio> +legs too thin$' "$WORK/out" || fail "$(cat "$WORK/out")"
  # Promoting a rejected (or a pending) version is refused; blessed gets nothing.
  review_index=$(digest repos/review/index/table.json)
  expect 1 "$REEL" -C ws promote Table==3.3.0 --from review --to blessed
  stderr_starts_with_error; stderr_has "cannot promote Table 3.3.0: it is rejected in repo 'review' (legs too thin)"
  [ ! -e repos/blessed/index/table.json ] || fail "a refused promote wrote blessed"
  unchanged repos/review/index/table.json "$review_index"

  # A fixed version, approved, promoted with its review.
  asset Table 3.3.1 "v 0 0 1"
  expect 0 "$REEL" -C ws publish Table --allow-dirty
  expect 1 "$REEL" -C ws promote Table==3.3.1 --from review --to blessed
  stderr_has "it is pending in repo 'review'"; stderr_has "reel review approve Table==3.3.1"
  expect 0 "$REEL" -C ws review approve Table==3.3.1 --note "ok for lighting"
  grep -q "approved Table 3.3.1 in review" "$WORK/out" || fail "$(cat "$WORK/out")"
  before=$(digest repos/review/index/table.json)
  expect 1 "$REEL" -C ws review approve Table==3.3.1
  stderr_starts_with_error; stderr_has "Table 3.3.1 is already approved in repo 'review' (by Jade Doe <jade@studio>)"
  unchanged repos/review/index/table.json "$before"
  expect 0 "$REEL" -C ws promote Table==3.3.1 --from review --to blessed
  python3 -c '
import json, sys
e = [v for v in json.load(open(sys.argv[1]))["versions"] if v["version"] == "3.3.1"][0]
assert e["review"]["state"] == "approved" and e["review"]["note"] == "ok for lighting", e
assert [h["state"] for h in e["review"]["history"]] == ["pending"], e
' repos/blessed/index/table.json

  # --force promotes a pending version, and says so in blessed's log.
  asset Chair 1.0.0 "chair"
  expect 0 "$REEL" -C ws publish Chair --allow-dirty
  expect 0 "$REEL" -C ws promote Chair==1.0.0 --from review --to blessed --force

  # Yank (default repo: blessed); twice is an error with the index unchanged.
  expect 0 "$REEL" -C ws yank Table==3.3.1 --reason "broken UVs"
  grep -q "yanked Table 3.3.1 in blessed" "$WORK/out" || fail "$(cat "$WORK/out")"
  before=$(digest repos/blessed/index/table.json)
  expect 1 "$REEL" -C ws yank Table==3.3.1 --reason "again"
  stderr_starts_with_error; stderr_has "Table 3.3.1 is already yanked in repo 'blessed' (broken UVs)"
  unchanged repos/blessed/index/table.json "$before"
  expect 2 "$REEL" -C ws yank Table==3.3.1
  # Installing: a range never picks the yanked version; an == pin does, with a warning.
  "$REEL" -q init farm --repo blessed=repos/blessed
  expect 1 "$REEL" -C farm add Table
  stderr_starts_with_error
  expect 0 "$REEL" -C farm add Table==3.3.1
  stderr_has "warning: Table 3.3.1 is yanked: broken UVs"
  expect 0 "$REEL" -C farm sync
  stderr_has "warning: Table 3.3.1 is yanked: broken UVs"
  expect 0 "$REEL" -C ws unyank Table==3.3.1
  expect 0 "$REEL" -C farm sync
  ! grep -q "yanked" "$WORK/err" || fail "still warned: $(cat "$WORK/err")"

  # The audit logs, line by line.
  actions repos/review/log/audit.jsonl > review.log
  cat > want.log <<'WANT'
publish|Table|3.3.0|Jade Doe <jade@studio>|
reject|Table|3.3.0|Jade Doe <jade@studio>|legs too thin
publish|Table|3.3.1|Jade Doe <jade@studio>|
approve|Table|3.3.1|Jade Doe <jade@studio>|ok for lighting
publish|Chair|1.0.0|Jade Doe <jade@studio>|
WANT
  diff want.log review.log || fail "review's audit log"
  actions repos/blessed/log/audit.jsonl > blessed.log
  cat > want.log <<'WANT'
promote|Table|3.3.1|Jade Doe <jade@studio>|
promote|Chair|1.0.0|Jade Doe <jade@studio>|forced: Chair 1.0.0 was pending in 'review'
yank|Table|3.3.1|Jade Doe <jade@studio>|broken UVs
unyank|Table|3.3.1|Jade Doe <jade@studio>|
WANT
  diff want.log blessed.log || fail "blessed's audit log"
  ;;

http)
  export REEL_USER="Mallory <claims@anything>"  # the server ignores what the client claims
  "$REEL" -q repo init repos/review --name review
  "$REEL" -q repo init repos/blessed --name blessed
  printf '# NAME ROLE TOKEN\nalice publish tok-publish-1\nrita review tok-review-2\nroot admin tok-admin-3\nbare-token-4\n' > tokens
  serve repos/review --token-file tokens
  "$REEL" -q init ws --repo blessed=repos/blessed
  "$REEL" -q -C ws repo add review "$URL" --default
  as() { local t=$1; shift; REEL_TOKEN=$t REEL_TOKEN_URL="$URL" "$@"; }
  asset Table 3.3.0 "v 0 0 0"
  # A review token may not publish: 403, nothing written.
  as tok-review-2 expect 1 "$REEL" -C ws publish Table --allow-dirty
  stderr_starts_with_error; stderr_has "403"; stderr_has "token 'rita' (role review) may not publish"
  [ ! -e repos/review/index/table.json ] || fail "a review token published"
  as tok-publish-1 expect 0 "$REEL" -C ws publish Table --allow-dirty
  expect 0 "$REEL" -C ws review list
  grep -Eq '^Table +3\.3\.0 +pending' "$WORK/out" || fail "review list: $(cat "$WORK/out")"
  # A publish token may not approve: 403, the index byte-identical.
  before=$(digest repos/review/index/table.json)
  as tok-publish-1 expect 1 "$REEL" -C ws review approve Table==3.3.0
  stderr_starts_with_error; stderr_has "403"; stderr_has "token 'alice' (role publish) may not review or yank"
  unchanged repos/review/index/table.json "$before"
  as bare-token-4 expect 1 "$REEL" -C ws review approve Table==3.3.0   # a bare token publishes
  stderr_has "403"
  as tok-review-2 expect 1 "$REEL" -C ws review approve Table==9.9.9
  stderr_starts_with_error; stderr_has "Table 9.9.9 is not published in repo 'review'"
  as tok-review-2 expect 1 "$REEL" -C ws review reject Table==3.3.0 --note ""
  stderr_starts_with_error; stderr_has "needs a note"
  unchanged repos/review/index/table.json "$before"
  as tok-review-2 expect 0 "$REEL" -C ws review reject Table==3.3.0 --note "legs too thin"
  expect 1 "$REEL" -C ws promote Table==3.3.0 --from review --to blessed
  stderr_has "it is rejected in repo 'review'"
  asset Table 3.3.1 "v 0 0 1"
  as tok-publish-1 expect 0 "$REEL" -C ws publish Table --allow-dirty
  as tok-review-2 expect 0 "$REEL" -C ws review approve Table==3.3.1 --note "ok"
  expect 0 "$REEL" -C ws promote Table==3.3.1 --from review --to blessed
  python3 -c '
import json, sys
e = [v for v in json.load(open(sys.argv[1]))["versions"] if v["version"] == "3.3.1"][0]
assert e["review"]["state"] == "approved" and e["review"]["by"] == "rita", e
' repos/blessed/index/table.json
  # Yank over HTTP: the review token may; twice is 409 with the index unchanged.
  as tok-review-2 expect 0 "$REEL" -C ws yank Table==3.3.1 --repo review --reason "broken UVs"
  before=$(digest repos/review/index/table.json)
  as tok-review-2 expect 1 "$REEL" -C ws yank Table==3.3.1 --repo review --reason "again"
  stderr_starts_with_error; stderr_has "Table 3.3.1 is already yanked in repo 'review'"
  unchanged repos/review/index/table.json "$before"
  as tok-admin-3 expect 0 "$REEL" -C ws unyank Table==3.3.1 --repo review
  # The audit log over HTTP (GET log/audit.jsonl): the token names, never REEL_USER.
  curl -sf "$URL/log/audit.jsonl" -o http-audit.jsonl || fail "GET log/audit.jsonl"
  actions http-audit.jsonl > got.log
  cat > want.log <<'WANT'
publish|Table|3.3.0|alice|
reject|Table|3.3.0|rita|legs too thin
publish|Table|3.3.1|alice|
approve|Table|3.3.1|rita|ok
yank|Table|3.3.1|rita|broken UVs
unyank|Table|3.3.1|root|
WANT
  diff want.log got.log || fail "the served repo's audit log"
  ! grep -q "tok-" "$WORK/serve.log" got.log || fail "a token leaked"
  ;;

torn)
  export REEL_USER="Jade"
  "$REEL" -q repo init repos/review --name review
  "$REEL" -q init ws --repo review=repos/review
  asset Table 1.0.0 "v"
  expect 0 "$REEL" -C ws publish Table --allow-dirty
  printf '{"at": "2026-12-01T00:00:00Z", "actor": "x", "acti' >> repos/review/log/audit.jsonl
  expect 0 "$REEL" -C ws review list
  stderr_has "warning: repo 'review': log/audit.jsonl line 2 is torn"
  expect 0 "$REEL" -C ws review approve Table==1.0.0
  expect 0 "$REEL" -C ws review list
  ! grep -q "torn" "$WORK/err" || fail "still torn: $(cat "$WORK/err")"
  actions repos/review/log/audit.jsonl > got.log
  printf 'publish|Table|1.0.0|Jade|\napprove|Table|1.0.0|Jade|\n' > want.log
  diff want.log got.log || fail "the log after a torn line"
  ;;

*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: review $case_name"
