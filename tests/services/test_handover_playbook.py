"""Playbook: every save a new version, pages found by return reason, starter pages never overwrite."""

from __future__ import annotations

import pytest

from app.services import playbook


def test_saves_keep_every_version(office):
    playbook.save_page(office, slug="kk-buram", title="KK buram", body="Minta KK asli.", return_reason_code="kk_buram")
    page = playbook.save_page(office, slug="kk-buram", title="KK buram", body="Minta KK asli, pindai 300 dpi.",
                              return_reason_code="kk_buram")
    assert page.version == 2 and page.updated_by_name == "Ani Operator"
    assert [p.body for p in playbook.history(office, "kk-buram")] == ["Minta KK asli, pindai 300 dpi.",
                                                                     "Minta KK asli."]
    assert playbook.page_for_return_reason(office, "kk_buram").slug == "kk-buram"
    assert playbook.page_for_return_reason(office, "lain") is None


def test_one_page_per_return_reason_and_bad_pages_refused(office):
    playbook.save_page(office, slug="a", title="A", body="a", return_reason_code="foto_kurang")
    with pytest.raises(playbook.ReturnReasonTaken):
        playbook.save_page(office, slug="b", title="B", body="b", return_reason_code="foto_kurang")
    with pytest.raises(playbook.PlaybookPageInvalid):
        playbook.save_page(office, slug="Bad Slug", title="B", body="b")
    with pytest.raises(playbook.PlaybookPageNotFound):
        playbook.get_page(office, "nothing")


def test_starter_pages_are_seeded_once_and_keep_the_office_text(office):
    made = playbook.ensure_starter_pages(office)
    assert "cara-muskel" in made and "kontak-dinsos" in made
    playbook.save_page(office, slug="cara-muskel", title="Muskel kami", body="Rapat tiap Kamis.")
    assert playbook.ensure_starter_pages(office) == []
    assert playbook.get_page(office, "cara-muskel").body == "Rapat tiap Kamis."
    assert len(playbook.list_pages(office)) == len(made)
