#!/usr/bin/env bash
# The README's "Using reel" section runs as written (issue 15): every indented code block of that
# section, in order, as one bash script with `set -eo pipefail`, in a fresh folder laid out like
# reel's checkout after a build (build/cli/reel is the binary under test, examples/ is the
# checkout's), against the real binary. The commands come from README.md itself, so editing the
# README changes what is tested; nothing here repeats them. On failure the test names the README
# line of the first command that failed.
#
# What the test changes, and nothing else:
#   - a line containing "(skipped by e2e.readme)" is not run (today one: a sync over https, which
#     needs a server with a studio CA); keep that set tiny;
#   - the port 8080 of `reel serve`'s examples becomes a free loopback port, and the line after a
#     `reel serve ... &` waits until that port answers (the reader types slower than a script);
#   - absolute example paths (a word starting /studio/ or /farm/) go under the test's temp dir
#     ($WORK/root), so a README line with one never writes outside it (the tour's are relative);
#   - the environment is a clean user's: HOME, TMPDIR (where `mktemp -d` makes the tour's folder)
#     and the cache are under the test's temp dir, git has an identity (a user's git config), and
#     stdin is empty, so `reel shell` starts the user's shell (SHELL=/bin/bash), which sees the end
#     of its input and leaves, as after the user's `exit`.
# Servers the tour starts in the background are stopped at exit, also when a command fails. The
# harness checks itself first on a few made-up lines (a failure inside `a && b` is caught too).
# It also checks that the Quick start's commands name scripts that exist and parse (they install
# packages, so they are not run).
#
# usage: readme.sh REEL_BINARY
SRC=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
README=$SRC/README.md
[ -f "$README" ] || fail "no README.md at $README"

# section TITLE: the README's lines from "## TITLE" to the next "## ", as "LINENO<TAB>TEXT" for the
# indented (4 spaces) code lines, the indentation removed.
section() {
  awk -v title="## $1" '
    $0 == title { inside = 1; next }
    inside && /^## / { exit }
    inside && /^    / { printf "%d\t%s\n", NR, substr($0, 5) }
  ' "$README"
}

# --- The Quick start: its commands name scripts that exist and parse (not run).
section "Quick start (fresh Debian 12)" > "$WORK/quick.txt"
[ -s "$WORK/quick.txt" ] || fail "README.md has no indented commands under '## Quick start (fresh Debian 12)'"
while IFS=$'\t' read -r n text; do
  case "$text" in
    "bash "*)
      script=${text#bash }
      script=${script%% *}
      [ -f "$SRC/$script" ] || fail "README.md:$n: $script does not exist"
      bash -n "$SRC/$script" || fail "README.md:$n: $script does not parse"
      ;;
    *) fail "README.md:$n: a Quick start command this test does not know how to check: $text" ;;
  esac
done < "$WORK/quick.txt"

