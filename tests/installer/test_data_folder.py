"""Data lives in the platform's per-user data folder (platformdirs) unless --data-dir says otherwise; resources come from the bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from app import paths
from app.cli import build_parser, main
from installer.build import ROOT


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("USULKAN_DATA_DIR", raising=False)
    monkeypatch.delenv("USULKAN_SERVER_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    return tmp_path


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout")
def test_without_a_data_dir_the_office_is_in_the_users_data_folder(clean_env):
    assert paths.default_data_dir() == clean_env / "share" / "usulkan"
    assert paths.default_data_dir() == platformdirs.user_data_path("usulkan", appauthor=False)
    from app.server.config import Settings

    assert Settings().data_dir == clean_env / "share" / "usulkan-server"


def test_the_data_folder_is_never_beside_the_program(clean_env, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(clean_env / "Programs" / "Usulkan" / "_internal"), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    program = Path(sys._MEIPASS).parent
    assert not paths.default_data_dir().is_relative_to(program)
    assert not paths.default_server_data_dir().is_relative_to(program)


def test_an_explicit_folder_wins(clean_env, monkeypatch):
    monkeypatch.setenv("USULKAN_DATA_DIR", str(clean_env / "elsewhere"))
    assert paths.default_data_dir() == clean_env / "elsewhere"


def test_the_cli_uses_the_users_folder_only_when_no_data_dir_is_given(clean_env, capsys):
    # `office operators` where no office is yet: the error names the folder it looked in.
    assert main(["office", "operators"]) == 1
    assert str(paths.default_data_dir()) in capsys.readouterr().err
    assert not paths.default_data_dir().exists()  # looking creates nothing
    assert build_parser().parse_args(["--data-dir", "var/demo"]).data_dir == Path("var/demo")


def test_make_run_keeps_the_checkouts_demo_folder():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "DATA   ?= var/demo" in makefile
    assert "usulkan --data-dir $(DATA) demo --launch" in makefile


def test_frozen_resources_come_from_the_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert paths.resources_dir() == tmp_path / "_internal" / "resources"
    monkeypatch.delattr(sys, "_MEIPASS")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "app" / "usulkan"))
    assert paths.resources_dir() == tmp_path / "app" / "resources"
    monkeypatch.setattr(sys, "frozen", False)
    assert paths.resources_dir() == ROOT / "resources"
