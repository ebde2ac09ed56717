#!/usr/bin/env bash
# Environments, scripts, build steps and ingest (issue 12), one case per run, with the real reel
# binary on the kitchen example's KitchenTools and Table:
#   env_literal      PATH = "{root}/bin:${PATH}" in [env]: `reel run -- sh -c 'command -v
#                    kitchen-info'` finds the tool (it used to be written literally, so even sh
#                    could not be found)
#   env_sourceable   a workspace whose path has a space and a quote: eval "$(reel env --shell
#                    bash)" (and sh, and plain `reel env`) gives the variables `reel run` sees;
#                    --diff shows only what changes; --shell json and fish
#   editable_shadow  `reel edit Table`: reel env and reel run see outputs/Table, reel tree marks it
#                    (editable), reel.lock and inputs/ stay; a version outside KitchenSet's range
#                    makes reel sync warn, naming both
#   env_bad_input    [env] values that are neither string nor table, an unknown operation, a
#                    ${VAR} that never closes: `error:` naming the file and key, exit 1, nothing
#                    written
#   scripts          reel run KitchenTools:info ARGS, reel run info, reel scripts; NAME:nosuch
#                    lists the scripts; a script offered by two assets is refused naming both
#   shell            reel shell -- CMD, and an interactive $SHELL with the prompt marker
#   steps            re-run counts: both steps, then none, one frame changed -> only its step;
#                    steps.lock published with the outs; publish refused while a step is stale
#   step_bad_input   a cycle between steps, a step whose cmd fails (exit code and stderr shown,
#                    outs not recorded, nothing published), a step that does not write its out
#   ingest           a local folder and a URL served by nginx, then --check after each source
#                    changes, --update, and the refusals
# usage: pipeline.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

SERVERS=()
trap 'for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# tools_repo: a blessed repo with Table 3.2.1 and KitchenTools 1.0.0, and a workspace `ws` with
# both installed.
tools_repo() {
  local dir=${1:-ws}
  "$REEL" -q repo init repos/blessed --name blessed
  "$REEL" -q init staging --repo blessed=repos/blessed
  local spec
  for spec in Table/3.2.1 KitchenTools/1.0.0; do
    rm -rf "staging/outputs/${spec%/*}"
    cp -r "$KITCHEN/$spec" "staging/outputs/${spec%/*}"
    "$REEL" -q -C staging publish "${spec%/*}" --allow-dirty >/dev/null
  done
  "$REEL" -q init "$dir" --repo blessed=repos/blessed
  "$REEL" -q -C "$dir" add Table KitchenTools
}

# asset DIR NAME ENV_LINES: an output folder with an asset.toml whose [env] is ENV_LINES.
asset() {
  mkdir -p "$1"
  printf '[asset]\nname = "%s"\nversion = "1.0.0"\n[env]\n%s\n' "$2" "$3" > "$1/asset.toml"
}

case "$case_name" in
env_literal)
  "$REEL" -q repo init repos/blessed --name blessed
  "$REEL" -q init staging --repo blessed=repos/blessed
  asset staging/outputs/Tools Tools 'PATH = "{root}/bin:${PATH}"'
  mkdir -p staging/outputs/Tools/bin
  printf '#!/bin/sh\necho tool\n' > staging/outputs/Tools/bin/kitchen-info
  chmod +x staging/outputs/Tools/bin/kitchen-info
  "$REEL" -q -C staging publish Tools --allow-dirty >/dev/null
  "$REEL" -q init ws --repo blessed=repos/blessed
  "$REEL" -q -C ws add Tools
  expect 0 "$REEL" -C ws run -- sh -c 'command -v kitchen-info; kitchen-info'
  [ "$(head -1 "$WORK/out")" = "$WORK/ws/inputs/Tools/bin/kitchen-info" ] || fail "kitchen-info not on PATH: $(cat "$WORK/out")"
  grep -qx tool "$WORK/out" || fail "the tool did not run"
  expect 0 "$REEL" -C ws run -- sh -c 'echo "$PATH"'
  [ "$(cat "$WORK/out")" = "$WORK/ws/inputs/Tools/bin:$PATH" ] || fail "PATH is $(cat "$WORK/out")"
  # DESIGN's farm spelling puts -C after the subcommand; the command's own options stay its own.
  expect 0 "$REEL" run -C ws -- sh -c 'kitchen-info -C --json'
  grep -qx tool "$WORK/out" || fail "reel run -C ws -- ...: $(cat "$WORK/out")"
  # A program that is not there: 127, as a shell says.
  expect 127 "$REEL" -C ws run -- no-such-program
  stderr_has "cannot run 'no-such-program': not found in PATH"
  ;;
