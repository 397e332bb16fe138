"""Private, atomic, durable file writes: modes, crash-safe replace, folder sync, the vault lock."""

from __future__ import annotations

import errno
import os
import stat
import threading
import time

import pytest

from app import fsutil

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o000)
    yield
    os.umask(old)


@posix_only
def test_write_atomic_creates_a_private_file_even_under_a_loose_umask(tmp_path, loose_umask):
    target = tmp_path / "vault.json"
    fsutil.write_atomic(target, b"rahasia")
    assert target.read_bytes() == b"rahasia"
    assert mode_of(target) == 0o600
    fsutil.write_atomic(tmp_path / "shared.txt", b"x", mode=0o640)
    assert mode_of(tmp_path / "shared.txt") == 0o640


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "vault.json"
    fsutil.write_atomic(target, b"one")
    fsutil.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault.json"]


def test_a_failed_replace_keeps_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "vault.json"
    fsutil.write_atomic(target, b"old and whole")

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "disk went away")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        fsutil.write_atomic(target, b"new")
    assert target.read_bytes() == b"old and whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault.json"]


@posix_only
def test_the_temporary_file_is_private_before_any_byte_is_written(tmp_path, loose_umask, monkeypatch):
    seen = []
    real_fdopen = os.fdopen

    def spying_fdopen(fd, *args, **kwargs):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spying_fdopen)
    fsutil.write_atomic(tmp_path / "vault.json", b"x")
    assert seen == [0o600]


@posix_only
def test_create_private(tmp_path, loose_umask):
    path = tmp_path / "office-1.db"
    assert fsutil.create_private(path) is True
    assert mode_of(path) == 0o600 and path.stat().st_size == 0
    path.write_bytes(b"data")
    assert fsutil.create_private(path) is False
    assert path.read_bytes() == b"data"


@posix_only
def test_secure_mkdir_makes_and_tightens_0700(tmp_path, loose_umask):
    made = fsutil.secure_mkdir(tmp_path / "a" / "office")
    assert made.is_dir() and mode_of(made) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o777)
    fsutil.secure_mkdir(loose)
    assert mode_of(loose) == 0o700


def test_fsync_dir_and_file(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    fsutil.fsync_dir(tmp_path)
    fsutil.fsync_file(tmp_path / "f")


def test_fsync_dir_tolerates_filesystems_that_cannot_sync_a_folder(tmp_path, monkeypatch):
    def refuse(fd):
        raise OSError(errno.EINVAL, "not supported")

    monkeypatch.setattr(os, "fsync", refuse)
    fsutil.fsync_dir(tmp_path)  # no error

    def fail(fd):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        fsutil.fsync_dir(tmp_path)


def test_fsync_dir_is_skipped_on_windows(tmp_path, monkeypatch):
    monkeypatch.setattr(fsutil, "_WINDOWS", True)

    def no_open(*args, **kwargs):
        raise AssertionError("Windows cannot open a directory")

    monkeypatch.setattr(os, "open", no_open)
    fsutil.fsync_dir(tmp_path)


def test_remove_files(tmp_path):
    present = tmp_path / "a"
    present.write_bytes(b"x")
    assert fsutil.remove_files([present, tmp_path / "missing"]) is True
    assert not present.exists()
    assert fsutil.remove_files([tmp_path / "missing"]) is False


def test_file_lock_excludes_a_second_holder(tmp_path):
    lock = tmp_path / "vault.lock"
    order: list[str] = []
    inside = threading.Event()

    def second():
        inside.wait(5)
        with fsutil.file_lock(lock):
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with fsutil.file_lock(lock):
        inside.set()
        time.sleep(0.2)  # the second holder is waiting now
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
