"""Tables with sensible column formats: percentages, dates, short ids with the full one on hover."""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from reporting import vocabulary as vocab
from reporting.palette import GREEN, GREY, RED, VERDICT_COLORS
from reporting.text import is_missing, preview_series

PAGE_ROWS = 1_000  # the browser gets one page of a long table at a time, not every row
ROW_PX = 35  # st.dataframe's row (and header) height
PERCENT_FORMAT = "%.1f%%"  # one decimal everywhere; the intl "percent" format varies per cell
CHANGE_FORMAT = "%+.1f pp"
NOISE_PP = 0.05  # a change smaller than this (in points) reads as no change, in grey

# Columns that hold API values: table() shows them in words, whatever page they are on.
WORDED_COLUMNS: dict[str, Mapping[str, str] | None] = {
    "eval_type": vocab.EVAL_TYPES,
    "type": vocab.EVAL_TYPES,
    "status": vocab.STATUSES,
    "run_status": vocab.STATUSES,
    "modality": vocab.CONTENT_TYPES,
    "content_type": vocab.CONTENT_TYPES,
    "severity": vocab.SEVERITIES,
    "triage_severity": vocab.SEVERITIES,
    "format": vocab.FORMATS,
    "kind": vocab.KINDS,
    "channel": vocab.CHANNELS,
    "scope": vocab.SCOPES,
    "session_type": vocab.SCOPES,
    "outcome": vocab.VERDICTS,
    "verdict": vocab.VERDICTS,
    "verdict_a": vocab.VERDICTS,
    "verdict_b": vocab.VERDICTS,
    "result": None,
}
# Pill colours by the words shown (verdicts, Feather outcomes, regression results).
PILL_COLORS: dict[str, str] = {
    **{vocab.words(raw): colour for raw, colour in VERDICT_COLORS.items()},
    "No verdict": GREY,
    "Errored": "#AA3377",
    "Pending": "#56B4E9",
    "Regressed": RED,
    "Improved": GREEN,
    "Within noise": GREY,
    "Too few runs": GREY,
    "Newly failed": RED,
    "Newly passed": GREEN,
    "Failed in both": "#A11D48",
    "Passed in both": "#7FBFA8",
    "No test possible": GREY,
}


def percent(label: str, help_text: str | None = None, width: int | None = None) -> Any:
    """A 0..1 fraction shown as a percentage with one decimal (table() scales it)."""
    return st.column_config.NumberColumn(label, format=PERCENT_FORMAT, help=help_text, width=width)


def change(label: str, help_text: str | None = None, width: int | str | None = 90) -> Any:
    """A signed change of a fraction, in percentage points: green up, red down (table() colours)."""
    return st.column_config.NumberColumn(label, format=CHANGE_FORMAT, help=help_text, width=width)


def verdict(
    label: str = "Verdict",
    width: int = 100,
    help_text: str | None = None,
    *,
    pinned: bool | None = None,
) -> Any:
    """A verdict or outcome as a coloured pill: passed, failed, not scored in the palette's colours.

    A pill, not a tinted cell: st.dataframe's canvas colours a cell only through a pandas
    Styler, which renders every cell of the frame on each run; a one-item multiselect cell is
    drawn by the grid itself. table() turns the column's values into their words first.
    """
    return st.column_config.MultiselectColumn(
        label,
        options=list(PILL_COLORS),
        color=list(PILL_COLORS.values()),
        width=width,
        help=help_text,
        pinned=pinned,
    )


def confidence(label: str = "Confidence", width: int | None = 100) -> Any:
    """The judge's 0..1 confidence, two decimals."""
    return st.column_config.NumberColumn(
        label, format="%.2f", help="The judge's confidence in its verdict, 0 to 1", width=width
    )


def count(label: str, help_text: str | None = None, width: int | None = None) -> Any:
    """A whole number with thousands separators."""
    return st.column_config.NumberColumn(label, format="localized", help=help_text, width=width)


def when(label: str, width: int | None = 140) -> Any:
    """A UTC timestamp."""
    return st.column_config.DatetimeColumn(
        label, format="YYYY-MM-DD HH:mm", timezone="UTC", width=width
    )


def short_id(label: str, width: int = 90) -> Any:
    """An id in a narrow column: the cell shows its start, hover or copy gives it whole."""
    return st.column_config.TextColumn(
        label, width=width, help="The start of the id; copy the cell for the full id"
    )


