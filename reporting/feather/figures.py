"""Feather frames -> plotly figures, in the dashboard's shared chart style."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reporting.chart_style import (
    PERCENT,
    RATE_RANGE,
    bar_chart_height,
    empty_figure,
    esc,
    esc_all,
    horizontal_axis,
    short_label,
    style_figure,
)
from reporting.feather.tables import (
    ERRORED,
    FAILED,
    NO_VERDICT,
    OTHER,
    OUTCOME_LABELS,
    OUTCOME_ORDER,
    PASSED,
)
from reporting.palette import BLUE, GREY, MUTED, OUTCOME_COLORS, RED, SEVERITY_COLORS
from reporting.vocabulary import CHANNELS, SCOPES, SEVERITIES, VERDICTS, words

GROUP_WORDS = {"channel": CHANNELS, "scope": SCOPES}  # groups whose names are API values


def _outcome_label(outcome: str) -> str:
    """How the legend names an outcome; an unknown one in words too."""
    return OUTCOME_LABELS.get(outcome) or words(outcome, VERDICTS)


def _outcome_color(outcome: str) -> str:
    """An outcome's palette colour; the activity's lumped rest muted, unknowns grey."""
    return OUTCOME_COLORS.get(outcome, MUTED if outcome == OTHER else GREY)


def outcome_over_time(daily: pd.DataFrame) -> go.Figure:
    """Runs per UTC day stacked by outcome."""
    if daily.empty or not daily["runs"].sum():
        return empty_figure("No runs in this window.")
    # Outcomes with no run in the window stay out of the legend.
    seen = set(daily.loc[daily["runs"] > 0, "outcome"])
    present = [o for o in [*OUTCOME_ORDER, OTHER] if o in seen]
    present += sorted(seen - set(present))
    totals = daily.groupby("day")["runs"].sum()
    fig = go.Figure()
    for outcome in present:
        part = daily.loc[daily["outcome"] == outcome].sort_values("day")
        day_totals = totals.reindex(part["day"]).to_numpy()
        fig.add_trace(
            go.Bar(
                x=pd.to_datetime(part["day"]),
                y=part["runs"].to_numpy(),
                name=esc(_outcome_label(outcome)),
                marker={"color": _outcome_color(outcome), "line": {"width": 0}},
                customdata=day_totals,
                hovertemplate=(
                    "%{x|%a %Y-%m-%d} (UTC)<br>%{y:,} of %{customdata:,} runs"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    return style_figure(
        fig,
        barmode="stack",
        bargap=0.15,
        height=340,
        # Passed first: the legend reads like the outcome filter, not bottom-up.
        legend={"traceorder": "normal", "orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": {"text": "Day created (UTC)"}, "type": "date"},
        yaxis={"title": {"text": "Runs"}},
    )


def failures_bars(recent: pd.DataFrame) -> go.Figure:
    """Failed runs per evaluator as horizontal bars, most failures at the top."""
    if recent.empty:
        return empty_figure("No failed runs in these days.")
    labels = esc_all(recent["evaluator_name"])
    detail = [
        f"{int(f):,} failed of {int(n):,} runs ({f / n:.0%})"
        for f, n in zip(recent["failed"], recent["runs"], strict=True)
    ]
    decisive = ["yes" if c else "no" for c in recent["critical"]]
    fig = go.Figure(
        go.Bar(
            x=recent["failed"].to_numpy(),
            y=labels,
            orientation="h",
            name="Failed runs",
            marker={"color": RED},
            text=recent["failed"].to_numpy(),
            textposition="auto",
            customdata=np.column_stack([detail, decisive]),
            hovertemplate=(
                "<b>%{y}</b><br>%{customdata[0]}<br>Decisive check: %{customdata[1]}<extra></extra>"
            ),
        )
    )
    return style_figure(
        fig,
        showlegend=False,
        height=max(200, 30 * len(labels) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": {"text": "Failed runs"}, "rangemode": "tozero"},
        yaxis=horizontal_axis(labels),
    )


def severity_by_outcome(counts: pd.DataFrame) -> go.Figure:
    """Runs per outcome as bars stacked by severity snapshot (calm at the bottom)."""
    if counts.empty:
        return empty_figure("No runs to break down.")
    outcomes = [o for o in OUTCOME_ORDER if o in set(counts["outcome"])]
    outcomes += sorted(set(counts["outcome"]) - set(outcomes))
    labels = [esc(_outcome_label(o)) for o in outcomes]
    severities = [s for s in SEVERITY_COLORS if s in set(counts["severity"])]
    severities += sorted(set(counts["severity"]) - set(severities))
    fig = go.Figure()
    for severity in severities:
        part = counts.loc[counts["severity"] == severity].set_index("outcome")
        part = part.reindex(outcomes)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=part["runs"].fillna(0).to_numpy(),
                name=esc(words(severity, SEVERITIES)),
                marker={"color": SEVERITY_COLORS.get(severity, GREY), "line": {"width": 0}},
                customdata=part["share"].fillna(0).to_numpy(),
                hovertemplate=(
                    "%{x}: %{y:,} runs of %{fullData.name} severity<br>"
                    "%{customdata:.0%} of this outcome<extra></extra>"
                ),
            )
        )
    return style_figure(
        fig,
        barmode="stack",
        height=340,
        legend={"title": {"text": "Severity"}, "orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": {"text": "Outcome"}},
        yaxis={"title": {"text": "Runs"}},
    )


def pass_rate_bars(rates: pd.DataFrame, by: str, what: str) -> go.Figure:
    """Pass rate per group as horizontal bars with 95% Wilson intervals, worst at the top."""
    rows = rates.loc[rates["verdicts"] > 0]
    if rows.empty:
        return empty_figure(f"No {what} has a passed or failed run here.")
    labels = esc_all(
        rows[by].map(lambda v: words(v, GROUP_WORDS[by])) if by in GROUP_WORDS else rows[by]
    )
    rate = rows["pass_rate"].astype(float).to_numpy()
    low, high = rows["low"].astype(float).to_numpy(), rows["high"].astype(float).to_numpy()
    detail = [
        f"{int(p):,} passed, {int(f):,} failed · {int(nv):,} no verdict, {int(e):,} errored"
        f" · {int(n):,} runs"
        for p, f, nv, e, n in zip(
            rows[PASSED], rows[FAILED], rows[NO_VERDICT], rows[ERRORED], rows["runs"], strict=True
        )
    ]
    interval = [f"{lo:.1%}–{hi:.1%}" for lo, hi in zip(low, high, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=rate,
            y=labels,
            orientation="h",
            name="Pass rate",
            marker={"color": BLUE},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": high - rate,
                "arrayminus": rate - low,
                "color": GREY,
            },
            customdata=np.column_stack([interval, detail]),
            hovertemplate=(
                "<b>%{y}</b><br>Pass rate: %{x:.1%} (95% interval %{customdata[0]})<br>"
                "%{customdata[1]}<extra></extra>"
            ),
        )
    )
    return style_figure(
        fig,
        showlegend=False,
        height=bar_chart_height(len(labels)),
        xaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": RATE_RANGE},
        yaxis=horizontal_axis(labels),
    )


# Every point drawn over a light box, in the one blue the distributions share.
_BOX_STYLE: dict[str, Any] = {
    "boxpoints": "all",
    "jitter": 0.4,
    "pointpos": 0,
    "marker": {"color": BLUE, "size": 4, "opacity": 0.45},
    "line": {"color": BLUE},
    "fillcolor": "rgba(68,119,170,0.15)",
}


def _verdict_words(passed: pd.Series) -> list[str]:
    """A score's verdict for the hover: passed, failed or no verdict."""
    return ["passed" if p is True else "failed" if p is False else "no verdict" for p in passed]


