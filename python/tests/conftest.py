"""Fixtures for the reel Python tests: the built `reel` binary, the kitchen example published
into a real folder repo (once per session, copied per test), a fresh cache per test, and a real
`reel serve` on a free loopback port.

ctest sets PYTHONPATH (BUILD/python), REEL_BINARY and REEL_SOURCE_DIR (python/CMakeLists.txt).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("REEL_SOURCE_DIR", Path(__file__).resolve().parents[2]))
REEL = os.environ.get("REEL_BINARY", str(SOURCE_DIR / "build" / "cli" / "reel"))
KITCHEN = SOURCE_DIR / "examples" / "kitchen" / "assets"

os.environ.setdefault("GIT_AUTHOR_NAME", "reel test")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "test@reel.invalid")
os.environ.setdefault("GIT_COMMITTER_NAME", "reel test")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "test@reel.invalid")


def run_reel(*args: str, cache: Path, check: bool = True, cwd: Path | None = None
             ) -> subprocess.CompletedProcess:
    """Runs the built reel binary with REEL_CACHE_DIR=cache; returns the finished process."""
    env = dict(os.environ, REEL_CACHE_DIR=str(cache))
    proc = subprocess.run([REEL, "--no-progress", *args], env=env, cwd=cwd, text=True,
                          capture_output=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"reel {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}{proc.stderr}")
    return proc


def publish_asset(staging: Path, asset_dir: Path, name: str, repo: str, cache: Path) -> None:
    """Publishes one version folder of an asset through a staging workspace (`reel publish`)."""
    out = staging / "outputs" / name
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(asset_dir, out)
    run_reel("-C", str(staging), "publish", name, "--allow-dirty", "--repo", repo, cache=cache)


@pytest.fixture(scope="session")
def kitchen_template(tmp_path_factory) -> Path:
    """A folder repo "blessed" holding every kitchen asset version (Table, Chair, KitchenSet),
    published with the real CLI once per session. Do not modify: use `kitchen_repo`."""
    root = tmp_path_factory.mktemp("kitchen")
    cache = root / "cache"
    run_reel("repo", "init", str(root / "blessed"), "--name", "blessed", cache=cache)
    run_reel("init", str(root / "staging"), "--repo", f"blessed={root / 'blessed'}", cache=cache)
    for asset in ("Table", "Chair", "KitchenSet"):
        for version_dir in sorted((KITCHEN / asset).iterdir()):
            publish_asset(root / "staging", version_dir, asset, "blessed", cache)
    return root / "blessed"


@pytest.fixture
def cache(tmp_path) -> Path:
    """A fresh, empty cache folder for this test."""
    return tmp_path / "cache"


@pytest.fixture
def kitchen_repo(tmp_path, kitchen_template) -> Path:
    """A private copy of the kitchen repo for this test."""
    dest = tmp_path / "blessed"
    shutil.copytree(kitchen_template, dest)
    return dest


class Server:
    """A running `reel serve REPO --bind 127.0.0.1:0 ARGS...`; .url is where it listens."""

    def __init__(self, repo: Path, log: Path, *args: str) -> None:
        self.log = log
        self.proc = subprocess.Popen([REEL, "serve", str(repo), "--bind", "127.0.0.1:0", *args],
                                     stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        deadline = time.monotonic() + 20
        self.url = ""
        while time.monotonic() < deadline:  # poll its log for the "serving URL" line
            m = re.search(r"http://127\.0\.0\.1:\d+", log.read_text())
            if m:
                self.url = m.group(0)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.url:
            self.stop()
            raise AssertionError(f"reel serve did not start:\n{log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def served_kitchen(tmp_path, kitchen_repo):
    """The kitchen repo behind a real `reel serve` on a free loopback port."""
    server = Server(kitchen_repo, tmp_path / "serve.log")
    yield server
    server.stop()


def require(root: Path, name: str, range_text: str = "*") -> None:
    """Writes a requirement into ROOT/workspace.toml's [requirements] without locking or syncing
    (as a TD editing the file would)."""
    toml = root / "workspace.toml"
    text = toml.read_text()
    assert "[requirements]\n" in text
    toml.write_text(text.replace("[requirements]\n", f'[requirements]\n{name} = "{range_text}"\n', 1))


def rss_bytes() -> int:
    """This process's resident set size in bytes (/proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
