"""KPI tiles."""

from __future__ import annotations

import math

import streamlit as st


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage, or an em dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def tiles(items: list[tuple[str, str, str | None]]) -> None:
    """A row of metric tiles: (label, value, help or None)."""
    columns = st.columns(len(items))
    for column, (label, value, help_text) in zip(columns, items, strict=True):
        column.metric(label, value, help=help_text, border=True)
