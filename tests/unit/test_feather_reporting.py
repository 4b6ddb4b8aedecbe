"""reporting.feather: frames, counts, triage order and figures from small hand-made runs."""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from client.feather_models import ActivityBucket, Assistant, EvalRun, EvalScore, Evaluator
from reporting.chart_style import TRACE_TYPES, UNDRAWN_LAYOUT
from reporting.feather.aggregates import (
    daily_outcomes,
    daily_outcomes_from_activity,
    default_window,
    latest_critical_failure,
    numeric_values,
    outcome_summary,
    pass_rates,
    recent_failures,
    recent_window,
    score_values,
    severity_outcomes,
    triage,
)
from reporting.feather.figures import (
    failures_bars,
    numeric_distribution,
    outcome_over_time,
    pass_rate_bars,
    score_distribution,
    severity_by_outcome,
)
from reporting.feather.tables import (
    NO_ASSISTANT,
    OTHER,
    OUTCOME_ORDER,
    RUN_COLUMNS,
    SCORE_COLUMNS,
    assistant_labels,
    evaluator_labels,
    run_scores_table,
    runs_frame,
    scores_frame,
    with_names,
)
from reporting.palette import OUTCOME_COLORS, SEVERITY_COLORS

T0 = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
HOSTILE = "<a href='https://evil.example'>x</a><img src=x>"
EV_A, EV_B, EV_N = "ev-a", "ev-b", "ev-n"


def score(run_id: str, n: int = 0, **kw: Any) -> EvalScore:
    """A score; passed/value/raw_value/blocking/severity/rationale from keywords."""
    base = {"blocking": False, "passed": True, "value": None, "rationale": None}
    return EvalScore(
        id=f"{run_id}-s{n}",
        organization_id="org",
        eval_run_id=run_id,
        created_at=T0,
        **(base | kw),
    )


def run(
    run_id: str,
    *,
    evaluator: str = EV_A,
    hours: float = 0,
    status: str = "completed",
    scores: tuple[dict[str, Any], ...] = ({"passed": True},),
    **kw: Any,
) -> EvalRun:
    """A run created `hours` after T0 with one score per dict."""
    fields = {
        "severity_snapshot": "medium",
        "format_snapshot": "boolean",
        "channel": "chat",
        "session_type": "live",
        "agent_id": "ag-1",
    } | kw
    return EvalRun(
        id=run_id,
        organization_id="org",
        session_id=f"sess-{run_id}",
        evaluator_id=evaluator,
        status=status,
        created_at=T0 + dt.timedelta(hours=hours),
        scores=[score(run_id, i, **s) for i, s in enumerate(scores)],
        **fields,
    )


def sample_runs() -> list[EvalRun]:
    """Two evaluators, every outcome, critical and blocking failures, both score formats."""
    return [
        run("p1", hours=0, scores=({"passed": True, "value": 0.9},), format_snapshot="score",
            threshold_snapshot=0.7),
        run("p2", hours=30, scores=({"passed": True, "value": 0.8},), format_snapshot="score",
            threshold_snapshot=0.75),
        run("f1", hours=48, severity_snapshot="high", is_critical_snapshot=True,
            scores=({"passed": False, "value": 0.2, "rationale": "Wrong refund"},),
            format_snapshot="score", threshold_snapshot=0.75),
        run("f2", hours=72, evaluator=EV_B, severity_snapshot="critical",
            scores=({"passed": False, "blocking": True, "rationale": "No ID check"},),
            channel="voice"),
        run("f3", hours=96, evaluator=EV_B, severity_snapshot="low",
            scores=({"passed": False, "rationale": "Curt"},), channel="voice"),
        run("f4", hours=100, evaluator=EV_B, severity_snapshot="low", is_critical_snapshot=True,
            scores=({"passed": False, "rationale": "Newest critical", "severity": "high"},),
            channel="voice", agent_id=None),
        run("n1", hours=5, evaluator=EV_N, format_snapshot="numeric",
            scores=({"passed": None, "raw_value": 1800.0},), severity_snapshot="info"),
        run("e1", hours=6, status="errored", scores=(), error_text="Judge timed out"),
        run("w1", hours=7, status="running", scores=(), session_type="simulation"),
    ]  # fmt: skip


