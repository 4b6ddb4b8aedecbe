"""Feather eval runs -> pandas frames and plotly figures: pure builders, no streamlit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from client.feather_models import ActivityBucket, Assistant, EvalRun, Evaluator, run_outcome
from reporting.figures import (  # the shared look of every figure in the dashboard
    PERCENT,
    RATE_RANGE,
    _esc,
    _esc_all,
    _height,
    _horizontal_axis,
    _short,
    _style,
    empty_figure,
)
from reporting.palette import BLUE, GREY, MUTED, OUTCOME_COLORS, RED, SEVERITY_COLORS
from reporting.stats import (
    classify_change,
    two_proportion_test,
    wilson_bounds,
    wilson_interval,
)

PASSED, FAILED, NO_VERDICT, ERRORED, PENDING = (
    "passed",
    "failed",
    "no_verdict",
    "errored",
    "pending",
)
OUTCOME_ORDER: tuple[str, ...] = (PASSED, FAILED, NO_VERDICT, ERRORED, PENDING)
# The activity endpoint counts only failed and errored per day; the rest stays one number.
OTHER = "other"
OUTCOME_LABELS: dict[str, str] = {
    PASSED: "Passed",
    FAILED: "Failed",
    NO_VERDICT: "No verdict",
    ERRORED: "Errored",
    PENDING: "Pending",
    OTHER: "Passed, no verdict or pending",
}
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITY_COLORS)}
NO_ASSISTANT = "(no assistant)"
UNKNOWN = "unknown"
DEFAULT_WINDOW_DAYS = 30
RECENT_DAYS = 7
SCORE_FORMAT = "score"
NUMERIC_FORMAT = "numeric"
UTC_TS = "datetime64[us, UTC]"

RUN_COLUMNS: dict[str, str] = {
    "run_id": "object",
    "session_id": "object",
    "evaluator_id": "object",
    "agent_id": "object",
    "status": "object",
    "outcome": "object",
    "created_at": UTC_TS,
    "finished_at": UTC_TS,
    "channel": "object",
    "scope": "object",
    "severity": "object",
    "threshold": "float64",
    "format": "object",
    "is_critical": "bool",
    "error_text": "object",
    "scores": "int64",
    "failing_scores": "int64",
    "blocking_failure": "bool",
    "triage_severity": "object",
    "triage_rank": "int64",
    "value": "float64",
    "rationale": "object",
}
SCORE_COLUMNS: dict[str, str] = {
    "score_id": "object",
    "run_id": "object",
    "evaluator_id": "object",
    "format": "object",
    "created_at": UTC_TS,
    "value": "float64",
    "raw_value": "float64",
    "label": "object",
    "passed": "object",
    "confidence": "float64",
    "severity": "object",
    "blocking": "bool",
    "rationale": "object",
}


# --------------------------------------------------------------------------- frames


def default_window(today: dt.date, days: int = DEFAULT_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The default created-between window: the last `days` UTC days, today included."""
    return today - dt.timedelta(days=days - 1), today


