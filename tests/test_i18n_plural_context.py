"""Counted messages (n_, msgid_plural) and messages in context (p_, msgctxt) read as Indonesian and English should."""

from __future__ import annotations

import pytest

from app import i18n


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("id")


def test_english_counts_say_one_item_and_two_items(english):
    assert i18n.n_("{count} proposal", "{count} proposals", 1).format(count=1) == "1 proposal"
    assert i18n.n_("{count} proposal", "{count} proposals", 2).format(count=2) == "2 proposals"
    assert i18n.n_("{count} proposal", "{count} proposals", 0).format(count=0) == "0 proposals"


def test_indonesian_has_one_form_for_every_count():
    for n in (0, 1, 2, 21):
        assert i18n.n_("{count} proposal", "{count} proposals", n).format(count=n) == f"{n} usulan"


def test_open_on_a_button_is_buka_and_open_as_a_state_is_terbuka():
    assert i18n.p_("button", "Open") == "Buka"
    assert i18n._("Open") == "Terbuka"


def test_a_context_without_translation_falls_back_to_the_english_not_to_another_meaning():
    # Falling back to the context-free "Terbuka" would put the state's word on a button again.
    assert i18n.p_("no such context", "Open") == "Open"


def test_qt_contexts_are_in_the_catalogue():
    assert i18n.p_("QPlatformTheme", "Save") == "Simpan"
    assert i18n.p_("QFileDialog", "File &name:") == "&Nama berkas:"
    assert i18n.is_translated("id", "{count} proposal", plural=True)
    assert not i18n.is_translated("id", "{count} proposal")  # only as a counted message


def test_english_context_and_plural_pass_through(english):
    assert i18n.p_("button", "Open") == "Open"
    assert i18n.np_("button", "Open {count} file", "Open {count} files", 3) == "Open {count} files"


def test_no_counted_english_noun_is_left_to_plain_translation():
    """'{count} items' through _() reads '1 items' in English: counted text goes through n_()."""
    import re

    from tests.fakes.marked_strings import marked_calls

    counted = re.compile(r"\{(count|n|total|missing|mine)\} (open |signed |unfinished )?[a-z]+(s|\(s\)|\(es\))\b")
    plain = sorted(f"{where}: {msgid!r}" for keyword, msgid, _c, _p, where in marked_calls()
                   if keyword in {"_", "N_"} and counted.search(msgid) and not msgid.startswith("{count} found")
                   # always more than the limit, itself more than one
                   and "characters, at most {max}" not in msgid)
    assert not plain, "\n".join(plain)


def test_no_label_is_capitalized_by_python():
    """str.capitalize() lowers the rest: 'Mintakan sptjm kepada lurah'. Use i18n.sentence_case()."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "app"
    calls = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "capitalize"
    ]
    assert not calls, calls


def test_an_empty_text_stays_empty():
    # gettext answers "" with the catalogue's header ("Project-Id-Version: ..."): a blank label
    # (a state without a name, an empty cell) must stay blank.
    assert i18n._("") == ""
    assert i18n.p_("button", "") == ""