env_sourceable)
  # First with Table alone (TABLE_ROOT = "{root}"): plain `reel env` must evaluate to itself.
  setup_kitchen
  "$REEL" -q init "my ws 'one'" --repo blessed=repos/blessed
  ws="$WORK/my ws 'one'"
  "$REEL" -q -C "$ws" add Table==3.2.1
  expect 0 "$REEL" -C "$ws" env
  out=$(env -i PATH=/usr/bin:/bin sh -c 'eval "$(cat "$1")" && printf "%s\n" "$REEL_WORKSPACE" "$TABLE_ROOT"' _ "$WORK/out") || fail "eval of 'reel env' failed: $(cat "$WORK/out")"
  [ "$out" = "$(printf '%s\n' "$ws" "$ws/inputs/Table")" ] || fail "after eval of 'reel env': $out (reel env printed: $(cat "$WORK/out"))"
  # Then with the tool asset: PATH and PYTHONPATH prepends, in every syntax.
  cp -r "$KITCHEN/KitchenTools/1.0.0" staging/outputs/KitchenTools
  "$REEL" -q -C staging publish KitchenTools --allow-dirty >/dev/null
  "$REEL" -q -C "$ws" add KitchenTools
  for shell in "" "--shell bash" "--shell sh"; do
    # shellcheck disable=SC2086
    expect 0 "$REEL" -C "$ws" env $shell
    out=$(env -i PATH=/usr/bin:/bin sh -c 'eval "$(cat "$1")" && printf "%s\n" "$REEL_WORKSPACE" "$KITCHENTOOLS_ROOT" "$PATH" "$PYTHONPATH"' _ "$WORK/out") || fail "eval of 'reel env $shell' failed: $(cat "$WORK/out")"
    [ "$(printf '%s\n' "$out" | sed -n 1p)" = "$ws" ] || fail "REEL_WORKSPACE after eval: $out"
    [ "$(printf '%s\n' "$out" | sed -n 2p)" = "$ws/inputs/KitchenTools" ] || fail "KITCHENTOOLS_ROOT: $out"
    # PATH was the caller's when reel ran (the test's), so eval sets that one with bin/ first.
    [ "$(printf '%s\n' "$out" | sed -n 3p)" = "$ws/inputs/KitchenTools/bin:$PATH" ] || fail "PATH: $out"
    [ "$(printf '%s\n' "$out" | sed -n 4p)" = "$ws/inputs/KitchenTools/python" ] || fail "PYTHONPATH: $out"
  done
  # In bash itself, then the tool runs from the evaluated environment.
  eval "$("$REEL" -C "$ws" env --shell bash)"
  [ "$(command -v kitchen-info)" = "$ws/inputs/KitchenTools/bin/kitchen-info" ] || fail "kitchen-info not found after eval"
  kitchen-info > "$WORK/out" || fail "kitchen-info failed"
  grep -q "^kitchen-info 1.0.0 ($ws/inputs/KitchenTools/python/kitchen_tools)" "$WORK/out" || fail "kitchen_tools not found through PYTHONPATH: $(cat "$WORK/out")"
  # --diff: only what changes (a second eval changes PATH again, nothing else).
  expect 0 "$REEL" -C "$ws" env --diff
  grep -q "^~ PATH=$ws/inputs/KitchenTools/bin:" "$WORK/out" || fail "--diff lacks PATH: $(cat "$WORK/out")"
  grep -q "REEL_WORKSPACE\|KITCHENTOOLS_ROOT" "$WORK/out" && fail "--diff shows unchanged variables: $(cat "$WORK/out")"
  unset REEL_WORKSPACE
  expect 0 "$REEL" -C "$ws" env --diff
  grep -qxF "+ REEL_WORKSPACE=$ws" "$WORK/out" || fail "--diff lacks a new variable: $(cat "$WORK/out")"
  expect 0 "$REEL" -C "$ws" env --shell json
  [ "$(jq -r .KITCHENTOOLS_ROOT "$WORK/out")" = "$ws/inputs/KitchenTools" ] || fail "json: $(cat "$WORK/out")"
  expect 0 "$REEL" -C "$ws" env --shell fish
  fish_ws="$WORK/my ws \\'one\\'"
  grep -qxF "set -gx REEL_WORKSPACE '$fish_ws'" "$WORK/out" || fail "fish: $(cat "$WORK/out")"
  grep -qF "set -gx PATH '$fish_ws/inputs/KitchenTools/bin' '" "$WORK/out" || fail "fish PATH as a list: $(cat "$WORK/out")"
  expect 0 "$REEL" -C "$ws" env --shell powershell
  grep -qF "\$env:REEL_WORKSPACE = '$WORK/my ws ''one'''" "$WORK/out" || fail "powershell: $(cat "$WORK/out")"
  expect 2 "$REEL" -C "$ws" env --shell tcsh
  ;;
