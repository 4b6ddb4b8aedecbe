"""reporting.aymara: models to frames, and the aggregates the pages show."""

from __future__ import annotations

import copy
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from client.aymara_models import (
    AnswerHistory,
    Eval,
    EvalPrompt,
    EvalRun,
    EvalRunReport,
    EvalSuiteReport,
    FileReference,
    ScoredResponse,
)
from reporting.aymara.aggregates import (
    category_pass_rates,
    confidence_bands,
    eval_catalogue,
    failing_categories,
    latest_run_changes,
    verdict_counts,
)
from reporting.aymara.compare import (
    FAILED_IN_BOTH,
    MISSING_IN_A,
    MISSING_IN_B,
    NEWLY_FAILED,
    NEWLY_PASSED,
    PASSED_IN_BOTH,
    SCORED_IN_BOTH,
    flip_counts,
    flip_table,
    mcnemar_from_flips,
)
from reporting.aymara.regressions import regression_board
from reporting.aymara.reports import REPORT_COLUMNS, REPORT_ROW_COLUMNS, report_rows, reports_frame
from reporting.aymara.responses import responses_frame
from reporting.aymara.schema import RESPONSE_COLUMNS
from reporting.aymara.search import filter_responses
from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame
from reporting.stats import IMPROVED, REGRESSED, WITHIN_NOISE, mcnemar_test, wilson_interval

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> ![x](https://evil.example/x.png) <a href='x'>y</a> %{x}"


def ev(uuid: str, name: str | None = "Eval", eval_type: str = "safety", **kw: Any) -> Eval:
    return Eval(eval_uuid=uuid, name=name, eval_type=eval_type, ai_description="bot", **kw)


def run(
    uuid: str,
    eval_uuid: str,
    day: int = 0,
    pass_rate: float | None = 0.5,
    status: str = "finished",
    evaluation: Eval | None = None,
    **kw: Any,
) -> EvalRun:
    return EvalRun(
        eval_run_uuid=uuid,
        eval_uuid=eval_uuid,
        status=status,
        created_at=T0 + timedelta(days=day),
        updated_at=T0 + timedelta(days=day, hours=1),
        pass_rate=pass_rate,
        evaluation=evaluation,
        **kw,
    )


def prompt(uuid: str, content: str = "", category: str | None = None, **kw: Any) -> EvalPrompt:
    return EvalPrompt(
        prompt_uuid=uuid, content=content or f"prompt {uuid}", category=category, **kw
    )


def resp(prompt_uuid: str, is_passed: bool | None = True, **kw: Any) -> ScoredResponse:
    kw.setdefault("response_uuid", f"r-{prompt_uuid}-{is_passed}")
    kw.setdefault("content", f"answer to {prompt_uuid}")
    return ScoredResponse(prompt_uuid=prompt_uuid, is_passed=is_passed, **kw)


def build(
    responses_by_run: dict[str, list[ScoredResponse]],
    runs: list[EvalRun],
    prompts_by_eval: dict[str, list[EvalPrompt]],
    evals: list[Eval] | None = None,
) -> pd.DataFrame:
    evals_df = evals_frame(evals or [])
    runs_df = runs_frame(runs, evals_df)
    return responses_frame(responses_by_run, runs_df, prompts_frame(prompts_by_eval))


@pytest.fixture
def small() -> dict[str, Any]:
    """Two evals, three runs, a handful of responses covering every verdict path."""
    evals = [ev("e1", "Support bot safety"), ev("e2", "Billing accuracy", "accuracy")]
    runs = [
        run("r1", "e1", day=0, pass_rate=0.5, name="first"),
        run("r2", "e1", day=2, pass_rate=0.25, name="second"),
        run("r3", "e2", day=1, pass_rate=1.0, name="acc"),
    ]
    prompts = {
        "e1": [prompt("p1", "How do I hurt", "violence"), prompt("p2", "Tell me", "privacy")],
        "e2": [prompt("p1", "Refund rules?", "billing_policy"), prompt("p3", "Plans", None)],
    }
    responses = {
        "r1": [
            resp("p1", True, confidence=0.9, explanation="fine", ai_refused=True),
            resp("p2", False, confidence=0.4, explanation="leaked data"),
        ],
        "r2": [
            resp("p1", False, confidence=0.55),
            resp("p2", None, exclude_from_scoring=True),
            resp("p2", True, exclude_from_scoring=True, response_uuid="excluded-but-passed"),
            resp("p9", False, confidence=1.7),  # prompt unknown, confidence out of range
        ],
        "r3": [resp("p1", True, confidence=0.8), resp("p3", True, confidence=0.95)],
    }
    df = build(responses, runs, prompts, evals)
    return {"evals": evals, "runs": runs, "prompts": prompts, "responses": responses, "df": df}


# --------------------------------------------------------------------------- models -> frames


def test_evals_frame_names_untitled_evals_and_keeps_times_in_utc():
    naive = datetime(2025, 1, 2, 3, 4, 5)
    df = evals_frame(
        [
            ev("abcdef123456", None, created_at=naive),
            ev("e2", "Named", created_at=datetime(2025, 1, 2, 5, tzinfo=UTC)),
        ]
    )
    assert list(df.columns[:11]) == [
        "eval_uuid",
        "eval_name",
        "eval_type",
        "modality",
        "language",
        "is_jailbreak",
        "is_sandbox",
        "num_prompts",
        "status",
        "workspace_uuid",
        "created_at",
    ]
    assert df["eval_name"].tolist() == ["Untitled eval abcdef12", "Named"]
    assert str(df["created_at"].dt.tz) == "UTC"
    assert df["created_at"][0] == pd.Timestamp("2025-01-02 03:04:05", tz="UTC")


def test_evals_frame_of_nothing_has_the_columns_and_dtypes():
    empty, full = evals_frame([]), evals_frame([ev("e1")])
    assert empty.empty
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_runs_frame_takes_the_eval_name_from_the_embedded_eval_then_the_evals_then_the_run():
    evals_df = evals_frame([ev("e2", "From listing", "jailbreak"), ev("e3", None)])
    runs = [
        run("a", "e1", evaluation=ev("e1", "Embedded", "accuracy"), name="run a"),
        run("b", "e2", day=1, name="run b"),
        run("c", "e3", day=2, name="run c"),  # eval has no name: the run's own name is better
        run("d", "e4", day=3),  # nothing at all
    ]
    df = runs_frame(runs, evals_df)
    assert df["eval_name"].tolist() == ["Embedded", "From listing", "run c", "Untitled eval e4"]
    assert df["eval_type"].tolist() == ["accuracy", "jailbreak", "safety", "unknown"]
    assert df["run_name"].tolist() == ["run a", "run b", "run c", "Run d"]


def test_runs_frame_sorts_by_creation_and_reads_pass_rates_as_fractions():
    runs = [
        run("late", "e1", day=5, pass_rate=0.8),
        run("early", "e1", day=1, pass_rate=42.0),  # the docs' example value, a percentage
        run("mid", "e1", day=3, pass_rate=None),
        run("bad", "e1", day=4, pass_rate=-3.0),
    ]
    df = runs_frame(runs)
    assert df["eval_run_uuid"].tolist() == ["early", "mid", "bad", "late"]
    assert df["pass_rate"].tolist()[0] == pytest.approx(0.42)
    assert math.isnan(df["pass_rate"][1]) and math.isnan(df["pass_rate"][2])
    assert df["pass_rate_raw"][0] == 42.0
    assert str(df["created_at"].dt.tz) == "UTC"


def test_runs_frame_of_nothing_has_the_columns():
    df = runs_frame([], evals_frame([]))
    for column in ["eval_run_uuid", "eval_name", "eval_type", "pass_rate", "created_at"]:
        assert column in df
    assert df["pass_rate"].dtype == "float64"


def test_prompts_frame_fills_missing_categories_and_drops_repeated_prompts():
    df = prompts_frame(
        {"e1": [prompt("p1", "a", None), prompt("p2", "b", "  "), prompt("p1", "a", None)]}
    )
    assert df["prompt_category"].tolist() == ["Uncategorised", "Uncategorised"]
    assert df["prompt_uuid"].tolist() == ["p1", "p2"]
    assert df["turn_number"].tolist() == [1, 1]


def test_responses_frame_has_one_row_per_response_with_run_and_prompt_details(small):
    df = small["df"]
    assert list(df.columns) == list(RESPONSE_COLUMNS)
    assert len(df) == 8
    first = df.iloc[0]
    assert first["eval_run_uuid"] == "r1"
    assert first["eval_name"] == "Support bot safety"
    assert first["run_name"] == "first"
    assert first["prompt_content"] == "How do I hurt"
    assert first["prompt_category"] == "violence"
    assert first["run_created_at"] == pd.Timestamp(T0)


def test_responses_frame_joins_prompts_on_eval_and_prompt_uuid(small):
    df = small["df"]
    # p1 exists in both evals with different text: each response gets its own eval's prompt.
    p1 = df[df["prompt_uuid"] == "p1"].set_index("eval_run_uuid")
    assert p1.loc["r1", "prompt_content"] == "How do I hurt"
    assert p1.loc["r3", "prompt_content"] == "Refund rules?"
    assert p1.loc["r3", "prompt_category"] == "billing_policy"
    uncategorised = df[df["prompt_uuid"] == "p3"]["prompt_category"].tolist()
    assert uncategorised == ["Uncategorised"]


def test_a_response_to_an_unknown_prompt_keeps_empty_text_and_no_category(small):
    row = small["df"].set_index("prompt_uuid").loc["p9"]
    assert row["prompt_content"] == ""
    assert row["prompt_category"] == "Uncategorised"


def test_verdicts_follow_is_passed_and_exclusion(small):
    df = small["df"]
    assert df["verdict"].tolist() == [
        "passed",
        "failed",
        "failed",
        "not scored",
        "not scored",
        "failed",
        "passed",
        "passed",
    ]
    assert df["is_passed"].dtype == "boolean"
    assert df["is_passed"].isna().sum() == 1
    excluded = df.set_index("response_uuid").loc["excluded-but-passed"]
    assert bool(excluded["is_passed"]) is True and excluded["verdict"] == "not scored"


def test_confidence_out_of_range_is_kept_but_flagged(small):
    df = small["df"]
    odd = df.set_index("prompt_uuid").loc["p9"]
    assert odd["confidence"] == 1.7
    assert not odd["confidence_valid"]
    assert df["confidence"].isna().sum() == 2
    assert df["confidence_valid"].sum() == 5


def test_responses_frame_uses_categoricals_for_repeated_strings(small):
    df = small["df"]
    for column in [
        "eval_run_uuid",
        "eval_uuid",
        "eval_name",
        "eval_type",
        "run_name",
        "workspace_uuid",
        "prompt_uuid",
        "prompt_content",
        "prompt_category",
        "verdict",
        "content_type",
        "thread_uuid",
    ]:
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    assert list(df["verdict"].cat.categories) == ["passed", "failed", "not scored"]
    assert str(df["run_created_at"].dt.tz) == "UTC"


def test_file_responses_have_no_text_but_a_file_reference():
    df = build(
        {
            "r1": [
                resp("p1", content=FileReference(file_uuid="f1", remote_file_path="s3://a.png")),
                resp("p2", content={"file_uuid": "f2", "remote_file_path": "s3://b.mp4"}),
                resp("p3", content=None),
                resp("p4", content="plain"),
            ]
        },
        [run("r1", "e1")],
        {},
    )
    assert df["response_text"].tolist() == ["", "", "", "plain"]
    assert df["file_uuid"].tolist()[:2] == ["f1", "f2"]
    assert df["file_path"].tolist()[:2] == ["s3://a.png", "s3://b.mp4"]
    assert df["file_uuid"].isna().tolist()[2:] == [True, True]


def test_missing_explanations_become_empty_text(small):
    assert small["df"]["explanation"].tolist()[2] == ""
    assert small["df"]["explanation"].isna().sum() == 0


def test_original_verdict_comes_from_the_earliest_manual_change():
    history = [
        AnswerHistory(
            updated_at=T0 + timedelta(hours=2), previous_is_passed=False, new_is_passed=True
        ),
        AnswerHistory(updated_at=T0, previous_is_passed=True, new_is_passed=False),
    ]
    flipped_back = [AnswerHistory(updated_at=T0, previous_is_passed=False, new_is_passed=True)]
    df = build(
        {
            "r1": [
                resp("p1", True, manually_updated=True, update_history=history),
                resp("p2", True, manually_updated=True, update_history=flipped_back),
                resp("p3", False),
            ]
        },
        [run("r1", "e1")],
        {},
    )
    # p1: judge said True, a person said False, then True again: net unchanged.
    assert df["original_is_passed"].tolist() == [True, False, False]
    assert df["verdict_overridden"].tolist() == [False, True, False]
    assert df["manually_updated"].tolist() == [True, True, False]


def test_thread_and_turn_fall_back_to_the_prompt():
    df = build(
        {"r1": [resp("p1"), resp("p2", thread_uuid="own", turn_number=3)]},
        [run("r1", "e1")],
        {"e1": [prompt("p1", thread_uuid="t1", turn_number=2), prompt("p2", thread_uuid="t2")]},
    )
    assert df["thread_uuid"].tolist() == ["t1", "own"]
    assert df["turn_number"].tolist() == [2, 3]
    assert df["turn_number"].dtype == "Int64"


def test_responses_of_a_run_missing_from_the_runs_frame_still_show():
    df = build({"ghost-run-uuid": [resp("p1")]}, [], {})
    assert len(df) == 1
    assert df["eval_name"][0] == "Unknown eval"
    assert df["run_name"][0] == "Run ghost-ru"
    assert pd.isna(df["eval_uuid"][0])


def test_responses_frame_of_nothing_has_all_columns_and_the_same_dtypes(small):
    empty = responses_frame({}, runs_frame([]), prompts_frame({}))
    also_empty = build({"r1": []}, [run("r1", "e1")], {})
    assert list(empty.columns) == list(RESPONSE_COLUMNS)
    assert empty.empty and also_empty.empty
    full = small["df"].dtypes.astype(str).to_dict()
    assert empty.dtypes.astype(str).to_dict() == full
    assert also_empty.dtypes.astype(str).to_dict() == full


def test_hostile_text_passes_through_unchanged():
    df = build(
        {"r1": [resp("p1", content=HOSTILE, explanation=HOSTILE)]},
        [run("r1", "e1", evaluation=ev("e1", HOSTILE))],
        {"e1": [prompt("p1", HOSTILE, HOSTILE)]},
    )
    row = df.iloc[0]
    for column in ["eval_name", "prompt_content", "prompt_category", "response_text"]:
        assert row[column] == HOSTILE
    assert row["explanation"] == HOSTILE


def test_builders_do_not_mutate_their_inputs(small):
    runs_df = runs_frame(small["runs"], evals_frame(small["evals"]))
    prompts_df = prompts_frame(small["prompts"])
    inputs = copy.deepcopy((small["responses"], runs_df, prompts_df))
    responses_frame(small["responses"], runs_df, prompts_df)
    assert small["responses"] == inputs[0]
    pd.testing.assert_frame_equal(runs_df, inputs[1])
    pd.testing.assert_frame_equal(prompts_df, inputs[2])


# --------------------------------------------------------------------------- reports


def report(run_reports: list[EvalRunReport], **kw: Any) -> EvalSuiteReport:
    return EvalSuiteReport(
        eval_suite_report_uuid="rep1",
        status="finished",
        created_at=T0,
        updated_at=T0,
        eval_run_reports=run_reports,
        **kw,
    )


ACCURACY_RUN = run("ra", "e2", evaluation=ev("e2", "Billing accuracy", "accuracy"), pass_rate=0.6)
SAFETY_RUN = run("rs", "e1", evaluation=ev("e1", "Safety", "safety"), pass_rate=0.9)


def test_report_rows_split_accuracy_texts_into_one_row_per_category():
    rr = EvalRunReport(
        eval_run_uuid="ra",
        eval_run=ACCURACY_RUN,
        passing_responses_summary=(
            "Mostly good. <billing_policy>Refunds right.</billing_policy>"
            "<plan-limits>Limits right.</plan-limits>"
        ),
        failing_responses_summary="<billing_policy>Fees wrong.</billing_policy>",
        improvement_advice="<plan-limits>Cite the table.</plan-limits>",
    )
    df = report_rows([report([rr])])
    assert df["section"].tolist() == ["Overall", "Billing policy", "Plan limits"]
    assert df["level"].tolist() == ["run", "category", "category"]
    assert df["passing_summary"].tolist() == ["Mostly good.", "Refunds right.", "Limits right."]
    assert df["failing_summary"].tolist() == ["", "Fees wrong.", ""]
    assert df["improvement_advice"].tolist() == ["", "", "Cite the table."]
    assert set(df["eval_name"]) == {"Billing accuracy"}
    assert df["pass_rate"].tolist() == [0.6, 0.6, 0.6]


def test_report_rows_without_text_outside_tags_have_no_run_level_row():
    rr = EvalRunReport(
        eval_run_uuid="ra",
        eval_run=ACCURACY_RUN,
        passing_responses_summary="<a>x</a>",
        failing_responses_summary="<b_c>y</b_c>",
        improvement_advice="",
    )
    df = report_rows([report([rr])])
    assert df["section"].tolist() == ["A", "B c"]


def test_report_rows_keep_other_runs_whole_and_add_the_overall_row():
    rr = EvalRunReport(
        eval_run_uuid="rs",
        eval_run=SAFETY_RUN,
        passing_responses_summary="Refused <b>well</b>.",
        failing_responses_summary=HOSTILE,
        improvement_advice="More refusals.",
    )
    df = report_rows(
        [report([rr], overall_passing_responses_summary="All fine", overall_improvement_advice="x")]
    )
    assert df["section"].tolist() == ["Overall", "Overall"]
    assert df["level"].tolist() == ["run", "report"]
    assert df["passing_summary"].tolist() == ["Refused <b>well</b>.", "All fine"]
    assert df["failing_summary"].tolist() == [HOSTILE, ""]
    assert df["eval_name"].tolist() == ["Safety", "Overall"]
    assert pd.isna(df["eval_run_uuid"][1])
    assert str(df["report_created_at"].dt.tz) == "UTC"


def test_report_rows_fill_names_from_the_runs_frame_when_the_run_is_not_embedded():
    runs_df = runs_frame([SAFETY_RUN])
    rr = EvalRunReport(eval_run_uuid="rs", passing_responses_summary="ok")
    df = report_rows([report([rr])], runs_df)
    assert df["eval_name"].tolist() == ["Safety"]
    assert df["pass_rate"].tolist() == [0.9]


def test_reports_frame_lists_reports_newest_first():
    older = report(
        [
            EvalRunReport(eval_run_uuid="rs", eval_run=SAFETY_RUN),
            EvalRunReport(eval_run_uuid="ra", eval_run=ACCURACY_RUN),
        ],
        remaining_reports=0,
    )
    newer = older.model_copy(
        update={"eval_suite_report_uuid": "rep2", "created_at": T0 + timedelta(days=1)}
    )
    df = reports_frame([older, newer])
    assert df["eval_suite_report_uuid"].tolist() == ["rep2", "rep1"]
    assert df["num_runs"].tolist() == [2, 2]
    assert df["eval_names"][0] == "Safety, Billing accuracy"
    assert df["remaining_reports"].tolist() == [0, 0]


def test_report_frames_of_nothing_have_their_columns():
    assert list(report_rows([]).columns) == list(REPORT_ROW_COLUMNS)
    assert list(reports_frame([]).columns) == list(REPORT_COLUMNS)


# --------------------------------------------------------------------------- aggregates


def test_verdict_counts(small):
    counts = verdict_counts(small["df"])
    assert counts["passed"] == 3 and counts["failed"] == 3
    assert counts["not_scored"] == 2 and counts["scored"] == 6 and counts["total"] == 8
    assert counts["refused"] == 1
    assert counts["pass_rate"] == pytest.approx(0.5)
    assert (counts["pass_rate_low"], counts["pass_rate_high"]) == pytest.approx(
        wilson_interval(3, 6)
    )
    assert counts["refusal_rate"] == pytest.approx(1 / 8)


def test_verdict_counts_of_nothing():
    counts = verdict_counts(responses_frame({}, runs_frame([]), None))
    assert counts["total"] == 0 and counts["scored"] == 0
    assert math.isnan(counts["pass_rate"]) and math.isnan(counts["refusal_rate"])


def test_category_pass_rates_sorted_worst_first_with_wilson_intervals(small):
    cat = category_pass_rates(small["df"])
    assert list(cat.columns) == [
        "prompt_category",
        "passed",
        "failed",
        "scored",
        "pass_rate",
        "low",
        "high",
    ]
    assert cat["prompt_category"].tolist() == [
        "privacy",
        "Uncategorised",
        "violence",
        "billing_policy",
    ]
    # privacy: one failure (the two excluded don't count); Uncategorised: p9 failed, p3 passed
    assert cat["passed"].tolist() == [0, 1, 1, 1]
    assert cat["scored"].tolist() == [1, 2, 2, 1]
    assert cat["pass_rate"].tolist() == [0.0, 0.5, 0.5, 1.0]
    assert (cat["low"][1], cat["high"][1]) == pytest.approx(wilson_interval(1, 2))


def test_category_pass_rates_by_another_column(small):
    cat = category_pass_rates(small["df"], by="eval_name")
    assert cat["eval_name"].tolist() == ["Support bot safety", "Billing accuracy"]
    assert cat["pass_rate"].tolist() == [0.25, 1.0]


def test_failing_categories(small):
    top = failing_categories(small["df"], top=2)
    assert list(top.columns) == ["category", "failed", "scored", "pass_rate", "eval_types"]
    assert len(top) == 2
    assert top["failed"].tolist() == [1, 1]
    assert top["category"].tolist() == ["privacy", "Uncategorised"]  # ties: lower pass rate first
    assert top["eval_types"].tolist() == ["safety", "safety"]


def test_latest_run_changes_orders_worst_first_then_biggest_drop():
    runs = runs_frame(
        [
            run("a1", "A", day=0, pass_rate=0.9),
            run("a2", "A", day=1, pass_rate=0.6),  # latest 0.6, drop of 0.3
            run("b1", "B", day=0, pass_rate=0.6),
            run("b2", "B", day=1, pass_rate=0.6),  # latest 0.6, no change
            run("b3", "B", day=2, pass_rate=0.1, status="processing"),  # not finished: ignored
            run("c1", "C", day=0, pass_rate=0.2),  # one run only
            run("d1", "D", day=0, pass_rate=None),  # no pass rate: ignored
            run("e1", "E", day=3, pass_rate=0.95),
            run("e0", "E", day=1, pass_rate=0.5),
        ]
    )
    out = latest_run_changes(runs)
    assert out["eval_uuid"].tolist() == ["C", "A", "B", "E"]
    assert out["latest_run_uuid"].tolist() == ["c1", "a2", "b2", "e1"]
    assert out["previous_run_uuid"].tolist()[1:] == ["a1", "b1", "e0"]
    assert pd.isna(out["previous_run_uuid"][0]) and math.isnan(out["change"][0])
    assert out["change"].tolist()[1:] == pytest.approx([-0.3, 0.0, 0.45])
    assert out["runs"].tolist() == [1, 2, 2, 2]


def test_latest_run_changes_of_nothing():
    out = latest_run_changes(runs_frame([]))
    assert out.empty and "latest_pass_rate" in out


def test_eval_catalogue_adds_run_counts_and_keeps_evals_only_known_from_runs():
    evals_df = evals_frame([ev("e1", "One"), ev("e2", "Two")])
    runs_df = runs_frame(
        [
            run("r1", "e1", day=0, pass_rate=0.4),
            run("r2", "e1", day=1, pass_rate=0.7),
            run("r3", "e1", day=2, pass_rate=None, status="processing"),
            run("r4", "e9", day=0, pass_rate=0.2, evaluation=ev("e9", "Orphan")),
        ],
        evals_df,
    )
    cat = eval_catalogue(evals_df, runs_df).set_index("eval_uuid")
    assert cat.loc["e1", "runs"] == 3 and cat.loc["e2", "runs"] == 0
    assert cat.loc["e1", "latest_pass_rate"] == 0.7
    assert cat.loc["e1", "latest_run_status"] == "processing"
    assert cat.loc["e1", "latest_run_at"] == pd.Timestamp(T0 + timedelta(days=2))
    assert math.isnan(cat.loc["e2", "latest_pass_rate"])
    assert cat.loc["e9", "eval_name"] == "Orphan"
    assert cat.loc["e9", "runs"] == 1


# --------------------------------------------------------------------------- filters


def test_filter_with_no_arguments_returns_everything(small):
    assert len(filter_responses(small["df"])) == len(small["df"])


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"verdicts": ["failed"]}, 3),
        ({"verdicts": ["passed", "not scored"]}, 5),
        ({"verdicts": []}, 0),
        ({"verdicts": "failed"}, 3),  # a bare string is one value, not its characters
        ({"refused": True}, 1),
        ({"refused": False}, 7),
        ({"excluded": True}, 2),
        ({"confidence": (0.5, 0.9)}, 3),
        ({"categories": ["privacy"]}, 3),
        ({"categories": ["nope"]}, 0),
        ({"eval_types": ["accuracy"]}, 2),
        ({"evals": ["e2"]}, 2),
        ({"evals": ["Support bot safety"]}, 6),
        ({"runs": ["r2"]}, 4),
        ({"runs": ["first"]}, 2),
        ({"text": "LEAKED"}, 1),  # explanation, any case
        ({"text": "refund RULES"}, 1),  # prompt text
        ({"text": "answer to p9"}, 1),  # response text
        ({"text": "(["}, 0),  # literal, not a regex
    ],
)
def test_each_filter(small, kwargs, expected):
    assert len(filter_responses(small["df"], **kwargs)) == expected


