"""A workspace round trip over a real folder repo holding the kitchen example: init, add, tree,
why, env, inputs_path, verify, lock, sync, new / edit / bump / build / publish, the repo view of
what was published, and resolve() with an explanation identical to the CLI's."""

from __future__ import annotations

import subprocess

import pytest

import reel
from conftest import run_reel


def test_round_trip(tmp_path, kitchen_repo, cache):
    ws = reel.Workspace.init(tmp_path / "shot010", repos=[("blessed", str(kitchen_repo))],
                             cache_dir=cache)
    assert ws.root == tmp_path / "shot010" and ws.requirements == {}
    report = ws.add("KitchenSet")
    assert sorted(report.installed) == ["Chair 1.2.4", "KitchenSet 1.4.0", "Table 3.2.1"]
    assert ws.requirements == {"KitchenSet": "*"}

    lock = ws.read_lock()
    assert [p.name for p in lock.packages] == ["Chair", "KitchenSet", "Table"]
    assert lock["table"].version == reel.Version("3.2.1") and lock["Table"].repo == "blessed"
    assert lock["Table"].archive.startswith("sha256:")

    (root,) = ws.tree()
    assert (root.name, str(root.version)) == ("KitchenSet", "1.4.0")
    assert sorted(d.name for d in root.dependencies) == ["Chair", "Table"]
    assert ws.why("Table") == [["the workspace", "KitchenSet", "Table"]]

    table = ws.inputs_path("table")
    assert table == ws.root / "inputs" / "Table" and (table / "table.obj").is_file()
    assert ws.verify() == []

    env = ws.env()
    assert list(env)[:2] == ["REEL_WORKSPACE", "REEL_INPUTS"]
    assert env["REEL_WORKSPACE"] == str(ws.root)
    assert env["KITCHENSET_ROOT"] == str(ws.root / "inputs" / "KitchenSet")
    # The same composition as `reel env --json`.
    cli = run_reel("-C", str(ws.root), "env", "--shell", "json", cache=cache).stdout
    import json
    assert json.loads(cli) == env

    # A no-op sync; then a frozen one after inputs/ lost a file (repaired).
    again = ws.sync()
    assert again.installed == [] and again.unchanged == 3
    (table / "table.mtl").unlink()
    repaired = ws.sync(frozen=True)
    assert repaired.repaired == ["inputs/Table/table.mtl"] and (table / "table.mtl").is_file()

    # A bounded requirement: KitchenSet 1.3.0 takes Table >=1.2.3,<2.0, the newest is 1.5.0.
    ws.add("KitchenSet==1.3.0")
    assert ws.read_lock()["Table"].version == reel.Version("1.5.0")
    upgraded = ws.lock(upgrade=True)
    assert upgraded["KitchenSet"].version == reel.Version("1.3.0")

    # Outputs: edit Table, bump, build, publish; the repo sees the new version.
    path, taken = ws.edit("Table")
    assert path == ws.root / "outputs" / "Table" and taken == reel.Version("3.2.1")
    assert ws.bump("Table", "minor") == reel.Version("3.3.0")
    built = ws.build("Table")
    assert (built.name, str(built.version)) == ("Table", "3.3.0") and built.file_count == 3
    with pytest.raises(reel.ConflictError) as dirty:
        ws.publish("Table")  # the bump is not committed
    assert "uncommitted" in dirty.value.message
    subprocess.run(["git", "-C", str(path), "commit", "-qam", "Table 3.3.0"], check=True)
    calls = []
    published = ws.publish("Table", progress=lambda *a: calls.append(a))
    assert (published.repo, str(published.version), published.already_published) == \
        ("blessed", "3.3.0", False)
    assert calls == [(published.total_size, published.total_size,
                      published.file_count, published.file_count)]
    assert ws.publish("Table").already_published

    with reel.Repo.open(kitchen_repo) as repo:
        infos = repo.versions("table")
        assert [str(i.version) for i in infos] == ["1.2.3", "1.5.0", "2.0.0", "3.2.1", "3.3.0"]
        last = infos[-1]
        assert last.name == "Table" and last.type == "prop" and not last.yanked
        assert last.source_commit and not last.source_dirty and last.file_count == 3
        assert last.published.endswith("Z") and isinstance(last.metadata, dict)
        files = repo.files("Table", "3.3.0")
        assert [f.path for f in files] == ["table.mtl", "table.obj", "textures/wood.png"]
        assert sum(f.size for f in files) == last.file_size

    ws.new("Layout", type="layout", version="1.0.0")
    assert (ws.root / "outputs" / "Layout" / "asset.toml").is_file()
    assert ws.remove("KitchenSet").removed
    assert ws.requirements == {}
    ws.close()
    assert ws.closed


def test_repo_view(kitchen_repo):
    with reel.Repo.open(str(kitchen_repo)) as repo:
        assert repo.name == "blessed"
        assert repo.names() == ["Chair", "KitchenSet", "Table"]
        ks = repo.versions("KitchenSet")[-1]
        assert ks.dependencies == {"Chair": ">=1.2.3,<2.0", "Table": "==3.2.1"}
        with pytest.raises(reel.NotFoundError, match="no package named 'Lamp'"):
            repo.versions("Lamp")
        with pytest.raises(reel.NotFoundError, match="Table 9.9.9"):
            repo.files("Table", "9.9.9")


def test_resolve_and_explanation_matches_cli(tmp_path, kitchen_repo, cache):
    solution = reel.resolve(["KitchenSet"], [str(kitchen_repo)])
    assert {k: str(v) for k, v in solution.versions.items()} == \
        {"Chair": "1.2.4", "KitchenSet": "1.4.0", "Table": "3.2.1"}
    assert solution.dependencies["KitchenSet"] == ["Chair", "Table"]
    bounded = reel.resolve({"KitchenSet": "==1.3.0", "Table": "<1.5"}, [str(kitchen_repo)])
    assert str(bounded.versions["Table"]) == "1.2.3"

    with pytest.raises(reel.ResolutionError) as e:
        reel.resolve(["KitchenSet==1.4.0", "Table==2.0.0"], [reel.Repo.open(kitchen_repo)])
    explanation = e.value.explanation
    assert "KitchenSet 1.4.0 depends on Table ==3.2.1" in explanation
    assert "Table ==2.0.0" in explanation

    # The CLI, on the same requirements, prints the same derivation (its root is "the
    # workspace"; resolve()'s is "the request").
    run_reel("init", str(tmp_path / "w"), "--repo", f"blessed={kitchen_repo}", cache=cache)
    cli = run_reel("-C", str(tmp_path / "w"), "add", "KitchenSet==1.4.0", "Table==2.0.0",
                   cache=cache, check=False)
    assert cli.returncode == 1
    assert explanation.replace("the request", "the workspace") in cli.stderr

    # Through a workspace the explanation is the CLI's text, word for word.
    ws = reel.Workspace.open(tmp_path / "w", cache_dir=cache)
    with pytest.raises(reel.ResolutionError) as e2:
        ws.add("KitchenSet==1.4.0", "Table==2.0.0")
    assert e2.value.explanation in cli.stderr
    assert ws.requirements == {} and ws.read_lock() is None  # left as it was
