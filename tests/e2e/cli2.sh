#!/usr/bin/env bash
# The command line as a uv or cargo user meets it, second part (issue 15): repo management, init's
# default repos, promote without a workspace, outdated and prereleases, uv-style change lines,
# unknown names, help, completions, the user config file.
#   usage: cli2.sh REEL CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

# golden FILE: the last command's stdout is exactly FILE's text (a diff otherwise).
golden() { diff -u "$1" "$WORK/out" || fail "stdout differs from the expected text"; }
# golden_err FILE: the same for stderr.
golden_err() { diff -u "$1" "$WORK/err" || fail "stderr differs from the expected text"; }
# asset DIR NAME VERSION [DEPENDENCIES-TOML]: a minimal asset folder.
asset() {
  mkdir -p "$1"
  printf '[asset]\nname = "%s"\nversion = "%s"\n\n[dependencies]\n%s' "$2" "$3" "${4:-}" > "$1/asset.toml"
  echo "$2 $3" > "$1/payload.txt"
}
# publish_to REPO NAME VERSION [DEPS]: publishes NAME VERSION to the folder repo repos/REPO
# through the workspace `staging` (created on first use with every repo in repos/).
publish_to() {
  if [ ! -d staging ]; then
    local args=() r
    for r in repos/*; do args+=(--repo "$(basename "$r")=$r"); done
    "$REEL" -q init staging "${args[@]}"
  fi
  rm -rf "staging/outputs/$2"
  asset "staging/outputs/$2" "$2" "$3" "${4:-}"
  "$REEL" -q -C staging publish "$2" --repo "$1" --allow-dirty --allow-unresolved
}

case $case_name in
repos)
  # reel repo remove / set-default / set-blessed edit workspace.toml's [[repo]] flags and keep the
  # rest of it as it was; repo list aligns its columns.
  for r in blessed review archive; do "$REEL" -q repo init "repos/$r" --name "$r"; done
  "$REEL" -q init ws --name shot --repo blessed=repos/blessed --repo review=repos/review
  cd ws
  expect 0 "$REEL" repo list
  printf '%s\n' "blessed  $WORK/repos/blessed  [blessed]" "review   $WORK/repos/review   [default]" > ../want
  golden ../want
  expect 0 "$REEL" repo add archive ../repos/archive
  expect 0 "$REEL" repo set-default archive
  grep -qx "repo 'archive' is the default publish target" "$WORK/out" || fail "set-default said: $(cat "$WORK/out")"
  expect 0 "$REEL" repo set-blessed review --add
  expect 0 "$REEL" repo list
  printf '%s\n' "blessed  $WORK/repos/blessed  [blessed]" "review   $WORK/repos/review   [blessed]" \
    "archive  $WORK/repos/archive  [default]" > ../want
  golden ../want
  # Unknown names: exit 1, the repos there are, the nearest.
  expect 1 "$REEL" repo set-default archiv
  stderr_has "error: the workspace has no repo named 'archiv'"
  stderr_has "hint: did you mean 'archive'? its repos: blessed, review, archive"
  expect 1 "$REEL" repo remove nosuch
  stderr_has "its repos: blessed, review, archive"
  # set-blessed without --add: the only blessed one.
  expect 0 "$REEL" repo set-blessed blessed
  grep -A3 'name = "review"' workspace.toml | grep -q blessed && fail "review is still blessed"
  # A repo that [sources] pins a package to cannot go.
  printf '\n[sources]\nTable = "archive"\n' >> workspace.toml
  cp workspace.toml ../before.toml
  expect 1 "$REEL" repo remove archive
  stderr_has "error: repo 'archive' is the source of Table ([sources] in workspace.toml)"
  stderr_has "hint: pin them to another repo first"
  cmp workspace.toml ../before.toml || fail "a refused remove changed workspace.toml"
  sed -i '/^\[sources\]/,$d' workspace.toml
  # Removing the default: said, and publish falls back to the first repo.
  expect 0 "$REEL" repo remove archive
  grep -qx "removed repo 'archive'" "$WORK/out" || fail "remove said: $(cat "$WORK/out")"
  stderr_has "warning: no repo is the default now: publish goes to 'blessed', the first (reel repo set-default NAME)"
  # Removing the only blessed one: said.
  expect 0 "$REEL" repo remove blessed
  stderr_has "warning: no repo is blessed now: installs search every repo, in order (reel repo set-blessed NAME)"
  cat > ../want.toml <<EOF
[workspace]
name = "shot"
link-mode = "auto"

[[repo]]
name = "review"
url = "$WORK/repos/review"

[requirements]
EOF
  diff -u ../want.toml workspace.toml || fail "workspace.toml after the edits"
  # And the last one.
  expect 0 "$REEL" repo remove review
  stderr_has "warning: the workspace has no repos now"
  ;;
init_defaults)
  # DESIGN §1/§5: the first repo is blessed and default unless flagged; a repo named review is
  # the default publish target, one named blessed the blessed one.
  for r in blessed review studio; do "$REEL" -q repo init "repos/$r" --name "$r"; done
  flags() {  # flags WS: "name:blessed:default" per repo, from repo list --json
    "$REEL" --json -C "$1" repo list | jq -r '.[] | "\(.name):\(.blessed):\(.default)"' | tr '\n' ' '
  }
  "$REEL" -q init a --repo blessed=repos/blessed --repo review=repos/review
  [ "$(flags a)" = "blessed:true:false review:false:true " ] || fail "a: $(flags a)"
  "$REEL" -q init b --repo review=repos/review --repo blessed=repos/blessed
  [ "$(flags b)" = "review:false:true blessed:true:false " ] || fail "b: $(flags b)"
  "$REEL" -q init c --repo studio=repos/studio --repo review=repos/review
  [ "$(flags c)" = "studio:true:false review:false:true " ] || fail "c: $(flags c)"
  "$REEL" -q init d --repo studio=repos/studio
  [ "$(flags d)" = "studio:true:true " ] || fail "d: $(flags d)"
  "$REEL" -q init e --repo studio=repos/studio --repo review=repos/review --default studio --blessed review
  [ "$(flags e)" = "studio:false:true review:true:false " ] || fail "e: $(flags e)"
  expect 1 "$REEL" init f --repo studio=repos/studio --default nope
  stderr_has "error: the default repo 'nope' is not among the repos given"
  [ ! -e f/workspace.toml ] || fail "a refused init wrote workspace.toml"
  # A publish without --repo goes to review.
  asset c/outputs/Table Table 1.0.0
  expect 0 "$REEL" -C c publish Table --allow-dirty
  grep -q "to review" "$WORK/out" || fail "publish went elsewhere: $(cat "$WORK/out")"
  ;;
promote_no_workspace)
  # A CI promotion job: no workspace, repos by path; a second promote of the same version is
  # "already in", not an error.
  for r in review blessed; do "$REEL" -q repo init "repos/$r" --name "$r"; done
  publish_to review Leg 1.0.0
  publish_to review Table 2.0.0 'Leg = "^1"'
  mkdir job && cd job
  # Only approved versions are promoted (issue 14): a reviewer approves both first.
  "$REEL" -q review approve Leg==1.0.0 --repo ../repos/review
  "$REEL" -q review approve Table==2.0.0 --repo ../repos/review
  expect 1 "$REEL" promote Table==2.0.0 --from ../repos/review --to ../repos/blessed
  stderr_has "promote first Leg 1.0.0 (or pass --with-deps)"
  expect 0 "$REEL" promote Table==2.0.0 --from ../repos/review --to ../repos/blessed --with-deps
  printf '%s\n' "promoted Leg 1.0.0 from ../repos/review to ../repos/blessed (a dependency)" \
    "promoted Table 2.0.0 from ../repos/review to ../repos/blessed" > ../want
  golden ../want
  expect 0 "$REEL" promote Table==2.0.0 --from ../repos/review --to "file://$WORK/repos/blessed"
  echo "Table 2.0.0 is already in file://$WORK/repos/blessed" > ../want
  golden ../want
  jq -e '.versions | length == 1' ../repos/blessed/index/table.json >/dev/null || fail "blessed index"
  expect 1 "$REEL" promote Table==9.9.9 --from ../repos/review --to ../repos/blessed
  stderr_has "Table 9.9.9 is not published in repo '../repos/review'"
  # Inside a workspace, names are its repos (a near miss is suggested), paths still work.
  cd ../staging
  expect 1 "$REEL" promote Table==2.0.0 --from review --to blesed
  stderr_has "error: the workspace has no repo named 'blesed'"
  stderr_has "did you mean 'blessed'?"
  expect 0 "$REEL" promote Table==2.0.0 --from review --to blessed
  grep -qx "Table 2.0.0 is already in blessed" "$WORK/out" || fail "in a workspace: $(cat "$WORK/out")"
  ;;
outdated)
  # A prerelease is never "latest" unless a range admits it; an output's pin is blamed on it.
  "$REEL" -q repo init repos/blessed --name blessed
  publish_to blessed Table 1.0.0
  "$REEL" -q init ws --repo blessed=repos/blessed
  cd ws
  "$REEL" -q add Table
  cd ..
  publish_to blessed Table 1.1.0
  publish_to blessed Table 2.0.0-rc.1
  cd ws
  asset outputs/Shot Shot 0.1.0 'Table = "==1.0.0"'
  expect 0 "$REEL" outdated
  cat > ../want <<'EOF'
package                 locked      compatible  latest
Table                   1.0.0       1.0.0       1.1.0
    1.1.0 excluded: output Shot requires Table ==1.0.0
EOF
  golden ../want
  rm -rf outputs/Shot
  expect 0 "$REEL" outdated
  cat > ../want <<'EOF'
package                 locked      compatible  latest
Table                   1.0.0       1.1.0       1.1.0
EOF
  golden ../want
  # A range that names a prerelease of 2.0.0 admits it: then it is the latest.
  sed -i 's/^Table = .*/Table = ">=1.0.0, <2.0.0-rc.2"/' workspace.toml
  "$REEL" -q lock
  expect 0 "$REEL" outdated
  grep -q "^Table  *1.0.0  *2.0.0-rc.1  *2.0.0-rc.1$" "$WORK/out" || { cat "$WORK/out"; fail "rc not admitted"; }
  ;;
changes)
  # Lock, sync, add and remove say what changed (uv's lines); `reel add NAME` keeps a pin.
  "$REEL" -q repo init repos/blessed --name blessed
  publish_to blessed Table 0.2.0
  publish_to blessed Table 0.3.0
  publish_to blessed Chair 1.2.4
  publish_to blessed Lamp 2.0.0
  "$REEL" -q init ws --repo blessed=repos/blessed
  cd ws
  expect 0 "$REEL" add Table==0.2.0 Lamp
  grep -v '^synced: ' "$WORK/out" > ../got || true
  printf '%s\n' "Added Lamp 2.0.0" "Added Table 0.2.0" | diff -u - ../got || fail "add's lines"
  expect 0 "$REEL" add Table
  stderr_has "requirement Table ==0.2.0 kept (a name alone does not change it; \`reel add 'Table *'\` or another range does)"
  grep -qx 'Table = "==0.2.0"' workspace.toml || fail "reel add Table loosened the pin: $(cat workspace.toml)"
  grep -q '^Updated' "$WORK/out" && fail "reel add Table changed the lock"
  expect 0 "$REEL" add 'Table>=0.3' Chair
  stderr_has "requirement Table ==0.2.0 -> >=0.3"
  grep -v '^synced: ' "$WORK/out" > ../got || true
  printf '%s\n' "Added Chair 1.2.4" "Updated Table 0.2.0 -> 0.3.0" | diff -u - ../got || fail "add's change lines"
  expect 0 "$REEL" remove Lamp
  grep -qx "Removed Lamp 2.0.0" "$WORK/out" || fail "remove: $(cat "$WORK/out")"
  expect 0 "$REEL" lock
  [ ! -s "$WORK/out" ] || fail "a lock that changes nothing printed: $(cat "$WORK/out")"
  stderr_has "locked 2 packages"
  sed -i 's/^Table = .*/Table = "==0.2.0"/' workspace.toml
  expect 0 "$REEL" lock --dry-run
  grep -qx "Would update Table 0.3.0 -> 0.2.0" "$WORK/out" || fail "dry run: $(cat "$WORK/out")"
  expect 0 "$REEL" sync
  grep -qx "Updated Table 0.3.0 -> 0.2.0" "$WORK/out" || fail "sync: $(cat "$WORK/out")"
  grep -q "^synced: 1 installed" "$WORK/out" || fail "sync summary: $(cat "$WORK/out")"
  ;;