def test_filters_combine(small):
    out = filter_responses(
        small["df"], verdicts=["failed"], evals=["e1"], categories=["violence"], text="answer"
    )
    assert out["eval_run_uuid"].tolist() == ["r2"]
    assert out["prompt_uuid"].tolist() == ["p1"]


def test_text_filter_finds_regex_characters_literally():
    df = build(
        {"r1": [resp("p1", content="costs $5 (plus tax)?"), resp("p2")]}, [run("r1", "e")], {}
    )
    assert len(filter_responses(df, text="$5 (PLUS")) == 1


def test_filter_does_not_mutate_the_frame(small):
    before = small["df"].copy(deep=True)
    filter_responses(small["df"], verdicts=["failed"], text="x", confidence=(0, 1))
    pd.testing.assert_frame_equal(small["df"], before)


def test_filter_works_on_plain_string_columns(small):
    plain = small["df"].astype({"prompt_content": "str", "verdict": "str", "eval_name": "str"})
    out = filter_responses(plain, verdicts=["failed"], text="hurt", evals=["e1"])
    assert len(out) == 1


# --------------------------------------------------------------------------- calibration


def test_confidence_bands_count_pass_and_override_rates():
    history = [AnswerHistory(updated_at=T0, previous_is_passed=True, new_is_passed=False)]
    df = build(
        {
            "r1": [
                resp("p1", True, confidence=0.95),
                resp("p2", False, confidence=0.92, update_history=history),
                resp("p3", True, confidence=0.3),
                resp("p4", True, confidence=1.0),
                resp("p5", None, confidence=0.99),  # not scored: left out
                resp("p6", True, confidence=None),  # no confidence: left out
                resp("p7", True, confidence=-0.2),  # invalid confidence: left out
            ]
        },
        [run("r1", "e1")],
        {},
    )
    bands = confidence_bands(df)
    assert bands["band"].astype(str).tolist() == ["0.0–0.5", "0.9–1.0"]
    assert bands["scored"].tolist() == [1, 3]
    assert bands["passed"].tolist() == [1, 2]
    assert bands["overridden"].tolist() == [0, 1]
    assert bands["override_rate"].tolist() == pytest.approx([0.0, 1 / 3])
    assert list(bands["band"].cat.categories)[:2] == ["0.0–0.5", "0.5–0.6"]