editable_shadow)
  setup_kitchen
  "$REEL" -q -C ws add KitchenSet==1.4.0
  lock_before=$(sha256sum < ws/reel.lock)
  inputs_before=$(snapshot ws/inputs)
  expect 0 "$REEL" -C ws --json env
  [ "$(jq -r .TABLE_ROOT "$WORK/out")" = "$WORK/ws/inputs/Table" ] || fail "before edit: $(cat "$WORK/out")"
  "$REEL" -q -C ws edit Table
  expect 0 "$REEL" -C ws --json env
  [ "$(jq -r .TABLE_ROOT "$WORK/out")" = "$WORK/ws/outputs/Table" ] || fail "the edited output is ignored: $(cat "$WORK/out")"
  [ "$(jq -r .CHAIR_ROOT "$WORK/out")" = "$WORK/ws/inputs/Chair" ] || fail "Chair moved: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws env
  grep -qxF "export TABLE_ROOT=$WORK/ws/outputs/Table" "$WORK/out" || fail "reel env: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws run -- sh -c 'test -f "$TABLE_ROOT/table.obj" && echo "$TABLE_ROOT"'
  [ "$(cat "$WORK/out")" = "$WORK/ws/outputs/Table" ] || fail "reel run: $(cat "$WORK/out")"
  # The output's own [env] counts: a new variable appears.
  printf 'TABLE_EDITING = "yes"\n' >> ws/outputs/Table/asset.toml
  expect 0 "$REEL" -C ws env
  grep -qxF "export TABLE_EDITING=yes" "$WORK/out" || fail "the output's [env] is ignored"
  expect 0 "$REEL" -C ws tree
  grep -q "Table 3.2.1 (editable)" "$WORK/out" || fail "tree: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws --json tree
  jq -e '.. | objects | select(.name == "Table") | .editable' "$WORK/out" >/dev/null || fail "tree --json lacks editable"
  [ "$(sha256sum < ws/reel.lock)" = "$lock_before" ] || fail "reel.lock changed"
  [ "$(snapshot ws/inputs)" = "$inputs_before" ] || fail "inputs/ changed"
  # Outside KitchenSet 1.4.0's ==3.2.1: sync warns, naming both, and keeps the lock.
  git -C ws/outputs/Table commit -qam "editing"
  "$REEL" -q -C ws bump Table minor
  expect 0 "$REEL" -C ws sync
  stderr_has "warning: outputs/Table is Table 3.3.0, outside KitchenSet 1.4.0's range ==3.2.1"
  stderr_has "reel.lock and inputs/ keep Table 3.2.1"
  [ "$(snapshot ws/inputs)" = "$inputs_before" ] || fail "inputs/ changed"
  grep -q 'version = "3.2.1"' ws/inputs/Table/asset.toml || fail "inputs/Table is not the published version"
  ;;
