"""Column widths from the longest text a column can hold, so NIKs, codes and states are never cut."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.proposal import ProposalKind
from app.domain.workflow import KIND_LABELS, State, state_label
from app.i18n import _
from app.ui.qt import QFontMetrics, QHeaderView, QTableView

PADDING = 24  # the cell's margins and a little air
SORT_ARROW = 20  # the header's sort indicator takes room beside its text

# The widest possible values: every NIK and No. KK has 16 digits (8 is among the widest
# digits in most fonts), a tracking code may carry a two-digit version.
WIDEST_NUMBER = "8" * 16
WIDEST_TRACKING = "USK-WWWW-WWWW (v99)"
WIDEST_DATE = "88-88-8888"


def every_state_label() -> list[str]:
    return [state_label(state) for state in State]


def every_kind_label() -> list[str]:
    return [_(KIND_LABELS[kind]) for kind in ProposalKind]


def text_width(metrics: QFontMetrics, texts: Iterable[str]) -> int:
    return max((metrics.horizontalAdvance(text) for text in texts), default=0)


def fit_column(table: QTableView, column: int, texts: Iterable[str], *, sortable: bool = False) -> None:
    """At least as wide as its header and as every text in ``texts``; the operator may still widen it."""
    header = table.horizontalHeader()
    title = table.model().headerData(column, header.orientation()) or ""
    body = text_width(table.fontMetrics(), texts) + PADDING
    head = text_width(header.fontMetrics(), [str(title)]) + PADDING + (SORT_ARROW if sortable else 0)
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    table.setColumnWidth(column, max(body, head))
