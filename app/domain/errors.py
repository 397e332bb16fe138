"""The domain's error base: a stable code per error, and words translated when shown."""

from __future__ import annotations

from app.errors import UsulkanError
from app.i18n import _


class Term(str):
    """An N_-marked English word put into a message, translated only when formatted.

    A state or action name inside a message must follow the operator's language, while the
    error itself is built long before anyone knows which language that is.
    """

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(str(self)), spec)


class DomainError(UsulkanError):
    """An error from a domain rule.

    ``code`` is stable (stored, sent over the wire, named in ``confirmed_warnings``), so
    renaming a class or rewording its message never breaks a confirmation already given.
    """

    code: str = "domain_error"


class Terms(tuple):
    """Several Terms shown as one list ("operator kelurahan / Lurah"), each translated."""

    __slots__ = ()

    def __new__(cls, words):
        return super().__new__(cls, (Term(w) for w in words))

    def __format__(self, spec: str) -> str:
        return format(" / ".join(_(str(w)) for w in self), spec)
