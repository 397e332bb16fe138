"""The built bundles, once per session: cached under build/bundle-cache/<source hash> so an unchanged tree reuses them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from installer import build

CACHE = build.ROOT / "build" / "bundle-cache"
DONE = ".complete"


@dataclass(frozen=True)
class Bundles:
    desktop: Path  # the folder dist/usulkan
    server: Path

    @property
    def usulkan(self) -> Path:
        return self.desktop / "usulkan"

    @property
    def cli(self) -> Path:
        """The program to run from a script: on Windows the console twin of the windowed usulkan.exe."""
        return self.desktop / ("usulkan-cli" if sys.platform == "win32" else "usulkan")

    @property
    def usulkan_server(self) -> Path:
        return self.server / "usulkan-server"


def built_bundles() -> Bundles:
    """Build (or reuse) both bundles for the current source tree; older cached builds are removed."""
    key = build.source_hash()
    folder = CACHE / key
    if not (folder / DONE).exists():
        shutil.rmtree(folder, ignore_errors=True)
        build.build(folder / "dist", folder / "work")
        shutil.rmtree(folder / "work", ignore_errors=True)
        (folder / DONE).write_text(key)
    for other in CACHE.iterdir():
        if other.name != key:
            shutil.rmtree(other, ignore_errors=True)
    return Bundles(folder / "dist" / "usulkan", folder / "dist" / "usulkan-server")


@pytest.fixture(scope="session")
def bundles() -> Bundles:
    return built_bundles()


@pytest.fixture
def user_home(tmp_path) -> dict[str, str]:
    """A fresh user for the bundled program: its own home, XDG folders, offscreen Qt, no checkout on its path."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "USULKAN_", "XDG_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    home.mkdir()
    return env


def run(program: Path, *args: str, env: dict[str, str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    """Run a bundled program from outside the checkout; its output is kept for the assertion message."""
    return subprocess.run([str(program), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
