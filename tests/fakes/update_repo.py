"""A signed update repository as Dinsos publishes it (tufup via installer/updates_repo.py), with toy bundles."""

from __future__ import annotations

from pathlib import Path

from installer import updates_repo


def toy_bundle(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "VERSION").write_text(version)
    (folder / "_internal").mkdir()
    (folder / "_internal" / f"lib-{version}.so").write_bytes(version.encode() * 1000)
    return folder


def publish(tmp_path: Path, name: str, versions: list[str]) -> tuple[Path, Path]:
    repo, keys = tmp_path / name / "repo", tmp_path / name / "keys"
    assert updates_repo.main(["init", "--repo", str(repo), "--keys", str(keys)]) == 0
    for version in versions:
        bundle = toy_bundle(tmp_path / name / f"bundle-{version}", version)
        assert updates_repo.main(["add", "--repo", str(repo), "--keys", str(keys), "--bundle", str(bundle),
                                  "--version", version]) == 0
    return repo, keys
