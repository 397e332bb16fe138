"""The demo office `make run` opens: sample households with proposals in every state.

Everything here is synthetic (generated names and NIKs of Kota Pasuruan). Steps that in real
use arrive from Dinsos through the signed status feed (received, verified, returned, ...)
are applied directly, as the Dinsos actor, so a newcomer sees every state on the first run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.domain.workflow import Action, Actor
from app.services import attachments, office, outbox, proposal_io, proposals
from app.services import lurah as lurah_service
from app.services.context import OfficeContext
from app.storage.models import Proposal as ProposalRow
from app.storage.sync_models import OutboxItem
from app.storage.vault import KdfParams

DEMO_VILLAGE = "35.75.03.1009"  # Kelurahan Bugul Kidul, Kota Pasuruan
DEMO_OFFICE = "Kelurahan Bugul Kidul (demo)"
DEMO_LURAH, DEMO_LURAH_PASS = "Lurah Demo", "demo lurah bugul"
DEMO_OPERATOR, DEMO_OPERATOR_PASS = "Operator Demo", "demo operator"

# A minimal but complete PDF: what a scanned muskel minutes or SPTJM stands in for.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

M, S, G = Action.SEND_TO_MUSKEL, Action.SEND_TO_SPTJM, Action.SEND_TO_GROUND_CHECK

# The path of steps that leaves a usulan baru in each state.
BARU_PATHS = {
    "draft": [],
    "muskel": [M],
    "sptjm": [S],
    "ready": [M, "eligible"],
    "not_eligible": [M, "not_eligible"],
    "queued": [M, "eligible", Action.QUEUE],
    "sent": [M, "eligible", Action.QUEUE, Action.SEND],
    "received": [M, "eligible", Action.QUEUE, Action.SEND, Action.RECEIVE],
    "returned": [M, "eligible", Action.QUEUE, Action.SEND, Action.RECEIVE, Action.RETURN],
    "verified": [M, "eligible", Action.QUEUE, Action.SEND, Action.RECEIVE, Action.VERIFY],
    "finalised": [M, "eligible", Action.QUEUE, Action.SEND, Action.RECEIVE, Action.VERIFY, Action.FINALISE],
    "approved": [S, "sptjm", Action.QUEUE, Action.SEND, Action.RECEIVE, Action.VERIFY, Action.FINALISE,
                 Action.APPROVE],
    "forwarded": [M, "eligible", Action.QUEUE, Action.SEND, Action.RECEIVE, Action.VERIFY, Action.FINALISE,
                  Action.APPROVE, Action.FORWARD],
}
PEMBARUAN_PATHS = {
    "draft": [],
    "ground_check": [G],
    "muskel": [G, "ground_checked"],
    "ready": [G, "ground_checked", "poor"],
    "queued": [G, "ground_checked", "poor", Action.QUEUE],
}

DINSOS_STEPS = {Action.RECEIVE, Action.VERIFY, Action.RETURN, Action.FINALISE, Action.APPROVE, Action.FORWARD}
RETURN_REASON = "Foto rumah tidak jelas; lampirkan foto tampak depan yang baru."


@dataclass(frozen=True)
class DemoOffice:
    folder: Path
    operator_id: str
    lurah_id: str
    recovery_code: str | None


def _step(ctx: OfficeContext, lurah: OfficeContext, proposal_id: str, step) -> None:
    if step in ("eligible", "not_eligible", "poor", "not_poor"):
        minutes = attachments.attach_to_proposal(
            ctx, proposal_id, kind="muskel_minutes", filename="berita-acara-muskel.pdf", data=DEMO_PDF
        )
        proposals.apply_action(
            ctx, proposal_id, Action.RECORD_MUSKEL_DECISION,
            data={"decision": step, "minutes_attachment_id": minutes.id},
        )
    elif step == "sptjm":
        sptjm = attachments.attach_to_proposal(ctx, proposal_id, kind="sptjm", filename="sptjm.pdf", data=DEMO_PDF)
        # The demo Lurah approves as a real one would: her passphrase, for this proposal's SPTJM.
        approval = lurah_service.confirm(lurah, DEMO_LURAH_PASS, purpose=lurah_service.Purpose.SPTJM,
                                         subject=proposal_id)
        proposals.apply_action(lurah, proposal_id, Action.RECORD_SPTJM, confirmation=approval,
                               data={"sptjm_attachment_id": sptjm.id})
    elif step == "ground_checked":
        proposals.apply_action(ctx, proposal_id, Action.RECORD_GROUND_CHECK, data={"ground_check_id": "demo"})
    elif step is Action.QUEUE:
        # Through the outbox, as the screens do: a queued proposal always has its item.
        outbox.queue_proposal(ctx, proposal_id)
    elif step is Action.SEND:
        _delivered_before_the_demo(ctx, proposal_id)
    elif step in DINSOS_STEPS:
        reason = RETURN_REASON if step is Action.RETURN else None
        _machine_step(ctx, proposal_id, step, Actor.DINSOS, reason)
    else:
        proposals.apply_action(ctx, proposal_id, step)


def _delivered_before_the_demo(ctx: OfficeContext, proposal_id: str) -> None:
    """The demo's history: this item left in a batch before the demo began (there is no such batch).

    Marked delivered so the sender never signs it again; its proposal moves on as after a receipt.
    """
    with ctx.transaction() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.proposal_id == proposal_id)).one()
        item.state = outbox.DELIVERED
        proposals.step_in(ctx, session, session.get(ProposalRow, proposal_id), Action.SEND, actor=Actor.SYSTEM)
def _machine_step(ctx: OfficeContext, proposal_id: str, step, actor: Actor, reason: str | None = None) -> None:
    """What the sync worker and Dinsos's status feed would record: the demo plays both."""
    with ctx.transaction() as session:
        row = session.get(ProposalRow, proposal_id)
        proposals.step_in(ctx, session, row, step, actor=actor, reason=reason)


