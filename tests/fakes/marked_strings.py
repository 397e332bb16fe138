"""Every string app/ marks for translation, read from the source with ast as the extractor sees it."""

from __future__ import annotations

import ast
from pathlib import Path

from app import i18n

ROOT = Path(__file__).resolve().parents[2]


def marked_calls() -> list[tuple[str, str, str | None, str | None, str]]:
    """(keyword, msgid, context, msgid_plural, where) for every marked string in app/."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in i18n.KEYWORDS):
                continue
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
            spec = i18n.KEYWORDS[node.func.id]
            context = msgid = plural = None
            positions = []
            for index, role in enumerate(spec):
                if isinstance(role, tuple):
                    context = args[index] if index < len(args) else None
                else:
                    positions.append(index)
            msgid = args[positions[0]] if positions[0] < len(args) else None
            if len(positions) > 1:
                plural = args[positions[1]] if positions[1] < len(args) else None
            if msgid is None or (any(isinstance(r, tuple) for r in spec) and context is None):
                continue
            found.append((node.func.id, msgid, context, plural, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found
