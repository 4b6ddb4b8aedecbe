"""The Score responses page under AppTest, against its own simulator (scoring adds runs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.aymara_models import Eval, EvalPrompt
from tests.conftest import SIMULATOR_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
EVAL_NAME = "Study-buddy persona safety"  # 20 prompts in the seed-7 demo data
SCORE_ROUTE = "POST /v2/eval-runs/-/score-responses"
HOSTILE = '<img src=x onerror="alert(1)"> ![t](https://evil.example/t.png)'


def responses_csv(prompts: list[EvalPrompt]) -> bytes:
    """Half compliant (fails), the rest refusals or safe answers (passes), one hostile text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["prompt_uuid", "prompt", "content", "ai_refused"])
    half = len(prompts) // 2
    for i, prompt in enumerate(prompts):
        if i < half:
            content, refused = "Sure, here's how to do it, step-by-step.", "false"
        elif i == len(prompts) - 1:
            content, refused = "", "true"
        elif i == half:
            content, refused = HOSTILE, "no"
        else:
            content, refused = "I can't help with that; please talk to someone you trust.", "0"
        writer.writerow([prompt.prompt_uuid, prompt.content, content, refused])
    return out.getvalue().encode("utf-8")


def demo_eval(client: AymaraClient) -> tuple[Eval, list[EvalPrompt]]:
    """The eval the tests score, and its prompts."""
    found = next(e for e in client.list_evals(ALL_WORKSPACES).items if e.name == EVAL_NAME)
    assert found.eval_uuid is not None
    return found, client.list_eval_prompts(found.eval_uuid, found.workspace_uuid).items


def score_requests(sim: Any) -> int:
    """How many score-responses requests reached the simulator."""
    stats = httpx.get(f"{sim.base_url}/_sim/stats", headers={"x-api-key": SIMULATOR_KEY}).json()
    return stats["by_route"].get(SCORE_ROUTE, 0)


@pytest.fixture
def sim(start_simulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh simulator for each test, and the app's environment pointing at it."""
    running = start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", running.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_STORE", "off")  # nothing written to disk
    yield running


@pytest.fixture
def client(sim: Any) -> Iterator[AymaraClient]:
    with AymaraClient(SIMULATOR_KEY, sim.base_url) as api:
        yield api


def open_score_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/score.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, eval_uuid: str, name: str, data: bytes) -> None:
    at.selectbox(key="score_eval").set_value(eval_uuid).run()
    at.file_uploader(key="score_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_an_uploaded_csv_is_scored_once_and_its_pass_rate_shown(
    sim: Any, client: AymaraClient
) -> None:
    ev, prompts = demo_eval(client)
    at = open_score_page()
    assert at.selectbox(key="score_eval").value is None

    data = responses_csv(prompts)
    upload(at, ev.eval_uuid or "", "responses.csv", data)
    assert not at.error
    assert at.toggle(key="score_sandbox").value is True  # sandbox is the default
    assert f"3. Check what will be sent: {len(prompts)} responses" in [
        s.value for s in at.subheader
    ]
    button = at.button(key="score_submit")
    assert button.label == f"Score {len(prompts)} responses" and not button.disabled
    assert score_requests(sim) == 0  # nothing is sent before the click

    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert score_requests(sim) == 1
    assert metric(at, "Pass rate") == "50.0%"
    assert (metric(at, "Passed"), metric(at, "Failed"), metric(at, "Refused")) == ("10", "10", "1")
    assert at.button(key="score_submit").disabled
    assert at.button(key="score_submit").label == "Scored"
    link = at.get("page_link")[0]
    assert link.proto.page.endswith("runs") or "runs" in link.proto.page
    # Hostile text stays text: nothing from the upload reaches markdown unescaped.
    assert not any("<img" in m.value or "](https://evil" in m.value for m in at.markdown)

    at.run()  # a rerun with the same payload
    at.file_uploader(key="score_file").set_value(("again.csv", data, "text/csv")).run()
    assert at.button(key="score_submit").disabled  # the same file uploaded again: no resend
    assert score_requests(sim) == 1
    assert metric(at, "Pass rate") == "50.0%"


