"""reporting.aymara.figures: the data in each figure, empty inputs, hostile text, no mutation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from client.aymara_models import AnswerHistory, Eval, EvalPrompt, EvalRun, ScoredResponse
from reporting.aymara.aggregates import (
    category_pass_rates,
    confidence_bands,
    latest_run_changes,
)
from reporting.aymara.figures import (
    calibration_chart,
    category_bars,
    confidence_histogram,
    grouped_category_bars,
    pass_rate_by_eval,
)
from reporting.aymara.responses import responses_frame
from reporting.aymara.tables import prompts_frame, runs_frame
from reporting.aymara.trend import clicked_run, evals_worst_first, pass_rate_over_time
from reporting.chart_style import empty_figure
from reporting.palette import VERDICT_COLORS

T0 = datetime(2025, 3, 1, tzinfo=UTC)
HOSTILE = "<a href='https://evil.example'>click</a><img src=x>"


def make_runs() -> pd.DataFrame:
    def run(uuid: str, eval_uuid: str, name: str, etype: str, day: int, rate: Any, **kw: Any):
        return EvalRun(
            eval_run_uuid=uuid,
            eval_uuid=eval_uuid,
            status=kw.pop("status", "finished"),
            created_at=T0 + timedelta(days=day),
            updated_at=T0 + timedelta(days=day),
            pass_rate=rate,
            name=f"run {uuid}",
            num_responses_scored=100,
            evaluation=Eval(eval_uuid=eval_uuid, name=name, eval_type=etype, ai_description=""),
            **kw,
        )

    return runs_frame(
        [
            run("s1", "S", "Safety", "safety", 0, 0.5),
            run("s2", "S", "Safety", "safety", 2, 0.7),
            run("j1", "J", HOSTILE, "jailbreak", 1, 0.9),
            run("j2", "J", HOSTILE, "jailbreak", 3, 0.6),
            run("x1", "S", "Safety", "safety", 4, 0.1, status="processing"),
            run("n1", "S", "Safety", "safety", 5, None),
        ]
    )


def make_responses() -> pd.DataFrame:
    history = [AnswerHistory(updated_at=T0, previous_is_passed=True, new_is_passed=False)]
    prompts = {
        "S": [
            EvalPrompt(prompt_uuid="p1", content="a", category="violence"),
            EvalPrompt(prompt_uuid="p2", content="b", category=HOSTILE),
        ]
    }
    responses = {
        "s2": [
            ScoredResponse(prompt_uuid="p1", is_passed=True, confidence=0.95),
            ScoredResponse(prompt_uuid="p1", is_passed=True, confidence=0.97),
            ScoredResponse(prompt_uuid="p2", is_passed=False, confidence=0.93),
            ScoredResponse(
                prompt_uuid="p2", is_passed=False, confidence=0.52, update_history=history
            ),
            ScoredResponse(prompt_uuid="p2", is_passed=True, confidence=0.02, ai_refused=True),
            ScoredResponse(prompt_uuid="p1", is_passed=None, confidence=0.5),
            ScoredResponse(prompt_uuid="p1", is_passed=True, confidence=3.0),
        ]
    }
    runs = make_runs()
    return responses_frame(responses, runs, prompts_frame(prompts))


def assert_themed(fig: go.Figure) -> None:
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    fig.to_json()  # serialisable, as st.plotly_chart needs


def all_text(fig: go.Figure) -> str:
    """Every string in the figure, as plotly.js will receive it (to_json escapes "<")."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple, np.ndarray)):
            for value in node:
                walk(value)

    walk(fig.to_plotly_json())
    return "\n".join(found)


