"""Numbers built from a partial load say so on their face: tile labels, chart titles, captions."""

from __future__ import annotations

import streamlit as st

from jobs.problems import Missing

MARK = " (partial)"


def mark(text: str, partial: bool) -> str:
    """A tile label or chart title, marked when what it counts did not all load."""
    return f"{text}{MARK}" if partial else text


def from_responses(missing: Missing) -> bool:
    """True when numbers built from responses leave some out."""
    return missing.responses


def from_runs(missing: Missing) -> bool:
    """True when numbers built from the runs listing leave some runs out."""
    return "runs" in missing.listings


def from_evals(missing: Missing) -> bool:
    """True when numbers built from the evals listing leave some evals out."""
    return "evals" in missing.listings


def caption(partial: bool, missing: Missing) -> None:
    """Under a table or chart built from a partial load: what it leaves out."""
    if partial:
        st.caption(f":material/warning: Partial: built without {'; '.join(missing.parts())}.")
