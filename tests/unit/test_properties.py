"""Property tests: whatever shape the API's items take, loading never crashes and never loses rows.

Hypothesis generates Aymara-shaped items (random extra fields, optional fields missing, wrong
types in places, any text) served by a fake API on `httpx.MockTransport`; they go through the
client, `fetch_aymara`, the frames and every figure builder. The only exceptions allowed are the
client's own `APIError`s; every item the models accept becomes a row, and every item they refuse
is named in `problems`.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from client.aymara_models import Eval, EvalPrompt, EvalRun, ScoredResponse
from client.errors import APIError
from jobs.aymara_fetch import fetch_aymara
from tests.integration.test_bad_input import FakeAymara, build_everything

TEXT = st.text(max_size=30)
WHEN = st.one_of(
    st.datetimes(timezones=st.just(None) | st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["2025-06-01T10:00:00Z", "2025-06-01", "1970-01-01T00:00:00Z"]),
)
ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def sometimes_wrong(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the right type, sometimes anything at all."""
    return st.one_of(valid, valid, valid, ANYTHING)


def shaped(
    ids: dict[str, Any], required: dict[str, Any], optional: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """An item: fixed ids, required fields (sometimes missing), optional ones, and extras."""
    base = st.fixed_dictionaries(
        {name: st.just(value) for name, value in ids.items()},
        optional={**required, **optional},
    )
    extras = st.dictionaries(st.text(min_size=1, max_size=10), ANYTHING, max_size=2)
    return st.tuples(extras, base).map(lambda pair: {**pair[0], **pair[1]})


STATUS = st.sampled_from(["finished", "processing", "failed", "created", "FINISHED"]) | TEXT
RATE = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 150)


def eval_item(uuid: str) -> st.SearchStrategy[dict[str, Any]]:
    return shaped(
        {"eval_uuid": uuid},
        {},
        {
            "name": sometimes_wrong(st.none() | TEXT),
            "eval_type": sometimes_wrong(st.sampled_from(["safety", "accuracy", "jailbreak"])),
            "ai_description": sometimes_wrong(TEXT),
            "workspace_uuid": sometimes_wrong(st.sampled_from(["ws-1", "ws-2"])),
            "created_at": sometimes_wrong(WHEN),
            "num_prompts": sometimes_wrong(st.integers(0, 50)),
            "language": sometimes_wrong(TEXT),
        },
    )


