#!/usr/bin/env bash
# The transfer progress line: shown on a terminal while sync fetches (bytes, files, rate), never
# with -q, --json or --no-progress, nor when stderr is not a terminal. `script` (util-linux) gives
# the command a pseudo-terminal.
# Usage: progress.sh REEL
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "skip: no script(1)"; exit 0; }
setup_kitchen
printf 'Table = "*"\n' >> ws/workspace.toml
"$REEL" -q -C ws lock >/dev/null

# on_terminal OUT ARGS...: runs reel ARGS in a fresh cache on a pseudo-terminal, its output in OUT.
on_terminal() {
  local out=$1; shift
  rm -rf cache ws/inputs ws/.reel/installed.json
  script -qec "$(printf '%q ' "$REEL" "$@")" /dev/null > "$out" 2>&1 || fail "reel $* failed: $(cat "$out")"
}

on_terminal tty.txt -C ws sync
grep -q 'fetching Table 3.2.1 from blessed.* [0-9]*/[0-9]* files' tty.txt ||
  fail "no progress line on a terminal: $(cat -v tty.txt)"
grep -q $'\033\[K' tty.txt || fail "the progress line is not erased: $(cat -v tty.txt)"
grep -q 'installed Table 3.2.1' tty.txt || fail "no 'installed' line: $(cat -v tty.txt)"

for quiet in -q --no-progress --json; do
  on_terminal quiet.txt "$quiet" -C ws sync
  ! grep -q 'fetching' quiet.txt || fail "progress shown with $quiet: $(cat -v quiet.txt)"
done

# Not a terminal: nothing but the usual lines.
rm -rf cache ws/inputs ws/.reel/installed.json
"$REEL" -C ws sync > piped.out 2> piped.err
! grep -q 'fetching' piped.err || fail "progress shown off a terminal: $(cat -v piped.err)"
grep -q 'installed Table 3.2.1' piped.err || fail "no 'installed' line: $(cat piped.err)"
echo "ok: progress on a terminal only"
