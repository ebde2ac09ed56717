"""No leak over 1,000 open / close cycles of a workspace (and of a repo): RSS grows by less
than a bound after a warm-up."""

from __future__ import annotations

import gc

import reel
from conftest import rss_bytes

CYCLES = 1000
BOUND = 2 << 20  # bytes; a workspace kept open per cycle costs ~8.7 KB (8.5 MiB over the run)


def test_open_close_cycles_do_not_leak(tmp_path, kitchen_repo, cache):
    root = tmp_path / "ws"
    reel.Workspace.init(root, repos={"blessed": str(kitchen_repo)}, cache_dir=cache).close()
    with reel.Workspace.open(root, cache_dir=cache) as ws:
        ws.add("Chair")

    def cycle():
        ws = reel.Workspace.open(root, cache_dir=cache)
        assert ws.read_lock()["Chair"].name == "Chair"
        ws.close()
        with reel.Repo.open(kitchen_repo) as repo:
            assert repo.versions("Chair")[0].name == "Chair"

    for _ in range(100):  # warm-up: allocator pools, interned strings, imported modules
        cycle()
    gc.collect()
    before = rss_bytes()
    for _ in range(CYCLES):
        cycle()
    gc.collect()
    grown = rss_bytes() - before
    print(f"RSS growth over {CYCLES} cycles: {grown} bytes")
    assert grown < BOUND, f"RSS grew by {grown} bytes over {CYCLES} open/close cycles"
