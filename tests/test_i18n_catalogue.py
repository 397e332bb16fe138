"""Every string marked for translation has an Indonesian translation with the same fields."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from app import i18n

ROOT = Path(__file__).resolve().parents[1]


def _marked_strings() -> dict[str, str]:
    """msgid -> first place it is marked, from every _("...") and N_("...") in app/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_string_is_translated_to_indonesian():
    table = i18n.catalogue("id")
    missing = {msgid: where for msgid, where in _marked_strings().items() if msgid not in table}
    assert not missing, "untranslated (add to resources/locale/id/*.po):\n" + "\n".join(
        f"{where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_translations_keep_the_format_fields():
    table = i18n.catalogue("id")
    wrong = {
        msgid: translated
        for msgid, translated in table.items()
        if _fields(msgid) != _fields(translated)
    }
    assert not wrong, wrong


def test_language_switch_changes_the_text():
    i18n.set_language("id")
    try:
        assert i18n._("Something went wrong.") == "Terjadi kesalahan."
        i18n.set_language("en")
        assert i18n._("Something went wrong.") == "Something went wrong."
    finally:
        i18n.set_language("id")


def test_a_message_translated_in_two_layers_reads_the_same_in_both():
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((ROOT / "resources" / "locale" / "id").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="id"):
                if not message.id or not message.string:
                    continue
                earlier = seen.setdefault(message.id, (message.string, po.name))
                if earlier[0] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[1]} says {earlier[0]!r}, {po.name} says {message.string!r}")
    # The later file would silently win, so one screen would say something else than another.
    assert not clashes, "\n".join(clashes)
