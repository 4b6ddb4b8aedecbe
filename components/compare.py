"""Side-by-side views of two runs' answers to the same prompt."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.response_card import VERDICT_BADGES, untrusted_text
from reporting.stats import IMPROVED, REGRESSED, WITHIN_NOISE
from reporting.text import escape_markdown

BADGES = {
    REGRESSED: ("Regressed beyond noise", "red", ":material/trending_down:"),
    IMPROVED: ("Improved beyond noise", "green", ":material/trending_up:"),
    WITHIN_NOISE: ("Within noise", "gray", ":material/drag_handle:"),
}
MARKS = {REGRESSED: "▼ regressed", IMPROVED: "▲ improved", WITHIN_NOISE: "≈ within noise"}


def change_badge(verdict: str) -> None:
    """A coloured badge for a change's verdict."""
    label, color, icon = BADGES.get(verdict, (escape_markdown(verdict), "gray", None))
    st.badge(label, color=color, icon=icon)


def flip_card(flip: pd.Series, label_a: str, label_b: str, *, key: str) -> None:
    """One prompt as answered in two runs, with each judge's verdict and explanation."""
    with st.container(border=True):
        category = flip.get("prompt_category")
        category = (
            escape_markdown(category) if isinstance(category, str) and category else "Uncategorised"
        )
        st.caption(f"{category} · {escape_markdown(flip.get('change'))}")
        untrusted_text("Prompt", flip.get("prompt_content"), key=f"{key}_prompt")
        left, right = st.columns(2, gap="medium")
        for column, side, label in ((left, "a", label_a), (right, "b", label_b)):
            with column, st.container(border=True):
                verdict = flip.get(f"verdict_{side}")
                verdict = verdict if isinstance(verdict, str) and verdict else "missing"
                badge = VERDICT_BADGES.get(
                    verdict, (escape_markdown(verdict.capitalize()), "gray", None)
                )
                with st.container(horizontal=True, vertical_alignment="center"):
                    st.markdown(f"**{escape_markdown(label)}**")
                    st.badge(badge[0], color=badge[1], icon=badge[2])
                    confidence = flip.get(f"confidence_{side}")
                    if confidence is not None and confidence == confidence:
                        st.caption(f"judge confidence {confidence:.2f}")
                untrusted_text("Response", flip.get(f"response_{side}"), key=f"{key}_r{side}")
                untrusted_text(
                    "Judge's explanation", flip.get(f"explanation_{side}"), key=f"{key}_e{side}"
                )
