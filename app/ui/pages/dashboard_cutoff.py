"""Beranda's cut-off card: this month's calendar with the 17th marked, the days left, and what must go before it."""

from __future__ import annotations

from datetime import date

from app.domain.cutoff import must_go, next_cutoff
from app.i18n import _, n_
from app.ui.qt import (
    QBrush,
    QCalendarWidget,
    QColor,
    QDate,
    QFrame,
    QHBoxLayout,
    QLabel,
    QTextCharFormat,
    QVBoxLayout,
    QWidget,
)


class CutoffCard(QFrame):
    """Read-only: the calendar shows the month; the sentence says what to do before the cut-off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.calendar = QCalendarWidget()
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setGridVisible(False)
        self.calendar.setMaximumHeight(220)
        self.calendar.setSelectionMode(QCalendarWidget.SelectionMode.NoSelection)
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.detail)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addLayout(text, 1)

    def show_month(self, today: date, counts: dict[tuple[str, str], int]) -> None:
        cutoff = next_cutoff(today)
        self.calendar.setCurrentPage(cutoff.day.year, cutoff.day.month)
        mark = QTextCharFormat()
        mark.setBackground(QBrush(QColor("#f6c36b")))
        mark.setFontWeight(700)
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear the previous month's mark
        self.calendar.setDateTextFormat(QDate(cutoff.day.year, cutoff.day.month, cutoff.day.day), mark)
        if cutoff.days_left == 0:
            self.title.setText(_("Today is the SIKS-NG cut-off ({date}).").format(date=f"{cutoff.day:%d-%m-%Y}"))
        else:
            self.title.setText(n_("{n} day to the SIKS-NG cut-off on {date}.",
                                  "{n} days to the SIKS-NG cut-off on {date}.", cutoff.days_left).format(
                n=cutoff.days_left, date=f"{cutoff.day:%d-%m-%Y}"))
        unfinished, to_send = must_go(counts)
        if not unfinished and not to_send:
            self.detail.setText(_("Nothing is waiting in the office: everything made so far is at the Dinsos."))
            return
        parts = []
        if to_send:
            parts.append(n_("{n} proposal is ready or queued: send it (or take the batch file to Dinsos).",
                            "{n} proposals are ready or queued: send them (or take the batch file to Dinsos).",
                            to_send).format(n=to_send))
        if unfinished:
            parts.append(n_("{n} proposal is not finished yet (draft, ground check, muskel, SPTJM or returned).",
                            "{n} proposals are not finished yet (draft, ground check, muskel, SPTJM or returned).",
                            unfinished).format(n=unfinished))
        parts.append(_("What reaches Dinsos by the 17th is pulled into SIKS-NG on the 18th; the rest waits a month."))
        self.detail.setText(" ".join(parts))