env_bad_input)
  setup_kitchen
  "$REEL" -q -C ws add Table==3.2.1
  expect 0 "$REEL" -C ws env
  mkdir -p ws/outputs/Tools
  check_bad() {  # ENV_LINE NEEDLE...: the output's [env] is ENV_LINE; env and run refuse it
    local line=$1
    shift
    asset ws/outputs/Tools Tools "$line"
    before=$(snapshot ws)
    local cmd
    for cmd in "env" "run -- true" "shell -- true"; do
      # shellcheck disable=SC2086
      expect 1 "$REEL" -C ws $cmd
      stderr_starts_with_error
      stderr_has "$WORK/ws/outputs/Tools/asset.toml:5: [env] "
      local n
      for n in "$@"; do stderr_has "$n"; done
    done
    [ "$before" = "$(snapshot ws)" ] || fail "the workspace changed"
  }
  check_bad 'X = 1' "[env] X: expected a string (a set) or a table of operations"
  check_bad 'X = [1, 2]' "[env] X: expected a string"
  check_bad 'PATH = { prepnd = "{root}/bin" }' "[env] PATH: unknown operation 'prepnd' (expected prepend, append, set or unset)"
  check_bad 'PATH = "{root}/bin:${PATH"' "[env] PATH: '\${PATH' never closes"
  check_bad 'PATH = { prepend = ["a", "${HOME"] }' "[env] PATH.prepend: '\${HOME' never closes"
  check_bad '"MY-VAR" = "x"' "[env] MY-VAR: a variable name is made of [A-Za-z0-9_]"
  # Publishing refuses it too, leaving the repo as it was.
  before=$(snapshot repos)
  expect 1 "$REEL" -C ws publish Tools --allow-dirty
  stderr_has "[env] MY-VAR"
  [ "$before" = "$(snapshot repos)" ] || fail "the repo changed"
  ;;
scripts)
  tools_repo
  expect 0 "$REEL" -C ws run KitchenTools:info --all "two words"
  grep -q "^kitchen-info 1.0.0 ($WORK/ws/inputs/KitchenTools/python/kitchen_tools)" "$WORK/out" || fail "KitchenTools:info: $(cat "$WORK/out")"
  grep -qx "argument: --all" "$WORK/out" || fail "arguments not passed: $(cat "$WORK/out")"
  grep -qx "argument: two words" "$WORK/out" || fail "an argument was split: $(cat "$WORK/out")"
  grep -q "^Table: 8 vertices in $WORK/ws/inputs/Table" "$WORK/out" || fail "TABLE_ROOT not seen: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws run info   # the only asset offering it
  grep -q "^kitchen-info 1.0.0" "$WORK/out" || fail "reel run info"
  expect 0 "$REEL" -C ws scripts
  grep -qE "^KitchenTools:info +kitchen-info +\(inputs/KitchenTools\)$" "$WORK/out" || fail "reel scripts: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws --json scripts
  [ "$(jq -r '.[0].command' "$WORK/out")" = "kitchen-info" ] || fail "scripts --json"
  expect 1 "$REEL" -C ws run KitchenTools:nosuch
  stderr_starts_with_error; stderr_has "KitchenTools has no script 'nosuch' (its scripts: info)"
  expect 1 "$REEL" -C ws run Nosuch:info
  stderr_has "no asset named Nosuch in the workspace"
  # `--` always means a command: `info` is info(1) or nothing, never the script.
  expect 127 "$REEL" -C ws run -- no-such-info
  # A second asset offering `info`.
  "$REEL" -q -C ws new Lamp
  printf '[scripts]\ninfo = "echo lamp {root}"\n' >> ws/outputs/Lamp/asset.toml
  expect 1 "$REEL" -C ws run info
  stderr_starts_with_error
  stderr_has "the script 'info' is offered by KitchenTools and Lamp: run KitchenTools:info or Lamp:info"
  expect 0 "$REEL" -C ws run Lamp:info
  [ "$(cat "$WORK/out")" = "lamp $WORK/ws/outputs/Lamp" ] || fail "Lamp:info: $(cat "$WORK/out")"
  # A script that fails passes its exit code through.
  printf 'fail = "exit 7"\n' >> ws/outputs/Lamp/asset.toml
  expect 7 "$REEL" -C ws run Lamp:fail
  ;;
