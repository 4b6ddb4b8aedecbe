"""One definition per number, sandbox runs apart, safe exports, and what "all workspaces" sends."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.aymara_models import Eval, EvalPrompt, EvalRun, ScoredResponse
from components.shell import Context
from jobs.aymara_fetch import fetch_aymara
from reporting.aymara import definitions as d
from reporting.aymara.export import export_frame, parquet_bytes, safe_csv
from reporting.aymara.responses import responses_frame
from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two evals (one a sandbox eval), three runs (one a sandbox run), one response each."""
    evals = evals_frame(
        [
            Eval(eval_uuid="e1", name="Prod eval", eval_type="safety", is_sandbox=False),
            Eval(eval_uuid="e2", name="Trial eval", eval_type="safety", is_sandbox=True),
        ]
    )

    def run(uuid: str, eval_uuid: str, sandbox: bool) -> EvalRun:
        return EvalRun(
            eval_run_uuid=uuid, eval_uuid=eval_uuid, status="finished", created_at=T0,
            updated_at=T0, name=f"run {uuid}", is_sandbox=sandbox, pass_rate=0.5,
        )  # fmt: skip

    runs = runs_frame(
        [run("r1", "e1", False), run("r2", "e1", True), run("r3", "e2", False)], evals
    )

    prompts = prompts_frame(
        {
            "e1": [EvalPrompt(prompt_uuid="p1", content='=HYPERLINK("http://x")')],
            "e2": [EvalPrompt(prompt_uuid="p2", content="fine")],
        }
    )
    hostile = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    responses = responses_frame(
        {
            "r1": [ScoredResponse(prompt_uuid="p1", response_uuid="a", content=hostile[0],
                                  is_passed=True, explanation="Crème brûlée", ai_refused=False)],
            "r2": [ScoredResponse(prompt_uuid="p1", response_uuid="b", content=hostile[1],
                                  is_passed=False, explanation=hostile[3])],
            "r3": [ScoredResponse(prompt_uuid="p2", response_uuid="c", content=hostile[4],
                                  is_passed=False, explanation=hostile[5])],
        },
        runs,
        prompts,
    )  # fmt: skip
    return evals, runs, prompts, responses


def test_sandbox_runs_and_sandbox_evals_are_left_out_by_default() -> None:
    evals, runs, prompts, responses = frames()
    e, r, p, s = d.sandbox_view(evals, runs, prompts, responses, include=False)
    assert list(e["eval_uuid"]) == ["e1"]
    assert list(r["eval_run_uuid"]) == ["r1"]
    assert set(p["eval_uuid"]) == {"e1"}
    assert list(s["eval_run_uuid"]) == ["r1"]


def test_included_sandbox_runs_are_kept_and_marked_by_name() -> None:
    evals, runs, prompts, responses = frames()
    e, r, _, s = d.sandbox_view(evals, runs, prompts, responses, include=True)
    assert len(e) == 2 and len(r) == 3 and len(s) == 3
    names = dict(zip(r["eval_run_uuid"], r["run_name"], strict=True))
    assert names == {"r1": "run r1", "r2": "run r2 [sandbox]", "r3": "run r3 [sandbox]"}
    marked = dict(zip(s["eval_run_uuid"].astype(str), s["run_name"].astype(str), strict=True))
    assert marked["r2"].endswith("[sandbox]") and not marked["r1"].endswith("[sandbox]")


@pytest.mark.parametrize(
    ("status", "rate", "scored", "prompts", "shown"),
    [
        ("finished", 0.82, 82, 100, "82.0%"),
        ("processing", 0.979, 47, 100, "97.9% so far, 47 of 100 scored"),
        ("processing", None, 0, 100, "— (not scored yet)"),
        ("created", 0.5, 2, None, "50.0% so far, 2 scored"),
    ],
)
def test_a_run_that_is_not_finished_never_shows_a_final_pass_rate(
    status: str, rate: float | None, scored: int, prompts: int | None, shown: str
) -> None:
    def pct(x: float) -> str:
        return f"{x * 100:.1f}%"

    assert d.run_pass_rate_label(status, rate, scored, prompts, pct) == shown


def test_the_responses_csv_is_spreadsheet_safe_with_a_bom_and_true_false() -> None:
    evals, runs, _, responses = frames()
    raw = safe_csv(export_frame(responses, runs, evals))
    assert raw.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for column in ("run_created_at", "is_sandbox", "verdict_overridden"):
        assert column in table.columns
    for column in ("response_text", "explanation", "prompt_content"):
        for cell in table[column]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert set(table["is_sandbox"]) == {"true", "false"}
    assert set(table["ai_refused"]) <= {"true", "false", ""}
    by_id = table.set_index("response_uuid")
    assert by_id.loc["a", "response_text"] == "'=1+1"
    assert by_id.loc["b", "is_sandbox"] == "true" and by_id.loc["c", "is_sandbox"] == "true"
    assert by_id.loc["a", "explanation"] == "Crème brûlée"
    assert by_id.loc["a", "run_created_at"] == "2026-11-01T00:00:00Z"


def test_the_parquet_download_holds_the_same_rows_typed() -> None:
    evals, runs, _, responses = frames()
    rows = export_frame(responses, runs, evals)
    back = pd.read_parquet(io.BytesIO(parquet_bytes(rows)))
    assert list(back.columns) == list(rows.columns)
    assert list(back["response_uuid"]) == list(rows["response_uuid"])
    assert back["response_text"].iloc[0] == "=1+1"  # data for code, kept exact
    assert back["is_sandbox"].tolist() == [False, True, True]


def test_all_workspaces_is_the_default_and_sends_double_star_while_the_keys_own_sends_none() -> (
    None
):
    assert Context((), None, frozenset()).aymara_workspace == ALL_WORKSPACES == "**"
    assert Context((), None, frozenset(), key_workspace=True).aymara_workspace is None
    assert Context((), "ws-1", frozenset()).aymara_workspace == "ws-1"

    seen: list[dict[str, list[str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(parse_qs(urlsplit(str(request.url)).query))
        return httpx.Response(200, json={"items": [], "count": 0})

    client = AymaraClient("k", "https://api.example", transport=httpx.MockTransport(handler))
    fetch_aymara(client, ALL_WORKSPACES)
    assert len(seen) == 3  # evals, runs, reports
    assert all(q.get("workspace_uuid") == ["**"] for q in seen)
    seen.clear()
    fetch_aymara(client, None)
    assert seen and all("workspace_uuid" not in q for q in seen)


@pytest.mark.parametrize("status", ["finished", "FINISHED", "Finished", "running", "", None,
                                    float("nan"), pd.NA, "failed"])  # fmt: skip
def test_one_status_reads_as_finished_exactly_as_a_column_of_them_does(status) -> None:
    from reporting.aymara.schema import is_finished, status_is_finished

    assert status_is_finished(status) is bool(is_finished(pd.Series([status], dtype=object))[0])
