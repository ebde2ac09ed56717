#!/usr/bin/env python3
"""Checks every command's --json output against its schema in docs/json.md (issue 15).

usage: json_schema.py REEL_BINARY [--draft]

Runs a real scenario (folder repos, a workspace, outputs, publish, lock, sync, bundles, errors)
with --json on every step, parses stdout as JSON and validates it with the JSON Schema (draft
2020-12, Debian's python3-jsonschema) that docs/json.md gives under the heading "## `reel CMD`".
Also checks that every command `reel --help` lists (and every subcommand of a group) has a
schema or is listed under "Commands without a JSON result", and that errors and usage errors
print the documented {"error": ...} object with exit codes 1 and 2.

--draft prints a schema inferred from the observed output for each step whose command has no
schema yet (a starting point for docs/json.md, to be reviewed, never pasted blindly).
Exit status: 0 when everything validates, 1 with one line per problem otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "json.md")


def load_schemas(path):
    """{command key: schema} from docs/json.md, and the set of commands without JSON."""
    text = open(path, encoding="utf-8").read()
    schemas, no_json = {}, set()
    sections = re.split(r"^## ", text, flags=re.M)
    for section in sections[1:]:
        title, _, body = section.partition("\n")
        m = re.match(r"`reel ([^`]+)`", title)
        if m:
            block = re.search(r"```json\n(.*?)```", body, flags=re.S)
            if not block:
                raise SystemExit(f"docs/json.md: section {title!r} has no ```json block")
            try:
                schemas[m.group(1)] = json.loads(block.group(1))
            except json.JSONDecodeError as e:
                raise SystemExit(f"docs/json.md: section {title!r}: invalid JSON: {e}")
        elif title.startswith("Commands without a JSON result"):
            no_json.update(re.findall(r"^- `reel ([^`]+)`", body, flags=re.M))
    return schemas, no_json


def subcommands(reel, words):
    """The subcommand names `reel WORDS --help` lists ([] for a leaf command)."""
    out = subprocess.run([reel, *words, "--help"], capture_output=True, text=True).stdout
    names, inside = [], False
    for line in out.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
            continue
        if inside:
            m = re.match(r"^  ([a-z][a-z0-9-]*)\s", line)
            if m:
                names.append(m.group(1))
            elif line and not line.startswith(" "):
                inside = False
    return names


def all_commands(reel):
    commands = []
    for name in subcommands(reel, []):
        subs = subcommands(reel, [name])
        if subs:
            commands.extend(f"{name} {s}" for s in subs)
        else:
            commands.append(name)
    return commands


def infer(value):
    """A draft schema for one observed value."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        schema = {"type": "array"}
        if value:
            schema["items"] = infer(value[0])
        return schema
    return {
        "type": "object",
        "required": sorted(value),
        "properties": {k: infer(v) for k, v in sorted(value.items())},
        "additionalProperties": False,
    }


def merge(a, b):
    """A draft schema admitting what drafts `a` and `b` admit (objects: keys in both required)."""
    if a == b:
        return a
    if a.get("type") == "object" and b.get("type") == "object":
        props = dict(a["properties"])
        for k, v in b["properties"].items():
            props[k] = merge(props[k], v) if k in props else v
        return {"type": "object", "required": sorted(set(a["required"]) & set(b["required"])),
                "properties": dict(sorted(props.items())), "additionalProperties": False}
    if a.get("type") == "array" and b.get("type") == "array":
        if "items" in a and "items" in b:
            return {"type": "array", "items": merge(a["items"], b["items"])}
        return a if "items" in a else b
    types = []
    for s in (a, b):
        t = s.get("type")
        for x in (t if isinstance(t, list) else [t]):
            if x not in types:
                types.append(x)
    if all(t in ("string", "integer", "number", "boolean", "null") for t in types):
        return {"type": types}
    return {"anyOf": [a, b]}