unknown_names)
  # Unknown packages, repos, outputs and groups are errors naming what was searched and the
  # nearest name; a missing dependency is blamed on the package that asked for it.
  for r in blessed review; do "$REEL" -q repo init "repos/$r" --name "$r"; done
  publish_to blessed Table 1.0.0
  publish_to blessed Prop2 0.9.0
  publish_to blessed Prop2 1.0.0 'NoSuchThing = "^2.0.0"'
  "$REEL" -q init ws --repo blessed=repos/blessed --repo review=repos/review
  cd ws
  for cmd in "add Tabel" "edit Tabel" "rdeps Tabel" "lock --upgrade-package Tabel"; do
    expect 1 "$REEL" $cmd
    stderr_has "error: no package 'Tabel' in blessed ($WORK/repos/blessed)"
    stderr_has "hint: did you mean 'Table'?"
  done
  [ ! -e reel.lock ] || fail "a refused add wrote reel.lock"
  grep -q Tabel workspace.toml && fail "a refused add changed workspace.toml"
  expect 1 "$REEL" add Table --repo review
  stderr_has "error: no package 'Table' in review ($WORK/repos/review)"
  expect 0 "$REEL" rdeps Table
  expect 0 "$REEL" rdeps NoSuchThing  # nothing publishes it, but Prop2 depends on it
  grep -q "Prop2 1.0.0" "$WORK/out" || fail "rdeps NoSuchThing: $(cat "$WORK/out")"
  expect 1 "$REEL" lock --group nope
  stderr_has "error: --group nope: no output has a dependency group 'nope'"
  stderr_has "hint: no output defines [dependency-groups] in its asset.toml"
  asset outputs/Shot Shot 0.1.0
  printf '\n[dependency-groups]\nbuild = { Table = "*" }\n' >> outputs/Shot/asset.toml
  expect 1 "$REEL" lock --group biuld
  stderr_has "hint: the outputs' groups: build"
  expect 0 "$REEL" lock --group build
  expect 1 "$REEL" publish Shott --allow-dirty
  stderr_has "did you mean 'Shot'?"
  expect 1 "$REEL" publish Shot --repo revew --allow-dirty
  stderr_has "did you mean 'review'?"
  rm -rf outputs/Shot
  expect 1 "$REEL" add Prop2==1.0.0
  stderr_has "Because Prop2 1.0.0 depends on NoSuchThing ^2.0.0, which does not exist, Prop2 1.0.0 is forbidden."
  # An output's dependency is blamed on the output, not on the workspace.
  asset outputs/Shot Shot 0.1.0 'NoSuchThing = "^2"'
  expect 1 "$REEL" lock
  stderr_has "Because output Shot depends on NoSuchThing ^2.0.0, which does not exist, version solving failed."
  grep -q "the workspace depends on NoSuchThing" "$WORK/err" && fail "blamed on the workspace: $(cat "$WORK/err")"
  ;;
