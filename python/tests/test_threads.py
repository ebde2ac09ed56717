"""The GIL is released while the C++ code works, and calls of several Python threads on one
Workspace are serialised (never a crash, every call completes)."""

from __future__ import annotations

import faulthandler
import fcntl
import os
import sys
import threading
import time

import pytest

import reel


def _blocked_on(path) -> bool:
    """Whether a process waits for a flock on `path` (a "->" line of /proc/locks)."""
    inode = os.stat(path).st_ino
    with open("/proc/locks") as f:
        return any("->" in line and f":{inode} " in line for line in f)


def test_gil_is_released_while_sync_waits_in_cpp(tmp_path, kitchen_repo, cache):
    ws = reel.Workspace.init(tmp_path / "ws", repos={"blessed": str(kitchen_repo)},
                             cache_dir=cache)
    ws.add("Chair")
    lock_file = ws.root / ".reel" / "sync.lock"
    # If the sync held the GIL while blocked, no Python thread could run again: this watchdog
    # (a C thread, independent of the GIL) then fails the test instead of letting it hang.
    faulthandler.dump_traceback_later(60, exit=True, file=sys.__stderr__)
    try:
        with open(lock_file, "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # sync_workspace() will wait for this in C++
            result = {}
            worker = threading.Thread(target=lambda: result.update(r=ws.sync(frozen=True)))
            worker.start()
            # This thread runs Python while the worker is inside the C++ flock(2) wait: the
            # kernel's lock table shows the waiter, observed from here.
            deadline = time.monotonic() + 30
            while not _blocked_on(lock_file):
                assert time.monotonic() < deadline, "sync never reached its flock"
                time.sleep(0.001)
            ticks = sum(1 for _ in range(100000))  # pure Python work while the sync waits
            assert ticks == 100000 and worker.is_alive() and "r" not in result
            fcntl.flock(held, fcntl.LOCK_UN)
        worker.join(30)
        assert not worker.is_alive()
        assert result["r"].unchanged == 1
    finally:
        faulthandler.cancel_dump_traceback_later()
    ws.close()


def test_two_threads_on_one_workspace(tmp_path, kitchen_repo, cache):
    ws = reel.Workspace.init(tmp_path / "ws", repos={"blessed": str(kitchen_repo)},
                             cache_dir=cache)
    barrier = threading.Barrier(2)
    done = {"a": 0, "b": 0}
    errors = []

    def adder():
        try:
            barrier.wait()
            for _ in range(10):
                ws.add("Chair")
                ws.remove("Chair")
                done["a"] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader():
        try:
            barrier.wait()
            for _ in range(10):
                lock = ws.read_lock()
                assert lock is None or [p.name for p in lock.packages] in ([], ["Chair"])
                ws.sync()
                assert ws.verify() == []
                done["b"] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=adder), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert done == {"a": 10, "b": 10}
    assert ws.requirements == {}
    ws.close()


def test_close_during_a_call_waits_for_it(tmp_path, kitchen_repo, cache):
    """close() from another thread while a sync is inside C++: the sync finishes with a valid
    report (close took the workspace's mutex after it), later calls raise ClosedError."""
    ws = reel.Workspace.init(tmp_path / "ws", repos={"blessed": str(kitchen_repo)},
                             cache_dir=cache)
    ws.add("Chair")
    lock_file = ws.root / ".reel" / "sync.lock"
    faulthandler.dump_traceback_later(60, exit=True, file=sys.__stderr__)
    try:
        with open(lock_file, "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            result = {}
            worker = threading.Thread(target=lambda: result.update(r=ws.sync(frozen=True)))
            worker.start()
            deadline = time.monotonic() + 30
            while not _blocked_on(lock_file):
                assert time.monotonic() < deadline, "sync never reached its flock"
                time.sleep(0.001)
            closer = threading.Thread(target=ws.close)
            closer.start()
            fcntl.flock(held, fcntl.LOCK_UN)
        worker.join(30)
        closer.join(30)
        assert not worker.is_alive() and not closer.is_alive()
        assert result["r"].unchanged == 1
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert ws.closed
    with pytest.raises(reel.ClosedError):
        ws.tree()
