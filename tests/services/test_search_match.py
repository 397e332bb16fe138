"""Why a search found a proposal, and hostile search text that must neither crash nor match everything."""

from __future__ import annotations

import pytest

from app.services import proposal_io, proposals
from app.services.proposals import ProposalFilter
from tests.factories import CHILD_NIK, proposal_dict


@pytest.fixture
def found(office):
    proposals.add_proposal(office, proposal_io.proposal_from_dict(proposal_dict()))
    return lambda query: [r.matched for r in proposals.list_proposals(office, ProposalFilter(query=query)).rows]


def test_reasons(found):
    assert found("dewi") == ["anggota: DEWI LESTARI"]
    assert found(CHILD_NIK) == ["NIK anggota: DEWI LESTARI"]
    assert found("SITI AM") == [""]  # the head's own name: the row already shows it


@pytest.mark.parametrize("query", ['"', '" OR "', "*", "NEAR(", "%", "_", "\\", "budi\x00", "a" * 5000])
def test_hostile_queries_answer_calmly(found, query):
    assert found(query) in ([], ["anggota: BUDI SANTOSO"])