def test_confidence_bands_of_nothing():
    empty = responses_frame({}, runs_frame([]), prompts_frame({}))
    bands = confidence_bands(empty)
    assert bands.empty and "override_rate" in bands


# --------------------------------------------------------------------------- comparisons


def flip_fixture() -> tuple[pd.DataFrame, pd.DataFrame]:
    prompts = {"e1": [prompt(p, f"text {p}", "cat") for p in ["a", "b", "c", "d", "e", "f", "g"]]}
    runs = [run("r1", "e1", day=0), run("r2", "e1", day=1)]
    df = build(
        {
            "r1": [
                resp("a", True),
                resp("b", False),
                resp("c", True),
                resp("d", False),
                resp("e", True),
                resp("g", None),
            ],
            "r2": [
                resp("a", False, explanation="now wrong"),
                resp("b", True),
                resp("c", True),
                resp("d", False),
                resp("f", True),
                resp("g", True),
            ],
        },
        runs,
        prompts,
    )
    return df[df["eval_run_uuid"] == "r1"], df[df["eval_run_uuid"] == "r2"]


def test_flip_table_labels_every_kind_of_change():
    a, b = flip_fixture()
    flips = flip_table(a, b).set_index("prompt_uuid")
    assert flips["change"].to_dict() == {
        "a": NEWLY_FAILED,
        "b": NEWLY_PASSED,
        "d": FAILED_IN_BOTH,
        "g": "not scored",
        "f": MISSING_IN_A,
        "e": MISSING_IN_B,
        "c": PASSED_IN_BOTH,
    }
    assert list(flips.index) == ["a", "b", "d", "g", "f", "e", "c"]  # worst news first
    assert flips.loc["a", "verdict_a"] == "passed" and flips.loc["a", "verdict_b"] == "failed"
    assert flips.loc["a", "explanation_b"] == "now wrong"
    assert flips.loc["f", "prompt_content"] == "text f"
    assert pd.isna(flips.loc["f", "verdict_a"]) and pd.isna(flips.loc["f", "response_a"])


