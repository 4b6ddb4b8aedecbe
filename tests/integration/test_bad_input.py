"""Bad input: refused keys, missing things, and data that is odd but must still show.

Refusals come from the simulator over real HTTP (or `httpx.MockTransport` where the simulator
has no such answer); odd data is served by a fake Aymara API on a MockTransport and goes all
the way through the client, `reporting.aymara` and every `reporting.aymara.figures` builder.
"""

from __future__ import annotations

import json
import math
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pandas as pd
import plotly.graph_objects as go
import pytest

from client.aymara import AymaraClient
from client.errors import (
    AuthenticationError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
)
from client.feather import FeatherClient
from jobs.aymara_data import AymaraData
from jobs.aymara_fetch import fetch_aymara
from reporting.aymara.aggregates import (
    category_pass_rates,
    confidence_bands,
    eval_catalogue,
    failing_categories,
    latest_run_changes,
    verdict_counts,
)
from reporting.aymara.compare import flip_table, mcnemar_from_flips
from reporting.aymara.figures import (
    calibration_chart,
    category_bars,
    confidence_histogram,
    grouped_category_bars,
    pass_rate_by_eval,
)
from reporting.aymara.regressions import regression_board
from reporting.aymara.reports import report_rows, reports_frame
from reporting.aymara.schema import UNCATEGORISED
from reporting.aymara.search import filter_responses
from reporting.aymara.tables import evals_frame, runs_frame
from reporting.aymara.trend import pass_rate_over_time
from tests.conftest import SIMULATOR_KEY

T0 = "2025-06-01T10:00:00Z"
T1 = "2025-06-02T10:00:00Z"
WORKSPACE = "5d3c5a61-0000-4000-8000-000000000001"


# --------------------------------------------------------------------------- a fake Aymara API


class FakeAymara:
    """Serves evals, runs, prompts, responses and reports as the v2 API pages them.

    Items are raw JSON-able values (dicts, or anything else to test the client's checks).
    `raw` maps a path to a body served as is (bytes), to send JSON that `json.dumps` refuses.
    """

    def __init__(
        self,
        evals: list[Any] = (),
        runs: list[Any] = (),
        prompts: Mapping[str, list[Any]] | None = None,
        responses: Mapping[str, list[Any]] | None = None,
        reports: list[Any] = (),
        raw: Mapping[str, bytes] | None = None,
        status: Callable[[httpx.Request], httpx.Response | None] | None = None,
    ) -> None:
        self.listings: dict[str, list[Any]] = {
            "/v2/evals": list(evals),
            "/v2/eval-runs": list(runs),
            "/v2/eval-reports": list(reports),
        }
        for eval_uuid, items in (prompts or {}).items():
            self.listings[f"/v2/evals/{eval_uuid}/prompts"] = list(items)
        for run_uuid, items in (responses or {}).items():
            self.listings[f"/v2/eval-runs/{run_uuid}/responses"] = list(items)
        self.raw = dict(raw or {})
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status is not None:
            answer = self.status(request)
            if answer is not None:
                return answer
        path = request.url.path
        if path in self.raw:
            return httpx.Response(
                200, content=self.raw[path], headers={"content-type": "application/json"}
            )
        if path not in self.listings:
            if path.endswith(("/prompts", "/responses")):
                return httpx.Response(200, json={"items": [], "count": 0})
            return httpx.Response(404, json={"error": {"code": "resource.not_found"}})
        items = self.listings[path]
        limit = min(int(request.url.params.get("limit", 100)), 100)
        offset = int(request.url.params.get("offset", 0))
        # json.dumps, not httpx's json=: NaN and Infinity go out as a careless server sends them.
        page = {"items": items[offset : offset + limit], "count": len(items)}
        return httpx.Response(
            200, content=json.dumps(page).encode(), headers={"content-type": "application/json"}
        )

    def client(self, key: str = SIMULATOR_KEY, **options: Any) -> AymaraClient:
        options.setdefault("sleep", lambda seconds: None)
        return AymaraClient(
            key, "https://api.aymara.test", transport=httpx.MockTransport(self), **options
        )