def _frame(rows: list[dict[str, Any]], schema: Mapping[str, str]) -> pd.DataFrame:
    """A frame with exactly the schema's columns and dtypes, also when there are no rows."""
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = [row.get(name) for row in rows]
        if dtype == UTC_TS:
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype(UTC_TS)
        else:
            data[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


def _rank(severity: str | None) -> int:
    """How alarming a severity is; unknown values rank below info (shown, never dropped)."""
    return SEVERITY_RANK.get((severity or "").lower(), -1)


def run_row(run: EvalRun) -> dict[str, Any]:
    """One run as a flat row: outcome, triage fields and the rationale worth reading first."""
    failing = [s for s in run.scores if s.passed is False]
    severities = [run.severity_snapshot, *(s.severity for s in failing)]
    worst = max(severities, key=_rank) if failing else run.severity_snapshot
    explained = failing or [s for s in run.scores if s.rationale]
    values = [s.value for s in run.scores if s.value is not None]
    return {
        "run_id": run.id,
        "session_id": run.session_id,
        "evaluator_id": run.evaluator_id,
        "agent_id": run.agent_id,
        "status": run.status,
        "outcome": run_outcome(run),
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "channel": run.channel,
        "scope": run.session_type,
        "severity": run.severity_snapshot,
        "threshold": run.threshold_snapshot,
        "format": run.format_snapshot,
        "is_critical": bool(run.is_critical_snapshot),
        "error_text": run.error_text,
        "scores": len(run.scores),
        "failing_scores": len(failing),
        "blocking_failure": any(s.blocking for s in failing),
        "triage_severity": worst,
        "triage_rank": _rank(worst),
        # The lowest score is what decides a multi-clause run (e.g. one clause per policy).
        "value": min(values) if values else None,
        "rationale": " | ".join(s.rationale for s in explained if s.rationale) or None,
    }


def runs_frame(runs: Iterable[EvalRun]) -> pd.DataFrame:
    """One row per run, newest first."""
    frame = _frame([run_row(run) for run in runs], RUN_COLUMNS)
    return frame.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


def scores_frame(runs: Iterable[EvalRun]) -> pd.DataFrame:
    """One row per score, with its run's evaluator and format snapshot."""
    rows = [
        {
            "score_id": score.id,
            "run_id": run.id,
            "evaluator_id": run.evaluator_id,
            "format": run.format_snapshot,
            "created_at": score.created_at,
            "value": score.value,
            "raw_value": score.raw_value,
            "label": score.label,
            "passed": score.passed,
            "confidence": score.confidence,
            "severity": score.severity,
            "blocking": score.blocking,
            "rationale": score.rationale,
        }
        for run in runs
        for score in run.scores
    ]
    return _frame(rows, SCORE_COLUMNS)


def _unique_labels(pairs: Iterable[tuple[str, str | None]], fallback: str) -> dict[str, str]:
    """id -> display name; an empty name gets a fallback, a shared name the id's start."""
    pairs = list(pairs)
    named = [(ident, (name or "").strip() or f"{fallback} {ident[:8]}") for ident, name in pairs]
    counts = Counter(name for _, name in named)
    return {ident: f"{name} ({ident[:8]})" if counts[name] > 1 else name for ident, name in named}


def evaluator_labels(evaluators: Iterable[Evaluator]) -> dict[str, str]:
    """Evaluator id -> a unique display name."""
    return _unique_labels(((e.id, e.name) for e in evaluators), "Evaluator")


def assistant_labels(assistants: Iterable[Assistant]) -> dict[str, str]:
    """Assistant id -> a unique display name."""
    return _unique_labels(((a.id, a.name) for a in assistants), "Assistant")


def with_names(
    runs: pd.DataFrame, evaluators: Mapping[str, str], assistants: Mapping[str, str]
) -> pd.DataFrame:
    """A copy with evaluator and assistant names; unknown ids are named by their start."""
    evaluator = runs["evaluator_id"].map(lambda i: evaluators.get(i) or f"Evaluator {str(i)[:8]}")
    assistant = runs["agent_id"].map(
        lambda i: (
            NO_ASSISTANT if i is None or pd.isna(i) else assistants.get(i) or f"Assistant {i[:8]}"
        )
    )
    return runs.assign(
        evaluator_name=evaluator.astype(object), assistant_name=assistant.astype(object)
    )


def _pass_rate(passed: int, failed: int) -> tuple[float, float, float]:
    """Pass rate over runs with a verdict, and its 95% Wilson interval (nan without any)."""
    n = passed + failed
    low, high = wilson_interval(passed, n)
    return (passed / n if n else float("nan"), low, high)


def outcome_summary(runs: pd.DataFrame) -> dict[str, Any]:
    """Run counts per outcome, the pass rate with its interval, and critical failures."""
    counts = runs["outcome"].value_counts()
    summary: dict[str, Any] = {o: int(counts.get(o, 0)) for o in OUTCOME_ORDER}
    rate, low, high = _pass_rate(summary[PASSED], summary[FAILED])
    failed = runs["outcome"].eq(FAILED).to_numpy(dtype=bool)
    return summary | {
        "runs": len(runs),
        "verdicts": summary[PASSED] + summary[FAILED],
        "pass_rate": rate,
        "pass_low": low,
        "pass_high": high,
        "critical_failures": int((failed & runs["is_critical"].to_numpy(dtype=bool)).sum()),
    }


def recent_window(last_day: dt.date, days: int = RECENT_DAYS) -> tuple[dt.date, dt.date]:
    """The `days` UTC days that end with last_day."""
    return last_day - dt.timedelta(days=days - 1), last_day


def recent_failures(runs: pd.DataFrame, last_day: dt.date, days: int = RECENT_DAYS) -> pd.DataFrame:
    """Failed runs per evaluator over the `days` UTC days ending with last_day, most first."""
    first = pd.Timestamp(recent_window(last_day, days)[0], tz="UTC")
    end = pd.Timestamp(last_day + dt.timedelta(days=1), tz="UTC")
    recent = runs.loc[(runs["created_at"] >= first) & (runs["created_at"] < end)]
    grouped = recent.groupby(["evaluator_id", "evaluator_name"], sort=False, dropna=False)
    table = grouped.agg(
        failed=("outcome", lambda o: int((o == FAILED).sum())),
        runs=("outcome", "size"),
        critical=("is_critical", "any"),
    ).reset_index()
    table = table.loc[table["failed"] > 0]
    table = table.assign(failure_rate=table["failed"] / table["runs"])
    return table.sort_values(
        ["failed", "evaluator_name"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def evaluator_changes(
    runs: pd.DataFrame, last_day: dt.date, days: int = RECENT_DAYS
) -> pd.DataFrame:
    """Each evaluator's pass rate over the last `days` UTC days against the `days` before.

    Sessions differ between weeks, so there are no paired prompts: the change is judged by a
    two-proportion test. Real regressions come first, most severe (critical, then severity)
    and largest drop first; then changes within noise; then improvements.
    """
    columns = [
        "evaluator_id", "evaluator_name", "severity", "is_critical", "verdicts_before",
        "pass_rate_before", "verdicts_recent", "pass_rate_recent", "change", "p_value", "verdict",
    ]  # fmt: skip
    recent_first = pd.Timestamp(recent_window(last_day, days)[0], tz="UTC")
    before_first = recent_first - pd.Timedelta(days=days)
    end = pd.Timestamp(last_day + dt.timedelta(days=1), tz="UTC")
    judged = runs.loc[runs["outcome"].isin([PASSED, FAILED])]
    rows = []
    for (evaluator_id, name), group in judged.groupby(
        ["evaluator_id", "evaluator_name"], sort=False, dropna=False
    ):
        when = group["created_at"]
        before = group.loc[(when >= before_first) & (when < recent_first), "outcome"]
        recent = group.loc[(when >= recent_first) & (when < end), "outcome"]
        if before.empty or recent.empty:
            continue
        passed_b, passed_r = int((before == PASSED).sum()), int((recent == PASSED).sum())
        rate_b, rate_r = passed_b / len(before), passed_r / len(recent)
        p_value = two_proportion_test(passed_b, len(before), passed_r, len(recent))
        latest = group.sort_values("created_at").iloc[-1]
        rows.append(
            {
                "evaluator_id": evaluator_id,
                "evaluator_name": name,
                "severity": latest["severity"],
                "is_critical": bool(group["is_critical"].any()),
                "verdicts_before": len(before),
                "pass_rate_before": rate_b,
                "verdicts_recent": len(recent),
                "pass_rate_recent": rate_r,
                "change": rate_r - rate_b,
                "p_value": p_value,
                "verdict": classify_change(p_value, rate_r - rate_b),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    order = {"regressed": 0, "within noise": 1, "improved": 2}
    table = table.assign(
        _group=table["verdict"].map(order).fillna(3),
        _rank=table["severity"].map(_rank),
    )
    table = table.sort_values(
        ["_group", "is_critical", "_rank", "change"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    return table.drop(columns=["_group", "_rank"]).reset_index(drop=True)


def pass_rates(runs: pd.DataFrame, by: str) -> pd.DataFrame:
    """Pass rate (passed over passed + failed) per group with counts, worst first."""
    columns = [by, "runs", PASSED, FAILED, NO_VERDICT, ERRORED, PENDING]
    if runs.empty:
        return pd.DataFrame(columns=[*columns, "verdicts", "pass_rate", "low", "high"])
    keys = runs[by].astype(object).where(runs[by].notna(), UNKNOWN)
    crossed = pd.crosstab(keys, runs["outcome"])
    table = crossed.reindex(columns=list(OUTCOME_ORDER), fill_value=0)
    # Counted from every column, so runs of an outcome the API adds later still count.
    table = table.assign(runs=crossed.sum(axis=1)).rename_axis(by).reset_index()[columns]
    verdicts = table[PASSED] + table[FAILED]
    low, high = wilson_bounds(table[PASSED], verdicts)
    rate = table[PASSED] / verdicts.where(verdicts > 0)
    table = table.assign(verdicts=verdicts, pass_rate=rate.astype(float), low=low, high=high)
    return table.sort_values(
        ["pass_rate", "verdicts", by], ascending=[True, False, True], na_position="last"
    ).reset_index(drop=True)


def _day_outcome_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs per (UTC day, outcome)."""
    day = runs["created_at"].dt.tz_convert("UTC").dt.date
    return runs.assign(day=day).groupby(["day", "outcome"]).size().rename("runs").reset_index()


def daily_outcomes(runs: pd.DataFrame, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Runs per UTC day and outcome, every day and outcome present (zeros included)."""
    counts = _day_outcome_counts(runs)
    outcomes = [*OUTCOME_ORDER, *sorted(set(counts["outcome"]) - set(OUTCOME_ORDER))]
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    grid = pd.MultiIndex.from_product([days, outcomes], names=["day", "outcome"])
    found = counts.set_index(["day", "outcome"])["runs"]
    return found.reindex(grid, fill_value=0).astype(int).reset_index()


def daily_outcomes_from_activity(
    buckets: Sequence[ActivityBucket], runs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Runs per day and outcome from the activity endpoint's counts.

    The endpoint tells failed and errored apart from the rest; where the loaded runs of a day
    add up to that rest exactly, they split it into passed, no verdict and pending.
    """
    listed = _day_outcome_counts(runs) if runs is not None else None
    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        rest = bucket.total - bucket.failed - bucket.errored
        split: dict[str, int] = {OTHER: rest}
        if listed is not None:
            day = listed.loc[listed["day"] == bucket.date].set_index("outcome")["runs"]
            parts = {o: int(day.get(o, 0)) for o in (PASSED, NO_VERDICT, PENDING)}
            if sum(parts.values()) == rest and set(day.index) <= set(OUTCOME_ORDER):
                split = parts
        for outcome, count in {**split, FAILED: bucket.failed, ERRORED: bucket.errored}.items():
            rows.append({"day": bucket.date, "outcome": outcome, "runs": int(count)})
    frame = pd.DataFrame(rows, columns=["day", "outcome", "runs"])
    # Without a split on some day, every day shows "other", so the legend means one thing.
    if (frame["outcome"] == OTHER).any():
        rest = frame["outcome"].isin([PASSED, NO_VERDICT, PENDING, OTHER])
        merged = frame.loc[rest].groupby("day", as_index=False)["runs"].sum()
        frame = pd.concat(
            [frame.loc[~rest], merged.assign(outcome=OTHER)], ignore_index=True
        ).sort_values("day", kind="stable")
    return frame.reset_index(drop=True)


def severity_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs per (outcome, severity snapshot), with the severity's share within its outcome."""
    severity = runs["severity"].astype(object).where(runs["severity"].notna(), UNKNOWN)
    counts = (
        runs.assign(severity=severity)
        .groupby(["outcome", "severity"])
        .size()
        .rename("runs")
        .reset_index()
    )
    totals = counts.groupby("outcome")["runs"].transform("sum")
    return counts.assign(share=counts["runs"] / totals)


def triage(runs: pd.DataFrame) -> pd.DataFrame:
    """Failed runs of critical checks or with a blocking failing score: worst, then newest."""
    wanted = runs["outcome"].eq(FAILED) & (runs["is_critical"] | runs["blocking_failure"])
    return (
        runs.loc[wanted.to_numpy(dtype=bool)]
        .sort_values(["triage_rank", "created_at"], ascending=[False, False], kind="stable")
        .reset_index(drop=True)
    )


def latest_critical_failure(runs: pd.DataFrame) -> pd.Series | None:
    """The newest failed run of a critical check, if any."""
    failed = runs.loc[(runs["outcome"].eq(FAILED) & runs["is_critical"]).to_numpy(dtype=bool)]
    if failed.empty:
        return None
    return failed.sort_values("created_at", ascending=False, kind="stable").iloc[0]


def _score_rows(scores: pd.DataFrame, runs: pd.DataFrame, fmt: str, column: str) -> pd.DataFrame:
    """Scores of one format with a value in `column`, named by their run's evaluator."""
    part = scores.loc[scores["format"].eq(fmt).to_numpy(dtype=bool) & scores[column].notna()]
    named = runs[["run_id", "evaluator_name", "threshold", "created_at"]].rename(
        columns={"created_at": "run_created_at"}
    )
    return part[["run_id", "evaluator_id", column, "passed", "label"]].merge(
        named, on="run_id", how="inner"
    )


def score_values(scores: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Score-format `value`s (0..1) per evaluator."""
    return _score_rows(scores, runs, SCORE_FORMAT, "value")


def numeric_values(scores: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Numeric-format `raw_value`s (measurements on their own scale) per evaluator."""
    return _score_rows(scores, runs, NUMERIC_FORMAT, "raw_value")


def run_scores_table(scores: Sequence[Any]) -> pd.DataFrame:
    """A run's scores for a table: verdict, numbers, severity, blocking and rationale."""
    rows = [
        {
            "verdict": {True: PASSED, False: FAILED}.get(s.passed, "no verdict"),
            "value": s.value,
            "raw_value": s.raw_value,
            "label": s.label,
            "confidence": s.confidence,
            "severity": s.severity,
            "blocking": s.blocking,
            "rationale": s.rationale,
        }
        for s in scores
    ]
    columns = ["verdict", "value", "raw_value", "label", "confidence", "severity", "blocking"]
    return pd.DataFrame(rows, columns=[*columns, "rationale"])


# --------------------------------------------------------------------------- figures


def _outcome_label(outcome: str) -> str:
    """How the legend names an outcome; an unknown one as it came."""
    return OUTCOME_LABELS.get(outcome, str(outcome))


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
                name=_esc(_outcome_label(outcome)),
                marker={"color": _outcome_color(outcome), "line": {"width": 0}},
                customdata=day_totals,
                hovertemplate=(
                    "%{x|%a %Y-%m-%d} (UTC)<br>%{y:,} of %{customdata:,} runs"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    return _style(
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
    labels = _esc_all(recent["evaluator_name"])
    detail = [
        f"{int(f):,} failed of {int(n):,} runs ({f / n:.0%})"
        for f, n in zip(recent["failed"], recent["runs"], strict=True)
    ]
    critical = ["yes" if c else "no" for c in recent["critical"]]
    fig = go.Figure(
        go.Bar(
            x=recent["failed"].to_numpy(),
            y=labels,
            orientation="h",
            name="Failed runs",
            marker={"color": RED},
            text=recent["failed"].to_numpy(),
            textposition="auto",
            customdata=np.column_stack([detail, critical]),
            hovertemplate=(
                "<b>%{y}</b><br>%{customdata[0]}<br>Critical check: %{customdata[1]}<extra></extra>"
            ),
        )
    )
    return _style(
        fig,
        showlegend=False,
        height=max(200, 30 * len(labels) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": {"text": "Failed runs"}, "rangemode": "tozero"},
        yaxis=_horizontal_axis(labels),
    )


def severity_by_outcome(counts: pd.DataFrame) -> go.Figure:
    """Runs per outcome as bars stacked by severity snapshot (calm at the bottom)."""
    if counts.empty:
        return empty_figure("No runs to break down.")
    outcomes = [o for o in OUTCOME_ORDER if o in set(counts["outcome"])]
    outcomes += sorted(set(counts["outcome"]) - set(outcomes))
    labels = [_esc(_outcome_label(o)) for o in outcomes]
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
                name=_esc(severity),
                marker={"color": SEVERITY_COLORS.get(severity, GREY), "line": {"width": 0}},
                customdata=part["share"].fillna(0).to_numpy(),
                hovertemplate=(
                    "%{x}: %{y:,} runs of %{fullData.name} severity<br>"
                    "%{customdata:.0%} of this outcome<extra></extra>"
                ),
            )
        )
    return _style(
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
    labels = _esc_all(rows[by])
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
    return _style(
        fig,
        showlegend=False,
        height=_height(len(labels)),
        xaxis={"title": {"text": "Pass rate"}, "tickformat": PERCENT, "range": RATE_RANGE},
        yaxis=_horizontal_axis(labels),
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


def score_distribution(values: pd.DataFrame) -> go.Figure:
    """Score-format values (0..1) per evaluator as box plots, with each latest threshold."""
    if values.empty:
        return empty_figure("No score-format results here.")
    order = values.groupby("evaluator_name")["value"].median().sort_values(kind="stable")
    labels = _esc_all(order.index)
    fig = go.Figure()
    for name, label in zip(order.index, labels, strict=True):
        part = values.loc[values["evaluator_name"] == name]
        verdict = ["passed" if p is True else "failed" if p is False else "no verdict"
                   for p in part["passed"]]  # fmt: skip
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
                y=_esc_all(latest.index),
                mode="markers",
                name="Threshold (latest run's snapshot)",
                marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": RED}},
                hovertemplate="<b>%{y}</b><br>Passing threshold: %{x:.2f}<extra></extra>",
            )
        )
    return _style(
        fig,
        height=_height(len(labels)) + 20,
        xaxis={"title": {"text": "Score (0–1)"}, "range": [-0.02, 1.02]},
        yaxis=_horizontal_axis(labels),
    )


def numeric_distribution(values: pd.DataFrame) -> go.Figure:
    """Numeric-format raw values per evaluator, each on its own axis (ms, counts…)."""
    if values.empty:
        return empty_figure("No numeric-format results here.")
    names = sorted(values["evaluator_name"].unique())
    labels = _esc_all(names)
    fig = make_subplots(
        rows=len(names), cols=1, subplot_titles=[_short(label) for label in labels],
        vertical_spacing=min(0.25, 0.5 / len(names)),
    )  # fmt: skip
    for row, (name, label) in enumerate(zip(names, labels, strict=True), start=1):
        part = values.loc[values["evaluator_name"] == name]
        verdict = ["passed" if p is True else "failed" if p is False else "no verdict"
                   for p in part["passed"]]  # fmt: skip
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
    return _style(fig, height=150 * len(names) + 60, margin={"l": 10, "r": 10, "t": 40, "b": 10})
