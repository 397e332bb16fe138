"""Signed updates (tufup): an office installs only a bundle Dinsos signed, and its data folder is never touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import updates
from installer import updates_repo
from tests.fakes.update_repo import publish, toy_bundle


@pytest.fixture
def office(tmp_path):
    """An installed 0.1.0 program folder and, elsewhere, the office's data."""
    program = toy_bundle(tmp_path / "Programs" / "Usulkan", "0.1.0")
    data = tmp_path / "data" / "usulkan"
    data.mkdir(parents=True)
    (data / "vault.json").write_text("{}")
    (data / "office-1.db").write_bytes(b"office data")
    return program, data


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_office_installs_the_newest_version_dinsos_signed_and_keeps_its_data(tmp_path, served, office):
    program, data = office
    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0", "0.2.0", "0.3.0"])
    url = served(repo)
    root = repo / "metadata" / "root.json"  # what the bundle ships
    data_before = _snapshot(data)
    kwargs = dict(install_dir=program, cache=tmp_path / "cache", root=root)

    available = updates.check(url, "0.1.0", **kwargs)
    assert available is not None and available.version == "0.3.0" and available.size > 0
    assert updates.install(url, "0.1.0", **kwargs) == "0.3.0"
    assert (program / "VERSION").read_text() == "0.3.0"
    # The old version's files are gone (a whole folder replaced), the data folder is exactly as it was.
    assert sorted(p.name for p in (program / "_internal").iterdir()) == ["lib-0.3.0.so"]
    assert _snapshot(data) == data_before
    assert not list(program.parent.glob(".Usulkan.*"))  # no staging folder left behind
    # Up to date: nothing more to do.
    assert updates.check(url, "0.3.0", **kwargs) is None
    assert updates.install(url, "0.3.0", **kwargs) is None


def test_metadata_signed_with_another_key_is_refused(tmp_path, served, office):
    program, _data = office
    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0"])
    forged, _other = publish(tmp_path, "attacker", ["0.1.0", "9.9.9"])
    url = served(forged)
    before = _snapshot(program)
    with pytest.raises(updates.UpdateRefused):
        updates.install(url, "0.1.0", install_dir=program, cache=tmp_path / "cache", root=repo / "metadata" / "root.json")
    assert _snapshot(program) == before


def test_a_tampered_targets_file_is_refused(tmp_path, served, office):
    program, _data = office
    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0", "0.2.0"])
    targets = repo / "metadata" / "targets.json"
    document = json.loads(targets.read_text())
    [name] = [n for n in document["signed"]["targets"] if "0.2.0" in n]
    document["signed"]["targets"][name]["length"] += 1  # any edit breaks the signature
    targets.write_text(json.dumps(document))
    before = _snapshot(program)
    with pytest.raises(updates.UpdateRefused):
        updates.install(served(repo), "0.1.0", install_dir=program, cache=tmp_path / "cache",
                        root=repo / "metadata" / "root.json")
    assert _snapshot(program) == before


def test_an_archive_swapped_on_the_server_is_refused_before_anything_is_installed(tmp_path, served, office):
    program, _data = office
    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0", "0.2.0"])
    archive = repo / "targets" / "usulkan-0.2.0.tar.gz"
    evil = toy_bundle(tmp_path / "evil", "0.2.0")
    (evil / "_internal" / "lib-0.2.0.so").write_bytes(b"malware".ljust(archive.stat().st_size, b"\0"))
    shutil.make_archive(str(tmp_path / "evil-archive"), "gztar", evil)
    shutil.copyfile(tmp_path / "evil-archive.tar.gz", archive)
    before = _snapshot(program)
    with pytest.raises(updates.UpdateRefused):
        updates.install(served(repo), "0.1.0", install_dir=program, cache=tmp_path / "cache",
                        root=repo / "metadata" / "root.json")
    assert _snapshot(program) == before


def test_a_build_without_the_dinsos_root_says_so(tmp_path):
    with pytest.raises(updates.UpdatesNotConfigured):
        updates.check("http://127.0.0.1:9", "0.1.0", install_dir=tmp_path, cache=tmp_path / "c",
                      root=tmp_path / "missing-root.json")


def test_the_repository_tool_never_makes_a_second_root(tmp_path):
    repo, keys = publish(tmp_path, "dinsos", [])
    with pytest.raises(SystemExit, match="root already"):
        updates_repo.main(["init", "--repo", str(repo), "--keys", str(keys)])
    assert (keys / ".tufup-repo-config").exists() and not (Path.cwd() / ".tufup-repo-config").exists()


def test_the_update_command_says_what_dinsos_offers_and_refuses_to_replace_a_source_checkout(
        tmp_path, served, monkeypatch, capsys):
    from app.cli import main

    repo, _keys = publish(tmp_path, "dinsos", ["0.1.0", "0.2.0"])
    monkeypatch.setattr(updates, "trusted_root", lambda: repo / "metadata" / "root.json")
    monkeypatch.setattr(updates, "cache_dir", lambda: tmp_path / "cache")
    url = served(repo)
    assert main(["--lang", "en", "update", "--url", url, "--check"]) == 0
    assert "Version 0.2.0 is available" in capsys.readouterr().out
    assert main(["--lang", "en", "update", "--url", url]) == 1  # not a bundle: git or pip, not tufup
    assert "runs from source" in capsys.readouterr().err
