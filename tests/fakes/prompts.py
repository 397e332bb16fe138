"""Stand-ins for the ``Prompts`` seam (app/ui/prompts.py): scripted answers, every question remembered."""

from __future__ import annotations

from pathlib import Path


class FakePrompts:
    """Answers the page's questions from a script, in order, and remembers (kind, text) of each."""

    def __init__(self, *answers, save_to=None):
        self.answers = list(answers)
        self.asked: list[tuple[str, str]] = []
        self.save_to = save_to

    def _next(self, kind, text):
        self.asked.append((kind, text))
        return self.answers.pop(0) if self.answers else None

    def confirm(self, title, text, *, yes=None):
        return bool(self._next("confirm", text))

    def choose(self, title, label, choices):
        self.choices = choices
        return self._next("choose", label)

    def save_file(self, title, suggested, filters):
        self.asked.append(("save", suggested))
        return self.save_to

    def info(self, title, text):
        self.asked.append(("info", text))

    def error(self, text):
        self.asked.append(("error", text))


class Answers:
    """Stands in for the modal questions: answers yes (or no), remembers what was asked."""

    def __init__(self, yes: bool = True, path: Path | None = None, text: str | None = "alasan") -> None:
        self.yes, self.path, self.answer = yes, path, text
        self.asked: list[str] = []

    def confirm(self, title, text, *, yes=None):
        self.asked.append(text)
        return self.yes

    def restore_or_discard(self, title, text):
        self.asked.append(text)
        return "continue" if self.yes else "discard"

    def text(self, title, label):
        self.asked.append(label)
        return self.answer

    def open_file(self, title, filters):
        return self.path

    def choice_and_file(self, title, choices):
        return (choices[0][0], self.path) if self.path else None

    def error(self, text):
        self.asked.append(text)

    def info(self, title, text):
        self.asked.append(text)

    def lurah_approval(self, title, text, **_kw):
        """The Lurah at the desk types her passphrase (the real dialog has its own test in test_editor.py)."""
        from app.ui.lurah_approval import Approval
        from tests.conftest import LURAH_PASS

        self.asked.append(text)
        return Approval(LURAH_PASS, None)


class QueueLater(Answers):
    """Yes to everything except the offer to queue straight away (until ``yes_to_queue``)."""

    yes_to_queue = False

    def confirm(self, title, text, *, yes=None):
        self.asked.append(text)
        return self.yes_to_queue or "antrean kirim sekarang" not in text
