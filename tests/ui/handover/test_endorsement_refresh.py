"""After the Lurah endorses (countersigns) a handover report in the wizard, the other screens refresh."""

from __future__ import annotations

from app.ui.handover_wizard import HandoverWizard
from app.ui.people.common import PEOPLE
from tests.conftest import LURAH_PASS
from tests.fakes.wizard import COMMIT, NEXT, click


def test_the_wizards_countersignature_tells_every_screen(qtbot, state, world, linked):
    heard: list[str] = []
    state.changed.connect(heard.append)
    wizard = HandoverWizard(state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.show()
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(NEXT))
    click(qtbot, wizard.button(COMMIT))
    heard.clear()
    page = wizard.lurah_page
    qtbot.keyClicks(page.passphrase, LURAH_PASS)
    click(qtbot, page.countersign_button)
    assert wizard.session.view.lurah_signed
    assert PEOPLE in heard  # Petugas and Beranda listen for it and read again
    wizard.close()
