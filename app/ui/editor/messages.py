"""Inline messages: the Indonesian text of a check's issue, shown under the field it is about."""

from __future__ import annotations

import re

from app.domain.validation import Issue
from app.ui.qt import QLabel, QWidget

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"
_MEMBER = re.compile(r"^members\[(\d+)\]\.?(.*)$")
_CHANGE = re.compile(r"^changes\[(\d+)\]\.?(.*)$")


def gate(field: str) -> str:
    """The part of the form a field belongs to: its messages show once that part was touched."""
    member = _MEMBER.match(field)
    if member:
        return f"members[{member.group(1)}]"
    if field.startswith("changes"):
        return "changes"
    return field


def member_field(field: str) -> tuple[int, str] | None:
    """``members[2].nik`` -> (2, "nik"); None for any other field."""
    found = _MEMBER.match(field)
    return (int(found.group(1)), found.group(2)) if found else None


def change_field(field: str) -> tuple[int, str] | None:
    found = _CHANGE.match(field)
    return (int(found.group(1)), found.group(2)) if found else None


def issue_text(issue: Issue) -> str:
    return issue.error.message()


class FieldMessage(QLabel):
    """A calm line under a field: empty and hidden until a check has something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def show_issues(self, issues: list[Issue]) -> None:
        if not issues:
            self.clear()
            self.hide()
            return
        errors = [i for i in issues if i.severity == "error"]
        self.setStyleSheet(ERROR_STYLE if errors else WARNING_STYLE)
        self.setText("\n".join(issue_text(i) for i in (errors or issues)))
        self.show()