shell)
  tools_repo
  SHELL=/bin/bash expect 0 "$REEL" -C ws shell -- 'command -v kitchen-info; echo "in $REEL_SHELL"'
  [ "$(sed -n 1p "$WORK/out")" = "$WORK/ws/inputs/KitchenTools/bin/kitchen-info" ] || fail "shell -- CMD: $(cat "$WORK/out")"
  [ "$(sed -n 2p "$WORK/out")" = "in ws" ] || fail "REEL_SHELL: $(cat "$WORK/out")"
  # An interactive bash (stdin is not a terminal, so it reads these lines): the prompt it prints
  # on stderr carries the marker; its exit code comes back.
  printf 'kitchen-info > "%s/info.txt"\nexit 4\n' "$WORK" > "$WORK/input"
  set +e
  HOME="$WORK" SHELL=/bin/bash "$REEL" -C ws shell < "$WORK/input" > "$WORK/out" 2> "$WORK/err"
  code=$?
  set -e
  [ "$code" = 4 ] || { cat "$WORK/err"; fail "reel shell exited $code, expected 4"; }
  grep -qF "(reel:ws) " "$WORK/err" || { cat "$WORK/err"; fail "no prompt marker"; }
  grep -q "^kitchen-info 1.0.0" "$WORK/info.txt" || fail "the tool did not run in the shell"
  # Any other shell gets PS1.
  printf 'echo "$PS1"\n' > "$WORK/input"
  SHELL=/bin/sh "$REEL" -C ws shell < "$WORK/input" > "$WORK/out" 2>/dev/null || fail "reel shell with sh"
  grep -qF "(reel:ws) " "$WORK/out" || fail "sh: PS1 is $(cat "$WORK/out")"
  ;;
steps)
  tools_repo
  "$REEL" -q -C ws new Shot
  mkdir -p ws/outputs/Shot/frames
  for i in 1 2 3 4; do echo "frame $i" > "ws/outputs/Shot/frames/f$i.txt"; done
  cat >> ws/outputs/Shot/asset.toml <<'EOF'

[files]
exclude = ["runs.log"]

[[step]]
name = "summary"
cmd = "cat preview.txt mesh.txt > summary.txt && echo summary >> {root}/runs.log"
deps = ["preview.txt", "mesh.txt"]
outs = ["summary.txt"]

[[step]]
name = "preview"
cmd = "cat frames/*.txt > preview.txt && echo preview >> {root}/runs.log"
deps = ["frames/"]
outs = ["preview.txt"]

