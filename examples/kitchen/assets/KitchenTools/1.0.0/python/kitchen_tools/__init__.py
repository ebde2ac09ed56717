"""kitchen_tools: helpers for the kitchen's assets, found through PYTHONPATH."""
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