def run_item(uuid: str, eval_uuids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    eval_uuid = st.sampled_from(eval_uuids) if eval_uuids else TEXT
    return shaped(
        {"eval_run_uuid": uuid},
        {
            "eval_uuid": sometimes_wrong(eval_uuid),
            "status": sometimes_wrong(STATUS),
            "created_at": sometimes_wrong(WHEN),
            "updated_at": sometimes_wrong(WHEN),
        },
        {
            "name": sometimes_wrong(st.none() | TEXT),
            "pass_rate": sometimes_wrong(RATE),
            "num_responses_scored": sometimes_wrong(st.integers(0, 100)),
            "is_sandbox": sometimes_wrong(st.booleans()),
            "workspace_uuid": sometimes_wrong(st.sampled_from(["ws-1", "ws-2"])),
        },
    )


def prompt_item(uuid: str) -> st.SearchStrategy[dict[str, Any]]:
    return shaped(
        {"prompt_uuid": uuid},
        {},
        {
            "content": sometimes_wrong(TEXT),
            "category": sometimes_wrong(st.none() | TEXT),
            "thread_uuid": sometimes_wrong(st.none() | TEXT),
            "turn_number": sometimes_wrong(st.none() | st.integers(0, 5)),
        },
    )


def response_item(uuid: str, prompt_uuids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    prompt = st.sampled_from(prompt_uuids) | TEXT if prompt_uuids else TEXT
    return shaped(
        {"response_uuid": uuid},
        {"prompt_uuid": sometimes_wrong(prompt)},
        {
            "content": sometimes_wrong(
                st.none() | TEXT | st.fixed_dictionaries({"file_uuid": TEXT})
            ),
            "content_type": sometimes_wrong(st.sampled_from(["text", "image", "video"]) | TEXT),
            "is_passed": sometimes_wrong(st.none() | st.booleans()),
            "confidence": sometimes_wrong(
                st.none() | st.floats(allow_nan=True, allow_infinity=True)
            ),
            "explanation": sometimes_wrong(st.none() | TEXT),
            "ai_refused": sometimes_wrong(st.booleans()),
            "exclude_from_scoring": sometimes_wrong(st.booleans()),
            "turn_number": sometimes_wrong(st.none() | st.integers(0, 5)),
            "manually_updated": sometimes_wrong(st.booleans()),
        },
    )


def report_item(uuid: str, run_uuids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    run_report = st.fixed_dictionaries(
        {"eval_run_uuid": st.sampled_from(run_uuids) if run_uuids else TEXT},
        optional={
            "passing_responses_summary": sometimes_wrong(TEXT),
            "failing_responses_summary": sometimes_wrong(TEXT),
            "improvement_advice": sometimes_wrong(TEXT),
        },
    )
    return shaped(
        {"eval_suite_report_uuid": uuid},
        {
            "status": sometimes_wrong(STATUS),
            "created_at": sometimes_wrong(WHEN),
            "updated_at": sometimes_wrong(WHEN),
        },
        {
            "eval_run_reports": sometimes_wrong(st.lists(run_report, max_size=3)),
            "overall_passing_responses_summary": sometimes_wrong(st.none() | TEXT),
        },
    )


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    """A whole account: evals, their prompts, runs, their responses, and reports."""
    n_evals = draw(st.integers(0, 3))
    eval_uuids = [f"e{i}" for i in range(n_evals)]
    evals = [draw(eval_item(uuid)) for uuid in eval_uuids]
    prompts = {
        uuid: [draw(prompt_item(f"{uuid}-p{j}")) for j in range(draw(st.integers(0, 4)))]
        for uuid in eval_uuids
    }
    prompt_uuids = [p["prompt_uuid"] for items in prompts.values() for p in items]
    run_uuids = [f"r{i}" for i in range(draw(st.integers(0, 4)))]
    runs = [draw(run_item(uuid, eval_uuids)) for uuid in run_uuids]
    responses = {
        uuid: [
            draw(response_item(f"{uuid}-x{j}", prompt_uuids))
            for j in range(draw(st.integers(0, 6)))
        ]
        for uuid in run_uuids
    }
    reports = [draw(report_item(f"rep{i}", run_uuids)) for i in range(draw(st.integers(0, 2)))]
    return {
        "evals": evals,
        "runs": runs,
        "prompts": prompts,
        "responses": responses,
        "reports": reports,
    }


def accepted(model: Any, items: list[Any]) -> list[Any]:
    """The items the client's model accepts."""
    out = []
    for item in items:
        with contextlib.suppress(ValidationError):
            out.append(model.model_validate(item))
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(datasets())
def test_any_aymara_shaped_data_loads_into_frames_and_figures_without_losing_rows(dataset):
    api = FakeAymara(**dataset)
    try:
        with api.client() as client:
            data = fetch_aymara(client, None)
    except APIError:
        return  # a typed error is an allowed outcome; anything else fails the test
    if data.fatal is not None:
        assert isinstance(data.fatal, APIError)
        return
    build_everything(data)

    named = " ".join(f"{p.what} {p.message}" for p in data.problems)
    runs = accepted(EvalRun, dataset["runs"])
    assert sorted(data.runs["eval_run_uuid"]) == sorted(r.eval_run_uuid for r in runs)
    if len(runs) < len(dataset["runs"]):
        assert "The list of runs" in named
    evals = accepted(Eval, dataset["evals"])
    assert len(data.evals) == len(evals)

    # Prompts: every accepted one is a row; a refused one is named with its eval.
    for eval_uuid, items in dataset["prompts"].items():
        if eval_uuid not in {e.eval_uuid for e in evals}:
            continue  # prompts are only asked for of listed evals
        good = accepted(EvalPrompt, items)
        rows = data.prompts[data.prompts["eval_uuid"] == eval_uuid]
        assert len(rows) == len(good)
        if len(good) < len(items):
            assert f"Prompts of eval {eval_uuid}" in named

    # Responses: likewise per run, for the runs whose responses are asked for.
    for run in runs:
        if run.status in ("failed", "created"):
            continue
        items = dataset["responses"][run.eval_run_uuid]
        good = accepted(ScoredResponse, items)
        rows = data.responses[data.responses["eval_run_uuid"].astype(str) == run.eval_run_uuid]
        assert len(rows) == len(good)
        if len(good) < len(items):
            assert f"({run.eval_run_uuid})" in named


@pytest.mark.parametrize("seed_text", ["", "\x00", "\u202e", "<script>", "🚀", "\U0010ffff"])
def test_text_columns_keep_any_text_exactly(seed_text):
    # One fixed example per awkward character, next to the random ones above.
    dataset = {
        "evals": [{"eval_uuid": "e0", "name": f"n{seed_text}", "eval_type": "safety"}],
        "runs": [
            {
                "eval_run_uuid": "r0",
                "eval_uuid": "e0",
                "status": "finished",
                "created_at": "2025-06-01T10:00:00Z",
                "updated_at": "2025-06-01T10:00:00Z",
                "name": f"run{seed_text}",
            }
        ],
        "prompts": {
            "e0": [{"prompt_uuid": "p0", "content": f"q{seed_text}", "category": seed_text}]
        },
        "responses": {
            "r0": [
                {
                    "response_uuid": "x0",
                    "prompt_uuid": "p0",
                    "content": f"a{seed_text}",
                    "explanation": f"e{seed_text}",
                    "is_passed": True,
                }
            ]
        },
    }
    with FakeAymara(**dataset).client() as client:
        data = fetch_aymara(client, None)
    assert data.problems == () and data.fatal is None
    row = data.responses.iloc[0]
    assert row["response_text"] == f"a{seed_text}"
    assert row["explanation"] == f"e{seed_text}"
    assert row["prompt_content"] == f"q{seed_text}"
    assert data.runs.iloc[0]["run_name"] == f"run{seed_text}"
    build_everything(data)
