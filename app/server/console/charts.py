"""Bar charts drawn on the server as inline SVG (no script, no chart library, nothing fetched).

Colours are SVG presentation attributes, not CSS, so the console's Content-Security-Policy
(no inline styles) holds. Every text is escaped; every chart has a title and a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#d49b00", "#a4161a", "#2e8540", "#6a3d9a", "#5b6775")
ROW, LABEL, WIDTH, GAP = 22, 190, 760, 4


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
         stacked: bool = False) -> Markup:
    """Horizontal bars, one row per label; several series side by side (or stacked), with a legend."""
    names = [name for name, _values in series]
    if stacked:
        top = max((sum(values[i] for _n, values in series) for i in range(len(labels))), default=0)
    else:
        top = max((v for _n, values in series for v in values), default=0)
    top = top or 1
    per_row = ROW if stacked else max(ROW, (ROW - 8) * len(series) + 8)
    # The legend: each name as wide as its text (about 7 px a letter), wrapping onto more lines.
    places, x, line = [], LABEL, 0
    for name in names:
        width = 16 + 7 * len(name) + 14
        if x + width > WIDTH and x > LABEL:
            x, line = LABEL, line + 1
        places.append((x, 4 + line * 18))
        x += width
    legend = 24 + line * 18
    height = legend + per_row * max(len(labels), 1) + 8
    scale = (WIDTH - LABEL - 60) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}"><title>{escape(title)}</title>']
    for index, (name, (x, y)) in enumerate(zip(names, places)):
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="{y + 10}" font-size="12" fill="#1d2530">{escape(name)}</text>')
    for row, label in enumerate(labels):
        y = legend + row * per_row
        parts.append(f'<text x="{LABEL - 6}" y="{y + 14}" font-size="12" text-anchor="end" fill="#1d2530">'
                     f'{escape(str(label)[:32])}</text>')
        x = float(LABEL)
        for index, (name, values) in enumerate(series):
            value = values[row]
            length = value * scale
            colour = PALETTE[index % len(PALETTE)]
            if stacked:
                bar_y, bar_h = y + 2, ROW - GAP
            else:
                bar_h = ROW - 8
                bar_y, x = y + 2 + index * bar_h, float(LABEL)
            parts.append(f'<rect x="{x:.1f}" y="{bar_y}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                         f'<title>{escape(str(label))} · {escape(name)}: {_number(value)}</title></rect>')
            if not stacked and value:
                parts.append(f'<text x="{x + length + 4:.1f}" y="{bar_y + bar_h - 3}" font-size="11" '
                             f'fill="#1d2530">{_number(value)}</text>')
            if stacked:
                x += length
        if stacked:
            total = sum(values[row] for _n, values in series)
            parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" font-size="11" fill="#1d2530">{_number(total)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
