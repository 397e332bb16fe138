"""Dinsos's reasons for a step in words people read; the code (foto_rumah_buram) stays in the data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CODE = re.compile(r"[a-z0-9][a-z0-9_.\-]*")
# What older versions stored in the step's reason: "Dinsos's words (code)", joined by "; ".
_TRAILING_CODE = re.compile(r"\s*\(([a-z0-9][a-z0-9_.\-]*)\)\s*$")


def humanise(code: str) -> str:
    """'foto_rumah_buram' -> 'Foto rumah buram': the last resort when Dinsos gave no words."""
    words = re.sub(r"[_.\-]+", " ", code).strip()
    return words[:1].upper() + words[1:]


def reason_texts(data: Mapping[str, Any] | None, reason: str | None,
                 titles: Mapping[str, str] | None = None) -> list[str]:
    """The words of each reason a step carries (its data's coded reasons, else its reason line); never a bare code.

    ``titles`` maps a code to the office playbook's page title, used when Dinsos gave no words.
    """
    titles = titles or {}
    out = []
    for item in (data or {}).get("reasons") or []:
        if not isinstance(item, Mapping):
            continue
        text = str(item.get("text") or "").strip()
        code = str(item.get("code") or "")
        if text:
            out.append(text)
        elif code:
            out.append(titles.get(code) or humanise(code))
    if out or not reason:
        return out
    for part in reason.split("; "):
        text = _TRAILING_CODE.sub("", part).strip()
        if CODE.fullmatch(text) and "_" in text:  # the part was nothing but a code
            text = titles.get(text) or humanise(text)
        if text:
            out.append(text)
    return out


def reason_line(data: Mapping[str, Any] | None, reason: str | None, titles: Mapping[str, str] | None = None) -> str | None:
    return "; ".join(reason_texts(data, reason, titles)) or None
