#!/usr/bin/env bash
# The command line as a uv or cargo user meets it (issue 15): --version, help, unknown commands
# with a suggestion, usage errors (exit 2, `error:` prefix).
#   usage: cli.sh REEL CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

# usage_error CMD...: exit 2, stderr's first line `error: …`, a `hint:` line.
usage_error() {
  expect 2 "$REEL" "$@"
  head -1 "$WORK/err" | grep -q '^error: ' || { cat "$WORK/err"; fail "'$*': no 'error:' first line"; }
  stderr_has "hint: "
}

case $case_name in
version)
  for spelling in --version -V version; do
    expect 0 "$REEL" $spelling
    grep -Eq '^reel [0-9]+\.[0-9]+\.[0-9]+ \(([0-9a-f]{12}|unknown commit), [A-Za-z]+\)$' "$WORK/out" ||
      { cat "$WORK/out"; fail "reel $spelling: not 'reel X.Y.Z (COMMIT, TYPE)'"; }
  done
  expect 0 "$REEL" version -v
  for lib in libgit2 libcurl openssl libarchive zstd nlohmann-json toml11 cli11; do
    grep -Eq "^$lib [0-9]+\.[0-9]+" "$WORK/out" || { cat "$WORK/out"; fail "version -v lacks $lib"; }
  done
  expect 0 "$REEL" --json version
  jq -e '.version and .build_type and (.libraries | length >= 8)' "$WORK/out" >/dev/null ||
    fail "version --json lacks fields"
  ;;
help)
  expect 0 "$REEL" help
  grep -q "Subcommands:" "$WORK/out" || fail "reel help prints no commands"
  expect 0 "$REEL" help repo add
  grep -q "Add a repo to the workspace" "$WORK/out" || fail "reel help repo add is not its help"
  usage_error help nosuch
  stderr_has "no command 'nosuch'"
  usage_error help repo ad
  stderr_has "did you mean 'add'?"
  ;;
unknown_command)
  usage_error intt
  stderr_has "unknown command 'intt'"
  stderr_has "did you mean 'init'?"
  usage_error ad Foo
  stderr_has "did you mean 'add'?"
  usage_error -q -C . statuss
  stderr_has "did you mean 'status'?"
  usage_error repo ad blessed /nowhere
  stderr_has "unknown command 'ad' for 'reel repo'"
  usage_error zzzzzzzz
  if grep -q "did you mean" "$WORK/err"; then fail "a suggestion for a word near nothing"; fi
  usage_error
  stderr_has "no command given"
  ;;
usage_errors)
  "$REEL" -q init ws >/dev/null
  cd ws
  usage_error add
  stderr_has "nothing to add"
  usage_error publish
  stderr_has "nothing to publish"
  usage_error promote Table
  stderr_has "--from is required"
  usage_error sync --no-such-option
  stderr_has "hint: run \`reel sync --help\`"
  usage_error --color purple tree
  ;;
quiet)
  # -q: nothing but errors, in every command that reports what it did; without -q they report.
  # quiet_run CMD...: succeeds with empty stdout and stderr.
  quiet_run() {
    expect 0 "$REEL" -q "$@"
    [ ! -s "$WORK/out" ] && [ ! -s "$WORK/err" ] ||
      { cat "$WORK/out" "$WORK/err"; fail "reel -q $* printed something"; }
  }
  quiet_run repo init repos/blessed --name blessed
  quiet_run repo init repos/review --name review
  quiet_run init ws --repo blessed=repos/blessed
  cd ws
  quiet_run repo add review ../repos/review
  quiet_run new Table
  quiet_run build Table
  quiet_run publish Table --repo blessed --allow-dirty
  quiet_run add Table
  quiet_run lock
  quiet_run sync
  quiet_run verify
  quiet_run bump Table minor
  quiet_run publish Table --repo review --allow-dirty
  quiet_run review approve Table==0.2.0 --repo review
  quiet_run promote Table==0.2.0 --from review --to blessed
  quiet_run gc
  quiet_run export bundle -o ../job.tar.zst
  # The same commands say what they did without -q.
  rm reel.lock
  expect 0 "$REEL" lock
  grep -q "^Added Table " "$WORK/out" || { cat "$WORK/out"; fail "lock said nothing"; }
  expect 0 "$REEL" sync
  grep -q "^synced: " "$WORK/out" || { cat "$WORK/out"; fail "sync said nothing"; }
  expect 0 "$REEL" verify
  [ -s "$WORK/out" ] || fail "verify said nothing"
  # Errors still print under -q.
  expect 1 "$REEL" -q add NoSuchThing
  stderr_starts_with_error
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
