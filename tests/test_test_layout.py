"""The tests' own walls: no test module imports another; shared fakes live in tests/fakes, fixtures in conftest."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TEST_MODULES = {path.stem for path in TESTS.rglob("test_*.py")}


def _is_test_module(name: str) -> bool:
    # A test_*.py name counts even when no such file is left: a moved module still imported is the same mistake.
    return name in TEST_MODULES or name.startswith("test_")


def imports_of_test_modules(source: str) -> list[str]:
    """Every import in ``source`` that reaches into a test_*.py module (absolute, bare or relative)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name.split(".")[-1])]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if _is_test_module(module.split(".")[-1]):
                found.append("." * node.level + module)
            found += [f"{module}.{alias.name}" for alias in node.names if _is_test_module(alias.name)]
    return found


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        name = str(path.relative_to(TESTS))
        found = imports_of_test_modules(path.read_text(encoding="utf-8"))
        if found:
            offenders[name] = found
    assert not offenders, f"move the shared helper into tests/fakes/ or a conftest.py: {offenders}"


def test_the_check_sees_every_spelling_of_such_an_import():
    source = "\n".join([
        "from tests.ui.test_editor import Answers",
        "from test_sync_server import server",
        "from test_module_that_moved_away import helper",
        "from tests.ui import test_editor",
        "import tests.test_cli",
        "from .test_cli import run",
        "    from tests.test_cli import run",
    ]).replace("\n    ", "\ndef f():\n    ")
    assert len(imports_of_test_modules(source)) == 7
    assert imports_of_test_modules("from tests.fakes.sync_world import FakeDinsos\nfrom tests import factories\n") == []