help_text)
  # Every command's help: a metavar and a description for every positional and option, the
  # global options listed, no CLI11 "TEXT"/"Excludes:".
  expect 0 "$REEL" completions bash
  # The command paths, from the completion tables (the same CLI11 tree).
  sed -n "/^_reel_subcommands=(/,/^)/p" "$WORK/out" | sed -n "s/^  '\(.*\)'$/\1/p" |
    awk -F: '{print ($1 == "" ? $2 : $1 " " $2)}' > commands
  [ "$(wc -l < commands)" -ge 30 ] || fail "only $(wc -l < commands) commands"
  while read -r cmd; do
    # shellcheck disable=SC2086
    if [ "$cmd" = help ]; then expect 0 "$REEL" help --help; else expect 0 "$REEL" help $cmd; fi
    if grep -Eq '(^|[ ,])(TEXT|INT|UINT|FLOAT|NUMBER)( |$)' "$WORK/out"; then
      cat "$WORK/out"; fail "reel help $cmd: a CLI11 type name as metavar"
    fi
    grep -q "Excludes" "$WORK/out" && { cat "$WORK/out"; fail "reel help $cmd: Excludes"; }
    # A positional's metavar says what goes there in capitals (NAME, PATH), as in the usage line.
    if sed -n '/^Positionals:/,/^[^ P]/p' "$WORK/out" | grep -Eq '^  [a-z]'; then
      cat "$WORK/out"; fail "reel help $cmd: a positional in lower case"
    fi
    grep -q "^Global options (every command takes them):" "$WORK/out" ||
      { cat "$WORK/out"; fail "reel help $cmd: no global options"; }
    # Option and positional lines (two spaces, then the name) must have a description, on the
    # line (from column 33) or on the next one (indented that far).
    awk -v cmd="$cmd" '
      /^(Positionals|Options|Global options)/ { in_list = 1; next }
      /^[^ ]/ { in_list = 0 }
      in_list && /^  [^ ]/ {
        if (pending != "") { print "no description: " pending; bad = 1 }
        pending = (length($0) > 32 && substr($0, 33, 1) != " ") ? "" : $0
        next
      }
      in_list && substr($0, 1, 32) ~ /^ +$/ && substr($0, 33, 1) != " " { pending = ""; next }
      END { if (pending != "") { print "no description: " pending; bad = 1 }; exit bad }
    ' "$WORK/out" || { cat "$WORK/out"; fail "reel help $cmd: an option without a description"; }
  done < commands
  expect 0 "$REEL" help sync
  grep -Eq -- "^  -h,--help +Print this help" "$WORK/out" || { cat "$WORK/out"; fail "a metavar on --help"; }
  grep -Eq -- "^  --frozen +Use reel.lock" "$WORK/out" || { cat "$WORK/out"; fail "a metavar on a flag"; }
  grep -Eq -- "^  -q,--quiet +Print only" "$WORK/out" || { cat "$WORK/out"; fail "a metavar on -q"; }
  grep -q -- "--locked .*Fail if reel.lock is stale (not with --frozen)" "$WORK/out" ||
    { cat "$WORK/out"; fail "sync --locked line"; }
  expect 0 "$REEL" help repo add
  grep -Eq "^  NAME \(required\) +The repo's name" "$WORK/out" || { cat "$WORK/out"; fail "repo add NAME"; }
  grep -Eq "^  -C DIR +Run as if" "$WORK/out" || { cat "$WORK/out"; fail "global -C DIR"; }
  ;;