[[step]]
name = "mesh"
cmd = "wc -l < \"$TABLE_ROOT/table.obj\" > mesh.txt && kitchen-info > /dev/null && echo mesh >> runs.log"
deps = ["pkg:Table"]
outs = ["mesh.txt"]
EOF
  printf 'runs.log\n' > ws/outputs/Shot/.gitignore
  runs() { cat ws/outputs/Shot/runs.log 2>/dev/null | tr '\n' ' '; rm -f ws/outputs/Shot/runs.log; }
  expect 0 "$REEL" -C ws build Shot
  [ "$(runs)" = "preview mesh summary " ] || fail "first build ran: $(runs)"
  grep -qx "ran step preview (it has not run yet)" "$WORK/out" || fail "$(cat "$WORK/out")"
  stderr_has "running step mesh of Shot (it has not run yet): wc -l"
  expect 0 "$REEL" -C ws build Shot
  [ "$(runs)" = "" ] || fail "second build ran steps"
  grep -qx "step preview is up to date" "$WORK/out" || fail "$(cat "$WORK/out")"
  echo "frame 2 again" > ws/outputs/Shot/frames/f2.txt
  expect 0 "$REEL" -C ws status
  grep -qF "outputs/Shot 0.1.0: uncommitted changes; not published; stale steps: preview (frames/ changed)" "$WORK/out" || fail "status: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws build Shot
  [ "$(runs)" = "preview summary " ] || fail "after one frame changed: $(runs)"
  grep -qx "ran step preview (frames/ changed)" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -qx "step mesh is up to date" "$WORK/out" || fail "$(cat "$WORK/out")"
  # steps.lock records digests; the package carries it and the outs.
  digest=$(sha256sum < ws/outputs/Shot/preview.txt | cut -c1-64)
  grep -qF "{ path = \"preview.txt\", sha256 = \"$digest\"" ws/outputs/Shot/steps.lock || fail "steps.lock: $(cat ws/outputs/Shot/steps.lock)"
  archive=$(tar --use-compress-program=zstd -xOf ws/build/Shot-0.1.0.reel files.json)
  for f in steps.lock preview.txt mesh.txt summary.txt; do
    echo "$archive" | jq -e --arg f "$f" 'map(.path) | index($f)' >/dev/null || fail "$f is not in the package"
  done
  # A stale step blocks publishing (publish never runs steps); --allow-stale overrides.
  git -C ws/outputs/Shot add -A && git -C ws/outputs/Shot commit -qm "built"
  echo "frame 3 again" > ws/outputs/Shot/frames/f3.txt
  git -C ws/outputs/Shot commit -qam "new frame"
  before=$(snapshot repos)
  expect 1 "$REEL" -C ws publish Shot
  stderr_starts_with_error; stderr_has "outputs/Shot has stale steps: preview (frames/ changed)"
  stderr_has "hint: run \`reel build Shot\`"
  [ "$before" = "$(snapshot repos)" ] || fail "the repo changed"
  [ "$(runs)" = "" ] || fail "publish ran steps"
  expect 0 "$REEL" -C ws build Shot
  git -C ws/outputs/Shot commit -qam "rebuilt"
  expect 0 "$REEL" -C ws status
  grep -qF "outputs/Shot 0.1.0: not published" "$WORK/out" || fail "status: $(cat "$WORK/out")"
  expect 0 "$REEL" -C ws publish Shot
  expect 0 "$REEL" -C ws status
  grep -qF "outputs/Shot 0.1.0: published in blessed" "$WORK/out" || fail "status: $(cat "$WORK/out")"
  # A consumer sees how summary.txt was made.
  "$REEL" -q init consumer --repo blessed=repos/blessed
  "$REEL" -q -C consumer add Shot
  grep -q 'cmd = "cat preview.txt mesh.txt > summary.txt' consumer/inputs/Shot/steps.lock || fail "steps.lock not installed"
  ;;
step_bad_input)
  tools_repo
  "$REEL" -q -C ws new Shot
  base=$(cat ws/outputs/Shot/asset.toml)
  with_steps() { printf '%s\n%s\n' "$base" "$1" > ws/outputs/Shot/asset.toml; }
  # A cycle.
  with_steps '[[step]]
