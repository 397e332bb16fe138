"""Without Qt's X libraries `usulkan` says in Indonesian what to install, instead of Qt's English abort."""

from __future__ import annotations

import sys

import pytest

from app.ui import platform_check

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux")


@linux
def test_usulkan_without_xcb_cursor_says_what_to_install(monkeypatch, capsys, tmp_path):
    from app import cli

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(platform_check, "_loads", lambda soname: soname != "libxcb-cursor.so.0")
    started = []
    monkeypatch.setattr("app.ui.main.run_gui", lambda folder: started.append(folder) or 0)
    assert cli.main(["--data-dir", str(tmp_path / "office")]) == 1
    assert started == []  # Qt was never asked to start
    err = capsys.readouterr().err
    assert "pustaka X berikut belum terpasang: libxcb-cursor.so.0" in err
    assert "sudo apt install libxcb-cursor0 " in err


@linux
def test_every_missing_library_is_named_with_its_package():
    missing = {"libxcb-icccm.so.4", "libxkbcommon-x11.so.0"}
    problem = platform_check.window_problem({"DISPLAY": ":0"}, loads=lambda soname: soname not in missing)
    assert problem.params["packages"] == "libxcb-icccm4 libxkbcommon-x11-0"


@linux
def test_no_display_is_explained():
    problem = platform_check.window_problem({}, loads=lambda soname: True)
    assert "DISPLAY kosong" in problem.message() and "xvfb-run" in problem.message()


def test_offscreen_and_wayland_are_not_checked():
    assert platform_check.window_problem({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda s: False) is None
    assert platform_check.window_problem({"WAYLAND_DISPLAY": "wayland-0"}, loads=lambda s: False) is None