def test_mcnemar_from_flips():
    a, b = flip_fixture()
    assert mcnemar_from_flips(flip_table(a, b)) == (1, 1, 1.0)


def test_flip_table_joins_on_thread_and_turn_too():
    runs = [run("r1", "e1"), run("r2", "e1", day=1)]
    df = build(
        {
            "r1": [resp("p", True, thread_uuid="t", turn_number=1), resp("p", True, turn_number=2)],
            "r2": [
                resp("p", True, thread_uuid="t", turn_number=1),
                resp("p", False, turn_number=2),
            ],
        },
        runs,
        {},
    )
    flips = flip_table(df[df["eval_run_uuid"] == "r1"], df[df["eval_run_uuid"] == "r2"])
    assert sorted(flips["change"].astype(str)) == [NEWLY_FAILED, PASSED_IN_BOTH]


def test_flip_counts_are_the_flip_tables_counts():
    a, b = flip_fixture()
    flips = flip_table(a, b)
    shared = int(flips["change"].isin(SCORED_IN_BOTH).sum())
    assert flip_counts(a, b) == (1, 1, 4) == (*mcnemar_from_flips(flips)[:2], shared)
    doubled = pd.concat([a, a.assign(verdict="failed")])  # a duplicate: the first answer counts
    assert flip_counts(doubled, b) == flip_counts(a, b)
    empty = a.iloc[:0]
    assert flip_counts(empty, b) == flip_counts(a, empty) == (0, 0, 0)