@pytest.fixture
def runs() -> pd.DataFrame:
    names = {EV_A: "Alpha", EV_B: "Beta", EV_N: "Latency"}
    return with_names(runs_frame(sample_runs()), names, {"ag-1": "Bot"})


def test_runs_frame_has_one_row_per_run_newest_first_with_outcomes():
    frame = runs_frame(sample_runs())
    assert list(frame["run_id"]) == ["f4", "f3", "f2", "f1", "p2", "w1", "e1", "n1", "p1"]
    outcomes = dict(zip(frame["run_id"], frame["outcome"], strict=True))
    assert outcomes == {
        "p1": "passed", "p2": "passed", "f1": "failed", "f2": "failed", "f3": "failed",
        "f4": "failed", "n1": "no_verdict", "e1": "errored", "w1": "pending",
    }  # fmt: skip
    assert str(frame["created_at"].dt.tz) == "UTC"


def test_an_empty_listing_gives_frames_with_every_column():
    runs = runs_frame([])
    scores = scores_frame([])
    assert runs.empty and list(runs.columns) == list(RUN_COLUMNS)
    assert scores.empty and list(scores.columns) == list(SCORE_COLUMNS)
    summary = outcome_summary(runs)
    assert summary["runs"] == 0 and math.isnan(summary["pass_rate"])


def test_triage_fields_take_the_worst_failing_severity_and_the_blocking_flag():
    frame = runs_frame(sample_runs()).set_index("run_id")
    assert frame.loc["f4", "triage_severity"] == "high"  # the score's high beats the run's low
    assert frame.loc["f2", "blocking_failure"]
    assert not frame.loc["f3", "blocking_failure"]
    assert frame.loc["f1", "rationale"] == "Wrong refund"
    assert frame.loc["p1", "triage_severity"] == "medium"


def test_names_come_from_the_lookups_and_unknown_ids_are_named_by_their_start(runs):
    named = runs.set_index("run_id")
    assert named.loc["f2", "evaluator_name"] == "Beta"
    assert named.loc["f4", "assistant_name"] == NO_ASSISTANT
    other = with_names(runs_frame([run("x", evaluator="3c90c3cc-0d44")]), {}, {})
    assert other.loc[0, "evaluator_name"] == "Evaluator 3c90c3cc"
    assert other.loc[0, "assistant_name"] == "Assistant ag-1"


def test_shared_and_empty_names_get_distinct_labels():
    stamp = {"kind": "model_judge", "format": "score", "status": "active", "severity": "low",
             "created_at": T0, "updated_at": T0}  # fmt: skip
    labels = evaluator_labels(
        [
            Evaluator(id="aaaaaaaa-1", name="Tone", **stamp),
            Evaluator(id="bbbbbbbb-2", name="Tone", **stamp),
            Evaluator(id="cccccccc-3", name="  ", **stamp),
        ]
    )
    assert labels == {
        "aaaaaaaa-1": "Tone (aaaaaaaa)",
        "bbbbbbbb-2": "Tone (bbbbbbbb)",
        "cccccccc-3": "Evaluator cccccccc",
    }
    assert assistant_labels([Assistant(id="x1", name="Bot")]) == {"x1": "Bot"}


def test_outcome_summary_counts_and_pass_rate_over_runs_with_a_verdict(runs):
    summary = outcome_summary(runs)
    assert summary["runs"] == 9
    assert (summary["passed"], summary["failed"], summary["no_verdict"]) == (2, 4, 1)
    assert (summary["errored"], summary["pending"]) == (1, 1)
    assert summary["pass_rate"] == pytest.approx(2 / 6)
    assert summary["pass_low"] < 2 / 6 < summary["pass_high"]
    assert summary["critical_failures"] == 2


