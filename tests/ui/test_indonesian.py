"""Indonesian that reads as Indonesian on the real widgets: counts, words in context, Qt's own dialogs."""

from __future__ import annotations

import pytest

from app import i18n
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui.qt import QDialogButtonBox, QFileDialog, QLabel, QPrintDialog, QPrinter, QPushButton
from tests.factories import proposal_dict


@pytest.fixture
def qt_in_indonesian(qapp):
    """Our translator installed as the application does it (app.ui.main.install_translators)."""
    from app.ui import main

    before = list(main._translators)
    i18n.set_language("id")
    main.install_translators(qapp, "id")
    yield
    for translator in main._translators[len(before):]:
        qapp.removeTranslator(translator)
    del main._translators[len(before):]


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("id")


def test_one_proposal_is_counted_as_one_proposal_in_english(app_state, qtbot, english):
    from app.ui.pages.proposals import ProposalsPage

    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = ProposalsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.status.text() == "1 proposal"


def test_the_attachment_open_button_says_buka_not_terbuka(app_state, qtbot):
    from app.ui.editor.attachments_panel import AttachmentsPanel

    panel = AttachmentsPanel(app_state)
    qtbot.addWidget(panel)
    assert panel.open_button.text() == "Buka"


def test_the_complaint_dialog_saves_with_simpan_not_save(app_state, qtbot, qt_in_indonesian):
    from app.ui.pages.complaints import RegisterDialog

    dialog = RegisterDialog(app_state)
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert box.button(QDialogButtonBox.StandardButton.Save).text() == "Simpan"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Batal"


def _texts(widget) -> set[str]:
    return {w.text() for w in widget.findChildren(QLabel)} | {w.text() for w in widget.findChildren(QPushButton)}


def test_qt_file_dialog_speaks_indonesian(qtbot, qt_in_indonesian, tmp_path):
    dialog = QFileDialog(None, "Simpan", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = _texts(dialog)
    assert {"&Nama berkas:", "&Jenis berkas:", "&Cari di:", "&Simpan", "Batal"} <= texts
    assert not texts & {"File &name:", "Files of type:", "Look in:", "&Save", "Cancel"}


def test_qt_print_dialog_speaks_indonesian(qtbot, qt_in_indonesian):
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = _texts(dialog)
    assert "&Cetak" in texts and "Batal" in texts
    assert "&Print" not in texts and "Cancel" not in texts


def test_make_messages_extracts_plurals_and_contexts(tmp_path):
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "usulkan.pot"
    subprocess.run(["make", "-s", "messages", f"POT={pot}"], cwd=root, check=True, capture_output=True)
    text = pot.read_text(encoding="utf-8")
    assert 'msgid "{count} proposal"\nmsgid_plural "{count} proposals"' in text
    assert 'msgctxt "button"\nmsgid "Open"' in text


def test_workflow_buttons_keep_sptjm_and_lurah_in_capitals(app_state, qtbot):
    from app.domain.workflow import Action
    from tests.fakes.editor import editor_for

    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))  # a new household, draft
    editor = editor_for(app_state, qtbot, summary.id)
    qtbot.waitUntil(lambda: Action.SEND_TO_SPTJM in editor.workflow.buttons, timeout=2000)
    assert editor.workflow.buttons[Action.SEND_TO_SPTJM].text() == "Mintakan SPTJM kepada Lurah"
    assert editor.workflow.buttons[Action.SEND_TO_MUSKEL].text() == "Ajukan ke muskel"


def test_sentence_case_only_raises_the_first_letter():
    assert i18n.sentence_case("mintakan SPTJM kepada Lurah") == "Mintakan SPTJM kepada Lurah"
    assert i18n.sentence_case("") == ""


def _shown_title(title: str) -> str:
    """What the window manager shows: Qt appends the application's display name unless the title ends with it."""
    return title if title.endswith("Usulkan") else f"{title} \u2014 Usulkan"


def test_the_app_name_appears_once_in_window_titles(app_state, qtbot, qapp):
    from app.ui.main_window import MainWindow
    from app.ui.signin import SignInDialog
    from app.ui.wizard import OfficeWizard

    qapp.setApplicationDisplayName("Usulkan")
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    assert app_state.ctx.office_name in window.windowTitle()
    signin = SignInDialog(app_state)
    qtbot.addWidget(signin)
    wizard = OfficeWizard(app_state)
    qtbot.addWidget(wizard)
    for title in (window.windowTitle(), signin.windowTitle(), wizard.windowTitle()):
        assert _shown_title(title).count("Usulkan") == 1, title


def test_the_enrol_wizard_buttons_are_indonesian(app_state, qtbot, qt_in_indonesian, fast_kdf):
    from app.ui.people.enrol_wizard import EnrolWizard
    from app.ui.qt import QWizard

    app_state.ctx.kdf = fast_kdf  # the cost a passphrase set here is sealed with
    wizard = EnrolWizard(app_state)
    qtbot.addWidget(wizard)
    wizard.show()
    def text(button):
        return wizard.button(button).text().replace("&", "")

    assert text(QWizard.WizardButton.NextButton) == "Lanjut >"
    assert text(QWizard.WizardButton.CancelButton) == "Batal"
    assert text(QWizard.WizardButton.BackButton) == "< Kembali"
    assert text(QWizard.WizardButton.FinishButton) == "Selesai"


def test_every_string_qt_asks_for_in_our_dialogs_has_an_indonesian_answer(qapp):
    """scripts/qt_strings.py opens Qt's dialogs and lists what Qt asked; only untranslatable ones may stay English."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "qt_strings.py"
    spec = importlib.util.spec_from_file_location("qt_strings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    same_in_indonesian = {"OK", "Drive", "Folder", "mm", "Form", "...", "%1%", "%p%", "Cicero (CC)", "Didot (DD)",
                          "Pica (P\u0338)", "Alt+Left", "Alt+Right", "Alt+Up"}
    untranslated = {
        (context, source) for context, source in module.record(qapp)
        if i18n.p_(context, source) == source and source not in same_in_indonesian
        and not (context == "QPrintDialog" and source[0].isdigit())
    }
    assert not untranslated, sorted(untranslated)
