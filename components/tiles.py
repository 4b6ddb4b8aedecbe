"""KPI tiles."""

from __future__ import annotations

import math

import streamlit as st

from reporting.text import p_value

TILE_PX = 160  # two fit side by side in a 390 px phone's 358 px; five in a desktop's row
NOTED_TILE_PX = 136  # label, value and a one-line note, with the border's padding

# (label, value, help or None) or (label, value, help or None, a grey note under the value)
Tile = tuple[str, str, str | None] | tuple[str, str, str | None, str | None]


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage, or an em dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def p_clause(p: float | None) -> str:
    """'p = 0.125', 'p < 0.001' or 'no test possible', for a sentence."""
    return p_value(p)


def interval(low: float | None, high: float | None) -> str | None:
    """'95% CI 80.6–83.3%' for a Wilson interval, or None when unknown."""
    if pct(low) == "—" or pct(high) == "—":
        return None
    return f"95% CI {pct(low)[:-1]}–{pct(high)}"


def tiles(items: list[Tile]) -> None:
    """A row of metric tiles; a note (e.g. a confidence interval) shows small under the value.

    A wrapping horizontal container of fixed-width tiles, not st.columns: columns stack one
    per row on a phone, while these wrap two per row at 390 px and sit in one row on a desktop.
    """
    row = st.container(horizontal=True, gap="small")
    # A fixed height, not "stretch": in a wrapping row (a dialog, a phone) a stretched tile
    # grew to the row's full height and the wrapped one overlapped what came below it.
    noted = any(len(item) > 3 and item[3] for item in items)
    height = NOTED_TILE_PX if noted else "content"
    for item in items:
        label, value, help_text = item[0], item[1], item[2]
        note = item[3] if len(item) > 3 else None
        row.metric(
            label,
            value,
            delta=note,
            delta_color="off",
            delta_arrow="off",
            help=help_text,
            border=True,
            height=height,  # a tile with a note must not stand taller than its neighbours
            width=TILE_PX,
        )
