"""The response card: a prompt, the AI's answer and the judge's verdict, all as plain text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from reporting.text import code_span, escape_markdown, is_missing, run_label
from reporting.vocabulary import CONTENT_TYPES, words

INLINE_CHARS = 4_000  # longer texts are cut on the card, with the whole text one click away


def untrusted_text(label: str | None, value: Any, *, key: str, empty: str = "—") -> None:
    """Show API text as text: never HTML, never markdown, never a remote resource."""
    body = "" if is_missing(value) else str(value)
    if label:
        st.caption(label)
    if not body:
        st.text(empty)
        return
    if len(body) <= INLINE_CHARS:
        st.text(body)
        return
    st.text(body[:INLINE_CHARS] + "…")
    st.caption(f"{len(body):,} characters; the card shows the first {INLINE_CHARS:,}.")
    st.download_button(
        "Download the whole text",
        body.encode("utf-8"),
        file_name=f"{key}.txt",
        mime="text/plain",
        key=f"dl_{key}",
        icon=":material/download:",
    )


VERDICT_BADGES = {
    "passed": ("Passed", "green", ":material/check_circle:"),
    "failed": ("Failed", "red", ":material/cancel:"),
    "not scored": ("Not scored", "gray", ":material/remove_circle_outline:"),
}


def verdict_badge(row: pd.Series) -> None:
    """Passed / failed / not scored, plus refused, excluded and reviewed flags, and confidence."""
    verdict = "not scored" if is_missing(row.get("verdict")) else str(row.get("verdict"))
    badges = [
        VERDICT_BADGES.get(
            verdict, (escape_markdown(verdict.capitalize()), "gray", ":material/help:")
        )
    ]
    if _true(row.get("ai_refused")):
        badges.append(("AI refused", "orange", ":material/block:"))
    if _true(row.get("exclude_from_scoring")):
        badges.append(("Excluded from scoring", "gray", ":material/visibility_off:"))
    if _true(row.get("verdict_overridden")):
        badges.append(("Verdict changed by a reviewer", "violet", ":material/rate_review:"))
    elif _true(row.get("manually_updated")):
        badges.append(("Reviewed by a person: verdict kept", "violet", ":material/rate_review:"))
    confidence = row.get("confidence")
    if not is_missing(confidence):
        badges.append((f"Judge confidence {float(confidence):.2f}", "blue", ":material/speed:"))
    with st.container(horizontal=True, gap="small"):
        for label, color, icon in badges:
            st.badge(label, color=color, icon=icon)


ImageLoader = Callable[[str], bytes | None]


def response_card(
    row: pd.Series,
    *,
    key: str = "card",
    title: str | None = None,
    image_loader: ImageLoader | None = None,
    thread: pd.DataFrame | None = None,
    actions: Callable[[], None] | None = None,
) -> None:
    """Everything about one scored response; `thread` holds its conversation's other turns.

    `actions` draws what a person may do with it (the review buttons) at the card's foot.
    """
    with st.container(border=True):
        if title:
            st.markdown(f"**{escape_markdown(title)}**")
        run = run_label(row.get("run_name"), row.get("run_created_at"), row.get("eval_name"))
        meta = [escape_markdown(row.get("eval_name")), escape_markdown(f"run {run}")]
        if not is_missing(row.get("prompt_category")):
            meta.append(f"category {escape_markdown(row.get('prompt_category'))}")
        st.caption(" · ".join(m for m in meta if m))
        verdict_badge(row)
        if not is_missing(row.get("thread_uuid")):
            _conversation(row, thread, key)
        untrusted_text("Prompt", row.get("prompt_content"), key=f"{key}_prompt")
        _response_body(row, key, image_loader)
        untrusted_text(
            "Judge's explanation",
            row.get("explanation"),
            key=f"{key}_expl",
            empty="No explanation: excluded from scoring"
            if _true(row.get("exclude_from_scoring"))
            else "—",
        )
        uuid = row.get("response_uuid")
        st.caption(f"Response id `{'—' if is_missing(uuid) else code_span(uuid)}`")
        if actions is not None:
            actions()


def _conversation(row: pd.Series, thread: pd.DataFrame | None, key: str) -> None:
    """Where a multi-turn response sits in its conversation, with the earlier turns to read."""
    turn = row.get("turn_number")
    turn_text = "?" if is_missing(turn) else f"{int(turn)}"
    earlier = pd.DataFrame()
    total = ""
    if thread is not None and not thread.empty and "turn_number" in thread:
        turns = thread["turn_number"].dropna()
        if len(turns):
            total = f" of {int(turns.max())}"
        if not is_missing(turn):
            earlier = thread[thread["turn_number"] < turn].sort_values("turn_number")
    st.caption(
        f":material/forum: Turn {turn_text}{total} of conversation "
        f"`{code_span(str(row.get('thread_uuid'))[:8])}`"
    )
    if earlier.empty:
        return
    with st.expander(f"Earlier turns ({len(earlier)})"):
        for i, (_, past) in enumerate(earlier.iterrows()):
            past_turn = past.get("turn_number")
            st.caption(f"Turn {int(past_turn) if not is_missing(past_turn) else '?'}")
            untrusted_text("User", past.get("prompt_content"), key=f"{key}_t{i}_p")
            untrusted_text("AI", past.get("response_text"), key=f"{key}_t{i}_r")


def _response_body(row: pd.Series, key: str, image_loader: ImageLoader | None) -> None:
    content_type = "text" if is_missing(row.get("content_type")) else str(row.get("content_type"))
    file_uuid = row.get("file_uuid")
    if content_type == "text" and is_missing(file_uuid):
        untrusted_text("Response", row.get("response_text"), key=f"{key}_resp")
        return
    path = row.get("file_path")
    st.caption(f"Response: {escape_markdown(words(content_type, CONTENT_TYPES).lower())} file")
    reference = f"{content_type.capitalize()} file {'—' if is_missing(file_uuid) else file_uuid}"
    st.text(reference + ("" if is_missing(path) else f"\nStored at {path}"))
    if content_type == "image" and image_loader is not None and not is_missing(file_uuid):
        data = image_loader(str(file_uuid))
        if data:
            st.image(data, caption="The AI's image response", width=320)
    if not is_missing(row.get("response_text")):
        untrusted_text("Text sent with it", row.get("response_text"), key=f"{key}_resp")


def _true(value: Any) -> bool:
    """A flag that is set (missing counts as not set)."""
    return not is_missing(value) and bool(value)


def preview_column(responses: pd.DataFrame) -> pd.Series:
    """The response text for a table cell; a file response reads '[image file]' instead of ''."""
    text = responses["response_text"].astype(object)
    kind = responses["content_type"].astype(object).fillna("text").astype(str)
    empty = text.isna() | (text == "")
    labels = "[" + kind + " file]"
    return text.where(~(empty & (kind != "text")), labels).fillna("")
