"""The console's templates speak Indonesian by default: every _("...") in them is in the catalogue,
and a page renders in Indonesian, or in English when the reader chose it."""

from __future__ import annotations

import re
from pathlib import Path

from app import i18n
from app.server.console.web import TEMPLATES

MARKED = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def _template_strings() -> dict[str, str]:
    found = {}
    for path in sorted(Path(TEMPLATES).glob("*.html")):
        for match in MARKED.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), path.name)
    return found


def test_templates_mark_their_words():
    assert len(_template_strings()) > 50


def test_every_template_string_is_translated_to_indonesian():
    table = i18n.catalogue("id")
    missing = {msgid: where for msgid, where in _template_strings().items() if msgid not in table}
    assert not missing, "untranslated (add to resources/locale/id/server_console.po):\n" + "\n".join(
        f"{where}: {msgid!r}" for msgid, where in sorted(missing.items()))


def test_translations_keep_the_format_fields():
    import string

    table = i18n.catalogue("id")
    for msgid in _template_strings():
        fields = {f for _, f, _, _ in string.Formatter().parse(msgid) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(table[msgid]) if f}, msgid


def test_login_page_in_indonesian_then_english(ctx):
    from fastapi.testclient import TestClient

    from app.server.app import create_app

    client = TestClient(create_app(context=ctx))
    page = client.get("/console/login").text
    assert '<html lang="id">' in page and "Nama pengguna" in page and "Kata sandi" in page
    client.get("/console/lang/en?next=/console/login")
    page = client.get("/console/login").text
    assert '<html lang="en">' in page and "Username" in page and "Nama pengguna" not in page
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/console/static/../app.py").status_code == 404
    assert "http" not in client.get("/console/static/console.js").text  # nothing fetched from a CDN
