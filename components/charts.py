"""Figures on screen: drawn in the viewer's theme (dark variants of the series in dark mode)."""

from __future__ import annotations

import threading
import weakref
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


class _Spec(go.Figure):
    """A figure's dict, built once, handed to st.plotly_chart in the figure's place.

    st.plotly_chart turns a figure into its dict with `to_dict()` (a deep copy plus base64 of
    every array: most of the chart's cost), once per session. No figure is built here: this
    object only answers `to_dict()` with the dict made once from the real figure.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        # No go.Figure.__init__: building and validating a figure is the cost this avoids.
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict[str, Any]:
        """The figure's dict, as made once (never mutated: shared by every session)."""
        return self._spec


# The dict of each figure object shown, per theme. A figure a page shares between sessions
# (jobs.memo) is converted once for all of them; a figure built per rerun simply misses.
_SPECS: dict[tuple[int, str | None], tuple[weakref.ref, _Spec]] = {}
_SPECS_LOCK = threading.Lock()


def spec(fig: go.Figure, theme_type: str | None) -> go.Figure:
    """The figure in this theme as st.plotly_chart reads it, its dict made once per figure."""
    key = (id(fig), "dark" if theme_type == "dark" else None)
    with _SPECS_LOCK:
        hit = _SPECS.get(key)
    if hit is not None and hit[0]() is fig:
        return hit[1]
    made = _Spec(for_theme(fig, key[1]).to_dict())
    try:
        ref = weakref.ref(fig, lambda _: _forget(key))
    except TypeError:  # not weak-referenceable: not kept
        return made
    with _SPECS_LOCK:
        _SPECS[key] = (ref, made)
    return made


def _forget(key: tuple[int, str | None]) -> None:
    with _SPECS_LOCK:
        _SPECS.pop(key, None)


def chart(fig: go.Figure, *, key: str, **options: Any) -> Any:
    """st.plotly_chart of the figure in the viewer's theme; returns its selection event."""
    return st.plotly_chart(spec(fig, theme()), key=key, config=CONFIG, **options)
