"""Bad input, each with a clear error naming what and where: wrong argument types, a malformed
spec, a workspace path that does not exist, a closed or removed workspace, a damaged object in
the repo, and a sync interrupted from its progress callback."""

from __future__ import annotations

import os
import shutil
import struct

import pytest

import reel
from conftest import publish_asset, require, run_reel


@pytest.fixture
def ws(tmp_path, kitchen_repo, cache):
    w = reel.Workspace.init(tmp_path / "ws", repos={"blessed": str(kitchen_repo)},
                            cache_dir=cache)
    yield w
    w.close()


def test_wrong_argument_types(tmp_path, ws, kitchen_repo):
    with pytest.raises(TypeError, match=r"Workspace.open\(path\): expected str or os.PathLike, not int"):
        reel.Workspace.open(123)
    with pytest.raises(TypeError, match=r"init\(repos\[0\]\[1\]\)"):
        reel.Workspace.init(tmp_path / "x", repos=[("blessed", 5)])
    with pytest.raises(TypeError, match=r"init\(repos\[0\]\): expected a \(name, url\) pair"):
        reel.Workspace.init(tmp_path / "x", repos=["blessed"])
    with pytest.raises(TypeError, match=r"add\(specs\)\[1\]: expected str, not int"):
        ws.add("Table", 3)
    with pytest.raises(TypeError, match="sync\\(frozen\\): expected bool, not str"):
        ws.sync(frozen="yes")
    with pytest.raises(TypeError, match="sync\\(progress\\): expected a callable or None, not int"):
        ws.sync(progress=5)
    with pytest.raises(TypeError, match="expected reel.Version or str, not float"):
        ws.new("Thing", version=1.0)
    with pytest.raises(TypeError, match=r"Repo.open\(url\)"):
        reel.Repo.open(None)
    with pytest.raises(TypeError, match=r"resolve\(repos\)"):
        reel.resolve(["Table"], str(kitchen_repo))
    with pytest.raises(TypeError, match=r"resolve\(requirements\)"):
        reel.resolve(42, [str(kitchen_repo)])
    assert not (tmp_path / "x").exists()


def test_malformed_spec_names_it(ws):
    with pytest.raises(reel.InvalidArgumentError, match="Table >>1"):
        ws.add("Table >>1")
    with pytest.raises(reel.InvalidArgumentError, match="-Table"):
        ws.add("-Table")
    with pytest.raises(reel.InvalidArgumentError, match="nothing to add"):
        ws.add()
    with pytest.raises(reel.InvalidArgumentError, match="'sideways'"):
        ws.bump("Table", "sideways")
    assert ws.requirements == {} and ws.read_lock() is None


def test_workspace_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(reel.NotFoundError) as e:
        reel.Workspace.open(missing)
    assert str(missing) in e.value.message and "Workspace.init" in e.value.hint
    (tmp_path / "empty").mkdir()
    with pytest.raises(reel.NotFoundError, match="no workspace.toml"):
        reel.Workspace.open(tmp_path / "empty")


def test_init_twice_and_bad_link_mode(tmp_path, ws, kitchen_repo):
    with pytest.raises(reel.AlreadyExistsError):
        reel.Workspace.init(ws.root, repos={"blessed": str(kitchen_repo)})
    with pytest.raises(reel.InvalidArgumentError, match="teleport"):
        reel.Workspace.init(tmp_path / "y", repos={"b": str(kitchen_repo)}, link_mode="teleport")


def test_closed_workspace_and_repo(ws, kitchen_repo):
    ws.add("Chair")
    ws.close()
    ws.close()  # idempotent
    for call in (ws.tree, ws.verify, ws.sync, lambda: ws.add("Table"), lambda: ws.requirements):
        with pytest.raises(reel.ClosedError, match="is closed"):
            call()
    repo = reel.Repo.open(kitchen_repo)
    repo.close()
    with pytest.raises(reel.ClosedError):
        repo.names()
    with pytest.raises(reel.ClosedError):
        reel.resolve(["Table"], [repo])


def test_removed_workspace(ws):
    ws.add("Chair")
    shutil.rmtree(ws.root)
    with pytest.raises(reel.NotFoundError, match="was removed"):
        ws.sync()
    with pytest.raises(reel.NotFoundError, match="was removed"):
        ws.tree()
    assert not ws.root.exists()  # nothing was recreated


def test_damaged_object_is_an_integrity_error(ws, kitchen_repo):
    info = reel.Repo.open(kitchen_repo).files("Chair", "1.2.4")
    obj = next(f for f in info if f.path == "chair.obj")
    hexd = obj.sha256.split(":")[1]
    path = kitchen_repo / "objects" / "sha256" / hexd[:2] / hexd[2:]
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    with pytest.raises(reel.IntegrityError) as e:
        ws.add("Chair")
    assert "Chair 1.2.4" in e.value.message and "chair.obj" in e.value.message
    assert not (ws.root / "inputs" / "Chair").exists()
    assert ws.requirements == {}