plurals)
  "$REEL" -q repo init repos/blessed --name blessed
  publish_to blessed Table 1.0.0
  "$REEL" -q init ws --repo blessed=repos/blessed
  cd ws
  "$REEL" -q add Table
  expect 0 "$REEL" verify
  grep -qx "verified 1 package: inputs/ matches reel.lock" "$WORK/out" || fail "verify: $(cat "$WORK/out")"
  expect 0 "$REEL" outdated
  grep -qx "the locked package is at its newest version" "$WORK/out" || fail "outdated: $(cat "$WORK/out")"
  expect 0 "$REEL" lock
  stderr_has "locked 1 package"
  expect 0 "$REEL" rdeps Table
  grep -qx "Table: 0 dependent versions in repo 'blessed'" "$WORK/out" || fail "rdeps: $(cat "$WORK/out")"
  expect 0 "$REEL" export bundle -o ../b.tar.zst
  grep -Eq "^exported 1 package, [0-9]+ objects? " "$WORK/out" || fail "bundle: $(cat "$WORK/out")"
  ;;
completions)
  expect 0 "$REEL" completions bash
  cp "$WORK/out" reel.bash
  # complete WORDS...: what the bash completion offers for the last word.
  complete_bash() {
    bash -c 'source ./reel.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _reel; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
  }
  [ "$(complete_bash reel sy)" = "sync" ] || fail "reel sy -> $(complete_bash reel sy)"
  [ "$(complete_bash reel repo set-d)" = "set-default" ] || fail "reel repo set-d -> $(complete_bash reel repo set-d)"
  [ "$(complete_bash reel -C /tmp --cache-dir /tmp sy)" = "sync" ] || fail "after valued globals"
  complete_bash reel repo add --b | grep -qx -- "--blessed" || fail "repo add --b"
  complete_bash reel sync --fro | grep -qx -- "--frozen" || fail "sync --fro"
  complete_bash reel sync --no-p | grep -qx -- "--no-progress" || fail "globals under a command"
  complete_bash reel init --default d | grep -qx -- "--default" && fail "init --default takes a value"
  [ "$(complete_bash reel comp)" = "completions" ] || fail "reel comp"
  expect 0 "$REEL" completions zsh
  cp "$WORK/out" _reel
  zsh -n _reel || fail "zsh -n"
  grep -q "^#compdef reel" _reel || fail "no #compdef"
  expect 0 "$REEL" completions fish
  cp "$WORK/out" reel.fish
  fish -n reel.fish || fail "fish -n"
  # fish can answer for a command line: `complete -C`.
  mkdir bin && ln -s "$REEL" bin/reel
  got=$(PATH="$WORK/bin:$PATH" fish -c 'source reel.fish; complete -C "reel sy"' | cut -f1)
  [ "$got" = "sync" ] || fail "fish reel sy -> $got"
  got=$(PATH="$WORK/bin:$PATH" fish -c 'source reel.fish; complete -C "reel repo set-b"' | cut -f1)
  [ "$got" = "set-blessed" ] || fail "fish reel repo set-b -> $got"
  usage_error() { expect 2 "$REEL" "$@"; }
  usage_error completions powershell
  ;;
