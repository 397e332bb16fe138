"""What the handover wizard's widgets keep: every OfficeContext reachable from them, the app's AppState aside."""

from __future__ import annotations

from app.services.context import OfficeContext
from app.ui.qt import QObject
from app.ui.state import AppState

PACKAGE = "app.ui.handover_wizard"


def _own(value: object) -> bool:
    """An object the package made (a page, the model, the session, the PDF saver): looked into further."""
    return type(value).__module__.startswith(PACKAGE)


def held_contexts(wizard: QObject) -> list[str]:
    """``path: OfficeContext`` for every context an attribute of the wizard, a child widget or a package object holds."""
    found: list[str] = []
    seen: set[int] = set()

    def visit(obj: object, path: str) -> None:
        if id(obj) in seen or isinstance(obj, AppState):
            return  # the app's one signed-in session lives in AppState, shared by every screen
        seen.add(id(obj))
        values = getattr(obj, "__dict__", {})
        for name, value in values.items():
            where = f"{path}.{name}"
            items = value.items() if isinstance(value, dict) else enumerate(value) \
                if isinstance(value, list | tuple | set) else [(None, value)]
            for key, item in items:
                if isinstance(item, OfficeContext):
                    found.append(where if key is None else f"{where}[{key!r}]")
                elif _own(item) or (isinstance(item, QObject) and not isinstance(item, AppState)):
                    visit(item, where)

    visit(wizard, type(wizard).__name__)
    for child in wizard.findChildren(QObject):
        visit(child, type(child).__name__)
    return found
