"""Render each main screen of a demo office to docs/screenshots/*.png (offscreen, for the operator guide).

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang id|en]
Everything happens in a temporary folder: the demo office, a wizard-made office and the
settings, so the operator's real settings and offices are never touched.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import i18n  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.office import open_office  # noqa: E402
from app.storage.vault import KdfParams  # noqa: E402
from app.ui import settings_store  # noqa: E402

SIZE = (1280, 800)


def settle(app, widget) -> None:
    """Let layouts, polish and queued results finish before grabbing."""
    for _ in range(5):
        app.processEvents()
    widget.repaint()


def save(app, widget, out: Path, name: str) -> None:
    settle(app, widget)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def available_pages():
    """The registered pages whose module exists (a page still being written is left out, and said so)."""
    from app.ui.main_window import PAGES

    found = tuple(spec for spec in PAGES if importlib.util.find_spec(spec.module) is not None)
    for spec in PAGES:
        if spec not in found:
            print(f"skipped: {spec.module} does not exist yet", file=sys.stderr)
    return found


def _demo_dinsos(folder: Path):
    """The demo Dinsos server of `make run`, or None (the Sending page then shows an unlinked office)."""
    try:
        from app.cli.demo_dinsos import DemoServerFailed, start_demo_dinsos
    except ImportError:
        return None
    try:
        return start_demo_dinsos(folder, office_name=demo.DEMO_OFFICE, village=demo.DEMO_VILLAGE)
    except (DemoServerFailed, OSError) as err:
        print(f"demo Dinsos server not started ({err}); the Sending page shows an unlinked office")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default="id")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="usulkan-shots-") as tmp:
        tmp = Path(tmp)
        settings_store.use_file(tmp / "settings.ini")
        settings_store.Settings().set(settings_store.LANGUAGE, args.lang)

        from app.ui.main import close_application, make_application
        from app.ui.main_window import MainWindow
        from app.ui.signin import SignInDialog
        from app.ui.state import AppState
        from app.ui.tasks import InlineRunner
        from app.ui.wizard import OfficeWizard

        app = make_application()
        kdf = KdfParams.for_tests()  # screenshots need no real key-stretching

        # The first-run wizard, on a fresh folder.
        wizard_state = AppState(tmp / "new-office", runner=InlineRunner())
        wizard_state.kdf = kdf  # the first-run wizard reads the cost from the state (no office yet)
        wizard = OfficeWizard(wizard_state)
        wizard.resize(760, 600)
        wizard.show()
        save(app, wizard, args.out, "wizard-1-welcome")
        wizard.next()
        wizard.village_page.search.setText("bugul")
        wizard.village_page.search_now()
        wizard.village_page.results.setCurrentRow(0)
        save(app, wizard, args.out, "wizard-2-kelurahan")
        wizard.next()
        for page, name, passphrase in ((wizard.lurah_page, "Bapak Lurah", "kata sandi lurah"),
                                       (wizard.operator_page, "Ani Operator", "kata sandi operator")):
            page.name.setText(name)
            page.passphrase.setText(passphrase)
            page.again.setText(passphrase if page is wizard.lurah_page else "")
        save(app, wizard, args.out, "wizard-3-lurah")
        wizard.next()
        wizard.operator_page.again.setText("kata sandi operator")
        wizard.next()
        wizard.server_page.url.setText("https://usulkan.dinsos.pasuruankota.example.id")
        wizard.next()  # creates the office (inline), then moves to the recovery code
        settle(app, wizard)
        if wizard.currentPage() is not wizard.recovery_page:
            wizard.next()
        save(app, wizard, args.out, "wizard-4-recovery-code")
        wizard.hide()

        # The demo office: sign-in, then every page of the main window.
        folder = tmp / "demo"
        made = demo.create_demo_office(folder, kdf=kdf)
        dinsos = _demo_dinsos(folder)  # linked, sent, one returned and one verified, as `make run` shows
        state = AppState(folder, runner=InlineRunner())
        dialog = SignInDialog(state)
        dialog.show()
        dialog.operator.setCurrentIndex(dialog.operator.findText(demo.DEMO_OPERATOR))
        dialog.passphrase.setText(demo.DEMO_OPERATOR_PASS)
        save(app, dialog, args.out, "signin")
        dialog.hide()

        signed_in = open_office(folder, made.operator_id, demo.DEMO_OPERATOR_PASS)
        signed_in.kdf = kdf  # a passphrase set on a screen is sealed at the test cost
        state.sign_in(signed_in)
        window = MainWindow(state, pages=available_pages())
        window.resize(*SIZE)
        window.show()
        for key in window.keys:
            window.show_page(key)
            save(app, window, args.out, f"main-{key}")
        window.close()  # signs out
        if dinsos is not None:
            dinsos.stop()
        settings_store.use_file(None)
        close_application()
    return 0


if __name__ == "__main__":
    sys.exit(main())