@pytest.fixture
def frames_repo(tmp_path, cache):
    """A folder repo with Frames 1.0.0: 400 files of 16 KiB (a sync that takes many steps)."""
    repo = tmp_path / "frames-repo"
    run_reel("repo", "init", str(repo), "--name", "frames", cache=cache)
    run_reel("init", str(tmp_path / "staging"), "--repo", f"frames={repo}", cache=cache)
    src = tmp_path / "frames-src"
    (src / "frames").mkdir(parents=True)
    (src / "asset.toml").write_text('[asset]\nname = "Frames"\nversion = "1.0.0"\n'
                                    'type = "sequence"\n')
    for i in range(400):
        (src / "frames" / f"f.{i:04d}.exr").write_bytes(os.urandom(16384))
    publish_asset(tmp_path / "staging", src, "Frames", "frames", tmp_path / "publish-cache")
    return repo


def test_interrupted_sync_leaves_the_workspace_as_before(tmp_path, frames_repo, cache):
    ws = reel.Workspace.init(tmp_path / "job", repos={"frames": str(frames_repo)},
                             cache_dir=cache)
    require(ws.root, "Frames")
    ws.close()
    ws = reel.Workspace.open(tmp_path / "job", cache_dir=cache)
    toml_before = (ws.root / "workspace.toml").read_text()
    seen = []

    def interrupt(done_bytes, total_bytes, done_files, total_files):
        seen.append((done_bytes, total_bytes, done_files, total_files))
        if done_files >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ws.sync(progress=interrupt)
    assert seen[-1][2] >= 5 and seen[-1][3] == 400 and seen[-1][1] == 400 * 16384
    assert not (ws.root / "inputs" / "Frames").exists()
    assert ws.read_lock() is None  # the lock the sync resolved was put back (none)
    assert (ws.root / "workspace.toml").read_text() == toml_before
    cached = sum(len(files) for _, _, files in os.walk(cache / "objects-v1"))
    assert cached < 400  # it stopped fetching

    # Sync again: it completes, and reports the whole transfer.
    calls = []
    report = ws.sync(progress=lambda *a: calls.append(a))
    assert report.installed == ["Frames 1.0.0"] and report.files == 400
    assert calls[-1] == (report.bytes_fetched, report.bytes_fetched,
                         report.objects_fetched, report.objects_fetched)
    assert report.objects_fetched == 400 - cached
    assert ws.verify() == []
    assert len(list((ws.root / "inputs" / "Frames" / "frames").iterdir())) == 400
    ws.close()


def test_ctrl_c_during_sync_stops_it_cleanly(tmp_path, frames_repo, cache):
    """A real SIGINT while the main thread is inside the C++ sync (GIL released, no callback):
    the sync stops at its next progress report on the main thread, inputs/ untouched."""
    import fcntl
    import signal
    import threading
    import time

    from test_threads import _blocked_on

    ws = reel.Workspace.init(tmp_path / "job", repos={"frames": str(frames_repo)},
                             cache_dir=cache)
    require(ws.root, "Frames")
    ws.close()
    ws = reel.Workspace.open(tmp_path / "job", cache_dir=cache)
    lock = ws.lock()
    lock_text = (ws.root / "reel.lock").read_text()
    # Sync waits for this per-package fetch lock (install.h: one byte of locks/fetch at the
    # archive digest's first 62 bits, an open file description lock) before it fetches: the
    # signal is sent once the kernel shows it waiting, then the lock is released. (An OFD lock
    # here too: a POSIX record lock would go when sync closes its own descriptor of the file.)
    fetch_lock = cache / "locks" / "fetch"
    fetch_lock.parent.mkdir(parents=True, exist_ok=True)
    digest = bytes.fromhex(lock["Frames"].archive.split(":")[1])
    offset = int.from_bytes(digest[:8], "big") >> 2
    held = open(fetch_lock, "a")
    fcntl.fcntl(held, fcntl.F_OFD_SETLK,
                struct.pack("hhxxxxqqixxxx", fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    def interrupter():
        deadline = time.monotonic() + 30
        while not _blocked_on(fetch_lock) and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGINT)
        held.close()  # releases the OFD lock

    t = threading.Thread(target=interrupter)
    t.start()
    with pytest.raises(KeyboardInterrupt):
        ws.sync(frozen=True)
    t.join(30)
    assert not (ws.root / "inputs" / "Frames").exists()
    assert (ws.root / "reel.lock").read_text() == lock_text
    cached = sum(len(files) for _, _, files in os.walk(cache / "objects-v1"))
    assert cached < 400
    assert ws.sync(frozen=True).installed == ["Frames 1.0.0"]
    assert ws.verify() == []
    ws.close()