def text(
    label: str,
    width: str | int = "medium",
    *,
    pinned: bool | None = None,
    help_text: str | None = None,
) -> Any:
    """Free text from the API, shown as plain text (an int width is in pixels)."""
    return st.column_config.TextColumn(label, width=width, pinned=pinned, help=help_text)


def keyed(base: str, *state: Any) -> str:
    """A table key that changes with the rows it shows (e.g. the filters).

    A selection is a row position; kept across a filter change it would silently point at
    another row. A new key starts the table afresh (with `selected`, if that row is still in).
    """
    digest = hashlib.sha1(repr(state).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{base}_{digest}"


def _type_config(config: Any) -> Mapping[str, Any]:
    return (config.get("type_config") or {}) if isinstance(config, Mapping) else {}


def _is_text(config: Any) -> bool:
    return _type_config(config).get("type") == "text"


def _is_percent(config: Any) -> bool:
    return _type_config(config).get("format") == PERCENT_FORMAT


def _is_change(config: Any) -> bool:
    return _type_config(config).get("format") == CHANGE_FORMAT


def _is_pill(config: Any) -> bool:
    return _type_config(config).get("type") == "multiselect"


def _pp(value: Any) -> str:
    if is_missing(value):
        return ""
    points = float(value)  # the pages hand changes over in points already
    return "±0.0 pp" if abs(points) < NOISE_PP else f"{points:+.1f} pp"


def _change_pills(config: Mapping[str, Any], values: pd.Series) -> tuple[Any, pd.Series]:
    """A change column as pills: up in green, down in red, no change in grey."""
    labels = values.astype(object).map(_pp)
    options = sorted({v for v in labels if v})
    colours = [GREY if o.startswith("±") else GREEN if o.startswith("+") else RED for o in options]
    pills = st.column_config.MultiselectColumn(
        config.get("label"),
        options=options,
        color=colours or None,
        width=config.get("width"),
        help=config.get("help"),
    )
    return pills, labels.map(lambda v: [v] if v else [])


def _pill_cells(values: pd.Series) -> pd.Series:
    cells = values.astype(object).map(lambda v: [] if is_missing(v) else [vocab.words(v)])
    return cells.astype(object)


def in_words(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The frame with each column that holds API values (WORDED_COLUMNS) in words."""
    worded = {
        c: vocab.in_words(frame[c], WORDED_COLUMNS[c])
        for c in columns
        if c in WORDED_COLUMNS and c in frame.columns and not pd.api.types.is_bool_dtype(frame[c])
    }
    return frame.assign(**worded) if worded else frame


def for_display(frame: pd.DataFrame, columns: Mapping[str, Any]) -> tuple[pd.DataFrame, dict]:
    """The cells as the table shows them (words, percentages, pills) and the final configs."""
    order = [c for c in columns if c in frame.columns]
    shown = in_words(frame[order], order)
    configs = dict(columns)
    changed: dict[str, pd.Series] = {}
    for c in order:
        if _is_text(columns[c]):  # a bounded preview of a long text; the card has all of it
            changed[c] = preview_series(shown[c])
        elif _is_percent(columns[c]):
            changed[c] = shown[c] * 100
        elif _is_change(columns[c]):
            configs[c], changed[c] = _change_pills(columns[c], shown[c])
        elif _is_pill(columns[c]):
            changed[c] = _pill_cells(shown[c])
    return (shown.assign(**changed) if changed else shown), configs


# Cells as shown, per frame object, column set and page. A frame a page shares between sessions
# (jobs.memo) is formatted once for all of them; a frame built per rerun simply misses.
_PREPARED: dict[tuple[int, str, int], tuple[weakref.ref, tuple[Any, dict]]] = {}
_PREPARED_LOCK = threading.Lock()


def prepared(frame: pd.DataFrame, columns: Mapping[str, Any], page: int = 0) -> tuple[Any, dict]:
    """for_display of one page of the frame's rows (kept, as Arrow, while the frame lives)."""
    key = (id(frame), json.dumps(columns, sort_keys=True, default=str), page)
    with _PREPARED_LOCK:
        hit = _PREPARED.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    order = [c for c in columns if c in frame.columns]
    rows = frame[order].iloc[page * PAGE_ROWS : (page + 1) * PAGE_ROWS]
    cells, configs = for_display(rows, columns)
    try:
        ref = weakref.ref(frame, lambda _: _forget(key))
    except TypeError:  # not weak-referenceable: not kept
        return cells, configs
    # Kept as Arrow, converted as Streamlit would: each later session's table is then only
    # written out, not converted again (the conversion was half of st.dataframe's time).
    result = (dataframe_util.convert_pandas_df_to_arrow_table(cells), configs)
    with _PREPARED_LOCK:
        _PREPARED[key] = (ref, result)
    return result


def _forget(key: tuple[int, str, int]) -> None:
    with _PREPARED_LOCK:
        _PREPARED.pop(key, None)


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, Any],
    *,
    key: str | None = None,
    select: bool = False,
    height: int | str = "auto",
    selected: int | None = None,
    total: int | None = None,
) -> Any:
    """Show the named columns with their formats; with select=True a row can be chosen.

    `selected` is the position of a row to show as chosen (e.g. the one a shared link names).
    With `total`, `frame` is already the page `page_number(key, total, selected)` names, of
    `total` rows a query holds (the lake's Responses), not every row.
    """
    order: Sequence[str] = [c for c in columns if c in frame.columns]
    rows = len(frame) if total is None else total
    page = page_number(key, rows, selected)
    shown, configs = prepared(frame, columns, 0 if total is not None else page)
    offset = page * PAGE_ROWS
    if selected is not None:
        selected -= offset
    if isinstance(height, int):
        # A few rows get a table that fits them, not a tall empty grid.
        height = min(height, ROW_PX * (len(shown) + 1) + 3)
    kwargs: dict[str, Any] = {}
    if select:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
        if selected is not None and 0 <= selected < len(shown):
            kwargs["selection_default"] = {"selection": {"rows": [selected], "columns": []}}
    event = st.dataframe(
        shown,
        column_config=configs,
        column_order=order,
        hide_index=True,
        width="stretch",
        height=height,
        key=key if key is None or page == 0 else f"{key}_p{page}",  # a page's own choice
        placeholder="—",  # a missing value reads as a dash, not "None"
        **kwargs,
    )
    if rows > PAGE_ROWS:
        _pager(rows, key, page)
    return _Offset(event, offset) if offset and select and total is None else event


