"""The review part of a response card: the judge beside the person, the history, the buttons."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from client.aymara_models import AnswerHistory
from client.errors import APIError
from components import review
from components.connection import Source
from components.errors import show_error
from reporting.text import is_missing

SHORTCUTS = {"overturn": "O", "agree": "A", "not_scorable": "N"}


def _verdict_word(value: Any) -> str:
    if value is None or is_missing(value):
        return "not scored"
    return "passed" if bool(value) else "failed"


def _who_when(entry: AnswerHistory) -> str:
    who = entry.updated_by.email if entry.updated_by and entry.updated_by.email else "someone"
    when = f"{entry.updated_at:%Y-%m-%d %H:%M} UTC" if entry.updated_at else "at an unknown time"
    return f"{when}, by {who} (the API key's owner)"


def _sides(row: pd.Series, changes: list[AnswerHistory]) -> None:
    """The judge's original verdict, confidence and explanation beside the person's."""
    first = min(changes, key=lambda h: h.updated_at or pd.Timestamp.max) if changes else None
    judge_col, person_col = st.columns(2)
    with judge_col:
        verdict = first.previous_is_passed if first else row.get("is_passed")
        confidence = first.previous_confidence if first else row.get("confidence")
        explanation = first.previous_explanation if first else row.get("explanation")
        shown = "—" if confidence is None or is_missing(confidence) else f"{confidence:.2f}"
        st.caption("The judge said")
        st.text(f"{_verdict_word(verdict).capitalize()}, confidence {shown}")
        st.text(explanation or "—")
    with person_col:
        st.caption("A person said")
        if not changes and not bool(row.get("manually_updated")):
            st.text("Not reviewed yet.")
            return
        st.text(_verdict_word(row.get("is_passed")).capitalize())
        st.text(str(row.get("explanation") or "—"))


def _history(changes: list[AnswerHistory], key: str) -> None:
    """Every change: who, when, and what changed."""
    with st.expander(f"History ({len(changes)} change{'s' if len(changes) != 1 else ''})"):
        for entry in sorted(changes, key=lambda h: h.updated_at or pd.Timestamp.max):
            st.caption(_who_when(entry))
            lines = [
                f"Verdict: {_verdict_word(entry.previous_is_passed)} -> "
                f"{_verdict_word(entry.new_is_passed)}"
            ]
            if entry.previous_confidence != entry.new_confidence:
                lines.append(f"Confidence: {entry.previous_confidence} -> {entry.new_confidence}")
            if entry.previous_explanation != entry.new_explanation:
                lines.append(f"Explanation now: {entry.new_explanation or '—'}")
            st.text("\n".join(lines))


def review_panel(
    row: pd.Series,
    *,
    source: Source,
    workspace: str | None,
    key: str,
    shortcuts: bool = False,
) -> str | None:
    """Judge vs person, the history and the review buttons; returns what was done, if anything.

    Returns "changed" when the API took a change, "agreed" when the person agreed.
    """
    session = st.session_state
    if is_missing(row.get("response_uuid")) or is_missing(row.get("eval_run_uuid")):
        st.caption("This response has no id, so it cannot be reviewed here.")
        return None
    found = review.history(source, row, session, workspace)
    if isinstance(found, APIError):
        show_error(found, what="The review history could not be loaded")
        changes: list[AnswerHistory] = []
    else:
        changes = found
    _sides(row, changes)
    if changes:
        _history(changes, key)
    blocked = review.write_block()
    passed = row.get("is_passed")
    scored = not is_missing(passed)
    target = (not bool(passed)) if scored else True
    with st.form(f"{key}_form_{row['response_uuid']}", border=False, enter_to_submit=True):
        reason = st.text_input(
            "Reason (required to overturn; it becomes the explanation)",
            key=f"{key}_reason_{row['response_uuid']}",
            disabled=blocked is not None,
            max_chars=2000,
        )
        with st.container(horizontal=True, gap="small"):
            overturn = st.form_submit_button(
                f"Overturn verdict: mark {'passed' if target else 'failed'}",
                type="primary",
                icon=":material/swap_horiz:",
                disabled=blocked is not None,
                help=blocked,
                shortcut=SHORTCUTS["overturn"] if shortcuts else None,
            )
            agree = st.form_submit_button(
                "Agree with the judge",
                icon=":material/thumb_up:",
                disabled=blocked is not None or not scored,
                help=blocked,
                shortcut=SHORTCUTS["agree"] if shortcuts else None,
            )
            not_scorable = st.form_submit_button(
                "Mark as not scorable",
                icon=":material/block:",
                disabled=blocked is not None or not scored,
                help=blocked
                or "Takes the verdict away (is_passed = null): it then counts as not scored.",
                shortcut=SHORTCUTS["not_scorable"] if shortcuts else None,
            )
    if blocked is not None:
        st.caption(f":material/lock: {blocked}")
        return None
    if agree:
        text = reason.strip() or "agreed with the judge"
        if review.submit(source, row, is_passed=bool(passed), reason=text, session=session,
                         workspace=workspace):  # fmt: skip
            session.setdefault(review.AGREED, set()).add(str(row["response_uuid"]))
            return "agreed"
        return None
    if overturn or not_scorable:
        if not reason.strip():
            st.error("Type a reason first: it becomes the explanation everyone sees.")
            return None
        verdict = None if not_scorable else target
        if review.submit(
            source, row, is_passed=verdict, reason=reason, session=session, workspace=workspace
        ):
            word = _verdict_word(verdict)
            session[review.NOTICE] = ("success", f"Saved: this response is now {word}.")
            return "changed"
    return None


def review_actions(row: pd.Series, key: str) -> Any:
    """The review panel as a response card's `actions`, for the current page's account."""
    from components import shell  # pages import this module; shell imports the loaders

    ctx = shell.current()
    source = ctx.source("aymara")
    if source is None or row is None:
        return None

    def draw() -> None:
        st.divider()
        if review_panel(row, source=source, workspace=ctx.workspace, key=key) is not None:
            st.rerun()

    return draw