name = "a"
cmd = "cp b.txt a.txt"
deps = ["b.txt"]
outs = ["a.txt"]
[[step]]
name = "b"
cmd = "cp a.txt b.txt"
deps = ["a.txt"]
outs = ["b.txt"]'
  before=$(snapshot ws/outputs ws/build ws/reel.lock ws/inputs repos)
  for cmd in "build Shot" "publish Shot --allow-dirty" "status"; do
    # shellcheck disable=SC2086
    expect 1 "$REEL" -C ws $cmd
    stderr_starts_with_error
    stderr_has "outputs/Shot/asset.toml: [[step]]: the steps form a cycle: a -> b -> a (a reads b.txt, written by b; b reads a.txt, written by a)"
  done
  [ "$before" = "$(snapshot ws/outputs ws/build ws/reel.lock ws/inputs repos)" ] || fail "something was written"
  # A cmd that fails: its exit code and stderr, no record, its outs gone, nothing built.
  with_steps '[[step]]
name = "render"
cmd = "echo partial > out.txt; echo \"render: cannot open scene.usda\" >&2; exit 3"
outs = ["out.txt"]'
  before=$(snapshot ws/outputs ws/build ws/reel.lock ws/inputs repos)
  expect 1 "$REEL" -C ws build Shot
  stderr_starts_with_error
  stderr_has "outputs/Shot step render: \`echo partial > out.txt;"
  stderr_has "exited with status 3; nothing was recorded in steps.lock and its outs were removed"
  stderr_has "    render: cannot open scene.usda"
  [ ! -e ws/outputs/Shot/out.txt ] || fail "the failed step's out was kept"
  [ ! -e ws/outputs/Shot/steps.lock ] || fail "steps.lock was written"
  ls ws/build | grep -q . && fail "something was built"
  expect 1 "$REEL" -C ws publish Shot --allow-dirty
  stderr_has "outputs/Shot has stale steps: render (it has not run yet)"
  [ "$before" = "$(snapshot ws/outputs ws/build ws/reel.lock ws/inputs repos)" ] || { diff <(echo "$before") <(snapshot ws/outputs ws/build ws/reel.lock ws/inputs repos); fail "something was written or published"; }
  # A step that exits 0 without writing a declared out.
  with_steps '[[step]]
name = "mesh"
cmd = "echo made > other.glb"
outs = ["table.glb"]'
  expect 1 "$REEL" -C ws build Shot
  stderr_has "outputs/Shot step mesh: \`echo made > other.glb\` exited with status 0 but did not write its out table.glb"
  [ ! -e ws/outputs/Shot/steps.lock ] || fail "steps.lock was written"
  # A pkg: dep the lock lacks, and a malformed step.
  with_steps '[[step]]
name = "mesh"
cmd = "true"
deps = ["pkg:Lamp"]'
  expect 1 "$REEL" -C ws build Shot
  stderr_has "outputs/Shot step mesh: pkg:Lamp is not in reel.lock"
  with_steps '[[step]]
name = "mesh"
cmd = "true"
deps = ["../Table/table.obj"]'
  expect 1 "$REEL" -C ws build Shot
  stderr_has "outputs/Shot/asset.toml:"; stderr_has "[[step]] mesh deps: '../Table/table.obj'"
  ;;
ingest)
  [ -x /usr/sbin/nginx ] || fail "nginx is not installed (scripts/install-deps.sh)"
  tools_repo
  "$REEL" -q -C ws new Shot
  mkdir -p "src/plates" "site"
  for i in 1 2 3; do echo "plate $i" > "src/plates/p.000$i.exr"; done
  expect 0 "$REEL" -C ws ingest Shot ../src/plates   # relative paths follow -C
  grep -q "^ingested $WORK/src/plates as outputs/Shot/plates/ (3 files" "$WORK/out" || fail "$(cat "$WORK/out")"
  diff -r src/plates ws/outputs/Shot/plates || fail "the copy differs"
  grep -qF "url = \"$WORK/src/plates\"" ws/outputs/Shot/sources.lock || fail "sources.lock: $(cat ws/outputs/Shot/sources.lock)"
  grep -q '^mtime = "20' ws/outputs/Shot/sources.lock || fail "no mtime"
  # A URL, from nginx.
  cp "$KITCHEN/Table/3.2.1/table.obj" site/ref.obj
  mkdir -p "$WORK/nginx/tmp"
  for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))
    (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && continue
    cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 16; }
