"""Queueing from the screens puts the proposal in the outbox: what the operator queues can really leave."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.workflow import Action, State
from app.services import outbox
from app.services.proposals import get_proposal
from app.storage.sync_models import OutboxItem
from tests.fakes.editor import editor_for, muskel_ready
from tests.fakes.prompts import Answers, QueueLater


def _items(ctx) -> list[OutboxItem]:
    with ctx.reading() as session:
        return list(session.scalars(select(OutboxItem)))


def test_the_editors_queue_button_creates_the_outbox_item_that_will_be_sent(app_state, qtbot):
    proposal_id = muskel_ready(app_state.ctx)
    editor = editor_for(app_state, qtbot, proposal_id, Answers(yes=True))
    editor.workflow.buttons[Action.QUEUE].click()
    assert get_proposal(app_state.ctx, proposal_id).proposal.state is State.QUEUED
    items = _items(app_state.ctx)
    assert [(i.proposal_id, i.state) for i in items] == [(proposal_id, "pending")]
    with app_state.ctx.reading() as session:
        from app.storage.models import Proposal

        # Frozen as Dinsos will receive it: the very payload the batch will carry.
        assert items[0].payload == outbox.payload_of(session.get(Proposal, proposal_id))
    assert items[0].payload["household"]["members"][0]["name"] == "SITI AMINAH"


def test_the_musyawarah_page_queues_the_eligible_ones_with_their_items(app_state, qtbot, tmp_path):
    from tests.factories import HEAD_NIK, SPOUSE_NIK
    from tests.fakes.muskel import in_muskel, make_page

    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    second = in_muskel(app_state.ctx, [SPOUSE_NIK], "1")
    minutes = tmp_path / "ba.pdf"
    minutes.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    answers = Answers(yes=True, path=minutes)
    page = make_page(app_state, qtbot, answers)
    rows = {s.id: r for r, s in enumerate(page.summaries)}
    page.set_decision(rows[first.id], "eligible")
    page.set_decision(rows[second.id], "not_eligible")
    page.record()
    # Asked once, after the decisions, naming how many are ready; then said where they went.
    assert any("1 keluarga siap dikirim" in text for text in answers.asked)
    assert "antrean kirim" in answers.asked[-1]
    assert get_proposal(app_state.ctx, first.id).proposal.state is State.QUEUED
    assert get_proposal(app_state.ctx, second.id).proposal.state is State.NOT_ELIGIBLE
    assert [(i.proposal_id, i.state, i.route) for i in _items(app_state.ctx)] == [(first.id, "pending", "muskel")]


def test_declining_the_offer_leaves_them_ready_and_unqueued(app_state, qtbot, tmp_path):
    from tests.factories import HEAD_NIK
    from tests.fakes.muskel import in_muskel, make_page

    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    minutes = tmp_path / "ba.pdf"
    minutes.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page = make_page(app_state, qtbot, QueueLater(path=minutes))
    page.set_decision(0, "eligible")
    page.record()
    assert get_proposal(app_state.ctx, first.id).proposal.state is State.READY
    assert _items(app_state.ctx) == []


def test_the_sptjm_route_queues_after_the_lurah_records_it(app_state, qtbot, tmp_path, office):
    """The Lurah signs in, records the SPTJM in the editor, then queues: the item carries the SPTJM route."""
    from app.services.office import find_operator, open_office
    from app.services.proposals import add_proposal
    from app.services.proposal_io import proposal_from_dict
    from app.ui.state import AppState
    from app.ui.tasks import InlineRunner
    from tests.conftest import LURAH_PASS
    from tests.factories import proposal_dict

    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    from app.services.proposals import apply_action

    apply_action(app_state.ctx, summary.id, Action.SEND_TO_SPTJM)
    lurah_ctx = open_office(office.folder, find_operator(office.folder, "Bapak Lurah"), LURAH_PASS)
    lurah = AppState(office.folder, runner=InlineRunner())
    lurah.sign_in(lurah_ctx)
    try:
        scan = tmp_path / "sptjm.pdf"
        scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        answers = QueueLater(path=scan)
        editor = editor_for(lurah, qtbot, summary.id, answers)
        editor.workflow.buttons[Action.RECORD_SPTJM].click()
        assert get_proposal(lurah_ctx, summary.id).proposal.state is State.READY
        # Offered at once; declined here, so the button does it.
        assert "SPTJM sudah dicatat" in answers.asked[-1]
        assert _items(lurah_ctx) == []
        qtbot.waitUntil(lambda: Action.QUEUE in editor.workflow.buttons, timeout=2000)
        answers.yes_to_queue = True
        editor.workflow.buttons[Action.QUEUE].click()
        assert get_proposal(lurah_ctx, summary.id).proposal.state is State.QUEUED
        assert [(i.proposal_id, i.route) for i in _items(lurah_ctx)] == [(summary.id, "sptjm")]
    finally:
        lurah.ctx = None
        lurah_ctx.close()


def test_accepting_the_offer_after_the_sptjm_queues_it_at_once(app_state, qtbot, tmp_path, office):
    from app.services.office import find_operator, open_office
    from app.services.proposal_io import proposal_from_dict
    from app.services.proposals import add_proposal, apply_action
    from app.ui.state import AppState
    from app.ui.tasks import InlineRunner
    from tests.conftest import LURAH_PASS
    from tests.factories import proposal_dict

    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    apply_action(app_state.ctx, summary.id, Action.SEND_TO_SPTJM)
    lurah_ctx = open_office(office.folder, find_operator(office.folder, "Bapak Lurah"), LURAH_PASS)
    lurah = AppState(office.folder, runner=InlineRunner())
    lurah.sign_in(lurah_ctx)
    try:
        scan = tmp_path / "sptjm.pdf"
        scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        editor = editor_for(lurah, qtbot, summary.id, Answers(yes=True, path=scan))
        editor.workflow.buttons[Action.RECORD_SPTJM].click()
        assert get_proposal(lurah_ctx, summary.id).proposal.state is State.QUEUED
        assert [(i.proposal_id, i.route, i.state) for i in _items(lurah_ctx)] == [(summary.id, "sptjm", "pending")]
        assert Action.REVISE in editor.workflow.buttons  # the editor shows it queued
    finally:
        lurah.ctx = None
        lurah_ctx.close()
