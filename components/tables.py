"""Tables with sensible column formats: percentages, dates, short ids with the full one on hover."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

MAX_TABLE_ROWS = 5_000  # the browser gets at most this many rows; the rest stay searchable


def percent(label: str, help_text: str | None = None) -> Any:
    """A 0..1 fraction shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent", help=help_text)


def change(label: str, help_text: str | None = None) -> Any:
    """A signed change of a fraction, in percentage points."""
    return st.column_config.NumberColumn(label, format="%+.1f pp", help=help_text)


def when(label: str) -> Any:
    """A UTC timestamp."""
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", timezone="UTC")


def short_id(label: str) -> Any:
    """An id in a narrow column: the cell shows its start, hover or copy gives it whole."""
    return st.column_config.TextColumn(label, width="small", help="Hover or copy for the full id")


def text(label: str, width: str = "medium") -> Any:
    """Free text from the API, shown as plain text."""
    return st.column_config.TextColumn(label, width=width)


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, Any],
    *,
    key: str | None = None,
    select: bool = False,
    height: int | str = "auto",
) -> Any:
    """Show the named columns with their formats; with select=True a row can be chosen."""
    order: Sequence[str] = [c for c in columns if c in frame.columns]
    shown = frame[list(order)]
    if len(shown) > MAX_TABLE_ROWS:
        st.caption(
            f"Showing the first {MAX_TABLE_ROWS:,} of {len(shown):,} rows; narrow the filters "
            "or download the CSV for all of them."
        )
        shown = shown.head(MAX_TABLE_ROWS)
    kwargs: dict[str, Any] = {}
    if select:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
    return st.dataframe(
        shown,
        column_config=dict(columns),
        column_order=order,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        **kwargs,
    )


def selected_row(event: Any, frame: pd.DataFrame) -> pd.Series | None:
    """The row a person chose in a selectable table, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    if not rows or rows[0] >= len(frame):
        return None
    return frame.iloc[rows[0]]