def test_flip_table_of_nothing():
    empty = responses_frame({}, runs_frame([]), prompts_frame({}))
    flips = flip_table(empty, empty)
    assert flips.empty and "change" in flips
    assert mcnemar_from_flips(flips) == (0, 0, 1.0)


def board_fixture() -> tuple[list[EvalRun], dict[str, list[ScoredResponse]], dict[str, Any]]:
    prompts = [f"p{i}" for i in range(20)]
    runs = [
        # Regressed: 20/20 passed, then 5/20.
        run("bad-1", "BAD", day=0, pass_rate=1.0, num_responses_scored=20),
        run("bad-2", "BAD", day=1, pass_rate=0.25, num_responses_scored=20),
        # Within noise: 10/20 then 9/20, one prompt flipped.
        run("meh-1", "MEH", day=0, pass_rate=0.5, num_responses_scored=20),
        run("meh-2", "MEH", day=1, pass_rate=0.45, num_responses_scored=20),
        # Improved, known only from the runs' pass rates (no responses loaded).
        run("up-1", "UP", day=0, pass_rate=0.2, num_responses_scored=200),
        run("up-2", "UP", day=1, pass_rate=0.6, num_responses_scored=200),
        run("up-3", "UP", day=2, pass_rate=None, status="processing"),
        # One finished run: nothing to compare.
        run("one-1", "ONE", day=0, pass_rate=0.3),
    ]
    responses = {
        "bad-1": [resp(p, True) for p in prompts],
        "bad-2": [resp(p, i < 5) for i, p in enumerate(prompts)],
        "meh-1": [resp(p, i < 10) for i, p in enumerate(prompts)],
        "meh-2": [resp(p, i < 9) for i, p in enumerate(prompts)],
    }
    prompts_by_eval = {e: [prompt(p) for p in prompts] for e in ["BAD", "MEH"]}
    return runs, responses, prompts_by_eval


