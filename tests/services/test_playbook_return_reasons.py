"""The playbook beside a returned proposal: its coded reasons, and every code the office has met."""

from __future__ import annotations

from app.services import playbook, proposal_io, proposals
from tests import factories
from tests.fakes.returned import returned_proposal


def test_a_returned_proposal_gives_its_coded_reasons(office):
    pid = returned_proposal(office, [("foto_rumah_buram", "Foto rumah buram"), ("kk_buram", "KK buram")])
    assert playbook.return_reasons(office, pid) == [
        playbook.ReturnReason("foto_rumah_buram", "Foto rumah buram"), playbook.ReturnReason("kk_buram", "KK buram"),
    ]
    other = proposals.add_proposal(office, proposal_io.proposal_from_dict(
        factories.household_with(["3575030507700001"], kk="3575031203150099")))
    assert playbook.return_reasons(office, other.id) == []


def test_known_codes_come_from_returns_and_pages(office):
    returned_proposal(office, [("kk_buram", "KK buram")])
    playbook.save_page(office, slug="sktm", title="SKTM", body="Minta SKTM baru.", return_reason_code="sktm_kadaluarsa")
    assert playbook.known_return_reason_codes(office) == ["kk_buram", "sktm_kadaluarsa"]
