"""Runs inside Blender (`blender -b --factory-startup --python kitchen_layout.py -- WORKSPACE`):
opens the kitchen workspace with reel's Python API, syncs it, imports the installed Table and
Chair OBJ files, saves outputs/KitchenLayout/layout.blend, and publishes KitchenLayout 1.0.0 with
its dependencies pinned (==) to the exact Table and Chair versions the workspace used.

reel must be importable: PYTHONPATH=BUILD/python (or a `cmake --install` prefix's
lib/python3.11/dist-packages; docs/python.md). Prints one line `kitchen-layout: {json}` with
what it did; exits non-zero on any failure (Blender itself would exit 0 after a script error).
"""

import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

import bpy  # Blender's module: only inside Blender


def import_obj(path: Path) -> None:
    # Blender 3.4 has the C++ importer (wm.obj_import, since 3.2) and the legacy Python add-on
    # (import_scene.obj); use the C++ one when present.
    if "obj_import" in dir(bpy.ops.wm):
        bpy.ops.wm.obj_import(filepath=str(path))
    else:
        bpy.ops.import_scene.obj(filepath=str(path))


def pin_dependencies(asset_toml: Path, pins: dict) -> None:
    """Writes `Name = "==X.Y.Z"` lines into the [dependencies] table `reel new` wrote."""
    text = asset_toml.read_text()
    lines = "".join(f'{name} = "=={version}"\n' for name, version in sorted(pins.items()))
    if "[dependencies]\n" not in text:
        raise RuntimeError(f"{asset_toml}: no [dependencies] table")
    asset_toml.write_text(text.replace("[dependencies]\n", "[dependencies]\n" + lines, 1))


def main(workspace: Path) -> dict:
    import reel

    started = time.monotonic()
    ws = reel.Workspace.open(workspace)
    report = ws.sync()
    lock = ws.read_lock()
    used = {name: lock[name].version for name in ("Table", "Chair")}

    bpy.ops.wm.read_factory_settings(use_empty=True)
    for name in ("Table", "Chair"):
        objs = sorted(ws.inputs_path(name).glob("*.obj"))
        if not objs:
            raise RuntimeError(f"inputs/{name} has no .obj file")
        import_obj(objs[0])
    # Place the chair beside the table so the layout is a layout.
    for obj in bpy.context.scene.objects:
        if obj.name.lower().startswith("chair"):
            obj.location.x += 1.2
    objects = sorted(o.name for o in bpy.context.scene.objects)

    out = ws.new("KitchenLayout", type="layout", version="1.0.0")
    blend = out / "layout.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend), compress=False)
    pin_dependencies(out / "asset.toml", {k: str(v) for k, v in used.items()})
    subprocess.run(["git", "-C", str(out), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(out), "commit", "-q", "-m", "KitchenLayout 1.0.0"],
                   check=True)
    published = ws.publish("KitchenLayout", repo="blessed")
    ws.close()
    return {
        "synced": sorted(report.installed),
        "used": {k: str(v) for k, v in used.items()},
        "objects": objects,
        "blend_bytes": blend.stat().st_size,
        "published": f"{published.name} {published.version} -> {published.repo}",
        "seconds_in_blender_script": round(time.monotonic() - started, 2),
    }


if __name__ == "__main__":
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if len(args) != 1:
        print("usage: blender -b --factory-startup --python kitchen_layout.py -- WORKSPACE",
              file=sys.stderr)
        sys.exit(2)
    try:
        summary = main(Path(args[0]))
    except BaseException:  # noqa: BLE001 - any failure must fail the Blender process
        traceback.print_exc()
        sys.stdout.flush()
        sys.exit(1)
    print("kitchen-layout: " + json.dumps(summary), flush=True)
    sys.exit(0)
