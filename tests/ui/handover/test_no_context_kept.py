"""No widget of the handover wing keeps an OfficeContext: the Lurah's second session lives and dies in the services."""

from __future__ import annotations

from app.services import handover_report
from app.ui.handover_wizard import HandoverWizard
from tests.conftest import LURAH_PASS
from tests.fakes.wizard import COMMIT, FINISH, NEXT, click
from tests.ui.handover.held import held_contexts


def test_after_the_lurah_countersigns_at_the_operators_desk_no_widget_holds_a_session(qtbot, state, world, linked,
                                                                                     lurah):
    wizard = HandoverWizard(state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.show()
    assert held_contexts(wizard) == []
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(COMMIT))
    page = wizard.lurah_page
    qtbot.keyClicks(page.passphrase, LURAH_PASS)
    click(qtbot, page.countersign_button)
    assert wizard.session.countersigned, page.status.text()
    record_id = wizard.session.record_id
    # The Lurah's approval was spent at Ani's desk: the record names the Lurah, the session still Ani.
    assert handover_report.verify_record(linked, record_id).lurah_signed
    assert state.ctx is linked and state.ctx.operator_id == linked.operator_id
    click(qtbot, wizard.button(FINISH))
    assert not wizard.isVisible()
    assert held_contexts(wizard) == []


def test_the_scan_finds_a_context_a_page_would_keep(qtbot, state, world, linked):
    """The check above can fail: a page (or the session) given a context of its own is reported."""
    wizard = HandoverWizard(state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.lurah_page.lurah_ctx = linked
    wizard.session.__dict__["ctx"] = linked
    wizard.review_page.table.contexts = {"lurah": linked}
    found = held_contexts(wizard)
    assert "HandoverWizard.lurah_page.lurah_ctx" in found and "HandoverWizard.session.ctx" in found, found
    assert "HandoverWizard.review_page.table.contexts['lurah']" in found, found
    wizard.prompts.confirm = lambda *_a, **_k: True
    wizard.close()
