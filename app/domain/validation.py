"""What a check found: a Report of Issues, each an error to fix or a warning to confirm."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from app.domain.errors import DomainError
from app.errors import UsulkanError
from app.i18n import N_

Severity = Literal["error", "warning"]
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Issue:
    """One problem at one field path, e.g. ``members[0].nik``."""

    field: str
    error: UsulkanError
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        # A warning is accepted by naming its code, so it must have one of its own.
        if self.severity == "warning" and not getattr(type(self.error), "code", None):
            raise ValueError(f"warning {type(self.error).__name__} has no code")

    @property
    def code(self) -> str:
        return getattr(self.error, "code", None) or type(self.error).__name__


class Report:
    """Every issue found by one check, in the order found (the form shows them that way)."""

    def __init__(self, issues: Iterable[Issue] = ()):
        self._issues: list[Issue] = list(issues)

    def add(self, issue: Issue) -> None:
        self._issues.append(issue)

    def error(self, field: str, error: UsulkanError) -> None:
        self.add(Issue(field, error, "error"))

    def warn(self, field: str, error: UsulkanError) -> None:
        self.add(Issue(field, error, "warning"))

    def extend(self, other: Report | Iterable[Issue], *, prefix: str = "") -> None:
        """Take over another report's issues, their field paths under ``prefix``."""
        for issue in other:
            field = f"{prefix}{issue.field}" if prefix else issue.field
            self.add(Issue(field, issue.error, issue.severity))

    def __iter__(self) -> Iterator[Issue]:
        return iter(tuple(self._issues))

    def __len__(self) -> int:
        return len(self._issues)

    def __repr__(self) -> str:
        # Field paths and classes only: the errors' values may hold a NIK or a name.
        return f"Report({[(i.field, type(i.error).__name__, i.severity) for i in self._issues]})"

    @property
    def issues(self) -> list[Issue]:
        return list(self._issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self._issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self._issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (warnings may still wait for confirmation)."""
        return not self.errors

    def fields(self) -> list[str]:
        return [i.field for i in self._issues]

    def unconfirmed(self, confirmed: Iterable[str] = ()) -> list[Issue]:
        accepted = set(confirmed)
        return [i for i in self.warnings if i.code not in accepted]

    def raise_if_errors(self, *, confirmed: Iterable[str] = ()) -> None:
        """Raise ValidationFailed on any error, or on a warning whose code is not confirmed.

        Warnings block by default: the operator must have seen and accepted each one.
        """
        accepted = set(confirmed)
        if self.errors or self.unconfirmed(accepted):
            raise ValidationFailed(self, confirmed=accepted)


class ValidationFailed(DomainError):
    """The data cannot be saved: the report says field by field what to fix or confirm."""

    code = "validation_failed"
    template = N_("The data cannot be saved yet: {errors} to correct, {warnings} to confirm.")
    hint = N_("Go through the list, correct what is wrong, confirm what is right, and save again.")

    def __init__(self, report: Report, *, confirmed: Iterable[str] = ()):
        self.report = report
        self.confirmed = frozenset(confirmed)
        super().__init__(
            errors=len(report.errors), warnings=len(report.unconfirmed(self.confirmed))
        )
