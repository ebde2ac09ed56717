"""The Blender test (ctest -L dcc): reel's Python API inside Debian's Blender 3.4, end to end.

1. The kitchen example's Table 3.2.1, Chair 1.2.4 and KitchenSet 1.4.0 are published with the
   real `reel` CLI into a folder repo; a workspace "kitchen" requires KitchenSet (not synced).
2. `blender -b --factory-startup --python kitchen_layout.py -- kitchen`: inside Blender's Python,
   reel syncs the workspace, the Table and Chair OBJs are imported, layout.blend is saved and
   KitchenLayout 1.0.0 is published with Table ==3.2.1 and Chair ==1.2.4.
3. A fresh workspace installs KitchenLayout with the CLI: the .blend is there with Blender's
   magic, its asset.toml pins the exact versions, and the lock holds them.

usage: python3 run_test.py REEL_BINARY BUILD/python
Prints the time Blender took and the whole test's time.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
KITCHEN = HERE.parent / "kitchen" / "assets"


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: run_test.py REEL_BINARY BUILD/python")
    reel, pythonpath = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    blender = shutil.which("blender")
    if not blender:
        fail("blender is not installed (scripts/install-deps.sh installs Debian's blender)")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="reel-blender-"))
    env = dict(os.environ, REEL_CACHE_DIR=str(work / "cache"), PYTHONPATH=pythonpath,
               GIT_AUTHOR_NAME="reel example", GIT_AUTHOR_EMAIL="example@reel.invalid",
               GIT_COMMITTER_NAME="reel example", GIT_COMMITTER_EMAIL="example@reel.invalid")

    def run(*args: str) -> str:
        proc = subprocess.run([reel, "--no-progress", *args], env=env, text=True,
                              capture_output=True, timeout=120)
        if proc.returncode != 0:
            fail(f"reel {' '.join(args)}:\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    try:
        blessed = work / "blessed"
        run("repo", "init", str(blessed), "--name", "blessed")
        run("init", str(work / "staging"), "--repo", f"blessed={blessed}")
        for asset, version in (("Table", "3.2.1"), ("Chair", "1.2.4"), ("KitchenSet", "1.4.0")):
            shutil.copytree(KITCHEN / asset / version, work / "staging" / "outputs" / asset)
            run("-C", str(work / "staging"), "publish", asset, "--allow-dirty")
        run("init", str(work / "kitchen"), "--repo", f"blessed={blessed}")
        toml = work / "kitchen" / "workspace.toml"  # require KitchenSet, as a TD would
        toml.write_text(toml.read_text().replace("[requirements]\n",
                                                 '[requirements]\nKitchenSet = "*"\n', 1))

        t0 = time.monotonic()
        proc = subprocess.run([blender, "-b", "--factory-startup", "--python",
                               str(HERE / "kitchen_layout.py"), "--", str(work / "kitchen")],
                              env=env, text=True, capture_output=True, timeout=300)
        blender_seconds = time.monotonic() - t0
        summary = [line for line in proc.stdout.splitlines()
                   if line.startswith("kitchen-layout: ")]
        if proc.returncode != 0 or not summary:
            fail(f"blender exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        result = json.loads(summary[-1][len("kitchen-layout: "):])
        print("inside Blender:", json.dumps(result, indent=2))
        if result["used"] != {"Table": "3.2.1", "Chair": "1.2.4"}:
            fail(f"the workspace used {result['used']}")
        if not any(o.lower().startswith("table") for o in result["objects"]) or \
                not any(o.lower().startswith("chair") for o in result["objects"]):
            fail(f"the scene holds {result['objects']}, not the table and the chair")

        # A fresh workspace installs what Blender published, with the CLI.
        run("init", str(work / "fresh"), "--repo", f"blessed={blessed}")
        run("-C", str(work / "fresh"), "add", "KitchenLayout")
        installed = work / "fresh" / "inputs" / "KitchenLayout"
        blend = installed / "layout.blend"
        if not blend.is_file():
            fail(f"{blend} is missing")
        with open(blend, "rb") as f:
            magic = f.read(7)
        if magic != b"BLENDER":
            fail(f"{blend} starts with {magic!r}, not Blender's magic")
        manifest = tomllib.loads((installed / "asset.toml").read_text())
        if manifest["asset"]["version"] != "1.0.0" or \
                manifest.get("dependencies") != {"Chair": "==1.2.4", "Table": "==3.2.1"}:
            fail(f"KitchenLayout's asset.toml: {manifest}")
        lock = tomllib.loads((work / "fresh" / "reel.lock").read_text())
        locked = {p["name"]: p["version"] for p in lock["package"]}
        if locked != {"KitchenLayout": "1.0.0", "Table": "3.2.1", "Chair": "1.2.4"}:
            fail(f"the fresh workspace locked {locked}")
        print(f"blender: {blender_seconds:.1f} s; whole test: {time.monotonic() - started:.1f} s")
        print("PASS: KitchenLayout 1.0.0 made in Blender, installed with Table ==3.2.1 and "
              "Chair ==1.2.4")
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
