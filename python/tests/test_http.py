"""Against a real `reel serve` (the built binary on a free loopback port): the repo view over
HTTP, and a workspace installing from it with progress."""

from __future__ import annotations

import pytest

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


def test_tokens_and_publish_over_http(tmp_path, kitchen_repo, cache):
    """`reel serve` with a publish token and a read token: a Repo or Workspace opened with
    token= sends it (loopback http); without one the server refuses; a read token cannot
    publish; the write token publishes an output that a second workspace then installs."""
    from conftest import Server
    (tmp_path / "tokens").write_text("write-token-123\n")
    (tmp_path / "read-tokens").write_text("read-token-456\n")
    server = Server(kitchen_repo, tmp_path / "serve.log", "--token-file",
                    str(tmp_path / "tokens"), "--read-token-file", str(tmp_path / "read-tokens"))
    try:
        with pytest.raises(reel.Error) as refused:
            reel.Repo.open(server.url, cache_dir=cache).names()
        assert "401" in refused.value.message
        with reel.Repo.open(server.url, token="read-token-456", cache_dir=cache) as repo:
            assert "Table" in repo.names()

        reader = reel.Workspace.init(tmp_path / "reader", repos={"served": server.url},
                                     cache_dir=cache, token="read-token-456")
        reader.new("Prop", type="prop", version="1.0.0")
        with pytest.raises(reel.Error) as forbidden:
            reader.publish("Prop")
        assert "403" in forbidden.value.message
        reader.close()

        writer = reel.Workspace.init(tmp_path / "writer", repos={"served": server.url},
                                     cache_dir=cache, token="write-token-123")
        writer.new("Prop", type="prop", version="1.0.0")
        (writer.outputs_dir / "Prop" / "prop.obj").write_text("v 0 0 0\n")
        result = writer.publish("Prop", allow_dirty=True)
        assert (result.repo, str(result.version), result.file_count) == ("served", "1.0.0", 1)
        writer.close()

        with reel.Workspace.init(tmp_path / "job", repos={"served": server.url},
                                 cache_dir=tmp_path / "cache2", token="read-token-456") as job:
            assert job.add("Prop").installed == ["Prop 1.0.0"]
            assert (job.inputs_path("Prop") / "prop.obj").read_text() == "v 0 0 0\n"
    finally:
        server.stop()
