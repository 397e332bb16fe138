"""What a PDF says, as a reader sees it: tests check the printed words, not only a %PDF header."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf, through each font's ToUnicode map)."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    """Without whitespace: where a line wraps in the PDF is layout, not content."""
    return re.sub(r"\s+", "", text)


def says(data: bytes, *phrases: str) -> bool:
    text = squeeze(pdf_text(data))
    return all(squeeze(phrase) in text for phrase in phrases)