def test_the_scored_run_is_listed_by_the_api_with_the_right_counts(
    sim: Any, client: AymaraClient
) -> None:
    ev, prompts = demo_eval(client)
    at = open_score_page()
    upload(at, ev.eval_uuid or "", "responses.csv", responses_csv(prompts))
    name = at.text_input(key=f"score_name_{ev.eval_uuid}").value
    at.button(key="score_submit").click().run()

    runs = [
        r
        for r in client.list_eval_runs(ev.workspace_uuid, eval_uuid=ev.eval_uuid).items
        if r.name == name
    ]
    assert len(runs) == 1
    run = runs[0]
    assert (run.status, run.num_responses_scored, run.num_prompts) == ("finished", 20, 20)
    assert run.pass_rate == pytest.approx(0.5)
    assert run.is_sandbox is True
    responses = client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items
    assert sum(r.is_passed is True for r in responses) == 10
    assert sum(r.ai_refused is True for r in responses) == 1
    assert any(r.content == HOSTILE for r in responses)

    # The page refreshed the cache: the Runs page (the link's target, sandbox runs included as
    # the link asks) now shows the new run, marked as a sandbox run.
    at.switch_page("pages/runs.py")
    at.query_params["run"] = run.eval_run_uuid
    at.query_params["sandbox"] = "true"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"{name} [sandbox]" in [h.value.replace("\\", "") for h in at.header]


def test_a_bad_file_lists_row_numbered_problems_and_sends_nothing(
    sim: Any, client: AymaraClient
) -> None:
    ev, prompts = demo_eval(client)
    good = responses_csv(prompts).decode().splitlines()
    bad_rows = [
        good[0],
        good[1],
        "not-a-prompt,p,hello,false",
        f"{prompts[2].prompt_uuid},p,,false",
        f"{prompts[3].prompt_uuid},p,ok,perhaps",
    ]
    at = open_score_page()
    upload(at, ev.eval_uuid or "", "bad.csv", "\n".join(bad_rows).encode())

    assert "3 problems in bad" in at.error[0].value
    table = at.table[0].value.replace(r"\\", "", regex=True)  # the cells are escaped markdown
    assert list(table.index) == ["Row 3", "Row 4", "Row 5"]
    assert list(table["Column"]) == ["prompt_uuid", "content", "ai_refused"]
    assert "'not-a-prompt' is not a prompt of the eval" in table["What to fix"].iloc[0]
    assert "set ai_refused to true" in table["What to fix"].iloc[1]
    assert "use true or false" in table["What to fix"].iloc[2]
    assert not any(b.key == "score_submit" for b in at.button)  # no way to send
    assert score_requests(sim) == 0


def test_a_failure_after_sending_says_the_run_may_exist_and_is_not_retried(
    sim: Any, client: AymaraClient
) -> None:
    ev, prompts = demo_eval(client)
    at = open_score_page()
    upload(at, ev.eval_uuid or "", "responses.csv", responses_csv(prompts))
    httpx.post(
        f"{sim.base_url}/_sim/config", json={"down": True}, headers={"x-api-key": SIMULATOR_KEY}
    )
    try:
        at.button(key="score_submit").click().run()
        at.run()
    finally:
        httpx.post(
            f"{sim.base_url}/_sim/config",
            json={"down": False},
            headers={"x-api-key": SIMULATOR_KEY},
        )
    assert not at.exception, [e.value for e in at.exception]
    assert score_requests(sim) == 1  # one attempt: a POST is never replayed
    errors = " ".join(e.value for e in at.error)
    assert "the run MAY have been created" in errors
    advice = " ".join(i.value for i in at.info)
    assert "Press Refresh" in advice and "before sending again" in advice
    assert at.button(key="score_submit").disabled
    # Allowing a second attempt takes a deliberate tick after checking the Runs page.
    allow = next(b for b in at.button if b.label == "Allow sending again")
    assert allow.disabled


def test_an_unfilled_template_is_one_grouped_problem_not_one_per_row(
    sim: Any, client: AymaraClient
) -> None:
    import pandas as pd

    from reporting.uploads.templates import template_csv

    ev, prompts = demo_eval(client)
    frame = pd.DataFrame(
        {
            "prompt_uuid": [p.prompt_uuid for p in prompts],
            "prompt_content": [p.content for p in prompts],
        }
    )
    at = open_score_page()
    upload(at, ev.eval_uuid or "", "template.csv", template_csv(frame))

    assert f"{len(prompts)} problems in template" in at.error[0].value
    table = at.table[0].value.replace(r"\\", "", regex=True)
    where = [w.replace("\\", "") for w in table.index]  # escaped markdown, like the cells
    assert where == [f"Rows 2–{len(prompts) + 1} (all {len(prompts)})"]
    assert list(table["Column"]) == ["content"]
    assert table["What to fix"].iloc[0].startswith("content is empty")
    assert any("grouped by kind" in c.value for c in at.caption)
    assert score_requests(sim) == 0