def build_everything(data: AymaraData) -> list[go.Figure]:
    """Every aggregate and figure the pages build from a dataset; each figure serialised."""
    runs, responses = data.runs, data.responses
    latest = latest_run_changes(runs)
    cats = category_pass_rates(responses)
    by_type = category_pass_rates(responses, by="eval_type")
    failing_categories(responses)
    eval_catalogue(data.evals, runs)
    regression_board(runs, responses)
    verdict_counts(responses)
    filter_responses(responses, text="\x00", verdicts=["passed"], confidence=(0.2, 0.9))
    report_rows(list(data.reports), runs)
    reports_frame(list(data.reports), runs)
    run_ids = list(dict.fromkeys(responses["eval_run_uuid"].astype(str)))
    if len(run_ids) >= 2:
        a = responses[responses["eval_run_uuid"].astype(str) == run_ids[0]]
        b = responses[responses["eval_run_uuid"].astype(str) == run_ids[1]]
        mcnemar_from_flips(flip_table(a, b))
    built = [
        pass_rate_over_time(runs),
        pass_rate_by_eval(latest),
        category_bars(cats),
        category_bars(by_type, by="eval_type"),
        confidence_histogram(responses),
        grouped_category_bars(cats, cats, "A \u202e", "B <b>"),
        calibration_chart(confidence_bands(responses)),
    ]
    for fig in built:
        assert isinstance(fig, go.Figure)
        fig.to_json()  # what st.plotly_chart sends to the browser
    return built


def error_texts(error: BaseException) -> str:
    """Everything an error could show or log: message, repr, hint, url, and its traceback."""
    parts = [str(error), repr(error), *map(str, error.args)]
    parts += [str(getattr(error, name, "")) for name in ("hint", "url", "code", "request_id")]
    parts += traceback.format_exception(error)
    return "\n".join(parts)


# --------------------------------------------------------------------------- refused and missing


@pytest.mark.parametrize(
    ("key", "code", "message"),
    [
        ("sk-wrong-8e41b7c2d9", "auth.invalid_key", "Invalid API key."),
        ("expired-sk-5f2a9c71e3", "auth.expired_key", "The API key has expired."),
    ],
)
def test_a_refused_key_says_to_check_the_key_and_never_shows_it(simulator, key, code, message):
    with AymaraClient(key, simulator.base_url, sleep=lambda s: None) as client:
        with pytest.raises(AuthenticationError) as raised:
            client.get_eval("anything")
        data = fetch_aymara(client, None)
    error = raised.value
    assert error.status == 401 and error.code == code
    assert error.message.startswith(message)
    assert "API key" in error.hint
    assert isinstance(data.fatal, AuthenticationError) and data.fatal.code == code
    for shown in (error, data.fatal):
        assert key not in error_texts(shown)
        assert SIMULATOR_KEY not in error_texts(shown)


def test_a_refused_feather_key_says_to_check_the_key_and_never_shows_it(simulator):
    key = "fk-wrong-31c9d0a4b6"
    with FeatherClient(key, simulator.base_url, sleep=lambda s: None) as client:
        with pytest.raises(AuthenticationError) as raised:
            client.get_eval_run("00000000-0000-4000-8000-000000000000")
        listing = client.list_evaluators()
    assert raised.value.status == 401
    assert "x-api-key" in raised.value.message
    assert "API key" in raised.value.hint
    assert isinstance(listing.error, AuthenticationError)
    assert key not in error_texts(raised.value) + error_texts(listing.error)


def test_a_key_without_permission_says_to_ask_an_admin():
    def forbid(request: httpx.Request) -> httpx.Response:
        body = {
            "error": {
                "code": "auth.insufficient_permissions",
                "message": "This API key may not read workspace " + WORKSPACE + ".",
            },
            "request_id": "req_forbidden_1",
        }
        return httpx.Response(403, json=body)

    api = FakeAymara(status=forbid)
    with api.client() as client:
        data = fetch_aymara(client, WORKSPACE)
    assert isinstance(data.fatal, PermissionDeniedError)
    assert data.fatal.message == f"This API key may not read workspace {WORKSPACE}."
    assert data.fatal.request_id == "req_forbidden_1"
    assert "admin" in data.fatal.hint
    assert SIMULATOR_KEY not in error_texts(data.fatal)
    assert all(r.headers["x-api-key"] == SIMULATOR_KEY for r in api.requests)
    assert all(SIMULATOR_KEY not in str(r.url) for r in api.requests)


