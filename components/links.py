"""Ids in links: read one, and say so in one line when it is not there (never swap silently)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from reporting.text import code_span, escape_markdown

RUN_ID_PARAM = "eval_run_uuid"  # a run by id, e.g. the Overview's worst eval's latest run
MISSING_WHY = "deleted, in another workspace, a sandbox run left out, or a typo"


def missing_id(what: str, value: str, fallback: str) -> None:
    """The one line that says a link's id is not here and what is shown instead."""
    st.warning(
        f"The link names {what} `{code_span(value[:64])}`, which is not here ({MISSING_WHY}). "
        f"Showing {escape_markdown(fallback)} instead.",
        icon=":material/link_off:",
    )


def _show_all() -> None:
    st.query_params.pop(RUN_ID_PARAM, None)


def one_run_id(runs: pd.DataFrame) -> str | None:
    """The run a link names by id, said in one line (None when it names none, or no such run)."""
    wanted = (st.query_params.get(RUN_ID_PARAM) or "").strip()
    if not wanted:
        return None
    match = runs[runs["eval_run_uuid"] == wanted]
    if match.empty:
        missing_id("run", wanted, "every run")
        return None
    run = match.iloc[0]
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(
            f"Only run **{escape_markdown(run['run_name'])}** of "
            f"{escape_markdown(run['eval_name'])} (`{code_span(wanted)}`), as the link asks."
        )
        st.button("Show every run", on_click=_show_all, key="links_all_runs", type="tertiary")
    return wanted


def id_choice(
    label: str,
    options: list[str],
    labels: dict[str, str],
    param: str,
    default: int,
    container: Any = st,
    *,
    what: str = "run",
    resets: tuple[str, ...] = (),
) -> str:
    """A selectbox whose choice lives in the URL as an id (never its display label).

    An id in the link that is not among `options` is said in one line, with the fallback.
    Choosing writes the id to the URL and drops the parameters in `resets` (e.g. the runs of
    another eval).
    """
    wanted = (st.query_params.get(param) or "").strip()
    index = default
    if wanted in options:
        index = options.index(wanted)
    elif wanted:
        missing_id(what, wanted, labels[options[default]])
    key = f"_pick_{param}_{options[index]}"  # a new key per choice: the URL decides the value

    def choose() -> None:
        st.query_params[param] = st.session_state[key]
        for other in resets:
            st.query_params.pop(other, None)

    return container.selectbox(
        label, options, index=index, format_func=labels.get, key=key, on_change=choose
    )