class Run:
    def __init__(self, reel, work, draft):
        self.reel, self.work, self.draft = reel, work, draft
        self.schemas, self.no_json = load_schemas(DOC)
        self.problems, self.checked, self.drafts = [], set(), {}
        self.env = dict(os.environ, REEL_CACHE_DIR=os.path.join(work, "cache"), LC_ALL="C",
                        GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@reel.invalid",
                        GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@reel.invalid")

    def step(self, key, *args, rc=0, ws=None, schema=None):
        """Runs `reel [-C ws] --json ARGS`, checks the exit code and validates stdout."""
        argv = [self.reel, "--json", "--no-progress"]
        if ws:
            argv += ["-C", os.path.join(self.work, ws)]
        argv += list(args)
        p = subprocess.run(argv, cwd=self.work, env=self.env, capture_output=True, text=True)
        where = f"`reel {' '.join(args)}`"
        if p.returncode != rc:
            self.problems.append(f"{where}: exit {p.returncode}, expected {rc}\n{p.stderr}")
            return None
        try:
            value = json.loads(p.stdout)
        except json.JSONDecodeError as e:
            self.problems.append(f"{where}: stdout is not one JSON document ({e}): {p.stdout!r}")
            return None
        name = schema or key
        self.checked.add(key)
        if name not in self.schemas:
            if self.draft:
                seen = self.drafts.get(name)
                self.drafts[name] = merge(seen, infer(value)) if seen else infer(value)
            else:
                self.problems.append(f"{where}: docs/json.md has no schema for `reel {name}`")
            return value
        try:
            jsonschema.validate(value, self.schemas[name],
                                cls=jsonschema.Draft202012Validator)
        except jsonschema.ValidationError as e:
            path = "/".join(str(x) for x in e.absolute_path)
            self.problems.append(f"{where}: against `reel {name}` at /{path}: {e.message}")
        return value

    def write(self, path, text):
        full = os.path.join(self.work, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def git_commit(self, folder, message):
        subprocess.run(["git", "-C", os.path.join(self.work, folder), "add", "-A"], check=True,
                       env=self.env)
        subprocess.run(["git", "-C", os.path.join(self.work, folder), "commit", "-qm", message],
                       check=True, env=self.env)


def scenario(r):
    r.step("repo init", "repo", "init", "repos/blessed", "--name", "blessed")
    r.step("repo init", "repo", "init", "repos/review", "--name", "review")
    r.step("init", "init", "ws", "--repo", "blessed=repos/blessed")
    r.step("repo add", "repo", "add", "review", os.path.join(r.work, "repos/review"),
           "--default", ws="ws")
    r.step("repo list", "repo", "list", ws="ws")
    r.step("new", "new", "Leg", "--type", "prop", ws="ws")
    r.write("ws/outputs/Leg/leg.obj", "v 0 0 0\n")
    r.git_commit("ws/outputs/Leg", "leg geometry")
    r.step("bump", "bump", "Leg", "minor", ws="ws")
    r.step("build", "build", "Leg", ws="ws")
    r.step("publish", "publish", "Leg", "--allow-dirty", "--repo", "blessed", ws="ws")
    r.step("new", "new", "Table", "--type", "prop", ws="ws")
    manifest = os.path.join(r.work, "ws/outputs/Table/asset.toml")
    text = open(manifest, encoding="utf-8").read()
    text = text.replace("[dependencies]\n", '[dependencies]\nLeg = ">=0.2"\n')
    text += ('\n[env]\nTABLE_ROOT = "{root}"\n\n[scripts]\nturntable = "echo turntable"\n\n'
             '[metadata]\nproject = "Demo"\n')
    r.write("ws/outputs/Table/asset.toml", text)
    r.write("ws/outputs/Table/frames/frame.0001.dat", "1")
    r.write("ws/outputs/Table/frames/frame.0002.dat", "2")
    r.step("publish", "publish", "Table", "--allow-dirty", "--repo", "blessed", ws="ws")
    r.step("add", "add", "Table", ws="ws")
    r.step("lock", "lock", ws="ws")
    r.step("sync", "sync", ws="ws")
    r.step("tree", "tree", ws="ws")
    r.step("tree --files", "tree", "--files", "Table", ws="ws", schema="tree --files")
    r.step("why", "why", "Leg", ws="ws")
    r.step("verify", "verify", ws="ws")
    r.step("verify --cache", "verify", "--cache", ws="ws", schema="verify --cache")
    r.step("env", "env", ws="ws")
    r.step("scripts", "scripts", ws="ws")
    r.step("status", "status", ws="ws")
    r.step("bump", "bump", "Leg", "patch", ws="ws")
    r.step("publish", "publish", "Leg", "--allow-dirty", "--repo", "blessed", ws="ws")
    r.step("outdated", "outdated", ws="ws")
    r.step("rdeps", "rdeps", "Leg", ws="ws")
    r.step("export requirements", "export", "requirements", ws="ws")
    r.step("export requirements", "export", "requirements", "-o", "req.txt", ws="ws")
    r.step("review list", "review", "list", "--repo", "blessed", ws="ws")
    r.step("review approve", "review", "approve", "Leg==0.2.0", "--repo", "blessed", "--note",
           "ok", ws="ws")
    r.step("review reject", "review", "reject", "Leg==0.2.1", "--repo", "blessed", "--note",
           "too short", ws="ws")
    r.step("yank", "yank", "Leg==0.2.1", "--reason", "broken UVs", ws="ws")
    r.step("unyank", "unyank", "Leg==0.2.1", ws="ws")
    r.step("promote", "promote", "Leg==0.2.0", "--from", "blessed", "--to", "review", ws="ws")
    r.step("list", "list", ws="ws")
    r.step("search", "search", "leg", ws="ws")
    r.step("show", "show", "Leg", ws="ws")
    r.step("show", "show", "Leg==0.2.0", ws="ws")
    r.step("log", "log", ws="ws")
    r.step("log", "log", "Leg", "--repo", "blessed", ws="ws")
    r.step("export watchtower", "export", "watchtower", "-o", os.path.join(r.work, "site"),
           "--repo", "blessed", ws="ws")
    r.step("repo set-default", "repo", "set-default", "blessed", ws="ws")
    r.step("repo set-blessed", "repo", "set-blessed", "review", "--add", ws="ws")
    r.step("repo add", "repo", "add", "extra", os.path.join(r.work, "repos/review"), ws="ws")
    r.step("repo remove", "repo", "remove", "extra", ws="ws")
    r.step("semver", "semver", "^1.2", "1.2.0", "1.9.9", "2.0.0")
    r.step("version", "version")
    r.step("export bundle", "export", "bundle", "-o", os.path.join(r.work, "job.tar.zst"), ws="ws")
    r.step("import bundle", "import", "bundle", os.path.join(r.work, "job.tar.zst"),
           "--workspace", os.path.join(r.work, "farm"))
    r.write("plates/plate.0001.png", "plate")
    r.step("ingest", "ingest", "Table", os.path.join(r.work, "plates"), "--path", "plates/",
           ws="ws")
    r.step("ingest --check", "ingest", "--check", "Table", ws="ws", schema="ingest --check")
    r.step("init", "init", "ws2", "--repo", "blessed=repos/blessed")
    r.step("edit", "edit", "Table", ws="ws2")
    # verify finding a problem: its result with ok false is the whole stdout, exit 1.
    r.step("sync", "sync", "--frozen", ws="farm")
    victim = os.path.join(r.work, "farm/inputs/Leg/asset.toml")
    os.chmod(victim, 0o644)
    with open(victim, "a", encoding="utf-8") as f:
        f.write("# changed\n")
    got = r.step("verify", "verify", ws="farm", rc=1)
    if got is not None and (got["ok"] or not got["problems"]):
        r.problems.append(f"`reel verify` after a change: {got}")
    r.step("remove", "remove", "Table", ws="ws")
    r.step("gc", "gc")
    # Errors: the documented object on stdout, exit 1 for a failure and 2 for a usage error.
    for want, args, rc in (("not_found", ["edit", "NoSuchThing"], 1), ("usage", ["intt"], 2),
                           ("usage", ["add"], 2), ("usage", ["publish"], 2)):
        got = r.step("error", *args, ws="ws", rc=rc, schema="error")
        if got is not None and got.get("error", {}).get("code") != want:
            r.problems.append(f"`reel {' '.join(args)}`: error code {got} is not {want!r}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    reel = os.path.realpath(sys.argv[1])
    draft = "--draft" in sys.argv[2:]
    work = tempfile.mkdtemp(prefix="reel-json-")
    try:
        r = Run(reel, work, draft)
        scenario(r)
        commands = all_commands(reel)
        if not commands:
            r.problems.append("`reel --help` lists no commands")
        for command in commands:
            if command in r.no_json:
                continue
            if command not in r.schemas:
                r.problems.append(f"`reel {command}` has no schema in docs/json.md and is not "
                                  "listed under 'Commands without a JSON result'")
            elif command not in r.checked and not draft:
                r.problems.append(f"`reel {command}` has a schema but the scenario never runs it")
        for name, schema in r.drafts.items():
            print(f"## `reel {name}`\n\n```json\n{json.dumps(schema, indent=2)}\n```\n")
        for problem in r.problems:
            print("FAIL:", problem, file=sys.stderr)
        if not r.problems:
            print(f"ok: {len(r.checked)} commands' JSON validated against docs/json.md")
        return 1 if r.problems else 0
    finally:
        subprocess.run(["chmod", "-R", "u+w", work])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
