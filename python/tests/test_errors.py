"""One exception class per C++ ErrorCode, all under reel.Error, with message and hint."""

from __future__ import annotations

import pytest

import reel
from reel import _reel

CODES = {
    "not found": reel.NotFoundError,
    "invalid argument": reel.InvalidArgumentError,
    "corruption": reel.IntegrityError,
    "I/O error": reel.FileSystemError,
    "no space": reel.NoSpaceError,
    "network": reel.NetworkError,
    "conflict": reel.ConflictError,
    "already exists": reel.AlreadyExistsError,
    "unsupported": reel.UnsupportedError,
    "cancelled": reel.CancelledError,
}


@pytest.mark.parametrize("code,cls", CODES.items())
def test_each_error_code_raises_its_class(code, cls):
    with pytest.raises(cls) as e:
        _reel._raise_for_test(code)
    assert type(e.value) is cls  # exactly this class, not only a base
    assert isinstance(e.value, reel.Error)
    assert e.value.message == "test error" and e.value.hint == "test hint"
    assert e.value.code == code
    assert str(e.value) == "test error (hint: test hint)"


def test_python_bases():
    assert issubclass(reel.NotFoundError, LookupError)
    assert issubclass(reel.InvalidArgumentError, ValueError)
    assert issubclass(reel.ParseError, reel.InvalidArgumentError)
    assert issubclass(reel.ResolutionError, reel.ConflictError)
    assert issubclass(reel.FileSystemError, OSError)
    assert issubclass(reel.ClosedError, ValueError)


def test_resolution_error_carries_explanation():
    e = reel.ResolutionError("Because A depends on B ...")
    assert e.explanation == "Because A depends on B ..."
    assert "no solution" in str(e)