def score_distribution(values: pd.DataFrame) -> go.Figure:
    """Score-format values (0..1) per evaluator as box plots, with each latest threshold."""
    if values.empty:
        return empty_figure("No score-format results here.")
    order = values.groupby("evaluator_name")["value"].median().sort_values(kind="stable")
    labels = esc_all(order.index)
    fig = go.Figure()
    for name, label in zip(order.index, labels, strict=True):
        part = values.loc[values["evaluator_name"] == name]
        verdict = _verdict_words(part["passed"])
        fig.add_trace(
            go.Box(
                x=part["value"].astype(float).to_numpy(),
                y=[label] * len(part),
                name=label,
                orientation="h",
                **_BOX_STYLE,
                customdata=verdict,
                hovertemplate="<b>%{y}</b><br>Score %{x:.2f} (%{customdata})<extra></extra>",
                showlegend=False,
            )
        )
    latest = values.sort_values("run_created_at").groupby("evaluator_name")["threshold"].last()
    latest = latest.reindex(order.index).dropna()
    if not latest.empty:
        fig.add_trace(
            go.Scatter(
                x=latest.to_numpy(dtype=float),
                y=esc_all(latest.index),
                mode="markers",
                name="Threshold (latest run's snapshot)",
                marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": RED}},
                hovertemplate="<b>%{y}</b><br>Passing threshold: %{x:.2f}<extra></extra>",
            )
        )
    return style_figure(
        fig,
        height=bar_chart_height(len(labels)) + 20,
        xaxis={"title": {"text": "Score (0–1)"}, "range": [-0.02, 1.02]},
        yaxis=horizontal_axis(labels),
    )


def numeric_distribution(values: pd.DataFrame) -> go.Figure:
    """Numeric-format raw values per evaluator, each on its own axis (ms, counts…)."""
    if values.empty:
        return empty_figure("No numeric-format results here.")
    names = sorted(values["evaluator_name"].unique())
    labels = esc_all(names)
    fig = make_subplots(
        rows=len(names), cols=1, subplot_titles=[short_label(label) for label in labels],
        vertical_spacing=min(0.25, 0.5 / len(names)),
    )  # fmt: skip
    for row, (name, label) in enumerate(zip(names, labels, strict=True), start=1):
        part = values.loc[values["evaluator_name"] == name]
        verdict = _verdict_words(part["passed"])
        fig.add_trace(
            go.Box(
                x=part["raw_value"].astype(float).to_numpy(),
                name=label,
                orientation="h",
                **_BOX_STYLE,
                customdata=verdict,
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>Value %{x:,.4~g} (%{customdata})<extra></extra>"
                ),
                showlegend=False,
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(showticklabels=False, row=row, col=1)
    return style_figure(
        fig, height=150 * len(names) + 60, margin={"l": 10, "r": 10, "t": 40, "b": 10}
    )
