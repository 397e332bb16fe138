"""Dinsos's return reasons reach people as words: never the code (foto_rumah_buram) on a screen or paper."""

from __future__ import annotations

from app.domain.reasons import humanise, reason_texts
from app.services import citizen, dashboard, playbook, proposals
from app.services.status_feed import _reason_text
from app.sync.status import StatusReason
from tests.factories import HEAD_NIK
from tests.fakes.returned import returned_proposal

REASONS = [("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan."), ("kk_buram", "KK tidak terbaca")]


def test_the_counter_tells_the_citizen_the_words_not_the_codes(office):
    returned_proposal(office, REASONS)
    (status,) = citizen.find_for_citizen(office, HEAD_NIK)
    assert status.returned_reasons == ("Foto rumah buram; mohon foto ulang dari depan.", "KK tidak terbaca")
    assert not any("foto_rumah_buram" in r or "kk_buram" in r for r in status.returned_reasons)


def test_beranda_shows_the_words(office):
    pid = returned_proposal(office, REASONS)
    (summary, reason), = dashboard.overview(office).returned
    assert summary.id == pid
    assert reason == "Foto rumah buram; mohon foto ulang dari depan.; KK tidak terbaca"
    assert "_" not in reason


def test_the_proposal_history_shows_the_words(office):
    pid = returned_proposal(office, REASONS)
    detail = proposals.get_proposal(office, pid)
    returned = [t for t in detail.transitions if t.action == "return"]
    assert returned[0].reason == "Foto rumah buram; mohon foto ulang dari depan.; KK tidak terbaca"


def test_a_code_without_words_reads_as_the_playbook_title_or_in_plain_words(office):
    playbook.save_page(office, slug="kk", title="KK tidak terbaca: minta fotokopi baru", body="...",
                       return_reason_code="kk_buram")
    returned_proposal(office, [], reason_line="foto_rumah_buram",
                      data={"reasons": [{"code": "foto_rumah_buram"}, {"code": "kk_buram", "text": ""}]})
    (status,) = citizen.find_for_citizen(office, HEAD_NIK)
    assert status.returned_reasons == ("Foto rumah buram", "KK tidak terbaca: minta fotokopi baru")


def test_the_receipt_of_a_new_version_carries_the_reasons_in_words(office):
    pid = returned_proposal(office, REASONS)
    new = proposals.new_version(office, pid)
    receipt = citizen.receipt_data(office, new.id)
    assert receipt.returned_reasons == ("Foto rumah buram; mohon foto ulang dari depan.", "KK tidak terbaca")


def test_statuses_pulled_from_now_on_store_only_the_words():
    class Update:
        reasons = (StatusReason("foto_rumah_buram", "Foto rumah buram"),)

    assert _reason_text(Update()) == "Foto rumah buram"


def test_legacy_reason_lines_lose_their_codes_and_free_words_stay():
    assert reason_texts(None, "Foto rumah buram (foto_rumah_buram); KK buram (kk_buram)") == ["Foto rumah buram",
                                                                                             "KK buram"]
    assert reason_texts(None, "ditolak warga") == ["ditolak warga"]
    assert reason_texts({"reasons": ["junk", {"code": ""}]}, None) == []
    assert humanise("sktm_kadaluarsa") == "Sktm kadaluarsa"
