"""reel for Python: versions and ranges, repos, resolution and workspaces.

``import reel`` gives the API of the ``reel`` command line over the same C++ libraries
(docs/python.md):

    ws = reel.Workspace.init("shot010", repos=[("blessed", "/studio/assets/blessed")])
    ws.add("KitchenSet")                       # resolve, write reel.lock, install inputs/
    for pkg in ws.tree(): print(pkg.name, pkg.version)
    ws.new("Layout", type="layout", version="1.0.0"); ...; ws.publish("Layout")

Every call that reads or writes the disk or the network releases the GIL while it works, and
the calls on one Workspace (or Repo) are serialised by a lock of its own, so threads may share
one. There is no global state: each Workspace and Repo has its own cache handle and settings.
Failures raise a subclass of :class:`reel.Error` (one per C++ ErrorCode); wrong argument types
raise TypeError.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._errors import (
    AlreadyExistsError,
    CancelledError,
    ClosedError,
    ConflictError,
    Error,
    FileSystemError,
    IntegrityError,
    InvalidArgumentError,
    NetworkError,
    NoSpaceError,
    NotFoundError,
    ParseError,
    ResolutionError,
    UnsupportedError,
)
from . import _reel
from ._reel import Range, Version

__all__ = [
    "Version", "Range", "Repo", "Workspace", "resolve",
    "PackageInfo", "FileInfo", "Lock", "LockedPackage", "SyncReport", "BuildResult",
    "PublishResult", "Solution", "Progress",
    "Error", "NotFoundError", "InvalidArgumentError", "IntegrityError", "FileSystemError",
    "NoSpaceError", "NetworkError", "ConflictError", "AlreadyExistsError", "UnsupportedError",
    "CancelledError", "ParseError", "ResolutionError", "ClosedError",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]
#: A progress callback: (done_bytes, total_bytes, done_files, total_files), all ints, bytes in
#: bytes. Called with the GIL held, from the thread doing the transfer; raising from it (e.g.
#: KeyboardInterrupt) stops the operation and the exception propagates from the call.
Progress = Callable[[int, int, int, int], object]


def _type_name(value: object) -> str:
    return type(value).__name__


def _path(value: object, what: str) -> str:
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str):
            return text
    raise TypeError(f"{what}: expected str or os.PathLike, not {_type_name(value)}")


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected str, not {_type_name(value)}")
    return value


def _opt_str(value: object, what: str) -> Optional[str]:
    return None if value is None else _str(value, what)


def _strs(values: Iterable[object], what: str) -> List[str]:
    if isinstance(values, str):
        return [values]
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise TypeError(f"{what}[{i}]: expected str, not {_type_name(v)}")
        out.append(v)
    return out


def _version(value: object, what: str) -> Version:
    if isinstance(value, Version):
        return value
    if isinstance(value, str):
        return Version(value)
    raise TypeError(f"{what}: expected reel.Version or str, not {_type_name(value)}")


def _callback(value: object, what: str) -> Optional[Progress]:
    if value is not None and not callable(value):
        raise TypeError(f"{what}: expected a callable or None, not {_type_name(value)}")
    return value  # type: ignore[return-value]


# --- records ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PackageInfo:
    """One published version in a repo's index (DESIGN §2 "Index file").

    dependencies: name -> range text ("*", ">=1.2,<2", "==3.2.1"); groups: group name ->
    such a dict; metadata: the [metadata] table as JSON values; published: RFC 3339 UTC text;
    file_count / file_size: the content files and their total size in bytes; archive: the
    package archive's digest, "sha256:<64 hex>".
    """

    name: str
    version: Version
    type: str
    dependencies: Dict[str, str]
    groups: Dict[str, Dict[str, str]]
    metadata: Dict[str, object]
    published: str
    source_commit: str
    source_dirty: bool
    yanked: bool
    unresolved: bool
    file_count: int
    file_size: int
    archive: str
    archive_size: int


@dataclasses.dataclass(frozen=True)
class FileInfo:
    """One content file of a published version (files.json): path ('/'-separated, relative to
    the asset root), sha256 ("sha256:<hex>"), size in bytes, executable bit, symlink target or
    None."""

    path: str
    sha256: str
    size: int
    executable: bool
    symlink: Optional[str]


@dataclasses.dataclass(eq=False)
class LockedPackage:
    """A package of reel.lock: its exact version, the workspace repo it came from, its archive
    digest ("sha256:<hex>"), and its dependencies as LockedPackage objects of the same lock
    (a graph; cycles are possible)."""

    name: str
    version: Version
    repo: str
    archive: str
    dependencies: List["LockedPackage"] = dataclasses.field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        deps = ", ".join(d.name for d in self.dependencies)
        return f"LockedPackage({self.name} {self.version} from {self.repo}; deps: [{deps}])"


@dataclasses.dataclass
class Lock:
    """reel.lock: the requirements it was made for (name -> range text) and its packages,
    sorted by lower-case name."""

    requirements: Dict[str, str]
    packages: List[LockedPackage]

    def __getitem__(self, name: str) -> LockedPackage:
        """The package called `name` (case-insensitive). KeyError if the lock lacks it."""
        for p in self.packages:
            if p.name.lower() == name.lower():
                return p
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(p.name.lower() == name.lower() for p in self.packages)

    @staticmethod
    def _from(raw: Mapping) -> "Lock":
        packages = [LockedPackage(p["name"], p["version"], p["repo"], p["archive"])
                    for p in raw["packages"]]
        by_name = {p.name.lower(): p for p in packages}
        for p, r in zip(packages, raw["packages"]):
            p.dependencies = [by_name[d.lower()] for d in r["dependencies"] if d.lower() in by_name]
        return Lock(dict(raw["requirements"]), packages)


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """What a sync did: installed ("Table 3.2.1" each), removed (names), repaired
    ("inputs/Table/table.obj" each), unchanged (a count of packages), files and bytes
    materialised, objects_fetched and bytes_fetched from repos into the cache, damaged cache
    objects quarantined, the link mode last used ("hardlink", "clone", "copy", ... or None)."""

    installed: List[str]
    removed: List[str]
    repaired: List[str]
    unchanged: int
    objects_quarantined: int
    files: int
    bytes: int
    objects_fetched: int
    bytes_fetched: int
    link_mode: Optional[str]


@dataclasses.dataclass(frozen=True)
class BuildResult:
    """A build of an output into build/: name, version, archive digest, content files and their
    total size in bytes, the names of the [[step]]s that ran."""

    name: str
    version: Version
    archive: str
    file_count: int
    total_size: int
    steps_ran: List[str]


@dataclasses.dataclass(frozen=True)
class PublishResult:
    """A publication: name, version, the workspace repo it went to, archive digest,
    already_published (the same content was there: nothing written), file count and total
    size in bytes."""

    name: str
    version: Version
    repo: str
    archive: str
    already_published: bool
    file_count: int
    total_size: int


@dataclasses.dataclass(frozen=True)
class Solution:
    """A resolution: one version per package reached (name -> Version), and each package's
    dependency names."""

    versions: Dict[str, Version]
    dependencies: Dict[str, List[str]]


# --- repos and resolution ----------------------------------------------------------------------


class Repo:
    """A folder or HTTP repo, read-only (publishing goes through a Workspace).

    Open with :meth:`Repo.open`; usable as a context manager (closes on exit). Thread-safe:
    calls are serialised per Repo, with the GIL released while they read.
    """

    def __init__(self, raw: "_reel._Repo") -> None:
        self._raw = raw

    @staticmethod
    def open(url: PathLike, token: Optional[str] = None,
             cache_dir: Optional[PathLike] = None) -> "Repo":
        """Opens the repo at `url`: a folder path, file://, http:// or https:// URL.

        token: a bearer token sent to this repo (https, or http to loopback only).
        cache_dir: the cache (HTTP index files); default $REEL_CACHE_DIR, $XDG_CACHE_HOME/reel,
        ~/.cache/reel.

        Raises NotFoundError (no folder or no reel-repo.json), InvalidArgumentError (an
        unsupported scheme, a malformed reel-repo.json), NetworkError (server unreachable),
        TypeError.
        """
        raw = _reel._Repo.open(_path(url, "Repo.open(url)"), _opt_str(token, "Repo.open(token)"),
                               None if cache_dir is None else _path(cache_dir, "cache_dir"))
        return Repo(raw)

    @property
    def url(self) -> str:
        """The URL or path it was opened with."""
        return self._raw.url

    @property
    def name(self) -> str:
        """The repo's own name (reel-repo.json)."""
        return self._raw.name

    def names(self) -> List[str]:
        """Every package name (canonical spelling), sorted case-insensitively. Raises the
        repo's errors (NetworkError, InvalidArgumentError for a malformed index)."""
        return list(self._raw.names())

    def versions(self, name: str) -> List[PackageInfo]:
        """Every published version of `name` (case-insensitive), ascending. Raises
        NotFoundError if the repo has no such package."""
        canonical, entries = self._raw.versions(_str(name, "Repo.versions(name)"))
        return [PackageInfo(name=canonical, **e) for e in entries]

    def files(self, name: str, version: Union[Version, str]) -> List[FileInfo]:
        """The content files of NAME VERSION, sorted by path (reads its archive, verified
        against the index: IntegrityError on a mismatch). NotFoundError for a missing package
        or version; ParseError for bad version text."""
        v = _version(version, "Repo.files(version)")
        return [FileInfo(**f) for f in self._raw.files(_str(name, "Repo.files(name)"), v)]

    def close(self) -> None:
        """Releases the repo; later calls raise ClosedError. Idempotent."""
        self._raw.close()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def __enter__(self) -> "Repo":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<reel.Repo {self.url}{' (closed)' if self.closed else ''}>"


