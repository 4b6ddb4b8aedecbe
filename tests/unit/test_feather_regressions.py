"""Feather evaluators compared week on week: a real drop is told from noise."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reporting.feather.aggregates import evaluator_changes
from reporting.stats import REGRESSED, WITHIN_NOISE

LAST_DAY = dt.date(2026, 11, 20)


def runs_of(
    name: str, severity: str, critical: bool, before: tuple[int, int], recent: tuple[int, int]
):
    """Runs of one evaluator: (passed, failed) in the week before and the last week."""
    rows = []
    for (passed, failed), day in ((before, LAST_DAY - dt.timedelta(days=10)), (recent, LAST_DAY)):
        for outcome, count in (("passed", passed), ("failed", failed)):
            rows += [
                {
                    "evaluator_id": f"id-{name}",
                    "evaluator_name": name,
                    "outcome": outcome,
                    "created_at": pd.Timestamp(day, tz="UTC"),
                    "severity": severity,
                    "is_critical": critical,
                }
            ] * count
    return rows


def frame(*groups) -> pd.DataFrame:
    return pd.DataFrame([row for group in groups for row in group])


def test_a_big_drop_is_a_regression_and_a_small_one_is_noise():
    runs = frame(
        runs_of("Refunds", "high", True, before=(95, 5), recent=(60, 40)),
        runs_of("Tone", "low", False, before=(90, 10), recent=(87, 13)),
    )
    table = evaluator_changes(runs, LAST_DAY).set_index("evaluator_name")
    assert table.loc["Refunds", "verdict"] == REGRESSED
    assert table.loc["Refunds", "p_value"] < 0.001
    assert table.loc["Tone", "verdict"] == WITHIN_NOISE
    assert abs(table.loc["Refunds", "change"] - (-0.35)) < 1e-9


def test_regressions_come_first_most_severe_on_top():
    runs = frame(
        runs_of("Low drop", "low", False, before=(95, 5), recent=(50, 50)),
        runs_of("Critical drop", "critical", True, before=(95, 5), recent=(70, 30)),
        runs_of("Steady", "critical", True, before=(90, 10), recent=(90, 10)),
        runs_of("Better", "high", False, before=(50, 50), recent=(95, 5)),
    )
    order = evaluator_changes(runs, LAST_DAY)["evaluator_name"].tolist()
    assert order == ["Critical drop", "Low drop", "Steady", "Better"]


def test_an_evaluator_missing_from_either_week_is_left_out():
    runs = frame(runs_of("New", "high", False, before=(0, 0), recent=(10, 0)))
    assert evaluator_changes(runs, LAST_DAY).empty


def test_runs_without_a_verdict_do_not_count():
    runs = frame(runs_of("Mixed", "high", False, before=(10, 0), recent=(10, 0)))
    runs.loc[len(runs)] = {**runs.iloc[-1].to_dict(), "outcome": "errored"}
    table = evaluator_changes(runs, LAST_DAY)
    assert table.loc[0, "verdicts_recent"] == 10
