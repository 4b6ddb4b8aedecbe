"""The response card: a prompt, the AI's answer and the judge's verdict, all as plain text."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from components.tiles import pct

INLINE_CHARS = 4_000  # longer texts are cut on the card, with the whole text one click away


def untrusted_text(label: str, value: Any, *, key: str) -> None:
    """Show API text as text: never HTML, never markdown, never a remote resource."""
    body = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    st.caption(label)
    if not body:
        st.text("—")
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


def verdict_badge(row: pd.Series) -> None:
    """Passed / failed / not scored, plus refused and excluded flags."""
    verdict = str(row.get("verdict", "not scored"))
    color = {"passed": "green", "failed": "red"}.get(verdict, "gray")
    icon = {"passed": ":material/check_circle:", "failed": ":material/cancel:"}.get(
        verdict, ":material/help:"
    )
    badges = [(verdict.capitalize(), color, icon)]
    if bool(row.get("ai_refused")):
        badges.append(("AI refused", "orange", ":material/block:"))
    if bool(row.get("exclude_from_scoring")):
        badges.append(("Excluded from scoring", "gray", ":material/visibility_off:"))
    if bool(row.get("verdict_overridden")):
        badges.append(("Verdict changed by a reviewer", "violet", ":material/rate_review:"))
    elif bool(row.get("manually_updated")):
        badges.append(("Reviewed by a person", "violet", ":material/rate_review:"))
    columns = st.columns(len(badges) + 1)
    for column, (label, badge_color, badge_icon) in zip(columns, badges, strict=False):
        column.badge(label, color=badge_color, icon=badge_icon)
    confidence = row.get("confidence")
    columns[-1].caption(f"Judge confidence: {pct(confidence, 0)}")


ImageLoader = Callable[[str], bytes | None]


def response_card(
    row: pd.Series,
    *,
    key: str = "card",
    title: str | None = None,
    image_loader: ImageLoader | None = None,
) -> None:
    """Everything about one scored response."""
    with st.container(border=True):
        if title:
            st.markdown(f"**{title}**")
        meta = [str(row.get("eval_name", "")), str(row.get("run_name", ""))]
        category = row.get("prompt_category")
        if category:
            meta.append(f"category {category}")
        if row.get("thread_uuid") and not _missing(row.get("thread_uuid")):
            meta.append(f"thread {str(row['thread_uuid'])[:8]}, turn {row.get('turn_number')}")
        st.caption(" · ".join(m for m in meta if m and m != "nan"))
        verdict_badge(row)
        untrusted_text("Prompt", row.get("prompt_content"), key=f"{key}_prompt")
        _response_body(row, key, image_loader)
        untrusted_text("Judge's explanation", row.get("explanation"), key=f"{key}_expl")
        st.caption(f"Response id: {row.get('response_uuid') or '—'}")


def _response_body(row: pd.Series, key: str, image_loader: ImageLoader | None) -> None:
    content_type = str(row.get("content_type") or "text")
    file_uuid = row.get("file_uuid")
    if content_type != "text" or not _missing(file_uuid):
        path = row.get("file_path")
        st.caption(f"Response ({content_type})")
        st.text(
            f"{content_type.capitalize()} file {file_uuid if not _missing(file_uuid) else '—'}"
            + (f" at {path}" if not _missing(path) else "")
        )
        if content_type == "image" and image_loader is not None and not _missing(file_uuid):
            data = image_loader(str(file_uuid))
            if data:
                st.image(data, caption="The AI's image response", width=320)
        if not row.get("response_text"):
            return
    untrusted_text("Response", row.get("response_text"), key=f"{key}_resp")


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))