def test_regression_board_puts_real_regressions_first():
    runs, responses, prompts_by_eval = board_fixture()
    runs_df = runs_frame(runs)
    df = responses_frame(responses, runs_df, prompts_frame(prompts_by_eval))
    board = regression_board(runs_df, df)
    assert board["eval_uuid"].tolist() == ["BAD", "MEH", "UP"]
    assert board["verdict"].tolist() == [REGRESSED, WITHIN_NOISE, IMPROVED]
    bad = board.iloc[0]
    assert (bad["run_a"], bad["run_b"]) == ("bad-1", "bad-2")
    assert bad["n_shared"] == 20 and bad["newly_failed"] == 15 and bad["newly_passed"] == 0
    assert bad["p_value"] == pytest.approx(mcnemar_test(15, 0))
    assert bad["change"] == pytest.approx(-0.75)
    assert bad["test"] == "mcnemar"
    meh = board.iloc[1]
    assert meh["p_value"] == pytest.approx(1.0) and meh["newly_failed"] == 1
    up = board.iloc[2]
    assert (up["run_a"], up["run_b"]) == ("up-1", "up-2")
    assert up["test"] == "two-proportion" and pd.isna(up["n_shared"])
    assert up["p_value"] < 0.001


def test_regression_board_without_responses_uses_the_pass_rates():
    runs, _, _ = board_fixture()
    board = regression_board(runs_frame(runs), None)
    assert board["verdict"].tolist() == [REGRESSED, WITHIN_NOISE, IMPROVED]
    assert set(board["test"]) == {"two-proportion"}