def test_an_unknown_workspace_is_a_not_found_error_that_says_what_to_do(simulator):
    unknown = "00000000-0000-4000-8000-00000000dead"
    with AymaraClient(SIMULATOR_KEY, simulator.base_url, sleep=lambda s: None) as client:
        data = fetch_aymara(client, unknown)
    assert isinstance(data.fatal, NotFoundError)
    assert unknown in data.fatal.message
    assert data.fatal.hint == NotFoundError.hint
    assert data.fatal.request_id
    assert data.evals.empty and data.runs.empty and data.responses.empty
    assert SIMULATOR_KEY not in error_texts(data.fatal)


def test_a_run_deleted_after_listing_is_a_not_found_error_that_says_what_to_do(start_simulator):
    sim = start_simulator(seed=7, scale=0.3)
    with AymaraClient(SIMULATOR_KEY, sim.base_url, sleep=lambda s: None) as client:
        run = client.list_eval_runs().items[0]
        httpx.delete(
            f"{sim.base_url}/v2/eval-runs/{run.eval_run_uuid}",
            headers={"x-api-key": SIMULATOR_KEY},
        ).raise_for_status()
        with pytest.raises(NotFoundError) as raised:
            client.get_eval_run(run.eval_run_uuid)
        listing = client.list_run_responses(run.eval_run_uuid)
    assert run.eval_run_uuid in raised.value.message
    assert "deleted" in raised.value.hint and "Refresh" in raised.value.hint
    assert isinstance(listing.error, NotFoundError)
    assert listing.items == [] and not listing.complete
    assert SIMULATOR_KEY not in error_texts(raised.value)


