"""Every string marked for translation has an Indonesian translation with the same fields."""

from __future__ import annotations

import string
from pathlib import Path

from app import i18n
from tests.fakes.marked_strings import marked_calls

ROOT = Path(__file__).resolve().parents[1]


def _marked_strings() -> dict[str, str]:
    """msgid -> first place it is marked, for the plain _("...") and N_("...")."""
    found: dict[str, str] = {}
    for keyword, msgid, _context, _plural, where in marked_calls():
        if keyword in {"_", "N_"}:
            found.setdefault(msgid, where)
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_string_is_translated_to_indonesian():
    table = i18n.catalogue("id")
    missing = {msgid: where for msgid, where in _marked_strings().items() if msgid not in table}
    assert not missing, "untranslated (add to resources/locale/id/*.po):\n" + "\n".join(
        f"{where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_every_counted_or_contextual_string_is_translated_to_indonesian():
    missing = [
        f"{where}: {keyword}({context!r}, {msgid!r})"
        for keyword, msgid, context, plural, where in marked_calls()
        if keyword not in {"_", "N_"}
        and not i18n.is_translated("id", msgid, context=context, plural=plural is not None)
    ]
    assert not missing, "untranslated (msgctxt / msgid_plural in resources/locale/id/*.po):\n" + "\n".join(missing)


def test_counted_translations_keep_the_format_fields():
    from babel.messages.pofile import read_po

    wrong = []
    for po in sorted((ROOT / "resources" / "locale" / "id").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="id"):
                if message.id and (message.context or isinstance(message.id, tuple)):
                    ids = message.id if isinstance(message.id, tuple) else (message.id,)
                    strings = message.string if isinstance(message.string, tuple) else (message.string,)
                    if any(_fields(s) != _fields(ids[-1]) for s in strings if s):
                        wrong.append(f"{po.name}: {ids[0]!r}")
    assert not wrong, wrong


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

    seen: dict[tuple, tuple[str, str]] = {}
    clashes = []
    for po in sorted((ROOT / "resources" / "locale" / "id").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="id"):
                if not message.id or not message.string:
                    continue
                # The same words in another context (msgctxt) may read otherwise: Open / Buka / Terbuka.
                earlier = seen.setdefault((message.context, message.id), (message.string, po.name))
                if earlier[0] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[1]} says {earlier[0]!r}, {po.name} says {message.string!r}")
    # The later file would silently win, so one screen would say something else than another.
    assert not clashes, "\n".join(clashes)
