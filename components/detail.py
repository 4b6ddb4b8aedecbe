"""A chosen row's detail in a drawer beside the table, where the person is looking.

Rendered below a long table, a detail lands under the fold with no visible change on screen.
A drawer (st.dialog docked on the right) opens over the page instead, at every screen width.
The URL still names the row, so a copied link opens the same drawer; closing it drops the row
from the URL and starts the table afresh, so the same row can be chosen again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

WIDTH = 900  # px at the start (the person can drag it wider); narrower screens get all of it


def closed(param: str) -> int:
    """How many times this detail was closed: part of the table's key, for a fresh table."""
    return int(st.session_state.get(f"_closed_{param}", 0))


def close(param: str) -> None:
    """Drop the row from the URL and count the closing (the table starts afresh)."""
    st.query_params.pop(param, None)
    st.session_state[f"_closed_{param}"] = closed(param) + 1


def drawer(title: str, render: Callable[[], None], *, param: str) -> None:
    """Show render() in a drawer titled `title` (escaped markdown); closing it drops `param`."""

    @st.dialog(title, width=WIDTH, position="right", on_dismiss=lambda: close(param))
    def body() -> None:
        render()

    body()


def neighbours(ids: Sequence[str], current: str) -> tuple[str | None, str | None]:
    """The ids before and after `current` in the filtered rows' order (None at either end)."""
    order = [str(i) for i in ids]
    if current not in order:
        return None, None
    at = order.index(current)
    return (order[at - 1] if at > 0 else None, order[at + 1] if at + 1 < len(order) else None)


def _go(param: str, value: str | None) -> None:
    if value is not None:
        st.query_params[param] = value


def stepper(rows: pd.DataFrame, id_column: str, current: str, *, param: str, noun: str) -> None:
    """Previous / next buttons through the filtered rows, and where this one sits among them.

    The buttons move the URL's row before the drawer redraws (on_click), so the drawer shows
    the neighbour at once; inside a drawer only the drawer reruns, not the page behind it.
    """
    ids = rows[id_column].astype(str).tolist()
    before, after = neighbours(ids, current)
    where = ids.index(current) if current in ids else None
    step_through(where, len(ids), before, after, param=param, noun=noun)


def step_through(
    where: int | None,
    count: int,
    before: str | None,
    after: str | None,
    *,
    param: str,
    noun: str,
) -> None:
    """`stepper` from what a query found: the row's place (from 0), the count, its neighbours."""
    where = None if where is None else where + 1
    back, place, ahead = st.columns([1, 2, 1], vertical_alignment="center")
    back.button(
        "Previous", icon=":material/arrow_back:", key=f"prev_{param}", disabled=before is None,
        on_click=_go, args=(param, before), width="stretch",
    )  # fmt: skip
    place.caption(
        f"{noun.capitalize()} {where:,} of {count:,} in the filtered rows"
        if where
        else f"Not in the {count:,} filtered {noun}s"
    )
    ahead.button(
        "Next", icon=":material/arrow_forward:", key=f"next_{param}", disabled=after is None,
        on_click=_go, args=(param, after), width="stretch",
    )  # fmt: skip