@dataclass(frozen=True)
class _Offset:
    """A paged table's selection event, its rows counted from the frame's first row."""

    event: Any
    offset: int

    @property
    def selection(self) -> Any:
        rows = [r + self.offset for r in getattr(self.event.selection, "rows", [])]
        return SimpleNamespace(rows=rows, columns=getattr(self.event.selection, "columns", []))


def _page_key(key: str | None, total: int) -> str:
    return f"_page_{key or total}"


def page_number(key: str | None, total: int, selected: int | None) -> int:
    """The page shown: the one chosen, else the one holding a linked row, else the first."""
    last = max(0, (total - 1) // PAGE_ROWS)
    state = _page_key(key, total)
    if state not in st.session_state and selected is not None and selected >= 0:
        st.session_state[state] = selected // PAGE_ROWS
    return min(max(0, int(st.session_state.get(state, 0))), last)


def _pager(total: int, key: str | None, page: int) -> None:
    """'Rows 1,001–2,000 of 31,635' with the previous and next pages, under the table."""
    state = _page_key(key, total)
    last = (total - 1) // PAGE_ROWS

    def go(to: int) -> None:
        st.session_state[state] = to

    first_row, last_row = page * PAGE_ROWS + 1, min(total, (page + 1) * PAGE_ROWS)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.caption(
            f"Rows {first_row:,}–{last_row:,} of {total:,}; the browser gets one page at "
            "a time (the CSV has them all)."
        )
        st.button(
            "Previous rows", key=f"{state}_prev", disabled=page == 0, on_click=go,
            args=(page - 1,), icon=":material/chevron_left:", type="tertiary",
        )  # fmt: skip
        st.button(
            "Next rows", key=f"{state}_next", disabled=page >= last, on_click=go,
            args=(page + 1,), icon=":material/chevron_right:", type="tertiary",
        )  # fmt: skip


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
    total: int | None = None,
    selected: int | None = None,
) -> pd.Series | None:
    """A table bound to a URL parameter: the row the link names shown chosen, a choice linked.

    Returns the row the URL names (just chosen, or from a shared link), looked up in
    `linked_from` (default: the table's rows), or None. `display` is what the table shows
    when it differs from `frame` (same rows, same order, formatted). With `total`, `frame` is
    one page of a query's rows (see `table`) and `selected` the linked row's place among all.
    """
    event = table(
        frame if display is None else display,
        columns,
        key=key,
        select=True,
        height=height,
        selected=position(frame, id_column, st.query_params.get(param))
        if total is None
        else selected,
        total=total,
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