def _household(hh, kind: str, rng: random.Random) -> dict:
    data = {
        "kind": kind,
        "desil": rng.choice((1, 2, 3, 4)),
        "programmes": rng.sample(["pkh", "bpnt", "pbi_jk"], rng.choice((1, 2))),
        "household": {
            "kk_number": hh.kk_number,
            "address": hh.address,
            "rt": hh.rt,
            "rw": hh.rw,
            "village_code": DEMO_VILLAGE,
            "members": [
                {
                    "nik": m.nik, "name": m.name, "sex": m.sex, "birth_place": m.birth_place,
                    "birth_date": m.birth_date.isoformat(), "relationship": m.relation,
                    "mother_name": m.mother_name,
                }
                for m in hh.members
            ],
        },
    }
    if kind == "pembaruan":
        data["programmes"] = []
        data["changes"] = [{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}]
    return data


def create_demo_office(folder: Path, *, per_state: int = 3, kdf: KdfParams | None = None) -> DemoOffice:
    """Create the demo office in ``folder`` (which must not hold an office yet)."""
    from app.services.synthetic import households

    created = office.create_office(
        folder, name=DEMO_OFFICE, village_code=DEMO_VILLAGE, lurah_name=DEMO_LURAH,
        lurah_passphrase=DEMO_LURAH_PASS, operator_name=DEMO_OPERATOR,
        operator_passphrase=DEMO_OPERATOR_PASS, kdf=kdf, published_passphrases=True,
    )
    ctx = office.open_office(folder, created.operator_id, DEMO_OPERATOR_PASS)
    lurah = office.open_office(folder, created.lurah_id, DEMO_LURAH_PASS)
    rng = random.Random(2026)
    plan = [("baru", path) for path in BARU_PATHS.values()] + [
        ("pembaruan", path) for path in PEMBARUAN_PATHS.values()
    ]
    source = households(len(plan) * per_state, seed=35)
    try:
        for kind, path in plan:
            for _ in range(per_state):
                draft = proposal_io.proposal_from_dict(_household(next(source), kind, rng))
                summary = proposals.add_proposal(ctx, draft, confirmed_warnings={"nik_outside_office_region"})
                for step in path[:-1]:
                    _step(ctx, lurah, summary.id, step)
                if path:
                    _step(ctx, lurah, summary.id, path[-1])
    finally:
        ctx.close()
        lurah.close()
    return DemoOffice(folder, created.operator_id, created.lurah_id, created.recovery_code)