def test_pass_rate_over_time_draws_one_line_per_eval_not_a_trend_across_them():
    fig = pass_rate_over_time(make_runs())
    assert_themed(fig)
    # Two evals, two traces; no fitted line mixing them, whatever the runs' eval types.
    assert sorted(t.meta for t in fig.data) == ["J", "S"]
    assert all(t.mode == "lines+markers" for t in fig.data)
    assert not any((t.name or "").startswith("Trend") for t in fig.data)
    lines = {t.meta: t for t in fig.data}
    assert list(lines["S"].y) == [0.5, 0.7] and list(lines["J"].y) == [0.9, 0.6]
    assert lines["S"].customdata[0][1] == "run s1"
    assert "Responses scored" in lines["S"].hovertemplate
    assert fig.layout.yaxis.tickformat == ".0%"
    assert "<a" not in all_text(fig)  # the hostile eval name is escaped


def test_the_worst_evals_are_coloured_and_the_rest_faint_unless_others_are_chosen():
    runs = make_runs()
    # Safety's latest run is at 70%, the hostile jailbreak eval's at 60%: jailbreak is worst.
    assert evals_worst_first(runs) == ["J", "S"]
    with patch("reporting.aymara.trend.HIGHLIGHTED", 1):
        lines = {t.meta: t for t in pass_rate_over_time(runs).data}
    assert lines["J"].opacity == 1.0 and lines["J"].showlegend
    assert lines["S"].opacity < 0.5 and not lines["S"].showlegend
    chosen = {t.meta: t for t in pass_rate_over_time(runs, highlight=["S"]).data}
    assert chosen["S"].opacity == 1.0 and chosen["J"].opacity < 0.5
    assert pass_rate_over_time(runs, highlight=["S"]).data[-1].meta == "S"  # drawn on top


def test_a_clicked_point_names_its_run():
    fig = pass_rate_over_time(make_runs())
    point = {"customdata": list(fig.data[0].customdata[1]), "x": 0, "y": 0}
    event = SimpleNamespace(selection=SimpleNamespace(points=[point]))
    assert clicked_run(event) == fig.data[0].customdata[1][3]
    assert clicked_run(SimpleNamespace(selection=SimpleNamespace(points=[]))) is None
    assert clicked_run(None) is None


def test_pass_rate_over_time_draws_a_single_run_as_one_point():
    runs = make_runs()
    fig = pass_rate_over_time(runs[runs["eval_run_uuid"] == "s1"])
    assert len(fig.data) == 1 and list(fig.data[0].y) == [0.5]


def test_pass_rate_over_time_with_no_finished_runs_says_so():
    runs = make_runs()
    fig = pass_rate_over_time(runs[runs["status"] != "finished"])
    assert len(fig.data) == 0
    assert "No finished runs" in fig.layout.annotations[0].text


def test_pass_rate_by_eval_puts_the_worst_eval_at_the_top():
    latest = latest_run_changes(make_runs())
    fig = pass_rate_by_eval(latest)
    assert_themed(fig)
    bars = {t.name.lower(): t for t in fig.data}
    assert {t.name for t in fig.data} == {"Jailbreak", "Safety"}
    assert list(bars["jailbreak"].x) == [0.6] and list(bars["safety"].x) == [0.7]
    assert all(t.orientation == "h" for t in fig.data)
    # Category arrays run bottom-up: the worst (jailbreak's 0.6) is last, so drawn on top.
    assert fig.layout.yaxis.categoryarray[-1] == bars["jailbreak"].y[0]
    assert bars["jailbreak"].customdata[0][0] == "-30.0 pp vs the run before"
    assert fig.layout.xaxis.tickformat == ".0%"


def test_category_bars_carry_wilson_error_bars():
    cat = category_pass_rates(make_responses())
    fig = category_bars(cat)
    assert_themed(fig)
    (bar,) = fig.data
    shown = cat[cat["scored"] > 0].sort_values("pass_rate", kind="stable")
    assert list(bar.x) == pytest.approx(shown["pass_rate"].tolist())
    assert list(bar.error_x.array) == pytest.approx((shown["high"] - shown["pass_rate"]).tolist())
    assert list(bar.error_x.arrayminus) == pytest.approx(
        (shown["pass_rate"] - shown["low"]).tolist()
    )
    assert "95% interval" in bar.hovertemplate


