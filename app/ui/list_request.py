"""What a Beranda card asks the page it opens to show: the list it counts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StateList:
    """The proposals in these workflow states, under the card's own title (AppState.navigate's argument)."""

    title: str
    states: tuple[str, ...]