def test_a_server_that_echoes_the_key_back_has_it_scrubbed_from_the_error():
    key = "sk-echo-0a9b8c7d6e5f"

    def echo(request: httpx.Request) -> httpx.Response:
        given = request.headers["x-api-key"]
        body = {
            "error": {"code": f"auth.bad[{given}]", "message": f"Key {given} is not valid."},
            "request_id": f"req-{given}",
        }
        return httpx.Response(401, json=body)

    with (
        FakeAymara(status=echo).client(key) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get_eval("e1")
    assert key not in error_texts(raised.value)
    assert raised.value.message == "Key *** is not valid."


# --------------------------------------------------------------------------- odd data shows


CONTROL = "bell\x07 nul\x00 \x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth"
RTL = "مرحبا بالعالم — שלום עולם"
EMOJI = "🚀🔥 👩🏽‍💻 🏳️‍🌈"
CJK = "安全性評価 안전성 평가 テスト"
HUGE = "The judge explains. " * 52_429  # just over 1 MB
HTMLISH = "<b>bold</b> <a href='https://evil.example'>x</a> ![t](http://tracker.invalid/p.png)"


def odd_dataset() -> FakeAymara:
    """Valid but surprising data: unknown enums, nulls, out-of-range numbers, odd text."""
    evals = [
        {
            "eval_uuid": "e-safe",
            "name": f"Safety {EMOJI}",
            "eval_type": "safety",
            "ai_description": RTL,
            "workspace_uuid": WORKSPACE,
            "created_at": T0,
            "unknown_field": {"nested": [1, 2, 3]},
        },
        {"eval_uuid": "e-odd", "name": CONTROL, "eval_type": "quantum_vibes"},  # no more fields
        {"eval_uuid": "e-cjk", "name": CJK, "eval_type": "accuracy", "num_prompts": None},
    ]

    def run(uuid: str, eval_uuid: str, status: str, pass_rate: Any, **extra: Any) -> dict:
        return {
            "eval_run_uuid": uuid,
            "eval_uuid": eval_uuid,
            "status": status,
            "created_at": extra.pop("created_at", T0),
            "updated_at": T1,
            "pass_rate": pass_rate,
            **extra,
        }

    runs = [
        run("r-1", "e-safe", "finished", 0.5, name=f"Run {RTL}", evaluation=evals[0]),
        run("r-2", "e-safe", "finished", None, name=CONTROL, created_at=T1),
        run("r-3", "e-odd", "paused_by_the_moon", 42.0, name=EMOJI),
        run("r-4", "e-cjk", "finished", 1.7, name=HTMLISH, num_responses_scored="7"),
        run("r-5", "e-cjk", "FINISHED", -0.2),  # no name, no evaluation
    ]
    prompts = {
        "e-safe": [
            {"prompt_uuid": "p-1", "content": RTL, "category": EMOJI},
            {"prompt_uuid": "p-2", "content": CONTROL, "category": HTMLISH},
            {"prompt_uuid": "p-3"},  # no content, no category
        ],
        "e-odd": [{"prompt_uuid": "p-9", "content": CJK, "category": CJK, "turn_number": None}],
        "e-cjk": [{"prompt_uuid": "p-5", "content": "2 + 2?", "category": "arithmetic"}],
    }

    def response(uuid: str, prompt: str, **fields: Any) -> dict:
        return {"response_uuid": uuid, "prompt_uuid": prompt, **fields}

    responses = {
        "r-1": [
            response("a1", "p-1", content=RTL, is_passed=True, confidence=0.9, explanation=HUGE),
            response("a2", "p-2", content=CONTROL, is_passed=False, confidence=1.7),
            response("a3", "p-3", content={"some": "object"}, is_passed=None, confidence=-0.2),
            response("a4", "p-1", content=None, content_type="hologram", explanation=EMOJI),
            response("a5", "p-2", content={"file_uuid": "f-1"}, content_type="image"),
            response("a6", "p-unknown", content=CJK, is_passed=True, extra={"x": 1}),
        ],
        "r-2": [
            response("b1", "p-1", content=EMOJI, is_passed=True, confidence=0.2),
            response("b2", "p-2", content=HTMLISH, is_passed=False, explanation=CONTROL),
        ],
        "r-3": [response("c1", "p-9", content=CJK, is_passed=False, confidence=0.5)],
        "r-4": [response("d1", "p-5", content="4", is_passed=True, ai_refused=None)],
    }
    reports = [
        {
            "eval_suite_report_uuid": "rep-1",
            "status": "being_written",
            "created_at": T0,
            "updated_at": T1,
            "eval_run_reports": [
                {
                    "eval_run_uuid": "r-1",
                    "passing_responses_summary": CONTROL,
                    "failing_responses_summary": None,
                    "improvement_advice": HTMLISH,
                },
                {"eval_run_uuid": "r-4", "passing_responses_summary": "<arith>fine</arith>"},
                {"eval_run_uuid": "r-404"},  # a run we never saw
            ],
            "overall_passing_responses_summary": None,
        }
    ]
    return FakeAymara(evals, runs, prompts, responses, reports)


def column(frame: pd.DataFrame, key: str, value: str, name: str) -> Any:
    """The value of `name` in the row whose `key` is `value`."""
    rows = frame[frame[key].astype(str) == value]
    assert len(rows) == 1, (key, value, len(rows))
    return rows.iloc[0][name]


def test_odd_but_valid_data_loads_whole_and_every_figure_builds():
    with odd_dataset().client() as client:
        data = fetch_aymara(client, None)
    assert data.fatal is None
    assert data.problems == ()
    assert (len(data.evals), len(data.runs), len(data.responses)) == (3, 5, 10)
    build_everything(data)

    # Text survives unchanged, character for character.
    resp = data.responses
    assert column(resp, "response_uuid", "a1", "explanation") == HUGE
    assert column(resp, "response_uuid", "a1", "response_text") == RTL
    assert column(resp, "response_uuid", "a2", "response_text") == CONTROL
    assert column(resp, "response_uuid", "a2", "prompt_content") == CONTROL
    assert column(resp, "response_uuid", "a2", "prompt_category") == HTMLISH
    assert column(resp, "response_uuid", "b2", "explanation") == CONTROL
    assert column(resp, "response_uuid", "c1", "response_text") == CJK
    assert column(data.runs, "eval_run_uuid", "r-2", "run_name") == CONTROL
    assert column(data.runs, "eval_run_uuid", "r-3", "run_name") == EMOJI
    assert column(data.runs, "eval_run_uuid", "r-4", "run_name") == HTMLISH
    assert column(data.evals, "eval_uuid", "e-odd", "eval_name") == CONTROL
    assert column(data.evals, "eval_uuid", "e-cjk", "eval_name") == CJK

    # Unknown enum values are kept as text.
    assert column(data.runs, "eval_run_uuid", "r-3", "status") == "paused_by_the_moon"
    assert column(data.evals, "eval_uuid", "e-odd", "eval_type") == "quantum_vibes"
    assert column(resp, "response_uuid", "a4", "content_type") == "hologram"
    assert data.reports[0].status == "being_written"

    # Content that is an object or null is no text, never a crash; a file is a file.
    assert column(resp, "response_uuid", "a3", "response_text") == ""
    assert column(resp, "response_uuid", "a4", "response_text") == ""
    assert column(resp, "response_uuid", "a5", "file_uuid") == "f-1"

    # Numbers out of range are kept visible as such, not used as if valid.
    assert not column(resp, "response_uuid", "a2", "confidence_valid")
    assert not column(resp, "response_uuid", "a3", "confidence_valid")
    assert column(resp, "response_uuid", "a1", "confidence_valid")
    assert math.isnan(column(data.runs, "eval_run_uuid", "r-2", "pass_rate"))
    assert column(data.runs, "eval_run_uuid", "r-3", "pass_rate") == pytest.approx(0.42)
    assert column(resp, "response_uuid", "a3", "verdict") == "not scored"
    assert column(resp, "response_uuid", "a6", "prompt_category") == UNCATEGORISED


def test_non_finite_numbers_in_the_json_do_not_break_frames_or_figures():
    # Python's json (and so httpx) reads NaN and Infinity: a careless server can send them.
    runs = [
        {
            "eval_run_uuid": f"r-{i}",
            "eval_uuid": "e-1",
            "status": "finished",
            "created_at": T0,
            "updated_at": T1,
            "pass_rate": rate,
        }
        for i, rate in enumerate(["NaN", "Infinity", "-Infinity", "0.5"])
    ]
    responses = [
        {"response_uuid": f"x{i}", "prompt_uuid": "p-1", "is_passed": True, "confidence": c}
        for i, c in enumerate(["NaN", "Infinity", "-Infinity", "1e308", "0.7"])
    ]

    def page(items: list[dict]) -> bytes:
        text = json.dumps({"items": items, "count": len(items)})
        return (
            text.replace('"NaN"', "NaN")
            .replace('"Infinity"', "Infinity")
            .replace('"-Infinity"', "-Infinity")
            .encode()
        )

    api = FakeAymara(
        evals=[{"eval_uuid": "e-1", "name": "E", "eval_type": "safety"}],
        prompts={"e-1": [{"prompt_uuid": "p-1", "content": "q", "category": "c"}]},
        raw={"/v2/eval-runs": page(runs), "/v2/eval-runs/r-0/responses": page(responses)},
    )
    with api.client() as client:
        data = fetch_aymara(client, None)
    assert data.fatal is None and data.problems == ()
    assert len(data.runs) == 4 and len(data.responses) == 5
    assert data.responses["confidence_valid"].sum() == 1
    assert data.runs["pass_rate"].notna().sum() == 1
    build_everything(data)


def test_items_that_do_not_fit_the_schema_are_named_and_the_rest_shows():
    api = FakeAymara(
        evals=[{"eval_uuid": "e-1", "name": "E", "eval_type": "safety"}],
        runs=[
            {
                "eval_run_uuid": "r-ok",
                "eval_uuid": "e-1",
                "status": "finished",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "eval_run_uuid": "r-bad",
                "eval_uuid": "e-1",
                "status": "finished",
                "created_at": "yesterday-ish",
                "updated_at": T1,
            },
            "not even an object",
        ],
        responses={
            "r-ok": [
                {"response_uuid": "ok1", "prompt_uuid": "p-1", "is_passed": True},
                {"response_uuid": "bad1", "is_passed": True},  # no prompt_uuid
                {"response_uuid": "bad2", "prompt_uuid": "p-1", "confidence": "very"},
                {"response_uuid": "ok2", "prompt_uuid": "p-1", "is_passed": False},
            ]
        },
    )
    with api.client() as client:
        data = fetch_aymara(client, None)
    assert data.fatal is None
    assert list(data.runs["eval_run_uuid"]) == ["r-ok"]
    assert sorted(data.responses["response_uuid"]) == ["ok1", "ok2"]
    by_what = {p.what: p.message for p in data.problems}
    assert "r-bad" in by_what["The list of runs"] and "#2" in by_what["The list of runs"]
    named = by_what["Responses of run 'r-ok' (r-ok)"]
    assert "2 items" in named and "bad1" in named and "bad2" in named
    build_everything(data)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"items": {"not": "a list"}, "count": 1}',
        b'{"count": 3}',
        b"null",
        b'"just a string"',
        b'{"items": [], "count": -5}',
        b'{"items": [], "count": "many"}',
    ],
    ids=["list", "items-object", "no-items", "null", "string", "negative-count", "text-count"],
)
def test_a_page_of_the_wrong_shape_is_a_clear_error_never_a_crash(body):
    api = FakeAymara(
        evals=[{"eval_uuid": "e-1", "name": "E", "eval_type": "safety"}],
        runs=[
            {
                "eval_run_uuid": "r-1",
                "eval_uuid": "e-1",
                "status": "finished",
                "created_at": T0,
                "updated_at": T1,
            }
        ],
        raw={"/v2/eval-runs/r-1/responses": body},
    )
    with api.client() as client:
        data = fetch_aymara(client, None)
    assert data.fatal is None
    assert len(data.runs) == 1
    named = [p for p in data.problems if "(r-1)" in p.what]
    if body in (b'{"items": [], "count": -5}', b'{"items": [], "count": "many"}'):
        assert named == []  # an unusable count is ignored: the page itself is fine
    else:
        assert len(named) == 1 and "items" in named[0].message and named[0].hint
    build_everything(data)


