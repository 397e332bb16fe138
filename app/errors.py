"""The typed error every layer raises: an English template translated at the edge, with params."""

from __future__ import annotations

from typing import Any

from app.i18n import _


class UsulkanError(Exception):
    """Base of every error an operator may see.

    ``template`` is an English message with ``{name}`` fields, marked with ``N_`` and
    translated only when shown (``message()``). ``hint`` says what to do next. ``str()``
    gives the untranslated template without its values so that a log never carries a NIK,
    a name or a key that a value might hold.
    """

    template: str = "Something went wrong."
    hint: str | None = None

    def __init__(self, template: str | None = None, *, hint: str | None = None, **params: Any):
        if template is not None:
            self.template = template
        if hint is not None:
            self.hint = hint
        self.params = params
        super().__init__(self.template)

    def message(self) -> str:
        """The message in the current language, with its values filled in."""
        text = _(self.template).format(**self.params)
        if self.hint:
            text = f"{text} {_(self.hint).format(**self.params)}"
        return text

    def __str__(self) -> str:
        return f"{type(self).__name__}: {self.template}"