def _requirements(requirements: object, what: str) -> List[Tuple[str, str]]:
    if isinstance(requirements, Mapping):
        return [(_str(k, what), _str(v, f"{what}[{k!r}]")) for k, v in requirements.items()]
    if isinstance(requirements, str) or not isinstance(requirements, Iterable):
        raise TypeError(f"{what}: expected a list of specs or a dict name -> range, "
                        f"not {_type_name(requirements)}")
    out = []
    for spec in _strs(requirements, what):
        name = spec.lstrip()
        i = 0
        while i < len(name) and (name[i].isalnum() or name[i] in "._-"):
            i += 1
        out.append((name[:i], name[i:].strip() or "*"))
    return out


def resolve(requirements: Union[Sequence[str], Mapping[str, str]],
            repos: Sequence[Union[Repo, PathLike]],
            cache_dir: Optional[PathLike] = None) -> Solution:
    """Resolves `requirements` against `repos` (searched in order; a name comes from the first
    repo that has it) with PubGrub, newest admissible versions first, the GIL released.

    requirements: specs ["Table", "Chair >=1.2,<2", "Lamp==2.0.0"] or a dict name -> range.
    repos: Repo objects, or paths/URLs (opened for this call, with `cache_dir` as in
    Repo.open, and closed after it).

    Returns a Solution. Raises ResolutionError (its .explanation is the text `reel` prints) when
    nothing satisfies them, ParseError for a bad range, InvalidArgumentError for a bad name,
    the repos' errors, TypeError.
    """
    reqs = _requirements(requirements, "resolve(requirements)")
    if isinstance(repos, (str, os.PathLike)) or not isinstance(repos, Iterable):
        raise TypeError(f"resolve(repos): expected a list of reel.Repo or paths, "
                        f"not {_type_name(repos)}")
    opened = []
    raws = []
    try:
        for r in repos:
            if isinstance(r, Repo):
                raws.append(r._raw)
            else:
                repo = Repo.open(_path(r, "resolve(repos[...])"), cache_dir=cache_dir)
                opened.append(repo)
                raws.append(repo._raw)
        versions, dependencies = _reel._resolve(reqs, raws)
        return Solution(dict(versions), {k: list(v) for k, v in dependencies.items()})
    finally:
        for repo in opened:
            repo.close()


