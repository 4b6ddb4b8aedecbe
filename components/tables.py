"""Tables with sensible column formats: percentages, dates, short ids with the full one on hover."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from reporting.text import preview_series

MAX_TABLE_ROWS = 5_000  # the browser gets at most this many rows; the rest stay searchable
ROW_PX = 35  # st.dataframe's row (and header) height
PERCENT_FORMAT = "%.1f%%"  # one decimal everywhere; the intl "percent" format varies per cell


def percent(label: str, help_text: str | None = None) -> Any:
    """A 0..1 fraction shown as a percentage with one decimal (table() scales it)."""
    return st.column_config.NumberColumn(label, format=PERCENT_FORMAT, help=help_text)


def change(label: str, help_text: str | None = None) -> Any:
    """A signed change of a fraction, in percentage points."""
    return st.column_config.NumberColumn(label, format="%+.1f pp", help=help_text)


def confidence(label: str = "Confidence") -> Any:
    """The judge's 0..1 confidence, two decimals."""
    return st.column_config.NumberColumn(
        label, format="%.2f", help="The judge's confidence in its verdict, 0 to 1"
    )


def count(label: str, help_text: str | None = None) -> Any:
    """A whole number with thousands separators."""
    return st.column_config.NumberColumn(label, format="localized", help=help_text)


def when(label: str) -> Any:
    """A UTC timestamp."""
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", timezone="UTC")


def short_id(label: str) -> Any:
    """An id in a narrow column: the cell shows its start, hover or copy gives it whole."""
    return st.column_config.TextColumn(label, width="small", help="Hover or copy for the full id")


def text(label: str, width: str = "medium") -> Any:
    """Free text from the API, shown as plain text."""
    return st.column_config.TextColumn(label, width=width)


def keyed(base: str, *state: Any) -> str:
    """A table key that changes with the rows it shows (e.g. the filters).

    A selection is a row position; kept across a filter change it would silently point at
    another row. A new key starts the table afresh (with `selected`, if that row is still in).
    """
    digest = hashlib.sha1(repr(state).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{base}_{digest}"


def _is_text(config: Any) -> bool:
    return isinstance(config, Mapping) and (config.get("type_config") or {}).get("type") == "text"


def _is_percent(config: Any) -> bool:
    return (
        isinstance(config, Mapping)
        and (config.get("type_config") or {}).get("format") == PERCENT_FORMAT
    )


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, Any],
    *,
    key: str | None = None,
    select: bool = False,
    height: int | str = "auto",
    selected: int | None = None,
) -> Any:
    """Show the named columns with their formats; with select=True a row can be chosen.

    `selected` is the position of a row to show as chosen (e.g. the one a shared link names).
    """
    order: Sequence[str] = [c for c in columns if c in frame.columns]
    shown = frame[list(order)]
    if len(shown) > MAX_TABLE_ROWS:
        st.caption(
            f"Showing the first {MAX_TABLE_ROWS:,} of {len(shown):,} rows; narrow the filters "
            "or download the CSV for all of them."
        )
        shown = shown.head(MAX_TABLE_ROWS)
    # A cell shows a bounded preview of a long text (the card has all of it).
    scaled = {c: preview_series(shown[c]) for c in order if _is_text(columns[c])}
    scaled |= {c: shown[c] * 100 for c in order if _is_percent(columns[c])}
    if scaled:
        shown = shown.assign(**scaled)
    if isinstance(height, int):
        # A few rows get a table that fits them, not a tall empty grid.
        height = min(height, ROW_PX * (len(shown) + 1) + 3)
    kwargs: dict[str, Any] = {}
    if select:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
        if selected is not None and 0 <= selected < len(shown):
            kwargs["selection_default"] = {"selection": {"rows": [selected], "columns": []}}
    return st.dataframe(
        shown,
        column_config=dict(columns),
        column_order=order,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        placeholder="—",  # a missing value reads as a dash, not "None"
        **kwargs,
    )


def chosen(event: Any, frame: pd.DataFrame) -> pd.Series | None:
    """The row a person chose in a selectable table, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    if not rows or rows[0] >= len(frame):
        return None
    return frame.iloc[rows[0]]


def selected_row(
    frame: pd.DataFrame,
    columns: Mapping[str, Any],
    *,
    id_column: str,
    param: str,
    key: str,
    height: int | str = "auto",
    display: pd.DataFrame | None = None,
    linked_from: pd.DataFrame | None = None,
) -> pd.Series | None:
    """A table bound to a URL parameter: the row the link names shown chosen, a choice linked.

    Returns the row the URL names (just chosen, or from a shared link), looked up in
    `linked_from` (default: the table's rows), or None. `display` is what the table shows
    when it differs from `frame` (same rows, same order, formatted).
    """
    event = table(
        frame if display is None else display,
        columns,
        key=key,
        select=True,
        height=height,
        selected=position(frame, id_column, st.query_params.get(param)),
    )
    row = chosen(event, frame)
    picked = None if row is None else str(row[id_column])
    # Only a new choice writes the URL: a table still holding an older choice must not
    # overwrite a row just chosen in another table (Feather's two tables share one link).
    seen = f"_seen_{key}"
    if picked is not None and picked != st.session_state.get(seen):
        st.query_params[param] = picked
    st.session_state[seen] = picked
    wanted = st.query_params.get(param)
    if not wanted:
        return None
    rows = frame if linked_from is None else linked_from
    match = rows[rows[id_column].astype(str) == wanted]
    return match.iloc[0] if not match.empty else None


def position(frame: pd.DataFrame, column: str, value: Any) -> int | None:
    """The position of the first row whose column equals value, if any."""
    if value is None or column not in frame.columns:
        return None
    hits = (frame[column].astype(str) == str(value)).to_numpy().nonzero()[0]
    return int(hits[0]) if len(hits) else None
