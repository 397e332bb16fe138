"""`usulkan proposal queue ID|CODE`: the CLI queues through the outbox, as the editor does."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.services.office import find_operator, open_office
from app.storage.models import Proposal
from app.storage.sync_models import OutboxItem
from tests.fakes.cli import PASS, auth, run


def _ready(folder) -> tuple[str, str, str]:
    """Two proposals made in-process: one ready (muskel decided), one still a draft."""
    from tests.fakes.sync_world import nik, ready_proposal

    from app.services import proposal_io, proposals
    from tests import factories

    ctx = open_office(folder, find_operator(folder, "Ani"), PASS)
    try:
        ready = ready_proposal(ctx, 81)
        draft = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(
            factories.household_with([nik(82)], kk="3575031203150082"))).id
        with ctx.reading() as session:
            code = session.get(Proposal, ready).tracking_code
    finally:
        ctx.close()
    return ready, code, draft


def _items(folder) -> list[tuple[str, str]]:
    ctx = open_office(folder, find_operator(folder, "Ani"), PASS)
    try:
        with ctx.reading() as session:
            return [(i.proposal_id, i.state) for i in session.scalars(select(OutboxItem))]
    finally:
        ctx.close()


def test_queue_by_tracking_code_creates_the_outbox_item_and_a_draft_is_refused(cli_office):
    folder, secrets_dir, _ = cli_office
    ready, code, draft = _ready(folder)
    result = run("proposal", "queue", code, *auth(secrets_dir), data_dir=folder)
    assert result.returncode == 0, result.stderr
    assert code in result.stdout and "Dalam antrean kirim" in result.stdout
    assert _items(folder) == [(ready, "pending")]

    again = run("proposal", "queue", ready, *auth(secrets_dir), "--json", data_dir=folder)
    assert again.returncode == 1 and again.stderr.startswith("Kesalahan:")
    refused = run("proposal", "queue", draft, *auth(secrets_dir), data_dir=folder)
    assert refused.returncode == 1
    assert "Konsep" in refused.stderr and "Traceback" not in refused.stderr
    missing = run("proposal", "queue", "BUKAN-KODE", *auth(secrets_dir), data_dir=folder)
    assert missing.returncode == 1 and "BUKAN-KODE" in missing.stderr
    assert _items(folder) == [(ready, "pending")]
