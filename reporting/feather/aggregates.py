"""Aggregates over Feather frames: summaries, pass rates, daily outcomes, triage, changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from client.feather_models import ActivityBucket
from reporting.feather.tables import (
    DEFAULT_WINDOW_DAYS,
    ERRORED,
    FAILED,
    NO_VERDICT,
    NUMERIC_FORMAT,
    OTHER,
    OUTCOME_ORDER,
    PASSED,
    PENDING,
    RECENT_DAYS,
    SCORE_FORMAT,
    UNKNOWN,
    severity_rank,
)
from reporting.stats import (
    CHANGE_RANK,
    classify_change,
    two_proportion_test,
    wilson_bounds,
    wilson_interval,
)


def default_window(today: dt.date, days: int = DEFAULT_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The default created-between window: the last `days` UTC days, today included."""
    return today - dt.timedelta(days=days - 1), today


def pass_rate_interval(passed: int, failed: int) -> tuple[float, float, float]:
    """Pass rate over runs with a verdict, and its 95% Wilson interval (nan without any)."""
    n = passed + failed
    low, high = wilson_interval(passed, n)
    return (passed / n if n else float("nan"), low, high)


def outcome_summary(runs: pd.DataFrame) -> dict[str, Any]:
    """Run counts per outcome, the pass rate with its interval, and critical failures."""
    counts = runs["outcome"].value_counts()
    summary: dict[str, Any] = {o: int(counts.get(o, 0)) for o in OUTCOME_ORDER}
    rate, low, high = pass_rate_interval(summary[PASSED], summary[FAILED])
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
    table = table.assign(
        _group=table["verdict"].map(CHANGE_RANK).fillna(3),
        _rank=table["severity"].map(severity_rank),
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
    # {day: {outcome: runs}} in one pass, rather than a scan of the counts per day
    listed: dict[Any, dict[str, int]] | None = None
    if runs is not None:
        listed = {}
        for day, outcome, count in _day_outcome_counts(runs).itertuples(index=False):
            listed.setdefault(day, {})[outcome] = int(count)
    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        rest = bucket.total - bucket.failed - bucket.errored
        split: dict[str, int] = {OTHER: rest}
        if listed is not None:
            day = listed.get(bucket.date, {})
            parts = {o: day.get(o, 0) for o in (PASSED, NO_VERDICT, PENDING)}
            if sum(parts.values()) == rest and set(day) <= set(OUTCOME_ORDER):
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
