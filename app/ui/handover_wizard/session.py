"""What one handover has gathered so far, as plain data: who leaves, the record, its PDF, the revocation.

The wizard's pages read and fill one ``HandoverSession``; it holds no widget and no office
session (each step opens what it needs inside the services and closes it again).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.handover_report import HandoverRecordView
from app.services.operators import RevocationResult


@dataclass
class HandoverSession:
    """One handover of ``from_operator``'s open work, from the list to the Lurah's countersignature."""

    from_operator: str
    from_name: str = ""
    lurah: tuple[str, str] | None = None  # (id, name) of the office's Lurah, once the work is read
    successor: str | None = None  # the main successor chosen on the first page (None: the office pool)
    record_id: str | None = None
    view: HandoverRecordView | None = None
    pdf: bytes | None = None
    revoked: RevocationResult | None = None
    signed_out_leaver: bool = False  # the leaver was signed in here and had to sign out for the re-key

    @property
    def handed_over(self) -> bool:
        return self.record_id is not None

    @property
    def countersigned(self) -> bool:
        return self.view is not None and self.view.lurah_signed

    def recorded(self, record_id: str, view: HandoverRecordView, pdf: bytes) -> None:
        """The work moved and its signed record is stored: remember it and the PDF made of it."""
        self.record_id, self.view, self.pdf = record_id, view, pdf

    def shown(self, view: HandoverRecordView, pdf: bytes) -> None:
        """The record as it stands now (countersigned, say) and its new PDF."""
        self.view, self.pdf = view, pdf