# --- workspaces --------------------------------------------------------------------------------


class Workspace:
    """A workspace folder: workspace.toml, reel.lock, inputs/, outputs/, build/ (DESIGN §1).

    Create with :meth:`init`, open with :meth:`open`; a context manager (closes on exit).
    Methods release the GIL while they work; calls from several threads on one Workspace are
    serialised (one at a time, never concurrently). After :meth:`close`, every method raises
    ClosedError; if the folder was removed meanwhile, NotFoundError.
    """

    def __init__(self, raw: "_reel._Workspace") -> None:
        self._raw = raw

    # construction

    @staticmethod
    def init(path: PathLike, repos: Union[Sequence[Tuple[str, str]], Mapping[str, str]] = (),
             name: str = "", link_mode: str = "auto",
             cache_dir: Optional[PathLike] = None, token: Optional[str] = None) -> "Workspace":
        """Creates a workspace in `path` (made if missing), like `reel init`.

        repos: (name, url) pairs or a dict name -> url, in search order; the first is blessed
        and the default publish target. Relative paths are made absolute. name: default the
        folder's name. link_mode: "auto", "clone", "hardlink", "copy" or "symlink".
        cache_dir / token: as for :meth:`open`.

        Raises AlreadyExistsError (a workspace.toml is there), InvalidArgumentError (a bad
        repo name or link mode), FileSystemError, TypeError.
        """
        if isinstance(repos, Mapping):
            pairs = [(_str(k, "init(repos)"), _path(v, f"init(repos[{k!r}])"))
                     for k, v in repos.items()]
        else:
            pairs = []
            for i, pair in enumerate(repos):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise TypeError(f"init(repos[{i}]): expected a (name, url) pair, "
                                    f"not {_type_name(pair)}")
                pairs.append((_str(pair[0], f"init(repos[{i}][0])"),
                              _path(pair[1], f"init(repos[{i}][1])")))
        pairs = [(n, u if "://" in u else os.path.abspath(u)) for n, u in pairs]
        raw = _reel._Workspace.init(_path(path, "Workspace.init(path)"), pairs,
                                    _str(name, "init(name)"), _str(link_mode, "init(link_mode)"),
                                    None if cache_dir is None else _path(cache_dir, "cache_dir"),
                                    _opt_str(token, "init(token)"))
        return Workspace(raw)

    @staticmethod
    def open(path: PathLike, cache_dir: Optional[PathLike] = None,
             token: Optional[str] = None) -> "Workspace":
        """Opens the workspace whose workspace.toml is in `path`.

        cache_dir: the shared cache (default $REEL_CACHE_DIR, $XDG_CACHE_HOME/reel,
        ~/.cache/reel). token: a bearer token for the workspace's HTTP repos (https, or http to
        loopback), like `reel --token-file`.

        Raises NotFoundError (no such folder, or no workspace.toml in it; the hint says how to
        create one), InvalidArgumentError (a malformed workspace.toml, naming the line),
        TypeError.
        """
        raw = _reel._Workspace.open(_path(path, "Workspace.open(path)"),
                                    None if cache_dir is None else _path(cache_dir, "cache_dir"),
                                    _opt_str(token, "open(token)"))
        return Workspace(raw)

    def close(self) -> None:
        """Releases the workspace (waits for a running call on another thread). Idempotent."""
        self._raw.close()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<reel.Workspace {self.root}{' (closed)' if self.closed else ''}>"

    # paths

    @property
    def root(self) -> Path:
        """The workspace folder (absolute)."""
        return Path(self._raw.root)

    @property
    def inputs_dir(self) -> Path:
        return self.root / "inputs"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    # requirements, lock, sync

    @property
    def requirements(self) -> Dict[str, str]:
        """workspace.toml's [requirements]: name -> range text, sorted by lower-case name."""
        return dict(self._raw.config()["requirements"])

    @property
    def repos(self) -> List[Dict[str, object]]:
        """workspace.toml's [[repo]]s in search order: {name, url, blessed, default}."""
        return list(self._raw.config()["repos"])

    def add(self, *specs: str) -> SyncReport:
        """Adds requirements ("Table", "Table==3.2.1", "Chair >=1.2,<2"), then locks and syncs,
        like `reel add`. On any failure workspace.toml and reel.lock are left as they were.

        Raises ResolutionError (with .explanation), InvalidArgumentError/ParseError (a bad
        spec, naming it), the repos' errors, TypeError."""
        return SyncReport(**self._raw.add(_strs(specs, "add(specs)")))

    def remove(self, *names: str) -> SyncReport:
        """Removes requirements by name (case-insensitive), then locks and syncs, like
        `reel remove`. NotFoundError if a name is not a requirement (nothing changes)."""
        return SyncReport(**self._raw.remove(_strs(names, "remove(names)")))

    def lock(self, upgrade: bool = False, upgrade_packages: Iterable[str] = ()) -> Lock:
        """Resolves and writes reel.lock, keeping locked versions unless `upgrade` (all) or
        named in `upgrade_packages` (cargo's rule). Returns the new Lock.

        Raises ResolutionError (reel.lock untouched), the repos' errors, TypeError."""
        if not isinstance(upgrade, bool):
            raise TypeError(f"lock(upgrade): expected bool, not {_type_name(upgrade)}")
        return Lock._from(self._raw.lock(upgrade, _strs(upgrade_packages, "lock(upgrade_packages)")))

    def read_lock(self) -> Optional[Lock]:
        """reel.lock as it is, or None if there is none. InvalidArgumentError if malformed."""
        raw = self._raw.read_lock()
        return None if raw is None else Lock._from(raw)

    def sync(self, frozen: bool = False, progress: Optional[Progress] = None) -> SyncReport:
        """Makes inputs/ match reel.lock, like `reel sync` (`frozen`: never resolve, the lock
        must exist; else resolve first when the lock is missing or stale).

        progress(done_bytes, total_bytes, done_files, total_files) hears the fetches (totals of
        the transfers started so far), with the GIL held, and once at the end. If it raises —
        or Ctrl-C arrives — while objects are being fetched, the sync stops before inputs/
        changes, reel.lock is put back as it was, and the exception propagates; an interrupt
        after the last fetch lets the sync finish, then propagates.

        Raises ResolutionError, IntegrityError (a repo object or archive with the wrong digest:
        nothing of that package installed), NotFoundError (frozen without a lock), the repos'
        errors, TypeError."""
        if not isinstance(frozen, bool):
            raise TypeError(f"sync(frozen): expected bool, not {_type_name(frozen)}")
        return SyncReport(**self._raw.sync(frozen, _callback(progress, "sync(progress)")))

    def tree(self) -> List[LockedPackage]:
        """The locked graph from the workspace's direct requirements (workspace.toml's, then
        the outputs' dependencies): one LockedPackage per root, whose .dependencies lead to the
        rest. NotFoundError if there is no reel.lock."""
        raw, roots = self._raw.tree()
        lock = Lock._from(raw)
        return [lock[name] for name in roots]

    def why(self, name: str) -> List[List[str]]:
        """Every chain of requirements from the workspace to `name`, shortest first, e.g.
        [["the workspace", "KitchenSet", "Table"]]. NotFoundError if the lock lacks it."""
        return [list(c) for c in self._raw.why(_str(name, "why(name)"))]

    def env(self) -> Dict[str, Optional[str]]:
        """The variables the workspace environment sets, as `reel env` prints them, in the order
        first touched: REEL_WORKSPACE, REEL_INPUTS, then each asset's [env] (dependencies
        first); None for a variable an [env] unsets. Warnings go to logging ("reel").
        NotFoundError without reel.lock or for a locked package not installed."""
        return dict(self._raw.env())

    def inputs_path(self, name: str) -> Path:
        """inputs/NAME of a locked, installed package (name case-insensitive). NotFoundError if
        the lock lacks it or it is not installed (hint: sync)."""
        return Path(self._raw.inputs_path(_str(name, "inputs_path(name)")))

    def verify(self) -> List[str]:
        """Re-hashes inputs/ against reel.lock; returns the problems, one line each
        ("inputs/Table/table.obj: content differs from the lock"); [] when all match."""
        return list(self._raw.verify())

    # outputs

    def new(self, name: str, type: str = "", version: Union[Version, str] = "0.1.0") -> Path:
        """Scaffolds outputs/NAME (asset.toml, git init, a first commit), like `reel new`.
        Returns its path. AlreadyExistsError if outputs/NAME exists; InvalidArgumentError for a
        bad name; ConflictError if a repo has the name in another spelling."""
        v = _version(version, "new(version)")
        return Path(self._raw.new(_str(name, "new(name)"), _str(type, "new(type)"), v))

    def edit(self, name: str, version: Union[Version, str, None] = None) -> Tuple[Path, Version]:
        """Makes a published version (default: the newest not yanked) editable in outputs/NAME,
        like `reel edit`. Returns (path, version taken). AlreadyExistsError, NotFoundError."""
        v = None if version is None else _version(version, "edit(version)")
        path, taken = self._raw.edit(_str(name, "edit(name)"), v)
        return Path(path), taken

    def bump(self, name: str, part: str) -> Version:
        """Bumps outputs/NAME's version: part is "major", "minor", "patch" or "pre". Returns the
        new version. InvalidArgumentError for another part; NotFoundError for no such output."""
        return self._raw.bump(_str(name, "bump(name)"), _str(part, "bump(part)"))

    def build(self, name: str) -> BuildResult:
        """Runs outputs/NAME's stale [[step]]s, then snapshots it into build/, like
        `reel build`. FileSystemError naming a failing step."""
        return BuildResult(**self._raw.build(_str(name, "build(name)")))

    def publish(self, name: str, repo: Optional[str] = None, allow_dirty: bool = False,
                progress: Optional[Progress] = None) -> PublishResult:
        """Builds and publishes outputs/NAME to `repo` (a workspace repo name; default the
        default repo), like `reel publish`. progress hears (bytes, bytes, files, files) once,
        when done (uploads report no progress yet).

        Raises ConflictError (uncommitted changes without allow_dirty, the version published
        with other content, dependencies that do not resolve: with the explanation), NotFoundError,
        the repo's errors, TypeError."""
        if not isinstance(allow_dirty, bool):
            raise TypeError(f"publish(allow_dirty): expected bool, not {_type_name(allow_dirty)}")
        return PublishResult(**self._raw.publish(_str(name, "publish(name)"),
                                                 _opt_str(repo, "publish(repo)"), allow_dirty,
                                                 _callback(progress, "publish(progress)")))