http {
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$PORT; root $WORK/site; }
}
EOF
    /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
    SERVERS+=($!)
    up=""
    for _ in $(seq 1 400); do
      (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { up=1; break; }
      kill -0 "${SERVERS[-1]}" 2>/dev/null || break
      sleep 0.05
    done
    [ -n "$up" ] && break
  done
  [ -n "$up" ] || { cat "$WORK/nginx/error.log"; fail "nginx did not start"; }
  url="http://127.0.0.1:$PORT/ref.obj"
  expect 0 "$REEL" -C ws ingest Shot "$url" --path ref/table.obj
  cmp site/ref.obj ws/outputs/Shot/ref/table.obj || fail "the download differs"
  grep -qF "url = \"$url\"" ws/outputs/Shot/sources.lock || fail "no url recorded"
  grep -q '^etag = "\\"' ws/outputs/Shot/sources.lock || fail "no ETag recorded: $(cat ws/outputs/Shot/sources.lock)"
  expect 0 "$REEL" -C ws ingest --check
  grep -qF "up to date: outputs/Shot/plates/ <- $WORK/src/plates" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -qF "up to date: outputs/Shot/ref/table.obj <- $url" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -q ' 304 ' "$WORK/nginx/access.log" || fail "the check did not use If-None-Match: $(cat "$WORK/nginx/access.log")"
  # Both sources change upstream: --check lists them (exit 1), --update takes them in.
  echo "plate 4" > src/plates/p.0004.exr
  printf 'v 9 9 9\n' >> site/ref.obj
  expect 1 "$REEL" -C ws ingest --check
  grep -qF "changed: outputs/Shot/plates/ <- $WORK/src/plates: content changed (24 -> 32 bytes, 3 -> 4 files)" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -qF "changed: outputs/Shot/ref/table.obj <- $url: content changed" "$WORK/out" || fail "$(cat "$WORK/out")"
  stderr_has "2 of 2 sources changed upstream"
  expect 0 "$REEL" -C ws ingest --update Shot
  diff -r src/plates ws/outputs/Shot/plates || fail "--update did not take in the new plate"
  cmp site/ref.obj ws/outputs/Shot/ref/table.obj || fail "--update did not take in the new file"
  expect 0 "$REEL" -C ws ingest --check Shot
  # Refusals leave the output as it was.
  before=$(snapshot ws)
  mkdir -p ws/outputs/Shot/mine && echo x > ws/outputs/Shot/mine/a
  before=$(snapshot ws)
  expect 1 "$REEL" -C ws ingest Shot ../src/plates --path mine
  stderr_starts_with_error; stderr_has "outputs/Shot/mine already exists and did not come from \`reel ingest\`"
  expect 1 "$REEL" -C ws ingest Shot ../src/plates --path ../escape
  stderr_has "--path '../escape'"
  expect 1 "$REEL" -C ws ingest Shot "http://127.0.0.1:$PORT/missing.obj"
  stderr_has "404"
  expect 1 "$REEL" -C ws ingest Shot ../src/nothing
  stderr_starts_with_error
  [ "$before" = "$(snapshot ws)" ] || fail "a refused ingest changed the workspace"
  # The sources travel with the package.
  git -C ws/outputs/Shot add -A && git -C ws/outputs/Shot commit -qm ingest
  expect 0 "$REEL" -C ws publish Shot
  "$REEL" -q init consumer --repo blessed=repos/blessed
  "$REEL" -q -C consumer add Shot
  grep -qF "url = \"$url\"" consumer/inputs/Shot/sources.lock || fail "sources.lock not published"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: pipeline.$case_name"
