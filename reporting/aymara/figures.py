"""Aymara frames -> plotly figures: pure builders, hover details on every trace, both themes."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reporting.chart_style import (
    CONFIDENCE_BIN,
    PERCENT,
    RATE_RANGE,
    bar_chart_height,
    empty_figure,
    esc,
    esc_all,
    horizontal_axis,
    pct,
    style_figure,
    unique_labels,
)
from reporting.palette import (
    BLUE,
    COMPARE_COLORS,
    GREY,
    VERDICT_COLORS,
    eval_type_colors,
)
from reporting.vocabulary import EVAL_TYPES, words


def pass_rate_by_eval(latest: pd.DataFrame) -> go.Figure:
    """Latest pass rate per eval as horizontal bars, worst at the top."""
    rows = latest.loc[latest["latest_pass_rate"].notna()]
    if rows.empty:
        return empty_figure("No eval has a finished run with a pass rate yet.")
    rows = rows.sort_values("latest_pass_rate", kind="stable")
    labels = unique_labels(rows["eval_name"], rows["eval_uuid"])
    changes = [
        "no earlier finished run" if pd.isna(c) else f"{c * 100:+.1f} pp vs the run before"
        for c in rows["change"]
    ]
    types = rows["eval_type"].astype(str).to_numpy()
    fig = go.Figure()
    for etype, colour in eval_type_colors(types).items():
        mask = types == etype
        part = rows.loc[mask]
        fig.add_trace(
            go.Bar(
                x=part["latest_pass_rate"].astype(float).to_numpy(),
                y=[label for label, m in zip(labels, mask, strict=True) if m],
                orientation="h",
                name=esc(words(etype, EVAL_TYPES)),
                marker={"color": colour},
                customdata=np.column_stack(
                    [
                        [c for c, m in zip(changes, mask, strict=True) if m],
                        esc_all(part["latest_run_name"])
                        if "latest_run_name" in part
                        else [""] * len(part),
                        [str(int(n)) for n in part["runs"]],
                    ]
                ),
                hovertemplate=(
                    "<b>%{y}</b><br>Latest pass rate: %{x:.1%}<br>Change: %{customdata[0]}<br>"
                    "Latest run: %{customdata[1]}<br>Finished runs: %{customdata[2]}"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    return style_figure(
        fig,
        barmode="overlay",
        height=bar_chart_height(len(labels)),
        xaxis={"title": {"text": "Latest pass rate"}, "tickformat": PERCENT, "range": RATE_RANGE},
        yaxis=horizontal_axis(labels),
    )


def _interval_bar(cat: pd.DataFrame, name: str, colour: str, labels: list[str]) -> go.Bar:
    """One horizontal bar trace of pass rates with Wilson 95% error bars."""
    rate = cat["pass_rate"].astype(float).to_numpy()
    low = cat["low"].astype(float).to_numpy()
    high = cat["high"].astype(float).to_numpy()
    detail = [
        f"{int(p):,} passed of {int(s):,} scored"
        for p, s in zip(cat["passed"], cat["scored"], strict=True)
    ]
    interval = [f"{pct(lo)}–{pct(hi)}" for lo, hi in zip(low, high, strict=True)]
    return go.Bar(
        x=rate,
        y=labels,
        orientation="h",
        name=name,
        marker={"color": colour},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": high - rate,
            "arrayminus": rate - low,
            "visible": True,
            "color": GREY,
        },
        customdata=np.column_stack([interval, detail]) if len(cat) else None,
        hovertemplate=(
            "<b>%{y}</b><br>Pass rate: %{x:.1%}<br>95% interval: %{customdata[0]}<br>"
            "%{customdata[1]}<extra>%{fullData.name}</extra>"
        ),
    )


def category_bars(cat: pd.DataFrame, by: str = "prompt_category") -> go.Figure:
    """Pass rate per category with 95% Wilson intervals, worst at the top."""
    rows = cat.loc[cat["scored"] > 0].sort_values("pass_rate", kind="stable")
    if rows.empty:
        return empty_figure("No scored responses to break down.")
    labels = esc_all(rows[by])
    fig = go.Figure(_interval_bar(rows, "Pass rate", BLUE, labels))
    return style_figure(
        fig,
        showlegend=False,
        height=bar_chart_height(len(labels)),
        xaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": RATE_RANGE},
        yaxis=horizontal_axis(labels),
    )


def grouped_category_bars(
    cat_a: pd.DataFrame,
    cat_b: pd.DataFrame,
    label_a: str,
    label_b: str,
    by: str = "prompt_category",
) -> go.Figure:
    """Two runs' pass rates per category side by side, with 95% intervals."""
    rows_a = cat_a.loc[cat_a["scored"] > 0]
    rows_b = cat_b.loc[cat_b["scored"] > 0]
    if rows_a.empty and rows_b.empty:
        return empty_figure("Neither run has scored responses to compare.")
    # Order by the newer run (B), worst first; categories only in A go last.
    order = list(rows_b.sort_values("pass_rate", kind="stable")[by].astype(str))
    in_b = set(order)
    only_a = rows_a.sort_values("pass_rate", kind="stable")[by].astype(str)
    labels = esc_all(order + [c for c in only_a if c not in in_b])
    fig = go.Figure()
    # Horizontal groups stack their traces bottom-up: add B first so A reads above B.
    for rows, label, colour in (
        (rows_b, label_b, COMPARE_COLORS[1]),
        (rows_a, label_a, COMPARE_COLORS[0]),
    ):
        fig.add_trace(_interval_bar(rows, esc(label), colour, esc_all(rows[by])))
    return style_figure(
        fig,
        barmode="group",
        legend={"traceorder": "reversed", "orientation": "h", "yanchor": "bottom", "y": 1.02},
        height=bar_chart_height(len(labels) * 2),
        xaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": RATE_RANGE},
        yaxis=horizontal_axis(labels),
    )


