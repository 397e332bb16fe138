"""The built bundle updates itself from a Dinsos-signed repository (tufup, frozen), and the data folder stays."""

from __future__ import annotations

import shutil
import sys

import pytest

from tests.installer.conftest import run
from tests.fakes.update_repo import publish

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="Windows swaps the folder after exit")]


def test_the_frozen_program_checks_and_installs_a_signed_update(bundles, user_home, tmp_path, served):
    repo, _keys = publish(tmp_path, "dinsos", ["0.2.0"])
    programs = tmp_path / "home" / ".local" / "opt" / "Usulkan"
    shutil.copytree(bundles.desktop, programs, symlinks=True)
    # What `installer/build.py --update-root` puts into the bundle.
    (programs / "_internal" / "resources" / "updates").mkdir()
    shutil.copyfile(repo / "metadata" / "root.json", programs / "_internal" / "resources" / "updates" / "root.json")
    data = tmp_path / "home" / ".local" / "share" / "usulkan"
    data.mkdir(parents=True)
    (data / "office-1.db").write_bytes(b"the office")
    url = served(repo)

    checked = run(programs / "usulkan", "--lang", "en", "update", "--url", url, "--check", env=user_home, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Version 0.2.0 is available" in checked.stdout

    done = run(programs / "usulkan", "--lang", "en", "update", "--url", url, env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Version 0.2.0 is installed" in done.stdout
    assert (programs / "VERSION").read_text() == "0.2.0"  # the signed bundle took the folder's place
    assert (data / "office-1.db").read_bytes() == b"the office"


def test_a_bundle_built_without_the_dinsos_root_cannot_update(bundles, user_home, tmp_path):
    done = run(bundles.cli, "--lang", "en", "update", "--url", "http://127.0.0.1:9", "--check",
               env=user_home, cwd=tmp_path)
    assert done.returncode == 1
    assert "no Dinsos update key" in done.stderr
