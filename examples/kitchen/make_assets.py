#!/usr/bin/env python3
"""Writes examples/kitchen/assets/: tgzr's kitchen scenario as small real-format files.

Run once; the output is committed (small text files; the Shot's frames are made by run.sh with
ffmpeg at run time, so no binary frames are committed).
Table 1.2.3, 1.5.0, 2.0.0, 3.2.1 and Chair 1.2.4 are OBJ meshes with an MTL material and a PNG
texture; KitchenSet 1.2.0 / 1.3.0 / 1.4.0 are USDA layers that reference them, with abstract,
bounded and concrete dependencies on Table. KitchenTools 1.0.0 is a tool asset (bin/kitchen-info
on PATH, the kitchen_tools Python module on PYTHONPATH, an `info` script); Shot 1.0.0 is a shot
whose [[step]]s make a preview movie of its frames (ffmpeg) and a glTF of Table (assimp).
"""
import os, struct, zlib, shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")


def png(width, height, rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b""
    for y in range(height):
        rows += b"\x00"
        for x in range(width):
            shade = 0.75 + 0.25 * (((x // 4) + (y // 4)) % 2)
            rows += bytes(int(c * shade) for c in rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def box_obj(name, mtl, sx, sy, sz):
    v = [(x * sx, y * sy, z * sz) for x in (-0.5, 0.5) for y in (0, 1) for z in (-0.5, 0.5)]
    faces = [(1, 2, 4, 3), (5, 7, 8, 6), (1, 5, 6, 2), (3, 4, 8, 7), (1, 3, 7, 5), (2, 6, 8, 4)]
    out = [f"# {name}: a box mesh", f"mtllib {mtl}", f"o {name}"]
    out += [f"v {x:.4f} {y:.4f} {z:.4f}" for x, y, z in v]
    out += ["vt 0 0", "vt 1 0", "vt 1 1", "vt 0 1", "usemtl surface"]
    out += ["f " + " ".join(f"{i}/{k + 1}" for k, i in enumerate(f)) for f in faces]
    return "\n".join(out) + "\n"


def mtl(texture, rgb):
    r, g, b = (c / 255 for c in rgb)
    return f"newmtl surface\nKd {r:.3f} {g:.3f} {b:.3f}\nmap_Kd {texture}\n"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def asset_toml(name, version, kind, description, deps, env_key):
    lines = ["[asset]", f'name = "{name}"', f'version = "{version}"', f'type = "{kind}"',
             f'description = "{description}"', "", "[dependencies]"]
    lines += [f'{k} = "{v}"' for k, v in deps]
    lines += ["", "[env]", f'{env_key} = "{{root}}"', ""]
    return "\n".join(lines)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    tables = {"1.2.3": ((150, 100, 60), 1.2), "1.5.0": ((170, 110, 70), 1.4),
              "2.0.0": ((120, 80, 50), 1.6), "3.2.1": ((200, 190, 170), 2.0)}
    for version, (rgb, length) in tables.items():
        d = os.path.join(ROOT, "Table", version)
        write(os.path.join(d, "asset.toml"), asset_toml("Table", version, "prop", f"Kitchen table, {length} m", [], "TABLE_ROOT"))
        write(os.path.join(d, "table.obj"), box_obj("Table", "table.mtl", length, 0.75, 0.8))
        write(os.path.join(d, "table.mtl"), mtl("textures/wood.png", rgb))
        write(os.path.join(d, "textures", "wood.png"), png(16, 16, rgb))
    d = os.path.join(ROOT, "Chair", "1.2.4")
    write(os.path.join(d, "asset.toml"), asset_toml("Chair", "1.2.4", "prop", "Kitchen chair", [], "CHAIR_ROOT"))
    write(os.path.join(d, "chair.obj"), box_obj("Chair", "chair.mtl", 0.45, 0.9, 0.45))
    write(os.path.join(d, "chair.mtl"), mtl("textures/paint.png", (60, 90, 140)))
    write(os.path.join(d, "textures", "paint.png"), png(16, 16, (60, 90, 140)))
    sets = {"1.2.0": "*", "1.3.0": ">=1.2.3,<2.0", "1.4.0": "==3.2.1"}
    for version, table_range in sets.items():
        d = os.path.join(ROOT, "KitchenSet", version)
        write(os.path.join(d, "asset.toml"), asset_toml("KitchenSet", version, "set", "Kitchen set dressing",
                                                        [("Chair", ">=1.2.3,<2.0"), ("Table", table_range)], "KITCHENSET_ROOT"))
        chairs = 2 if version == "1.2.0" else 4
        usda = ['#usda 1.0', '(', '    defaultPrim = "Kitchen"', '    metersPerUnit = 1', '    upAxis = "Y"', ')', '',
                'def Xform "Kitchen"', '{',
                '    def Xform "Table" (', '        references = @../Table/table.obj@', '    )', '    {', '    }']
        for i in range(chairs):
            usda += [f'    def Xform "Chair_{i}" (', '        references = @../Chair/chair.obj@', '    )', '    {',
                     f'        double3 xformOp:translate = ({(-0.8 if i % 2 else 0.8):.1f}, 0, {0.5 * (i // 2) - 0.25:.2f})',
                     '        uniform token[] xformOpOrder = ["xformOp:translate"]', '    }']
        usda += ['}', '']
        write(os.path.join(d, "kitchen.usda"), "\n".join(usda))


KITCHEN_TOOLS_TOML = """[asset]
name = "KitchenTools"
version = "1.0.0"
type = "tool"
description = "The kitchen's pipeline tools: kitchen-info and the kitchen_tools Python module"

[env]
KITCHENTOOLS_ROOT = "{root}"
PATH = { prepend = "{root}/bin" }
PYTHONPATH = { prepend = "{root}/python" }

[scripts]
info = "kitchen-info"
"""

KITCHEN_INFO = """#!/usr/bin/env python3
\"\"\"kitchen-info: what a kitchen workspace holds. A tool carried by the KitchenTools asset: its [env]
puts bin/ on PATH and python/ on PYTHONPATH, so this finds the kitchen_tools module.\"\"\"
import sys

import kitchen_tools

sys.exit(kitchen_tools.main(sys.argv[1:]))
"""

KITCHEN_TOOLS_PY = '''"""kitchen_tools: helpers for the kitchen's assets, found through PYTHONPATH."""
import os

VERSION = "1.0.0"


def obj_vertices(path):
    """The number of vertices of an OBJ mesh."""
    with open(path) as f:
        return sum(1 for line in f if line.startswith("v "))


def main(args):
    inputs = os.environ.get("REEL_INPUTS", "")
    print(f"kitchen-info {VERSION} ({os.path.dirname(os.path.abspath(__file__))})")
    print(f"workspace: {os.environ.get('REEL_WORKSPACE', '(none)')}")
    if os.path.isdir(inputs):
        print("installed: " + ", ".join(sorted(os.listdir(inputs))))
    table = os.environ.get("TABLE_ROOT")
    if table and os.path.isfile(os.path.join(table, "table.obj")):
        print(f"Table: {obj_vertices(os.path.join(table, 'table.obj'))} vertices in {table}")
    for a in args:
        print(f"argument: {a}")
    return 0
'''

SHOT_TOML = """[asset]
name = "Shot"
version = "1.0.0"
type = "shot"
description = "sq010 sh010: 48 frames, a preview movie of them and the kitchen table as glTF"

[dependencies]
Table = "*"

[[step]]
name = "preview"
cmd = "ffmpeg -hide_banner -loglevel error -y -framerate 24 -i frames/shot.%04d.png -c:v libx264 -pix_fmt yuv420p preview.mp4"
deps = ["frames/"]
outs = ["preview.mp4"]

[[step]]
name = "mesh"
cmd = "assimp export \\"$TABLE_ROOT/table.obj\\" table.glb"
deps = ["pkg:Table"]
outs = ["table.glb"]

[metadata]
project = "Kitchen"
sequence = "sq010"
shot = "sh010"
frame_in = 1
frame_out = 48
fps = 24
"""


def tools_and_shot():
    d = os.path.join(ROOT, "KitchenTools", "1.0.0")
    write(os.path.join(d, "asset.toml"), KITCHEN_TOOLS_TOML)
    write(os.path.join(d, "bin", "kitchen-info"), KITCHEN_INFO)
    os.chmod(os.path.join(d, "bin", "kitchen-info"), 0o755)
    write(os.path.join(d, "python", "kitchen_tools", "__init__.py"), KITCHEN_TOOLS_PY)
    # The Shot's frames (frames/shot.####.png) are made by run.sh with ffmpeg.
    write(os.path.join(ROOT, "Shot", "1.0.0", "asset.toml"), SHOT_TOML)


if __name__ == "__main__":
    main()
    tools_and_shot()
