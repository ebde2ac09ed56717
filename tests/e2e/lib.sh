# Shared helpers for the end-to-end tests. Source it; it sets REEL (the binary, $1 of the test)
# and makes WORK, a temp dir removed at exit.
set -euo pipefail
REEL=$(realpath "$1")
KITCHEN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples/kitchen/assets" && pwd)
WORK=$(mktemp -d /tmp/reel-e2e-XXXXXX)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
export LC_ALL=C
export REEL_CACHE_DIR="$WORK/cache"
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@reel.invalid GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@reel.invalid

fail() { echo "FAIL: $*" >&2; exit 1; }

# shot DIR FRAMES SIZE: an asset folder Shot 1.0.0 with FRAMES frames of SIZE bytes each (random)
# in DIR/renders, and an [env] entry SHOT_FRAMES naming that folder.
shot() {
  mkdir -p "$1/renders"
  printf '[asset]\nname = "Shot"\nversion = "1.0.0"\n[env]\nSHOT_FRAMES = "{root}/renders"\n' > "$1/asset.toml"
  local i
  for i in $(seq 1 "$2"); do
    head -c "$3" /dev/urandom > "$1/renders/$(printf 'frame.%04d.exr' "$i")"
  done
}

# kill_after DELAY CMD...: runs CMD in the background (its output dropped), kills it with SIGKILL
# after DELAY seconds and waits for it. Whether CMD was still running then does not matter.
kill_after() {
  local delay=$1 pid
  shift
  "$@" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# expect CODE CMD...: runs CMD, captures stdout/stderr in $WORK/out and $WORK/err, checks the exit code.
expect() {
  local want=$1; shift
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"
    fail "'$*' exited $got, expected $want"
  fi
}

# expect_exit CODE CMD...: the brief's name for expect.
expect_exit() { expect "$@"; }

# stderr_has TEXT: the last command's stderr contains TEXT (fixed string).
stderr_has() { grep -qF -- "$1" "$WORK/err" || { cat "$WORK/err"; fail "stderr lacks: $1"; }; }
expect_stderr_contains() { stderr_has "$@"; }
stderr_starts_with_error() { grep -q '^error: ' "$WORK/err" || { cat "$WORK/err"; fail "stderr has no 'error: ' line"; }; }

# snapshot DIR...: a listing of every file and link with its digest, to prove nothing changed.
snapshot() {  # a missing folder is fine: it snapshots as empty
  { find "$@" \( -type f -o -type l \) -print0 2>/dev/null || true; } | sort -z |
    xargs -0 -r sh -c 'for f; do if [ -L "$f" ]; then echo "link $f $(readlink "$f")"; else echo "$(sha256sum < "$f" | cut -c1-64) $f"; fi; done' _
}

# A blessed repo with the kitchen's Table 1.2.3 and 3.2.1, Chair 1.2.4, KitchenSet 1.3.0 and 1.4.0,
# and a workspace `ws` installing from it.
setup_kitchen() {
  "$REEL" -q repo init repos/blessed --name blessed
  "$REEL" -q init staging --repo blessed=repos/blessed
  local spec
  for spec in Table/1.2.3 Table/3.2.1 Chair/1.2.4 KitchenSet/1.3.0 KitchenSet/1.4.0; do
    rm -rf "staging/outputs/${spec%/*}"
    cp -r "$KITCHEN/$spec" "staging/outputs/${spec%/*}"
    "$REEL" -q -C staging publish "${spec%/*}" --allow-dirty >/dev/null
  done
  "$REEL" -q init ws --repo blessed=repos/blessed
}
