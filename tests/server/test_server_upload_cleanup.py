"""Abandoned half uploads of documents are removed after N days (at `serve` start and by `usulkan-server cleanup`)."""

from __future__ import annotations

import os
import time

from app.server.cli import main
from app.server.upload_cleanup import remove_stale_uploads

SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


def _part(root, office, sha, *, age_days, size=1000):
    folder = root / "uploads" / office
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.part"
    path.write_bytes(b"x" * size)
    then = time.time() - age_days * 86400
    os.utime(path, (then, then))
    return path


def test_only_parts_older_than_the_limit_go_and_an_emptied_office_folder_too(tmp_path):
    old = _part(tmp_path, "office-1", SHA_A, age_days=9, size=4096)
    fresh = _part(tmp_path, "office-1", SHA_B, age_days=1)
    lone = _part(tmp_path, "office-2", SHA_C, age_days=30)
    other = tmp_path / "uploads" / "office-1" / "notes.txt"  # not a staged part: never touched
    other.write_text("keep")
    os.utime(other, (0, 0))
    done = remove_stale_uploads(tmp_path, older_than_days=7)
    assert (done.removed, done.freed_bytes, done.kept) == (2, 4096 + 1000, 1)
    assert not old.exists() and not lone.exists()
    assert fresh.exists() and other.exists()
    assert not (tmp_path / "uploads" / "office-2").exists()


def test_a_symlink_out_of_the_store_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / f"{SHA_A}.part"
    victim.write_bytes(b"precious")
    os.utime(victim, (0, 0))
    (tmp_path / "data" / "uploads").mkdir(parents=True)
    (tmp_path / "data" / "uploads" / "evil").symlink_to(outside)
    (tmp_path / "data" / "uploads" / "x").mkdir()
    (tmp_path / "data" / "uploads" / "x" / f"{SHA_B}.part").symlink_to(victim)
    assert remove_stale_uploads(tmp_path / "data", older_than_days=0).removed == 0
    assert victim.read_bytes() == b"precious"


def test_a_part_being_appended_right_now_is_kept(tmp_path):
    import fcntl

    path = _part(tmp_path, "office-1", SHA_A, age_days=10)
    with open(path, "r+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert remove_stale_uploads(tmp_path, older_than_days=7).removed == 0
    assert path.exists()


def test_no_uploads_folder_is_nothing_to_do(tmp_path):
    assert remove_stale_uploads(tmp_path).removed == 0


def test_cleanup_command_removes_them(tmp_path, capsys):
    old = _part(tmp_path, "office-1", SHA_A, age_days=3)
    fresh = _part(tmp_path, "office-1", SHA_B, age_days=0.5)
    assert main(["cleanup", "--data-dir", str(tmp_path), "--days", "2"]) == 0
    assert "removed 1 abandoned half upload(s)" in capsys.readouterr().out
    assert not old.exists() and fresh.exists()


def test_serve_removes_them_at_start(tmp_path, monkeypatch):
    import uvicorn

    old = _part(tmp_path, "office-1", SHA_A, age_days=8)
    seen = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(old.exists()))
    assert main(["serve", "--data-dir", str(tmp_path), "--port", "0"]) == 0
    assert seen == [False]  # already gone before the server answered anything
