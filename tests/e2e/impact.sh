#!/usr/bin/env bash
# Impact analysis end to end (issue 3): `reel rdeps` (push / pull / excluded for a new version,
# --newest, --repo PATH outside a workspace, --json), `reel outdated` (compatible vs latest and the
# range that excludes latest, --json), `reel tree --invert` (text and nested JSON), and
# `reel lock --dry-run` (nothing written). JSON is checked with jq.
# usage: impact.sh REEL_BINARY
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is missing (scripts/install-deps.sh installs it)"
setup_kitchen

# publish NAME FROM_VERSION NEW_VERSION [TABLE_RANGE]: a copy of a kitchen asset under a new version.
publish() {
  rm -rf "staging/outputs/$1"
  cp -r "$KITCHEN/$1/$2" "staging/outputs/$1"
  sed -i "s/^version = .*/version = \"$3\"/" "staging/outputs/$1/asset.toml"
  if [ -n "${4:-}" ]; then sed -i "s/^Table = .*/Table = \"$4\"/" "staging/outputs/$1/asset.toml"; fi
  "$REEL" -q -C staging publish "$1" --allow-dirty >/dev/null
}

"$REEL" -q -C ws add KitchenSet
expect 0 "$REEL" -C ws tree --invert table
diff -u - "$WORK/out" <<'TREE' || fail "tree --invert text"
Table 3.2.1
└── KitchenSet 1.4.0
    └── the workspace
TREE
expect 0 "$REEL" -C ws tree --invert Table --json
[ "$(jq -c '[.name, .version, .children[0].name, .children[0].children[0].name, .children[0].children[0].version]' "$WORK/out")" = \
  '["Table","3.2.1","KitchenSet","the workspace",null]' ] || fail "tree --invert --json: $(cat "$WORK/out")"
expect 0 "$REEL" -C ws tree --json
[ "$(jq -c '[.[0].name, [.[0].children[].name]]' "$WORK/out")" = '["KitchenSet",["Chair","Table"]]' ] ||
  fail "tree --json: $(cat "$WORK/out")"
expect 1 "$REEL" -C ws tree --invert Lamp
stderr_has "Lamp is not in reel.lock"

# Nothing newer yet.
expect 0 "$REEL" -C ws outdated
grep -qF "all 3 locked packages are at their newest version" "$WORK/out" || fail "outdated: $(cat "$WORK/out")"

# New publications: Table 3.3.0 and 4.0.0, Chair 1.3.0, KitchenSet 1.5.0 with Table >=3.2.1,<4.
publish Table 3.2.1 3.3.0
publish Table 3.2.1 4.0.0
publish Chair 1.2.4 1.3.0
publish KitchenSet 1.4.0 1.5.0 ">=3.2.1,<4"
lock_before=$(sha256sum ws/reel.lock)
expect 0 "$REEL" -C ws outdated
diff -u - "$WORK/out" <<'OUT' || fail "outdated text"
package                 locked      compatible  latest
Chair                   1.2.4       1.3.0       1.3.0
KitchenSet              1.4.0       1.5.0       1.5.0
Table                   3.2.1       3.3.0       4.0.0
    4.0.0 excluded: KitchenSet 1.5.0 requires Table >=3.2.1,<4
OUT
expect 0 "$REEL" -C ws outdated --json
[ "$(jq -c '.packages[] | select(.name == "Table") | [.locked, .compatible, .latest, .excluded_by]' "$WORK/out")" = \
  '["3.2.1","3.3.0","4.0.0",["KitchenSet 1.5.0 requires Table >=3.2.1,<4"]]' ] || fail "outdated --json: $(cat "$WORK/out")"
[ "$(jq -c '[.packages[] | select(.name == "KitchenSet") | .direct]' "$WORK/out")" = '[true]' ] ||
  fail "KitchenSet is a direct requirement"
expect 0 "$REEL" -C ws lock --dry-run --upgrade
grep -qxF "Would update Table 3.2.1 -> 3.3.0" "$WORK/out" || fail "lock --dry-run --upgrade: $(cat "$WORK/out")"
[ "$lock_before" = "$(sha256sum ws/reel.lock)" ] || fail "outdated or lock --dry-run changed reel.lock"

# rdeps: a push of Table 3.3.0 reaches 1.5.0 (bounded, takes), 1.4.0 must be re-published (pull),
# 1.3.0's range <2.0 excludes it.
expect 0 "$REEL" -C ws rdeps Table --version 3.3.0
diff -u - "$WORK/out" <<'OUT' || fail "rdeps text"
Table: 3 dependent versions in repo 'blessed'
  KitchenSet 1.3.0        >=1.2.3,<2.0    bounded  excluded
  KitchenSet 1.4.0        ==3.2.1         concrete pull
  KitchenSet 1.5.0        >=3.2.1,<4      bounded  takes
Table 3.3.0: 1 take it (push), 1 pin another version (pull: re-publish to take it), 1 exclude it by their range
OUT
expect 0 "$REEL" -C ws rdeps Table --version 4.0.0 --newest --json
[ "$(jq -c '[.dependents[] | [.package, .version, .kind, .impact]] + [.summary]' "$WORK/out")" = \
  '[["KitchenSet","1.5.0","bounded","excluded"],{"excluded":1,"pull":0,"takes":0}]' ] || fail "rdeps --json: $(cat "$WORK/out")"
# Outside a workspace, a repo path; without one, a clear usage error.
expect 0 "$REEL" rdeps chair --repo repos/blessed --json
[ "$(jq -c '[.dependents[] | .range] | unique' "$WORK/out")" = '[">=1.2.3,<2.0"]' ] || fail "rdeps --repo: $(cat "$WORK/out")"
expect 1 "$REEL" rdeps chair
stderr_starts_with_error; stderr_has "needs --repo"
expect 1 "$REEL" rdeps chair --repo repos/nowhere
stderr_starts_with_error; stderr_has "repos/nowhere"
expect 1 "$REEL" -C ws rdeps Table --version 4.x
stderr_has "--version"
echo "impact: ok"
