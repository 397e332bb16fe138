"""Before Qt starts on Linux: are the X libraries its window plugin needs there, and a display?

Without them Qt prints an English plugin error and aborts the process ("This application
failed to start because no Qt platform plugin could be initialized"). This check runs first
(no Qt import) and says in Indonesian what to install; the README has the same line.
"""

from __future__ import annotations

import ctypes
import os
import sys

from app.errors import UsulkanError
from app.i18n import N_

# What Qt's xcb plugin (libQt6XcbQpa) and QtGui load, by soname, with the Debian/Ubuntu package.
XCB_LIBRARIES = (
    ("libxcb.so.1", "libxcb1"),
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
)


class XLibrariesMissing(UsulkanError):
    template = N_("Usulkan cannot open its window: these X libraries are not installed: {libraries}.")
    hint = N_("Install them (Debian/Ubuntu): sudo apt install {packages} \u2014 then start Usulkan again.")


class NoDisplay(UsulkanError):
    template = N_("Usulkan cannot open its window: there is no screen to show it on (DISPLAY is empty).")
    hint = N_("Start it from the desktop, or without a screen with: xvfb-run usulkan")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def _uses_xcb(env) -> bool:
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    # Unset: Qt takes Wayland in a Wayland session, X otherwise.
    return not env.get("WAYLAND_DISPLAY")


def window_problem(env=None, libraries=XCB_LIBRARIES, loads=None) -> UsulkanError | None:
    """What keeps Qt from opening a window here (Linux with X), or None."""
    env = os.environ if env is None else env
    loads = loads or _loads
    if not sys.platform.startswith("linux") or not _uses_xcb(env):
        return None
    missing = [(soname, package) for soname, package in libraries if not loads(soname)]
    if missing:
        return XLibrariesMissing(libraries=", ".join(s for s, _p in missing),
                                 packages=" ".join(p for _s, p in missing))
    if not env.get("DISPLAY"):
        return NoDisplay()
    return None