def test_regression_board_of_nothing():
    board = regression_board(runs_frame([]), None)
    assert board.empty and "verdict" in board


def test_aggregates_do_not_mutate_their_inputs(small):
    runs, responses, prompts_by_eval = board_fixture()
    runs_df = runs_frame(runs)
    df = responses_frame(responses, runs_df, prompts_frame(prompts_by_eval))
    evals_df = evals_frame(small["evals"])
    before = [x.copy(deep=True) for x in (df, runs_df, evals_df, small["df"])]
    verdict_counts(df)
    category_pass_rates(df)
    failing_categories(small["df"])
    latest_run_changes(runs_df)
    eval_catalogue(evals_df, runs_df)
    confidence_bands(small["df"])
    flip_table(df.iloc[:10], df.iloc[10:40])
    regression_board(runs_df, df)
    for kept, now in zip(before, (df, runs_df, evals_df, small["df"]), strict=True):
        pd.testing.assert_frame_equal(kept, now)


# --------------------------------------------------------------------------- scale


def synthetic(n: int) -> tuple[dict[str, list[ScoredResponse]], pd.DataFrame, pd.DataFrame]:
    """n responses over 10 evals x 4 runs x 500 prompts; built without validation for speed."""
    rng = np.random.default_rng(3)
    runs, prompts, responses = [], {}, {}
    per_run = n // 40
    categories = ["violence", "privacy", "self harm", "billing_policy", "medical"]
    for e in range(10):
        eval_uuid = f"eval-{e:04d}-0000-0000-0000-000000000000"
        ids = [f"{eval_uuid[:9]}-prompt-{i:05d}" for i in range(500)]
        prompts[eval_uuid] = [
            EvalPrompt(prompt_uuid=p, content=f"prompt {p} " * 4, category=categories[i % 5])
            for i, p in enumerate(ids)
        ]
        for r in range(4):
            run_uuid = f"{eval_uuid}-run-{r}"
            runs.append(run(run_uuid, eval_uuid, day=r, evaluation=ev(eval_uuid, f"Eval {e}")))
            passed = rng.random(per_run) < 0.7
            conf = rng.random(per_run)
            responses[run_uuid] = [
                ScoredResponse.model_construct(
                    prompt_uuid=ids[k % 500],
                    response_uuid=f"{run_uuid}-{k}",
                    content=f"response number {k} " * 6,
                    content_type="text",
                    ai_refused=False,
                    exclude_from_scoring=False,
                    is_passed=bool(passed[k]),
                    confidence=float(conf[k]),
                    explanation=f"because {k}",
                    thread_uuid=None,
                    turn_number=1,
                    manually_updated=False,
                    update_history=None,
                )
                for k in range(per_run)
            ]
    runs_df = runs_frame(runs)
    return responses, runs_df, prompts_frame(prompts)


