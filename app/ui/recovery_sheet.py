"""The Lurah's recovery sheet: an A4 PDF with the recovery code and what to do with it."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from app.clock import format_wib, utcnow
from app.i18n import _
from app.ui.qt import QMarginsF, QPageLayout, QPageSize, QPdfWriter, QTextDocument


def sheet_html(*, office_name: str, village: str, code: str, created_at: datetime) -> str:
    esc = html.escape
    steps = [
        _("Print this sheet and keep it in a locked place, away from the computer."),
        _("Only the Lurah uses this code, when no operator can open the office any more."),
        _("On the sign-in screen choose \"Forgot the passphrase?\" and type the code exactly as printed."),
        _("Whoever holds this code can open every record of the office. Never photograph it or send it by chat."),
        _("If the sheet is lost, the Lurah makes a new code in Usulkan; the old one then stops working."),
    ]
    items = "".join(f"<li style='margin-bottom:6px'>{esc(step)}</li>" for step in steps)
    return f"""
<h1 style="font-size:20pt">{esc(_("Usulkan recovery code"))}</h1>
<p style="font-size:12pt"><b>{esc(office_name)}</b><br/>{esc(village)}</p>
<p style="font-size:11pt">{esc(_("Made on {date}").format(date=format_wib(created_at)))}</p>
<table cellpadding="14" style="border:2px solid #1f6f8b; margin:18px 0">
  <tr><td style="font-family:'DejaVu Sans Mono','Consolas',monospace; font-size:22pt; font-weight:bold">
  {esc(code)}</td></tr>
</table>
<h2 style="font-size:14pt">{esc(_("What to do with this sheet"))}</h2>
<ol style="font-size:11pt">{items}</ol>
<p style="font-size:10pt; margin-top:30px">{esc(_("Signature of the Lurah:"))} ____________________________</p>
"""


def write_recovery_sheet(
    path: Path, *, office_name: str, village: str, code: str, created_at: datetime | None = None
) -> Path:
    """Write the sheet to ``path`` (A4, 300 dpi). Runs on the GUI thread: it takes milliseconds."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setTitle(_("Usulkan recovery code"))
    writer.setCreator("Usulkan")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(20, 20, 20, 20),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = QTextDocument()
    document.setHtml(
        sheet_html(office_name=office_name, village=village, code=code, created_at=created_at or utcnow())
    )
    document.print_(writer)
    return path
