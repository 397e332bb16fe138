"""The domain imports only the standard library, python-stdnum and the app's own core helpers."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
ALLOWED_APP = ("app.errors", "app.i18n", "app.paths", "app.domain")
ALLOWED_THIRD_PARTY = ("stdnum",)
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "sqlalchemy", "requests", "sqlcipher3")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside app.domain
                names.add("app.domain")
            elif node.module == "app":
                names.update(f"app.{alias.name}" for alias in node.names)
            else:
                names.add(node.module or "")
    return names


def allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top == "app":
        return name.startswith(ALLOWED_APP)
    return top in sys.stdlib_module_names or top == "__future__" or top in ALLOWED_THIRD_PARTY


MODULES = sorted(DOMAIN.glob("*.py"))


def test_there_are_modules_to_scan():
    assert {p.name for p in MODULES} >= {"nik.py", "workflow.py", "proposal.py", "regions.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_no_framework(path):
    found = imports(path)
    assert not {m for m in found if m.split(".")[0] in FORBIDDEN}, found
    assert {m for m in found if not allowed(m)} == set()


def test_the_scanner_catches_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sqlalchemy.orm\nfrom PySide6 import QtCore\nfrom app import storage\n"
        "from app.services.proposals import add_proposal\nimport json\n",
        encoding="utf-8",
    )
    assert {m for m in imports(bad) if not allowed(m)} == {
        "sqlalchemy.orm", "PySide6", "app.storage", "app.services.proposals",
    }