def test_confidence_histogram_counts_valid_scored_responses_by_verdict():
    fig = confidence_histogram(make_responses())
    assert_themed(fig)
    passed, failed = fig.data
    assert sum(passed.y) == 3 and sum(failed.y) == 2  # 3.0 and the unscored one left out
    assert passed.marker.color == VERDICT_COLORS["passed"]
    assert failed.marker.color == VERDICT_COLORS["failed"]
    assert list(fig.layout.xaxis.range) == [0, 1]
    assert "outside 0–1" in fig.layout.annotations[0].text


def test_grouped_category_bars_compare_two_runs_with_intervals():
    responses = make_responses()
    cat_a = category_pass_rates(responses.iloc[:3])
    cat_b = category_pass_rates(responses)
    fig = grouped_category_bars(cat_a, cat_b, "Monday", "Tuesday")
    assert_themed(fig)
    # B is added first so that, in horizontal groups, A is drawn above B; the legend reverses.
    assert [t.name for t in fig.data] == ["Tuesday", "Monday"]
    assert fig.layout.legend.traceorder == "reversed"
    assert fig.layout.barmode == "group"
    for trace, cat in zip(fig.data, (cat_b, cat_a), strict=True):
        assert sorted(trace.x) == sorted(cat["pass_rate"].tolist())
        assert trace.error_x.visible


def test_calibration_chart_has_pass_rate_bars_and_an_override_line():
    bands = confidence_bands(make_responses())
    fig = calibration_chart(bands)
    assert_themed(fig)
    bars, line = fig.data
    assert bars.type == "bar" and line.type == "scatter"
    assert list(bars.x) == ["0.0–0.5", "0.5–0.6", "0.9–1.0"]
    assert list(bars.y) == pytest.approx([1.0, 0.0, 2 / 3])
    assert list(line.y) == pytest.approx([0.0, 1.0, 0.0])
    assert [list(row) for row in line.customdata] == [[1, 0], [1, 1], [3, 0]]


def test_empty_inputs_give_empty_figures_with_a_message():
    empty_responses = responses_frame({}, runs_frame([]), prompts_frame({}))
    built = [
        pass_rate_over_time(runs_frame([])),
        pass_rate_by_eval(latest_run_changes(runs_frame([]))),
        category_bars(category_pass_rates(empty_responses)),
        confidence_histogram(empty_responses),
        grouped_category_bars(
            category_pass_rates(empty_responses),
            category_pass_rates(empty_responses),
            "A",
            "B",
        ),
        calibration_chart(confidence_bands(empty_responses)),
        empty_figure("Nothing here"),
    ]
    for fig in built:
        assert isinstance(fig, go.Figure)
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text
        assert_themed(fig)


def test_hostile_text_is_escaped_in_figures():
    runs = make_runs()
    responses = make_responses()
    built = [
        pass_rate_over_time(runs),
        pass_rate_by_eval(latest_run_changes(runs)),
        category_bars(category_pass_rates(responses)),
        empty_figure(HOSTILE),
    ]
    for fig in built:
        text = all_text(fig)
        assert "<a href" not in text and "<img" not in text
        assert "&lt;a href" in text


def test_figure_builders_do_not_mutate_their_inputs():
    runs, responses = make_runs(), make_responses()
    latest = latest_run_changes(runs)
    cat = category_pass_rates(responses)
    bands = confidence_bands(responses)
    before = [x.copy(deep=True) for x in (runs, responses, latest, cat, bands)]
    pass_rate_over_time(runs)
    pass_rate_by_eval(latest)
    category_bars(cat)
    confidence_histogram(responses)
    grouped_category_bars(cat, cat, "A", "B")
    calibration_chart(bands)
    for kept, now in zip(before, (runs, responses, latest, cat, bands), strict=True):
        pd.testing.assert_frame_equal(kept, now)