def test_a_200_that_is_not_json_is_a_clear_malformed_response_error():
    api = FakeAymara(raw={"/v2/evals": b"<html>maintenance</html>", "/v2/eval-runs": b"{"})
    with api.client(max_retries=1) as client:
        data = fetch_aymara(client, None)
    assert isinstance(data.fatal, MalformedResponseError)
    assert "not valid JSON" in data.fatal.message
    assert data.fatal.hint == MalformedResponseError.hint
    # Evals and runs tried twice each (a cut-off body is worth another try), reports once.
    assert len(api.requests) == 2 + 2 + 1


@pytest.mark.parametrize("runs", ["none", "processing", "finished-without-rate"])
def test_the_eval_catalogue_builds_for_evals_without_a_finished_pass_rate(runs):
    from client.aymara_models import Eval, EvalRun

    evals = evals_frame([Eval(eval_uuid="e-1", name="New eval", eval_type="safety")])
    listed = {
        "none": [],
        "processing": [("processing", None)],
        "finished-without-rate": [("finished", None)],
    }[runs]
    runs_df = runs_frame(
        [
            EvalRun(
                eval_run_uuid=f"r-{i}",
                eval_uuid="e-1",
                status=status,
                pass_rate=rate,
                created_at=T0,
                updated_at=T1,
            )
            for i, (status, rate) in enumerate(listed)
        ],
        evals,
    )
    catalogue = eval_catalogue(evals, runs_df)
    assert catalogue["runs"].tolist() == [len(listed)]
    assert catalogue["latest_pass_rate"].isna().all()
    assert catalogue["latest_finished_at"].isna().all()