# A free loopback port for `reel serve` (below the kernel's ephemeral range, so no client socket
# holds it), tried for being taken just before the tour starts.
for _ in 1 2 3 4 5 6 7 8; do
  PORT=$((20000 + RANDOM % 12000))
  (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done

# tour_script: the "Using reel" lines (LINENO<TAB>TEXT on stdin) as a bash script on stdout. Each
# README line is preceded by its line number, so a failure can name it, and followed by a check of
# its exit status: `set -e` alone lets `a && b` go on when a fails. A line that ends in a backslash
# continues into the next; the number and the check go around the whole command.
tour_script() {
  echo 'set -eo pipefail'
  echo '__line=0'
  echo '__fail() { echo "FAIL: README.md:$__line: the command there failed (exit $1)" >&2; exit 1; }'
  echo 'trap '\''__fail $?'\'' ERR'
  echo 'trap '\''kill $(jobs -p) 2>/dev/null || true'\'' EXIT'
  local n text continued=0 skip=0
  while IFS=$'\t' read -r n text; do
    if [ "$continued" = 0 ]; then
      skip=0
      case "$text" in *"(skipped by e2e.readme)"*) skip=1 ;; esac
    fi
    text=${text//:8080/:$PORT}
    text=$(printf '%s\n' "$text" | sed -E "s#(^|[ =\"'])/(studio|farm)/#\\1$WORK/root/\\2/#g")
    if [ "$continued" = 0 ]; then
      if [ "$skip" = 1 ]; then
        printf 'echo "README.md:%d: skipped"\n' "$n"
      else
        printf '__line=%d; echo "+ README.md:%d: %s"\n' "$n" "$n" "$(printf %s "$text" | sed 's/[\\"$`]/\\&/g')"
      fi
    fi
    [ "$skip" = 1 ] || printf '%s\n' "$text"
    case "$text" in *\\) continued=1 ;; *) continued=0 ;; esac
    [ "$skip" = 0 ] && [ "$continued" = 0 ] || continue
    echo '__rc=$?; [ "$__rc" = 0 ] || __fail "$__rc"'
    # A server started in the background: wait until it answers (or has died).
    case "$text" in
      "reel serve "*"&"*)
        printf 'for __i in $(seq 1 400); do (echo > /dev/tcp/127.0.0.1/%s) 2>/dev/null && break; kill -0 $! 2>/dev/null || break; sleep 0.05; done\n' "$PORT"
        ;;
    esac
  done
}

# The harness itself: a failure anywhere in an `&&` list, or a plain failing command, is named by
# its line; a skipped line does not run; a continued line runs as one command.
check_harness() {  # check_harness LINES WANT: WANT is the FAIL line expected ("" for success)
  printf '%b' "$1" | tour_script > "$WORK/harness.sh"
  set +e
  bash "$WORK/harness.sh" > "$WORK/harness.log" 2>&1 < /dev/null
  local rc=$?
  set -e
  if [ -z "$2" ]; then
    [ "$rc" = 0 ] || { cat "$WORK/harness.log"; fail "harness: '$1' failed"; }
  else
    [ "$rc" != 0 ] && grep -qxF "$2" "$WORK/harness.log" ||
      { cat "$WORK/harness.log"; fail "harness: '$1' did not print '$2'"; }
  fi
}
check_harness '7\ttrue\n8\tfalse && true\n9\ttouch reached\n' 'FAIL: README.md:8: the command there failed (exit 1)'
check_harness '7\ttrue && false\n8\ttrue\n' 'FAIL: README.md:7: the command there failed (exit 1)'
check_harness '3\tls /nonexistent-dir\n' 'FAIL: README.md:3: the command there failed (exit 2)'
check_harness '3\tfalse  # (skipped by e2e.readme)\n4\techo a \\\n5\t  b | grep -qx "a b"\n' ''
[ ! -e "$WORK/reached" ] || fail "harness: the tour went on after a failed command"

# --- "Using reel", run.
section "Using reel" > "$WORK/tour.txt"
[ "$(wc -l < "$WORK/tour.txt")" -ge 40 ] || fail "README.md's '## Using reel' has fewer than 40 command lines"
tour_script < "$WORK/tour.txt" > "$WORK/tour.sh"

# The checkout-shaped folder the tour starts in (the README's first line takes build/cli and
# examples/ from the current directory).
mkdir -p "$WORK/checkout/build/cli" "$WORK/home" "$WORK/tmp" "$WORK/root"
ln -s "$REEL" "$WORK/checkout/build/cli/reel"
ln -s "$SRC/examples" "$WORK/checkout/examples"

set +e
(cd "$WORK/checkout" && HOME="$WORK/home" TMPDIR="$WORK/tmp" SHELL=/bin/bash XDG_CONFIG_HOME= \
   XDG_CACHE_HOME= REEL_TOKEN= REEL_TOKEN_URL= bash "$WORK/tour.sh") > "$WORK/tour.log" 2>&1 < /dev/null
rc=$?
set -e
cat "$WORK/tour.log"
if [ "$rc" != 0 ]; then
  grep -q '^FAIL: README.md:' "$WORK/tour.log" || echo "FAIL: the tour exited $rc" >&2
  exit 1
fi
# The tour ran to its last line that is run (an `exit` or `exec` would end it early).
last=$(grep -v '(skipped by e2e.readme)' "$WORK/tour.txt" | tail -n 1 | cut -f1)
grep -q "^+ README.md:$last: " "$WORK/tour.log" || fail "the tour did not reach README.md:$last"
echo "README.md's 'Using reel' ran: $(grep -c '^+ README.md:' "$WORK/tour.log") commands, $(grep -c ': skipped$' "$WORK/tour.log") skipped"
