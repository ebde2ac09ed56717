"""reel.Version and reel.Range against the same tables as the C++ tests: the membership tables
kIncluded / kExcluded and the parse-error table of resolver/src/range_test.cc, and the precedence
chain and parse-error table of resolver/src/version_test.cc, read from those files."""

from __future__ import annotations

import itertools
import pickle
import re

import pytest

import reel
from conftest import SOURCE_DIR

RANGE_TEST = (SOURCE_DIR / "resolver" / "src" / "range_test.cc").read_text()
VERSION_TEST = (SOURCE_DIR / "resolver" / "src" / "version_test.cc").read_text()

STRING = r'"((?:[^"\\]|\\.)*)"'


def _table(source: str, start: str) -> str:
    i = source.index(start)
    return source[i:source.index("};", i)]


def membership(name: str) -> list[tuple[str, str]]:
    body = _table(RANGE_TEST, f"const Membership {name}[] = {{")
    return re.findall(r"\{" + STRING + r",\s*" + STRING + r"\}", body)


INCLUDED = membership("kIncluded")
EXCLUDED = membership("kExcluded")


def test_tables_were_read():
    # The C++ tables hold well over a hundred cases each; a broken reader must not pass.
    assert len(INCLUDED) > 100 and len(EXCLUDED) > 80


@pytest.mark.parametrize("range_text,version", INCLUDED)
def test_range_admits_as_node_semver(range_text, version):
    r = reel.Range(range_text)
    assert r.admits(version), f"{range_text!r} should admit {version}"
    assert reel.Version(version) in r


@pytest.mark.parametrize("range_text,version", EXCLUDED)
def test_range_excludes_as_node_semver(range_text, version):
    assert not reel.Range(range_text).admits(reel.Version(version))


def _error_cases(source: str, test_name: str) -> list[tuple[str, int]]:
    body = source[source.index(test_name):]
    body = body[:body.index("}) {")]
    return [(t, int(p)) for t, p in re.findall(r"Case\{" + STRING + r",\s*(\d+)\}", body)]


RANGE_ERRORS = _error_cases(RANGE_TEST, "ParseErrorsNameTextAndPosition")
VERSION_ERRORS = _error_cases(VERSION_TEST, "BadInputNamesTextAndPosition")


def test_error_tables_were_read():
    assert (">=", 2) in RANGE_ERRORS and ("1.2", 3) in VERSION_ERRORS
    assert len(RANGE_ERRORS) >= 10 and len(VERSION_ERRORS) >= 15


@pytest.mark.parametrize("text,position", RANGE_ERRORS)
def test_range_parse_error_names_text_and_position(text, position):
    with pytest.raises(reel.ParseError) as e:
        reel.Range(text)
    assert e.value.position == position
    assert e.value.text == text
    assert f"'{text}'" in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, reel.Error)


@pytest.mark.parametrize("text,position", VERSION_ERRORS)
def test_version_parse_error_names_text_and_position(text, position):
    with pytest.raises(reel.ParseError) as e:
        reel.Version(text)
    assert (e.value.text, e.value.position) == (text, position)


CHAIN = re.findall(STRING, _table(VERSION_TEST, "const char* chain[] = {"))


def test_precedence_chain_from_the_cpp_test():
    assert len(CHAIN) > 20
    versions = [reel.Version(t) for t in CHAIN]
    for (i, a), (j, b) in itertools.product(enumerate(versions), repeat=2):
        assert (a < b) == (i < j) and (a == b) == (i == j) and (a > b) == (i > j), (a, b)
    shuffled = list(reversed(versions))
    assert sorted(shuffled) == versions


def test_version_fields_text_and_hash():
    v = reel.Version("4.5.6-rc.1.x+b.7")
    assert (v.major, v.minor, v.patch) == (4, 5, 6)
    assert v.prerelease == ("rc", "1", "x") and v.build == ("b", "7")
    assert v.is_prerelease and str(v.release()) == "4.5.6"
    assert str(reel.Version("1.2.3.rc1")) == "1.2.3-rc1"  # tgzr style, normalised
    assert reel.Version("1.0.0+a") == reel.Version("1.0.0+b")
    assert len({reel.Version("1.0.0+a"), reel.Version("1.0.0+b"), reel.Version("1.0.1")}) == 2
    assert reel.Version("1.0.0") != "1.0.0"  # not equal to text
    assert repr(v) == "Version('4.5.6-rc.1.x+b.7')"
    assert pickle.loads(pickle.dumps(v)) == v


def test_range_text_and_algebra():
    assert str(reel.Range(">=1.2.3 <2")) == ">=1.2.3,<2.0.0"
    assert str(reel.Range("~=1.2")) == ">=1.2.0,<2.0.0"  # PEP 440, not node-semver's ~
    assert reel.Range("^1.2") == reel.Range(">=1.2.0,<2.0.0")
    assert reel.Range("*").is_any and reel.Range(">2 <1").is_empty
    assert reel.Range("==1.2.3").single_version == reel.Version("1.2.3")
    both = reel.Range(">=1") & reel.Range("<2")
    assert both == reel.Range("^1") and both.admits("1.9.0") and not both.admits("2.0.0")
    either = reel.Range("<1") | reel.Range(">=2")
    assert str(either) == "<1.0.0 || >=2.0.0"
    assert reel.Range("1.x").is_subset_of(reel.Range(">=1"))
    assert reel.Range("1.x").is_disjoint_from(reel.Range("2.x"))
    assert reel.Range("1.x").complement().admits("2.0.0")


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        reel.Version(123)
    with pytest.raises(TypeError):
        reel.Range(None)
    with pytest.raises(TypeError, match="expected reel.Version or str, not int"):
        reel.Range("*").admits(3)
    with pytest.raises(reel.ParseError):
        reel.Range("*").admits("1.2")
