"""The Windows installer script compiles (Debian's makensis, against the Linux bundle) and refuses a missing bundle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from installer.build import ROOT

pytestmark = pytest.mark.slow
SCRIPT = ROOT / "installer" / "windows" / "usulkan.nsi"
WINDOWS_NSIS = Path(os.environ.get("ProgramFiles(x86)", "C:/Program Files (x86)")) / "NSIS" / "makensis.exe"
MAKENSIS = shutil.which("makensis") or (str(WINDOWS_NSIS) if WINDOWS_NSIS.exists() else None)
EXE = "usulkan.exe" if sys.platform == "win32" else "usulkan"
needs_makensis = pytest.mark.skipif(MAKENSIS is None, reason="makensis missing (sudo apt install nsis)")


def _compile(tmp_path, *defines: str) -> subprocess.CompletedProcess:
    return subprocess.run([MAKENSIS, "-V2", "-NOCD", *defines, str(SCRIPT)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)


def test_the_script_asks_for_no_admin_and_installs_into_the_users_programs_folder():
    text = SCRIPT.read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in text
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\Usulkan"' in text
    assert "HKLM" not in text and "$PROGRAMFILES" not in text  # both would need an administrator
    uninstall = text.split('Section "Uninstall"', 1)[1]
    assert 'RMDir /r "$INSTDIR"' in uninstall and "$LOCALAPPDATA\\Usulkan\"" not in uninstall


@needs_makensis
def test_the_script_compiles_into_an_installer_against_the_bundle(bundles, tmp_path):
    out = tmp_path / "Usulkan-setup.exe"
    done = _compile(tmp_path, f"-DBUNDLE_DIR={bundles.desktop}", f"-DVERSION={__version__}",
                    f"-DEXE_NAME={EXE}", "-DFAST", f"-DOUTFILE={out}")
    assert done.returncode == 0, done.stdout + done.stderr
    head = out.read_bytes()[:2]
    assert head == b"MZ"  # a Windows program
    # The whole bundle is inside (stored, -DFAST): the installer is at least as large as its files.
    program = sum(p.stat().st_size for p in bundles.desktop.rglob("*") if p.is_file() and not p.is_symlink())
    assert out.stat().st_size >= program


@needs_makensis
@pytest.mark.parametrize("missing", ["usulkan.ico", EXE])
def test_the_script_refuses_a_bundle_without_its_program_or_icon(bundles, tmp_path, missing):
    broken = tmp_path / "bundle"
    broken.mkdir()
    for name in ("usulkan.ico", EXE):
        if name != missing:
            shutil.copy2(bundles.desktop / name, broken / name)
    done = _compile(tmp_path, f"-DBUNDLE_DIR={broken}", "-DVERSION=0.1.0", f"-DEXE_NAME={EXE}",
                    "-DFAST", f"-DOUTFILE={tmp_path / 'x.exe'}")
    assert done.returncode != 0
    assert f"{missing} is missing" in done.stdout + done.stderr
    assert not (tmp_path / "x.exe").exists()


@needs_makensis
def test_the_script_refuses_to_compile_without_a_bundle_folder(tmp_path):
    done = _compile(tmp_path, "-DVERSION=0.1.0")
    assert done.returncode != 0 and "BUNDLE_DIR is not defined" in done.stdout + done.stderr
