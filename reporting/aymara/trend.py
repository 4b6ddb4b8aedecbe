"""Pass rate over time: one line per eval, the worst (or chosen) few in colour, the rest faint.

A single trend fitted across different evals mixes unrelated tests into one number; each eval
gets its own line instead, so a person sees which eval moved and when. Every point carries its
run's id, so a click on it can open that run.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reporting.chart_style import PERCENT, empty_figure, esc, esc_all, naive_utc, style_figure
from reporting.palette import HIGHLIGHT_COLORS, MUTED

HIGHLIGHTED = 3  # evals drawn in colour when the viewer chose none: the worst latest pass rates
FAINT_OPACITY = 0.35
RUN_UUID_INDEX = 3  # position of the run's id in each point's customdata


def finished_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Finished runs with a pass rate, oldest first."""
    status = runs["status"].astype("str").str.lower()
    rows = runs.loc[status.eq("finished").fillna(False) & runs["pass_rate"].notna()]
    return rows.sort_values("created_at", kind="stable")


def evals_worst_first(runs: pd.DataFrame) -> list[str]:
    """Eval uuids ordered by the pass rate of their latest finished run, lowest first."""
    rows = finished_runs(runs)
    if rows.empty:
        return []
    latest = rows.groupby("eval_uuid", sort=False).tail(1)
    latest = latest.sort_values(["pass_rate", "eval_name"], kind="stable")
    return [str(u) for u in latest["eval_uuid"]]


def pass_rate_over_time(runs: pd.DataFrame, highlight: Collection[str] | None = None) -> go.Figure:
    """One line per eval of its finished runs' pass rates; `highlight` (eval uuids) in colour.

    With no highlight given, the HIGHLIGHTED evals with the worst latest pass rate are; the
    others are drawn thin and faint behind them, named on hover.
    """
    rows = finished_runs(runs)
    if rows.empty:
        return empty_figure("No finished runs with a pass rate yet.")
    order = evals_worst_first(rows)
    chosen = list(order[:HIGHLIGHTED]) if highlight is None else [str(h) for h in highlight]
    coloured = {uuid: HIGHLIGHT_COLORS[i % len(HIGHLIGHT_COLORS)] for i, uuid in enumerate(chosen)}
    # Faint lines first, so the coloured ones are drawn on top of them.
    drawing = [u for u in order if u not in coloured] + [u for u in order if u in coloured]
    when = naive_utc(rows["created_at"])
    fig = go.Figure()
    for uuid in drawing:
        mask = (rows["eval_uuid"].astype(str) == uuid).to_numpy()
        part = rows.loc[mask]
        name = esc(part["eval_name"].iloc[-1])
        colour = coloured.get(uuid)
        scored = ["unknown" if pd.isna(v) else f"{int(v):,}" for v in part["num_responses_scored"]]
        fig.add_trace(
            go.Scatter(
                x=when[mask],
                y=part["pass_rate"].astype(float).to_numpy(),
                mode="lines+markers",
                name=name,
                meta=uuid,  # the eval's id, for tests and for a click to know which eval
                showlegend=colour is not None,
                opacity=1.0 if colour else FAINT_OPACITY,
                line={"color": colour or MUTED, "width": 2.5 if colour else 1},
                marker={"color": colour or MUTED, "size": 9 if colour else 6},
                customdata=np.column_stack(
                    [
                        esc_all(part["eval_name"]),
                        esc_all(part["run_name"]),
                        scored,
                        part["eval_run_uuid"].astype(str).to_numpy(),
                    ]
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Run: %{customdata[1]}<br>"
                    "Pass rate: %{y:.1%}<br>Responses scored: %{customdata[2]}<br>"
                    "%{x|%Y-%m-%d %H:%M} UTC<br><i>Click to open this run</i><extra></extra>"
                ),
            )
        )
    return style_figure(
        fig,
        xaxis={"title": {"text": "Run created (UTC)"}},
        yaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": [-0.02, 1.02]},
        hovermode="closest",
        clickmode="event+select",
    )


def clicked_run(event: object) -> str | None:
    """The run id of the point a person clicked in the chart's selection event, if any."""
    try:
        points = event.selection.points  # type: ignore[attr-defined]
    except AttributeError:
        return None
    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if data is not None and len(data) > RUN_UUID_INDEX:
            return str(data[RUN_UUID_INDEX])
    return None
