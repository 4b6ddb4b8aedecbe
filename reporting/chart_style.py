"""The shared look of every figure: escaping, labels, axes, heights and the empty figure."""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from reporting.palette import GREY, for_dark

TRANSPARENT = "rgba(0,0,0,0)"
PERCENT = ".0%"
LABEL_MAX = 40  # longer axis labels are shortened on the axis; the hover keeps the full text
BAR_HEIGHT = 28
CONFIDENCE_BIN = 0.05
TRACE_TYPES = ("bar", "scatter", "histogram", "box")  # every trace type the figures draw
# Template parts for kinds of chart never drawn here (no figure has a colour scale either).
UNDRAWN_LAYOUT = frozenset(("polar", "ternary", "scene", "geo", "coloraxis", "colorscale"))
RATE_RANGE = [0, 1.04]  # a little past 100% so the 100% tick and full bars stay visible


def esc(value: Any) -> str:
    """Text safe for plotly labels, which otherwise read <a>, <b> and <br> in the data."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=False)


def esc_all(values: Iterable[Any]) -> list[str]:
    """esc over a column."""
    return [esc(v) for v in values]


def short_label(label: str) -> str:
    """An escaped label cut to fit an axis (the cut never splits an &entity;)."""
    raw = html.unescape(label)
    return label if len(raw) <= LABEL_MAX else esc(raw[: LABEL_MAX - 1].rstrip() + "…")


def pct(value: float) -> str:
    """0.123 -> '12.3%', NaN -> 'n/a'."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.1%}"


@functools.cache
def _template() -> go.layout.Template:
    """Plotly's default template, kept to what flat charts of these trace types read.

    The same look at a fraction of the weight: the whole template names defaults for ~25 trace
    types and for polar, 3D, map and colour-scale layouts, and validating and sending those
    cost about 0.1 s per figure, several times the figure itself.
    """
    full = pio.templates["plotly"]
    layout = {k: v for k, v in full.layout.to_plotly_json().items() if k not in UNDRAWN_LAYOUT}
    data = {t: full.data[t] for t in TRACE_TYPES if full.data[t]}
    return go.layout.Template(layout=layout, data=data)


def style_figure(fig: go.Figure, **layout: Any) -> go.Figure:
    """The shared look: default template, transparent backgrounds, tight margins."""
    # Plotly validated its own template; checking it again per figure cost most of a chart's
    # build time. Plotly sets its default template the same way (see _initialize_layout_template).
    layout_obj = fig.layout
    layout_obj._validate = False
    try:
        layout_obj.template = _template()
    finally:
        layout_obj._validate = fig._validate
    fig.update_layout(
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"namelength": -1},
    )
    fig.update_layout(**layout)
    return fig


def naive_utc(values: pd.Series) -> pd.Series:
    """UTC timestamps without tz, so plotly draws them as UTC on every viewer's machine."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None)


def unique_labels(names: Iterable[Any], keys: Iterable[Any]) -> list[str]:
    """Escaped names, with a short key appended where two rows share a name."""
    names, keys = esc_all(names), [str(k) for k in keys]
    counts = pd.Series(names).value_counts()
    return [
        f"{name} ({esc(key[:8])})" if counts[name] > 1 else name
        for name, key in zip(names, keys, strict=True)
    ]


def horizontal_axis(labels: list[str]) -> dict[str, Any]:
    """A category y axis with the first label at the top and long labels shortened."""
    return {
        "categoryorder": "array",
        "categoryarray": labels[::-1],
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": [short_label(label) for label in labels],
        "automargin": True,
    }


def bar_chart_height(rows: int) -> int:
    """Figure height for a horizontal bar chart of so many rows."""
    return max(260, BAR_HEIGHT * rows + 120)


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why there is nothing to plot."""
    fig = go.Figure()
    fig.add_annotation(
        text=esc(message),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 14, "color": GREY},
    )
    return style_figure(
        fig,
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=220,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )


def for_theme(fig: go.Figure, theme: str | None) -> go.Figure:
    """The figure to show in the viewer's theme: in dark, each series colour its dark variant.

    Returns a copy; the builders stay theme-free and their figures are shared by every viewer.
    """
    if theme != "dark":
        return fig
    spec = fig.to_plotly_json()
    return go.Figure(_dark(spec["data"]), _dark(spec["layout"]))


def _dark(node: Any) -> Any:
    """Every colour string in a figure's JSON swapped for its dark variant."""
    if isinstance(node, str):
        return for_dark(node) if node.startswith("#") else node
    if isinstance(node, dict):
        return {k: _dark(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_dark(v) for v in node]
    return node