def test_recent_failures_count_only_the_last_days_and_put_the_worst_first(runs):
    last_day = (T0 + dt.timedelta(hours=100)).date()
    recent = recent_failures(runs, last_day, days=3)
    # f1 (T0 + 48 h = Nov 12) falls inside 3 days ending Nov 14; so do f2, f3, f4.
    assert list(recent["evaluator_name"]) == ["Beta", "Alpha"]
    assert list(recent["failed"]) == [3, 1]
    assert recent_failures(runs, last_day, days=1)["failed"].tolist() == [2]  # f3, f4
    assert recent_window(dt.date(2026, 11, 20)) == (dt.date(2026, 11, 14),
                                                           dt.date(2026, 11, 20))  # fmt: skip


def test_default_window_is_the_last_30_days_including_today():
    assert default_window(dt.date(2026, 11, 22)) == (
        dt.date(2026, 10, 24),
        dt.date(2026, 11, 22),
    )


def test_pass_rates_by_group_are_worst_first_with_counts_and_intervals(runs):
    rates = pass_rates(runs, "evaluator_name").set_index("evaluator_name")
    assert list(rates.index) == ["Beta", "Alpha", "Latency"]  # 0%, 67%, no verdict last
    assert rates.loc["Beta", "pass_rate"] == 0.0
    assert rates.loc["Alpha", "pass_rate"] == pytest.approx(2 / 3)
    assert (rates.loc["Alpha", "runs"], rates.loc["Alpha", "errored"]) == (5, 1)
    assert math.isnan(rates.loc["Latency", "pass_rate"])
    assert rates.loc["Alpha", "low"] < 2 / 3 < rates.loc["Alpha", "high"]
    by_scope = pass_rates(runs, "scope").set_index("scope")
    assert by_scope.loc["simulation", "pending"] == 1


def test_triage_lists_critical_or_blocking_failures_worst_then_newest(runs):
    table = triage(runs)
    # f2 critical (blocking); f4 and f1 high (critical checks), newest first; f3 not listed.
    assert list(table["run_id"]) == ["f2", "f4", "f1"]
    latest = latest_critical_failure(runs)
    assert latest is not None and latest["run_id"] == "f4"
    assert latest["rationale"] == "Newest critical"
    assert latest_critical_failure(runs.iloc[0:0]) is None


