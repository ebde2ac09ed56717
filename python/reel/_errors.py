"""reel's exceptions: one class per C++ ``reel::ErrorCode``, all under :class:`Error`.

The C++ extension raises these (``reel/_reel*.so`` looks them up here by code name), so a
``except reel.NotFoundError`` catches exactly what ``reel`` reports as "not found".
"""

from __future__ import annotations

from typing import Optional


class Error(Exception):
    """Every failure reel reports.

    Attributes:
        message: what went wrong, with the context added on the way up
            (``"reading index/table.json: ..."``), as ``reel`` prints it after ``error:``.
        hint: what to do about it (``reel`` prints it as ``hint: ...``), or ``""``.
        code: the C++ ErrorCode's short name (``"not found"``, ``"corruption"``, ...).
    """

    code = "error"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class NotFoundError(Error, LookupError):
    """A file, package, version, repo or workspace that does not exist (kNotFound)."""

    code = "not found"


class InvalidArgumentError(Error, ValueError):
    """Malformed input: a bad name, range, spec, TOML or JSON (kInvalidArgument)."""

    code = "invalid argument"


class IntegrityError(Error):
    """A digest mismatch, a truncated archive, a damaged object (kCorruption)."""

    code = "corruption"


class FileSystemError(Error, OSError):
    """The operating system refused: permissions, EIO, ... (kIOError)."""

    code = "I/O error"


class NoSpaceError(FileSystemError):
    """ENOSPC / EDQUOT while writing (kNoSpace)."""

    code = "no space"


class NetworkError(Error):
    """A transport failure: HTTP status, connection, timeout (kNetwork)."""

    code = "network"


class ConflictError(Error):
    """A version published with other content, a dirty output, a stale lock (kConflict)."""

    code = "conflict"


class AlreadyExistsError(Error):
    """The target exists and the operation wanted to create it (kAlreadyExists)."""

    code = "already exists"


class UnsupportedError(Error):
    """The operation is not available here, e.g. FICLONE on ext4 (kUnsupported)."""

    code = "unsupported"


class CancelledError(Error):
    """Stopped: another part of the same batch failed, or the call was interrupted
    (kCancelled)."""

    code = "cancelled"


class ParseError(InvalidArgumentError):
    """A version or range that does not parse.

    Attributes:
        text: the text given.
        position: the 0-based character offset where parsing failed.
    """

    def __init__(self, message: str, text: str = "", position: int = 0) -> None:
        super().__init__(message)
        self.text = text
        self.position = position


class ResolutionError(ConflictError):
    """No set of versions satisfies the requirements.

    Attributes:
        explanation: why, in sentences (PubGrub's derivation), the same text ``reel`` prints
            after ``error: no solution for the workspace's requirements:``.
    """

    def __init__(self, explanation: str) -> None:
        super().__init__("no solution for the requirements:\n" + explanation)
        self.explanation = explanation


class ClosedError(Error, ValueError):
    """A method was called on a Workspace or Repo after close()."""

    code = "closed"


# ErrorCode short names (reel::error_code_name) -> class; used by the extension.
_BY_CODE = {
    cls.code: cls
    for cls in (
        NotFoundError,
        InvalidArgumentError,
        IntegrityError,
        FileSystemError,
        NoSpaceError,
        NetworkError,
        ConflictError,
        AlreadyExistsError,
        UnsupportedError,
        CancelledError,
    )
}


def _class_for(code: str) -> type:
    return _BY_CODE.get(code, Error)


def _make(code: str, message: str, hint: Optional[str] = "") -> Error:
    return _class_for(code)(message, hint or "")
