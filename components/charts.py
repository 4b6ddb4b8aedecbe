"""Figures on screen: drawn in the viewer's theme (dark variants of the series in dark mode)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from reporting.chart_style import for_theme


def theme() -> str | None:
    """'dark' or 'light' as the browser reports it (None before it has said)."""
    try:
        return st.context.theme.type
    except AttributeError:  # a Streamlit without st.context.theme
        return None


# Plotly's modebar floats over the figure's top right, where a legend that wraps on a phone
# runs; the charts are read rather than explored, and Streamlit's toolbar keeps fullscreen.
CONFIG = {"displayModeBar": False}


def chart(fig: go.Figure, *, key: str, **options: Any) -> Any:
    """st.plotly_chart of the figure in the viewer's theme; returns its selection event."""
    return st.plotly_chart(for_theme(fig, theme()), key=key, config=CONFIG, **options)