@pytest.mark.parametrize("field", ["content", "explanation", "run name", "category"])
def test_a_lone_surrogate_escape_in_any_text_does_not_break_the_load(field):
    odd = "a\\ud800b"  # the six characters of a JSON escape, not a Python one

    def text(name: str, default: str) -> str:
        return odd if field == name else default

    runs = (
        '{"items": [{"eval_run_uuid": "r-1", "eval_uuid": "e-1", "status": "finished", '
        f'"created_at": "{T0}", "updated_at": "{T1}", "name": "{text("run name", "R")}"}}], '
        '"count": 1}'
    )
    prompts = (
        '{"items": [{"prompt_uuid": "p-1", "content": "q", '
        f'"category": "{text("category", "c")}"}}], "count": 1}}'
    )
    responses = (
        '{"items": [{"response_uuid": "x", "prompt_uuid": "p-1", '
        f'"content": "{text("content", "a")}", "explanation": "{text("explanation", "e")}"}}], '
        '"count": 1}'
    )
    api = FakeAymara(
        evals=[{"eval_uuid": "e-1", "name": "E", "eval_type": "safety"}],
        raw={
            "/v2/eval-runs": runs.encode(),
            "/v2/evals/e-1/prompts": prompts.encode(),
            "/v2/eval-runs/r-1/responses": responses.encode(),
        },
    )
    with api.client() as client:
        data = fetch_aymara(client, None)
    assert data.fatal is None
    assert len(data.responses) == 1
    build_everything(data)
