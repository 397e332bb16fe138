"""Work of every kind held by one operator, as a handover finds it (proposals, a complaint, a next action, a form)."""

from __future__ import annotations

from datetime import date

from app.domain import workflow
from app.services import autosave, complaints, handover, journal, outbox, proposal_io, proposals
from tests import factories
from tests.fakes.sync_world import nik, ready_proposal

B_PASS = "sandi operator budi"


def _draft(ctx, n: int) -> str:
    return proposals.add_proposal(ctx, proposal_io.proposal_from_dict(factories.household_with([nik(n)]))).id


def make_work_of_every_kind(a) -> dict[str, str]:
    """A's draft, muskel, queued and returned proposals, a complaint, a next action and an unsaved form."""
    draft = _draft(a, 41)
    in_muskel = _draft(a, 42)
    proposals.apply_action(a, in_muskel, workflow.Action.SEND_TO_MUSKEL)
    queued = ready_proposal(a, 43)
    outbox.queue_proposal(a, queued)
    returned = ready_proposal(a, 44)
    outbox.queue_proposal(a, returned)
    factories.machine_step(a, returned, workflow.Action.SEND, workflow.Actor.SYSTEM)
    factories.machine_step(a, returned, workflow.Action.RECEIVE, workflow.Actor.DINSOS)
    factories.machine_step(a, returned, workflow.Action.RETURN, workflow.Actor.DINSOS, reason="Foto kurang")
    complaint = complaints.register_complaint(a, category=_category(), reporter_name="Warga", description="Belum cair")
    complaints.assign_complaint(a, complaint.id, a.operator_id)
    action = journal.add_entry(a, subject_type="household", subject_id=factories.KK, kind="next_action",
                               text="Antar undangan muskel", due_date=date(2026, 12, 3))
    autosave.save_form(a, "proposal:new", "Usulan belum selesai", {"kk": "3575"})
    [form] = [item for item in handover.open_work(a, a.operator_id) if item.type == "form_draft"]
    keys = {
        "draft": f"proposal:{draft}", "muskel": f"proposal:{in_muskel}", "queued": f"proposal:{queued}",
        "returned": f"proposal:{returned}", "complaint": f"complaint:{complaint.id}",
        "action": f"next_action:{action.id}", "form": form.key,
    }
    return keys


def _category() -> str:
    from app.domain.complaint import ComplaintCategory

    return next(iter(ComplaintCategory)).value
