"""The handover report (berita acara serah terima) as an A4 PDF: who, when, every item, fingerprint, signatures."""

from __future__ import annotations

import html
from pathlib import Path

from app.clock import format_wib
from app.domain.complaint import CATEGORY_LABELS, STATUS_LABELS, ComplaintCategory, ComplaintStatus
from app.domain.workflow import STATE_LABELS, State
from app.i18n import N_, _
from app.services.handover_report import HandoverRecordView
from app.ui.qt import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from app.ui.receipt_pdf import write_private

TYPE_LABELS = {
    "proposal": N_("Proposal"),
    "complaint": N_("Complaint"),
    "next_action": N_("Next action"),
    "form_draft": N_("Unfinished form"),
}
HEADERS = (N_("No."), N_("Type"), N_("Work item"), N_("Handed to"), N_("Note"))
CHECK = "\u2713"


def type_label(item_type: str) -> str:
    return _(TYPE_LABELS.get(item_type, item_type))


def item_label(item_type: str, label: str) -> str:
    """A complaint is listed by its category code: show the category's name instead."""
    if item_type == "complaint":
        try:
            return _(CATEGORY_LABELS[ComplaintCategory(label)])
        except ValueError:
            return label
    return label


def state_label(item_type: str, state: str | None) -> str:
    try:
        if item_type == "proposal" and state:
            return _(STATE_LABELS[State(state)])
        if item_type == "complaint" and state:
            return _(STATUS_LABELS[ComplaintStatus(state)])
    except (ValueError, KeyError):
        pass
    return state or ""


def target_label(name: str | None) -> str:
    return name or _("Office pool")


def default_file_name(view: HandoverRecordView) -> str:
    """serah-terima-ani-operator-2026-03-02.pdf: sorts by person, then by date."""
    slug = "-".join("".join(c for c in part if c.isalnum()) for part in view.from_name.lower().split()) or "petugas"
    return f"serah-terima-{slug}-{view.at.strftime('%Y-%m-%d')}.pdf"


def _esc(text: str | None) -> str:
    return html.escape(text or "-")


def operator_signature_text(view: HandoverRecordView) -> str:
    if view.operator_signed:
        return _("{check} signed with {name}'s certified operator key (key {key})").format(
            check=CHECK, name=view.from_name, key=view.operator_key_fingerprint)
    return _("not signed by key: {name} had no certified operator key in this handover; "
             "the wet signature below is the only one").format(name=view.from_name)


def lurah_signature_text(view: HandoverRecordView) -> str:
    if view.lurah_signed:
        return _("{check} countersigned with the Lurah's authority key on {when}").format(
            check=CHECK, when=format_wib(view.lurah_signed_at))
    return _("not yet (belum)")


def handover_html(view: HandoverRecordView) -> str:
    facts = (
        (_("Office"), view.office_name),
        (_("Handed over by"), view.from_name),
        (_("Successor"), view.successor_name or _("Office pool")),
        (_("Date"), format_wib(view.at)),
        (_("Number of items"), str(len(view.items))),
    )
    if view.by_name and view.by_operator != view.from_operator:
        facts = (*facts, (_("Carried out by"), view.by_name))
    fact_rows = "".join(f"<tr><td width='30%'>{_esc(k)}</td><td><b>{_esc(v)}</b></td></tr>" for k, v in facts)
    head = "".join(f"<th>{html.escape(_(h))}</th>" for h in HEADERS)
    rows = "".join(
        "<tr>"
        f"<td>{i}</td><td>{_esc(type_label(line.type))}</td><td>{_esc(item_label(line.type, line.label))}</td>"
        f"<td>{_esc(target_label(line.to_name))}</td><td>{_esc(line.note)}</td>"
        "</tr>"
        for i, line in enumerate(view.items, start=1)
    )
    signatures = (
        (_("Signature of the person handing over"), operator_signature_text(view)),
        (_("Lurah's countersignature"), lurah_signature_text(view)),
    )
    signature_rows = "".join(f"<tr><td width='40%'>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in signatures)
    boxes = (
        (_("Handed over by"), view.from_name),
        (_("Received by"), view.successor_name or ""),
        (_("Approved by the Lurah"), ""),
    )
    box_heads = "".join(f"<td width='33%' align='center'>{_esc(k)}</td>" for k, _name in boxes)
    box_space = "".join("<td height='90'>&nbsp;</td>" for _box in boxes)
    box_names = "".join(f"<td align='center'>( {html.escape(name) or '&nbsp;' * 30} )</td>" for _k, name in boxes)
    return (
        "<html><body style='font-family: DejaVu Sans; font-size: 9pt'>"
        f"<h2 align='center'>{html.escape(_('HANDOVER OF OPEN WORK'))}</h2>"
        f"<p align='center'>{html.escape(view.office_name)}</p>"
        f"<table cellspacing='0' cellpadding='3' width='100%'>{fact_rows}</table>"
        f"<h3>{html.escape(_('Items handed over'))}</h3>"
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<h3>{html.escape(_('Fingerprint and signatures'))}</h3>"
        f"<p>{html.escape(_('Report fingerprint (SHA-256)'))}: "
        f"<b style='font-family: DejaVu Sans Mono'>{html.escape(view.short_hash)}</b><br/>"
        f"<span style='font-family: DejaVu Sans Mono; font-size: 7pt'>{html.escape(view.report_hash)}</span></p>"
        f"<table cellspacing='0' cellpadding='3' width='100%'>{signature_rows}</table>"
        f"<p>{html.escape(_('Compare the fingerprint with the one Usulkan shows for this handover: if they differ, this paper is not the report that was signed.'))}</p>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        f"<tr>{box_heads}</tr><tr>{box_space}</tr><tr>{box_names}</tr></table>"
        "</body></html>"
    )


def handover_pdf(view: HandoverRecordView, path: Path | None = None) -> bytes:
    """A4 portrait, the table header repeated on each page; written 0600 and atomically if ``path``."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setTitle(_("Handover of {name}").format(name=view.from_name))
    writer.setCreator("Usulkan")
    document = QTextDocument()
    document.setHtml(handover_html(view))
    document.print_(writer)
    buffer.close()
    data = bytes(array.data())
    if path is not None:
        write_private(Path(path), data)
    return data