user_config)
  # $XDG_CONFIG_HOME/reel/config.toml: init's repos and link mode, the cache, color; flag > env >
  # workspace > user config; the same input checks as every TOML file.
  unset REEL_CACHE_DIR
  export XDG_CONFIG_HOME=$WORK/config HOME=$WORK/home
  mkdir -p config/reel home
  "$REEL" -q --cache-dir "$WORK/c0" repo init repos/blessed --name blessed
  "$REEL" -q --cache-dir "$WORK/c0" repo init repos/review --name review
  cat > config/reel/config.toml <<EOF
# my defaults
cache-dir = "$WORK/usercache"
link-mode = "copy"
color = "always"

[[repo]]
name = "blessed"
url = "$WORK/repos/blessed"

[[repo]]
name = "review"
url = "$WORK/repos/review"
EOF
  expect 0 "$REEL" init ws
  grep -qx 'link-mode = "copy"' ws/workspace.toml || fail "link-mode from the config: $(cat ws/workspace.toml)"
  expect 0 "$REEL" -C ws repo list
  printf '%s\n' "blessed  $WORK/repos/blessed  [blessed]" "review   $WORK/repos/review   [default]" > want
  golden want
  expect 0 "$REEL" init ws2 --link-mode hardlink --repo blessed=repos/blessed
  grep -qx 'link-mode = "hardlink"' ws2/workspace.toml || fail "--link-mode over the config"
  [ "$(grep -c '^\[\[repo\]\]' ws2/workspace.toml)" = 1 ] || fail "--repo over the config's repos"
  # The cache: config, then REEL_CACHE_DIR over it, then --cache-dir over both.
  asset ws/outputs/Table Table 1.0.0
  "$REEL" -q -C ws build Table
  [ -d usercache/objects-v1 ] || fail "the config's cache-dir is not used"
  REEL_CACHE_DIR=$WORK/envcache "$REEL" -q -C ws build Table
  [ -d envcache/objects-v1 ] || fail "REEL_CACHE_DIR does not win over the config"
  REEL_CACHE_DIR=$WORK/envcache "$REEL" -q -C ws --cache-dir "$WORK/flagcache" build Table
  [ -d flagcache/objects-v1 ] || fail "--cache-dir does not win over REEL_CACHE_DIR"
  # color = "always": errors are red even off a terminal; --color never and NO_COLOR win.
  expect 1 "$REEL" -C ws add Tabel
  grep -q $'\033\[31merror:' "$WORK/err" || fail "color = always is not used"
  expect 1 "$REEL" -C ws --color never add Tabel
  grep -q $'\033' "$WORK/err" && fail "--color never did not win"
  NO_COLOR=1 expect 1 "$REEL" -C ws add Tabel
  grep -q $'\033' "$WORK/err" && fail "NO_COLOR did not win over the config"
  # Bad config files are refused naming the file, before toml11 parses them.
  for bad in 'color = "\xff"\n' 'color = "a\x01"\n' 'colour = "never"\n' 'parallel-transfers = 100\n' \
             '\x0a\x27\xe1\x27\xe1\x01'; do
    printf "$bad" > config/reel/config.toml
    expect 1 "$REEL" -C ws tree
    stderr_has "$WORK/config/reel/config.toml"
  done
  printf 'parallel-transfers = 4\n' > config/reel/config.toml
  expect 0 "$REEL" -C ws repo list
  REEL_PARALLEL_TRANSFERS=zero expect 1 "$REEL" -C ws repo list
  stderr_has "REEL_PARALLEL_TRANSFERS=zero: expected a whole number 1-64"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
