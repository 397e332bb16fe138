"""`usulkan install-desktop-entry` writes the menu entry and icon into XDG_DATA_HOME, with an Exec that starts this program."""

from __future__ import annotations

import configparser
import sys

import pytest

from app.cli import desktop_entry, main
from app.paths import resources_dir


def _entry(path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive (Name, Name[id])
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG menus are Linux's")
def test_the_command_writes_the_entry_and_icon_into_xdg_data_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(desktop_entry, "program_command", lambda: ["/opt/usulkan/usulkan"])
    assert main(["install-desktop-entry"]) == 0
    entry_path = tmp_path / "share" / "applications" / "usulkan.desktop"
    icon_path = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "usulkan.svg"
    entry = _entry(entry_path)
    assert entry["Type"] == "Application" and entry["Name"] == "Usulkan"
    assert entry["Exec"] == "/opt/usulkan/usulkan" and entry["TryExec"] == "/opt/usulkan/usulkan"
    assert entry["Icon"] == "usulkan" and entry["Terminal"] == "false"
    assert "@" not in entry_path.read_text(encoding="utf-8")  # no placeholder left
    assert icon_path.read_bytes() == (resources_dir() / "icons" / "usulkan.svg").read_bytes()
    assert entry_path.stat().st_mode & 0o777 == 0o644  # the menu reads it
    out = capsys.readouterr().out
    assert str(entry_path) in out and str(icon_path) in out
    # Run again (an update moved the program): the entry is replaced, not duplicated.
    monkeypatch.setattr(desktop_entry, "program_command", lambda: ["/opt/usulkan-0.2/usulkan"])
    assert main(["install-desktop-entry"]) == 0
    assert _entry(entry_path)["Exec"] == "/opt/usulkan-0.2/usulkan"
    assert sorted(p.name for p in entry_path.parent.iterdir()) == ["usulkan.desktop"]


@pytest.mark.parametrize("path", [
    "/home/siti rahayu/Usulkan/usulkan",
    '/opt/odd"name$/100%/usulkan',
    "/opt/back\\slash/usulkan",
])
def test_an_exec_path_with_spaces_quotes_or_percent_signs_is_quoted_as_the_spec_says(path):
    text = desktop_entry.desktop_entry([path, "-m", "app"])
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))[len("Exec="):]
    # Undo the string escape (\\ -> \), then the field codes (%% -> %), then split as the launcher does.
    unescaped = exec_line.replace("\\\\", "\\").replace("%%", "%")
    assert _split_exec(unescaped) == [path, "-m", "app"]


def _split_exec(value: str) -> list[str]:
    """The Exec key's argument rules (Desktop Entry Specification 1.5), as a launcher reads them."""
    args, current, quoted, i = [], "", False, 0
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
            current, i = current + value[i + 1], i + 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == " " and not quoted:
            args.append(current)
            current = ""
        else:
            current += c
        i += 1
    return args + [current]


def test_the_command_says_it_is_for_linux_elsewhere(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop-entry"]) == 1
    assert "Start" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
