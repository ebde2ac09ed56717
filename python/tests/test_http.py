"""Against a real `reel serve` (the built binary on a free loopback port): the repo view over
HTTP, and a workspace installing from it with progress."""

from __future__ import annotations

import reel
from conftest import require


def test_repo_over_http(served_kitchen, cache):
    with reel.Repo.open(served_kitchen.url, cache_dir=cache) as repo:
        assert repo.name == "blessed"
        assert repo.names() == ["Chair", "KitchenSet", "Table"]
        assert [str(v.version) for v in repo.versions("Table")] == \
            ["1.2.3", "1.5.0", "2.0.0", "3.2.1"]
        assert {f.path for f in repo.files("Chair", "1.2.4")} == \
            {"chair.mtl", "chair.obj", "textures/paint.png"}
    assert reel.resolve(["KitchenSet"], [reel.Repo.open(served_kitchen.url, cache_dir=cache)]
                        ).versions["Table"] == reel.Version("3.2.1")


def test_workspace_syncs_from_http_with_progress(tmp_path, served_kitchen, cache):
    ws = reel.Workspace.init(tmp_path / "ws", repos={"blessed": served_kitchen.url},
                             cache_dir=cache)
    require(ws.root, "KitchenSet")
    ws.close()
    ws = reel.Workspace.open(tmp_path / "ws", cache_dir=cache)
    calls = []
    report = ws.sync(progress=lambda *a: calls.append(a))
    assert sorted(report.installed) == ["Chair 1.2.4", "KitchenSet 1.4.0", "Table 3.2.1"]
    with reel.Repo.open(served_kitchen.url, cache_dir=cache) as repo:
        objects = {f.sha256 for name, v in (("Chair", "1.2.4"), ("KitchenSet", "1.4.0"),
                                            ("Table", "3.2.1"))
                   for f in repo.files(name, v)}
    assert report.objects_fetched == len(objects) > 0 and calls
    done_bytes, total_bytes, done_files, total_files = calls[-1]
    assert (done_files, total_files) == (len(objects), len(objects))
    assert done_bytes == total_bytes == report.bytes_fetched > 0
    assert all(c[0] <= c[1] and c[2] <= c[3] for c in calls)
    assert ws.verify() == []
    ws.close()


def test_unreachable_server_is_a_network_error(tmp_path, cache):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    try:
        reel.Repo.open(f"http://127.0.0.1:{port}", cache_dir=cache)
    except reel.NetworkError as e:
        assert f"127.0.0.1:{port}" in e.message
    else:
        raise AssertionError("opening an unreachable repo succeeded")