def confidence_histogram(responses: pd.DataFrame) -> go.Figure:
    """Judge confidence of passed and failed responses, stacked, over 0..1."""
    verdict = responses["verdict"].astype(object).to_numpy()
    valid = responses["confidence_valid"].fillna(False).to_numpy(dtype=bool)
    confidence = responses["confidence"].to_numpy(dtype=float, na_value=np.nan)
    scored = (verdict == "passed") | (verdict == "failed")
    if not (scored & valid).any():
        return empty_figure("No scored responses with a judge confidence.")
    # Pre-binned bars, not go.Histogram: a million raw values would all be sent to the browser.
    edges = np.linspace(0.0, 1.0, round(1 / CONFIDENCE_BIN) + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    ranges = [f"{lo:.2f}–{hi:.2f}" for lo, hi in itertools.pairwise(edges)]
    fig = go.Figure()
    for name in ("passed", "failed"):
        counts, _ = np.histogram(confidence[valid & (verdict == name)], bins=edges)
        fig.add_trace(
            go.Bar(
                x=centres,
                y=counts,
                width=CONFIDENCE_BIN,
                name=name.capitalize(),
                marker={"color": VERDICT_COLORS[name], "line": {"width": 0}},
                customdata=ranges,
                hovertemplate=(
                    "Confidence %{customdata}<br>Responses: %{y:,}<extra>%{fullData.name}</extra>"
                ),
            )
        )
    fig = style_figure(
        fig,
        barmode="stack",
        bargap=0,
        xaxis={"title": {"text": "Judge confidence"}, "range": [0, 1], "tickformat": ".1f"},
        yaxis={"title": {"text": "Responses"}},
    )
    hidden = int((scored & ~valid & ~np.isnan(confidence)).sum())
    if hidden:
        # Say so rather than silently leave out values the API sent outside 0..1.
        fig.add_annotation(
            text=f"{hidden:,} scored responses with a confidence outside 0–1 are not shown",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.25,
            showarrow=False,
            font={"color": GREY, "size": 11},
        )
    return fig


def calibration_chart(bands: pd.DataFrame) -> go.Figure:
    """Pass rate (bars, per eval type) and manual override rate (line) per confidence band."""
    if bands.empty:
        return empty_figure("No scored responses with a judge confidence.")
    band_order = (
        [str(b) for b in bands["band"].cat.categories]
        if isinstance(bands["band"].dtype, pd.CategoricalDtype)
        else list(dict.fromkeys(bands["band"].astype(str)))
    )
    present = [b for b in band_order if b in set(bands["band"].astype(str))]
    fig = go.Figure()
    types = bands["eval_type"].astype(str)
    colours = eval_type_colors(types)
    if len(colours) == 1:  # one series: the neutral blue, never a hue that reads as a verdict
        colours = dict.fromkeys(colours, BLUE)
    for etype, colour in colours.items():
        part = bands.loc[(types == etype).to_numpy()]
        fig.add_trace(
            go.Bar(
                x=part["band"].astype(str).to_numpy(),
                y=part["pass_rate"].astype(float).to_numpy(),
                name=f"Pass rate: {esc(words(etype, EVAL_TYPES))}",
                marker={"color": colour},
                customdata=np.column_stack([part["scored"].to_numpy(), part["passed"].to_numpy()]),
                hovertemplate=(
                    "Confidence %{x}<br>Pass rate: %{y:.1%}<br>"
                    "%{customdata[1]:,} passed of %{customdata[0]:,} scored"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    totals = (
        bands.assign(band=bands["band"].astype(str))
        .groupby("band", sort=False)[["scored", "overridden"]]
        .sum()
    )
    totals = totals.reindex(present)
    fig.add_trace(
        go.Scatter(
            x=present,
            y=(totals["overridden"] / totals["scored"]).to_numpy(dtype=float),
            mode="lines+markers",
            name="Overturned by a reviewer (right axis)",
            yaxis="y2",
            line={"color": VERDICT_COLORS["refused"], "width": 2},
            customdata=np.column_stack(
                [totals["scored"].to_numpy(), totals["overridden"].to_numpy()]
            ),
            hovertemplate=(
                "Confidence %{x}<br>Overturned by a reviewer: %{y:.1%}<br>"
                "%{customdata[1]:,} of %{customdata[0]:,} scored<extra></extra>"
            ),
        )
    )
    return style_figure(
        fig,
        barmode="group",
        xaxis={
            "title": {"text": "Judge confidence"},
            "categoryorder": "array",
            "categoryarray": present,
            "type": "category",
        },
        yaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": [0, 1.02]},
        # Overrides are rare: on the pass-rate scale their line would lie flat along zero.
        yaxis2={
            "title": {"text": "Overturned by a reviewer"},
            "tickformat": ".1%",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