@pytest.mark.slow
def test_responses_frame_builds_two_hundred_thousand_rows_quickly():
    responses, runs_df, prompts_df = synthetic(200_000)
    start = time.perf_counter()
    df = responses_frame(responses, runs_df, prompts_df)
    elapsed = time.perf_counter() - start
    assert len(df) == 200_000
    assert df["prompt_content"].ne("").all()
    assert df.memory_usage(deep=True).sum() < 200 * 2**20
    assert elapsed < 5.0, f"responses_frame took {elapsed:.2f} s for 200k rows"
    start = time.perf_counter()
    out = filter_responses(
        df, verdicts=["failed"], categories=["privacy", "medical"], text="NUMBER 12"
    )
    assert time.perf_counter() - start < 0.5
    assert len(out) > 0 and set(out["verdict"]) == {"failed"}


def test_calibration_bands_use_the_judges_own_confidence_not_the_reviewers():
    from client.aymara_models import AnswerHistory

    review = AnswerHistory(
        answer_history_uuid="h1",
        updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        previous_is_passed=True,
        new_is_passed=False,
        previous_confidence=0.55,
        new_confidence=1.0,
    )
    overturned = ScoredResponse(
        prompt_uuid="p1", is_passed=False, confidence=1.0, manually_updated=True,
        update_history=[review],
    )  # fmt: skip
    steady = ScoredResponse(prompt_uuid="p2", is_passed=True, confidence=0.95)
    runs = runs_frame([])
    responses = responses_frame({"r1": [overturned, steady]}, runs, prompts_frame({}))
    assert responses["original_confidence"].tolist() == [0.55, 0.95]
    bands = confidence_bands(responses).set_index("band")
    assert bands.loc["0.5–0.6", "overridden"] == 1
    assert bands.loc["0.9–1.0", "overridden"] == 0


def test_a_frame_keeps_the_rows_chosen_in_each_column_and_no_choice_keeps_all() -> None:
    from components.filters import keep_chosen

    frame = pd.DataFrame(
        {"change": pd.Categorical(["newly failed", "same", "newly passed", "same"]),
         "category": ["a", "b", "a", "a"]}
    )  # fmt: skip
    both = keep_chosen(frame, {"change": ["same"], "category": ["a"]})
    assert both.index.tolist() == [3]
    assert keep_chosen(frame, {"change": [], "category": ["a"]}).index.tolist() == [0, 2, 3]
    assert keep_chosen(frame, {"change": [], "category": []}).equals(frame)
