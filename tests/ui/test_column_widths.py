"""Columns are as wide as their content: NIK, No. KK, tracking codes with versions, states, decisions."""

from __future__ import annotations

from app.domain.workflow import KIND_LABELS, Action, State, state_label
from app.i18n import _
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal, apply_action
from app.ui.qt import QApplication
from tests.factories import HEAD_NIK, KK, proposal_dict

ROOM = 12  # a cell's own margins: text narrower than the column by less than this is cut (…)


def fits(table, column: int, text: str) -> bool:
    return table.columnWidth(column) >= table.fontMetrics().horizontalAdvance(text) + ROOM


def test_the_proposal_list_never_cuts_a_state_a_kind_a_nik_or_a_versioned_code(app_state, qtbot):
    from app.ui.pages.proposals import ProposalsPage

    page = ProposalsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    table = page.table
    for state in State:
        assert fits(table, 4, state_label(state)), state_label(state)
    for label in KIND_LABELS.values():
        assert fits(table, 3, _(label)), _(label)
    assert fits(table, 2, HEAD_NIK)
    assert fits(table, 0, "USK-WMWM-MWMW (v12)")


def test_the_muskel_list_shows_nik_kk_code_and_the_whole_decision_box(app_state, qtbot):
    from app.ui.bnba import HEADERS
    from app.ui.pages.muskel import MuskelPage

    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    apply_action(app_state.ctx, summary.id, Action.SEND_TO_MUSKEL)
    page = MuskelPage(app_state)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    QApplication.processEvents()
    table = page.table
    assert table.rowCount() == 1
    columns = {_(h): i for i, h in enumerate(HEADERS)}
    assert fits(table, columns[_("NIK")], HEAD_NIK)
    assert fits(table, columns[_("No. KK")], KK)
    assert fits(table, columns[_("Tracking code")], summary.tracking_code)
    decision = len(HEADERS) - 1
    combo = table.cellWidget(0, decision)
    assert table.columnWidth(decision) >= combo.sizeHint().width()
    assert combo.width() >= combo.sizeHint().width()


def test_the_new_proposal_table_has_room_for_sixteen_digits_before_anything_is_typed(app_state, qtbot):
    from app.ui.editor.members_table import FIELD_COLUMN
    from app.ui.editor.proposal_editor import ProposalEditor

    editor = ProposalEditor(app_state)
    qtbot.addWidget(editor)
    editor.start()
    editor.show()
    table = editor.members.table
    assert fits(table, FIELD_COLUMN["nik"], HEAD_NIK)
    assert fits(table, FIELD_COLUMN["birth_date"], "28-12-1985")