def test_daily_outcomes_have_every_day_and_outcome(runs):
    daily = daily_outcomes(runs, dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert len(daily) == 7 * len(OUTCOME_ORDER)
    assert daily["runs"].sum() == len(runs)
    day10 = daily[daily["day"] == dt.date(2026, 11, 10)].set_index("outcome")["runs"]
    assert (day10["passed"], day10["no_verdict"], day10["errored"], day10["pending"]) == (
        1,
        1,
        1,
        1,
    )


def test_activity_counts_are_split_by_the_listing_only_where_they_agree(runs):
    buckets = [
        ActivityBucket(date=dt.date(2026, 11, 10), total=4, failed=0, errored=1),
        ActivityBucket(date=dt.date(2026, 11, 11), total=1, failed=0, errored=0),
    ]
    split = daily_outcomes_from_activity(buckets, runs)
    day10 = split[split["day"] == dt.date(2026, 11, 10)].set_index("outcome")["runs"]
    assert (day10["passed"], day10["no_verdict"], day10["pending"], day10["errored"]) == (
        1, 1, 1, 1,
    )  # fmt: skip
    # One more run than the listing holds: nothing can be split, so every day says "other".
    buckets[1] = ActivityBucket(date=dt.date(2026, 11, 11), total=2, failed=0, errored=0)
    lumped = daily_outcomes_from_activity(buckets, runs)
    assert set(lumped["outcome"]) == {OTHER, "failed", "errored"}
    assert lumped.groupby("day")["runs"].sum().tolist() == [4, 2]
    alone = daily_outcomes_from_activity(buckets)
    assert alone.loc[alone["outcome"] == OTHER, "runs"].tolist() == [3, 2]


def test_severity_outcomes_count_and_share_within_each_outcome(runs):
    counts = severity_outcomes(runs).set_index(["outcome", "severity"])
    assert counts.loc[("failed", "low"), "runs"] == 2
    assert counts.loc[("failed", "low"), "share"] == pytest.approx(0.5)


def test_score_and_numeric_values_are_split_by_format(runs):
    scores = scores_frame(sample_runs())
    values = score_values(scores, runs)
    assert sorted(values["value"]) == [0.2, 0.8, 0.9]
    assert set(values["evaluator_name"]) == {"Alpha"}
    measured = numeric_values(scores, runs)
    assert measured["raw_value"].tolist() == [1800.0]
    assert measured["evaluator_name"].tolist() == ["Latency"]


def test_run_scores_table_names_each_verdict():
    scores = sample_runs()[0].scores + sample_runs()[6].scores
    table = run_scores_table(scores)
    assert table["verdict"].tolist() == ["passed", "no verdict"]
    assert table["raw_value"].tolist()[1] == 1800.0


def test_builders_never_change_their_inputs(runs):
    scores = scores_frame(sample_runs())
    before_runs, before_scores = runs.copy(deep=True), scores.copy(deep=True)
    daily = daily_outcomes(runs, dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    before_daily = daily.copy(deep=True)
    rates = pass_rates(runs, "channel")
    before_rates = rates.copy(deep=True)
    outcome_over_time(daily)
    pass_rate_bars(rates, "channel", "channel")
    triage(runs)
    recent_failures(runs, dt.date(2026, 11, 14))
    score_distribution(score_values(scores, runs))
    numeric_distribution(numeric_values(scores, runs))
    severity_by_outcome(severity_outcomes(runs))
    pd.testing.assert_frame_equal(runs, before_runs)
    pd.testing.assert_frame_equal(scores, before_scores)
    pd.testing.assert_frame_equal(daily, before_daily)
    pd.testing.assert_frame_equal(rates, before_rates)


def test_outcome_over_time_stacks_outcomes_in_their_palette_colours(runs):
    daily = daily_outcomes(runs, dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    fig = outcome_over_time(daily)
    assert fig.layout.barmode == "stack"
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Passed", "Failed", "No verdict", "Errored", "Pending"}
    assert by_name["Failed"].marker.color == OUTCOME_COLORS["failed"]
    assert sum(sum(t.y) for t in fig.data) == len(runs)
    assert all(t.hovertemplate for t in fig.data)


def test_outcome_over_time_leaves_outcomes_without_runs_out_of_the_legend(runs):
    failed = runs[runs["outcome"] == "failed"]
    daily = daily_outcomes(failed, dt.date(2026, 11, 10), dt.date(2026, 11, 14))
    fig = outcome_over_time(daily)
    assert [t.name for t in fig.data] == ["Failed"]
    assert sum(fig.data[0].y) == 4


def test_failures_bars_put_the_most_failing_evaluator_on_top(runs):
    recent = recent_failures(runs, dt.date(2026, 11, 14))
    fig = failures_bars(recent)
    bar = fig.data[0]
    assert list(bar.x) == [3, 1] and list(bar.y) == ["Beta", "Alpha"]
    assert list(fig.layout.yaxis.categoryarray) == ["Alpha", "Beta"]  # top = last in the array
    assert "failed of" in bar.customdata[0][0]


def test_severity_by_outcome_uses_the_severity_palette(runs):
    fig = severity_by_outcome(severity_outcomes(runs))
    colours = {t.name: t.marker.color for t in fig.data}
    assert colours["Critical"] == SEVERITY_COLORS["critical"]  # the legend reads words
    assert [t.name for t in fig.data][:2] == ["Info", "Low"]  # calm at the bottom of the stack
    failed_total = sum(t.y[list(t.x).index("Failed")] for t in fig.data)
    assert failed_total == 4


def test_pass_rate_bars_carry_intervals_and_counts_in_the_hover(runs):
    fig = pass_rate_bars(pass_rates(runs, "evaluator_name"), "evaluator_name", "x")
    bar = fig.data[0]
    assert list(bar.y) == ["Beta", "Alpha"]  # no-verdict groups have no bar
    assert bar.x[1] == pytest.approx(2 / 3)
    assert "2 passed, 1 failed" in bar.customdata[1][1]
    assert bar.error_x.array is not None


def test_score_distribution_is_on_a_0_1_axis_with_thresholds(runs):
    scores = scores_frame(sample_runs())
    fig = score_distribution(score_values(scores, runs))
    boxes = [t for t in fig.data if isinstance(t, go.Box)]
    assert [sorted(b.x) for b in boxes] == [[0.2, 0.8, 0.9]]
    assert tuple(fig.layout.xaxis.range) == (-0.02, 1.02)
    threshold = next(t for t in fig.data if isinstance(t, go.Scatter))
    assert list(threshold.x) == [0.75]  # the latest run's snapshot, not the first one's


def test_numeric_distribution_gives_each_evaluator_its_own_axis(runs):
    extra = run("n2", evaluator="ev-t", format_snapshot="numeric",
                scores=({"passed": None, "raw_value": 7.0},))  # fmt: skip
    all_runs = [*sample_runs(), extra]
    named = with_names(runs_frame(all_runs), {EV_N: "Latency", "ev-t": "Turns"}, {})
    fig = numeric_distribution(numeric_values(scores_frame(all_runs), named))
    assert [list(t.x) for t in fig.data] == [[1800.0], [7.0]]
    assert fig.data[0].xaxis != fig.data[1].xaxis


def test_empty_inputs_give_a_figure_that_says_why(runs):
    empty = runs.iloc[0:0]
    for fig in (
        outcome_over_time(daily_outcomes(empty, T0.date(), T0.date())),
        failures_bars(recent_failures(empty, T0.date())),
        severity_by_outcome(severity_outcomes(empty)),
        pass_rate_bars(pass_rates(empty, "channel"), "channel", "channel"),
        score_distribution(score_values(scores_frame([]), empty)),
        numeric_distribution(numeric_values(scores_frame([]), empty)),
    ):
        assert fig.layout.annotations and fig.layout.annotations[0].text


def test_hostile_names_are_escaped_in_every_figure():
    runs = [copy.deepcopy(r) for r in sample_runs()]
    named = with_names(runs_frame(runs), {EV_A: HOSTILE, EV_B: HOSTILE + "2"}, {})
    figs = [
        failures_bars(recent_failures(named, dt.date(2026, 11, 14))),
        pass_rate_bars(pass_rates(named, "evaluator_name"), "evaluator_name", "x"),
        score_distribution(score_values(scores_frame(runs), named)),
    ]
    for fig in figs:
        text = fig.to_json()
        assert "<img" not in text and "<a href" not in text
        assert "&lt;img" in text


def test_every_figure_keeps_plotly_s_look_for_the_trace_types_it_draws(runs):
    full = pio.templates["plotly"]
    scores = scores_frame(sample_runs())
    figs = [
        outcome_over_time(daily_outcomes(runs, dt.date(2026, 11, 9), dt.date(2026, 11, 15))),
        failures_bars(recent_failures(runs, dt.date(2026, 11, 14))),
        severity_by_outcome(severity_outcomes(runs)),
        pass_rate_bars(pass_rates(runs, "channel"), "channel", "channel"),
        score_distribution(score_values(scores, runs)),
        numeric_distribution(numeric_values(scores, runs)),
        outcome_over_time(daily_outcomes(runs.iloc[0:0], T0.date(), T0.date())),
    ]
    for fig in figs:
        template = fig.layout.template
        # Only trace types whose defaults the trimmed template keeps are drawn...
        assert {t.type for t in fig.data} <= set(TRACE_TYPES)
        for kind in TRACE_TYPES:
            assert template.data[kind] == full.data[kind]
        # ...and every layout default a flat chart reads is plotly's own.
        kept = {k: v for k, v in full.layout.to_plotly_json().items() if k not in UNDRAWN_LAYOUT}
        assert template.layout.to_plotly_json() == kept
        assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
