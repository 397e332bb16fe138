"""Where the application's shipped resources and default data folders are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def bundle_root() -> Path:
    """The folder holding resources/ and installer/: the checkout, or the frozen bundle's own files."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    if getattr(sys, "frozen", False):  # a freezer without _MEIPASS keeps them next to the program
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """The shipped resources/ folder (beside app/ in a checkout, or inside a frozen bundle)."""
    return bundle_root() / "resources"


def _user_data(name: str) -> Path:
    # Never beside the program: an update replaces the program's folder, and on Windows it lives
    # in %LOCALAPPDATA%\Programs\Usulkan while the data stays in %LOCALAPPDATA%\Usulkan.
    return platformdirs.user_data_path(name, appauthor=False, roaming=False)


def default_data_dir() -> Path:
    """Per-user data folder: %LOCALAPPDATA%\\Usulkan on Windows, XDG data home elsewhere."""
    override = os.environ.get("USULKAN_DATA_DIR")
    if override:
        return Path(override)
    return _user_data("Usulkan" if sys.platform == "win32" else "usulkan")


def default_server_data_dir() -> Path:
    """The server's per-user folder, beside (never inside) the office's."""
    return _user_data("Usulkan-server" if sys.platform == "win32" else "usulkan-server")
