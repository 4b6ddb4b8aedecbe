"""The Aymara v2 client: which requests each method sends, and how leniently it reads answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from client.aymara import DEFAULT_BASE_URL, AymaraClient
from client.aymara_models import (
    EvalRun,
    EvalRunExample,
    FileReference,
    ResponseToScore,
    ScoredResponse,
    ScoreRequest,
)
from client.errors import MalformedResponseError, NotFoundError, ServerError
from client.transport import fingerprint

KEY = "aym-SECRET-key-for-client-tests"
BASE = "https://aymara.example.test"
STAMP = "2025-03-01T12:00:00Z"

Route = Callable[[httpx.Request], httpx.Response]


class FakeAymara:
    """Routes by exact path; a list route is served as offset pages of its items."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def listing(self, path: str, items: list[dict[str, Any]]) -> None:
        def serve(request: httpx.Request) -> httpx.Response:
            offset = int(request.url.params["offset"])
            limit = int(request.url.params["limit"])
            return httpx.Response(
                200, json={"items": items[offset : offset + limit], "count": len(items)}
            )

        self.routes[path] = serve

    def answer(self, path: str, response: httpx.Response | dict[str, Any]) -> None:
        def serve(request: httpx.Request) -> httpx.Response:
            if isinstance(response, httpx.Response):
                return httpx.Response(
                    response.status_code, headers=response.headers, content=response.content
                )
            return httpx.Response(200, json=response)

        self.routes[path] = serve

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.url.raw_path.decode().split("?")[0])
        if route is None:
            return httpx.Response(404, json={"error": {"code": "resource.not_found"}})
        return route(request)

    def to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


@pytest.fixture
def api() -> FakeAymara:
    return FakeAymara()


@pytest.fixture
def client(api: FakeAymara, sleeps: list[float]) -> Iterator[AymaraClient]:
    with AymaraClient(KEY, BASE, sleep=sleeps.append, transport=httpx.MockTransport(api)) as aymara:
        yield aymara


def an_eval(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "eval_uuid": f"ev-{i:03d}",
        "name": f"Eval {i}",
        "ai_description": "A helpful assistant",
        "eval_type": "safety",
        "workspace_uuid": "ws_1",
        "status": "finished",
        **fields,
    }


def a_run(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "eval_run_uuid": f"run-{i:03d}",
        "eval_uuid": "ev-001",
        "status": "finished",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }


def a_response(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "response_uuid": f"resp-{i:04d}",
        "prompt_uuid": f"prompt-{i:04d}",
        "content": f"answer {i}",
        "is_passed": i % 3 != 0,
        "confidence": 0.9,
        "explanation": "fine",
        **fields,
    }


# --- listings ------------------------------------------------------------------------------


def test_list_evals_pages_through_every_eval(api: FakeAymara, client: AymaraClient) -> None:
    api.listing("/v2/evals", [an_eval(i) for i in range(250)])

    listing = client.list_evals("ws_1")

    assert [e.eval_uuid for e in listing.items] == [f"ev-{i:03d}" for i in range(250)]
    assert listing.complete
    sent = api.to("/v2/evals")
    assert len(sent) == 3
    assert sorted(int(r.url.params["offset"]) for r in sent) == [0, 100, 200]
    assert {r.url.params["limit"] for r in sent} == {"100"}
    assert {r.url.params["workspace_uuid"] for r in sent} == {"ws_1"}
    assert {r.method for r in sent} == {"GET"}


def test_no_workspace_leaves_the_parameter_out(api: FakeAymara, client: AymaraClient) -> None:
    api.listing("/v2/evals", [an_eval(1)])

    client.list_evals()

    assert "workspace_uuid" not in api.requests[0].url.params


def test_list_eval_runs_filters_by_eval_and_gets_every_page(
    api: FakeAymara, client: AymaraClient
) -> None:
    api.listing("/v2/eval-runs", [a_run(i) for i in range(130)])

    listing = client.list_eval_runs("ws_1", eval_uuid="ev-001")

    assert len(listing.items) == 130
    assert all(isinstance(run, EvalRun) for run in listing.items)
    assert {r.url.params["eval_uuid"] for r in api.requests} == {"ev-001"}
    assert len(api.requests) == 2


def test_list_run_responses_reads_the_runs_responses(api: FakeAymara, client: AymaraClient) -> None:
    api.listing("/v2/eval-runs/run-001/responses", [a_response(i) for i in range(120)])

    listing = client.list_run_responses("run-001", "ws_1")

    assert len(listing.items) == 120
    assert listing.items[0].response_uuid == "resp-0000"


def test_responses_without_uuids_are_told_apart_by_prompt_thread_and_turn(
    api: FakeAymara, client: AymaraClient
) -> None:
    items = [
        a_response(1, response_uuid=None, thread_uuid="t1", turn_number=1),
        a_response(1, response_uuid=None, thread_uuid="t1", turn_number=2),
        a_response(1, response_uuid=None, thread_uuid="t1", turn_number=2),  # a repeat
    ]
    api.listing("/v2/eval-runs/run-001/responses", items)

    listing = client.list_run_responses("run-001")

    assert [r.turn_number for r in listing.items] == [1, 2]


def test_an_id_cannot_change_the_path_it_is_put_in(api: FakeAymara, client: AymaraClient) -> None:
    client.list_run_responses("../../evals?x=1")

    (request,) = api.requests
    assert request.url.raw_path.decode().split("?")[0] == (
        "/v2/eval-runs/..%2F..%2Fevals%3Fx%3D1/responses"
    )
    assert "x" not in request.url.params


def test_the_other_listings_read_their_own_paths(api: FakeAymara, client: AymaraClient) -> None:
    api.listing(
        "/v2/evals/ev-001/prompts",
        [{"prompt_uuid": f"p{i}", "content": f"Q{i}", "category": "c"} for i in range(3)],
    )
    api.listing(
        "/v2/eval-reports",
        [
            {
                "eval_suite_report_uuid": "rep-1",
                "status": "finished",
                "created_at": STAMP,
                "updated_at": STAMP,
                "eval_run_reports": [{"eval_run_uuid": "run-001", "eval_run": a_run(1)}],
            }
        ],
    )
    api.listing(
        "/v2/eval-types",
        [{"eval_type_uuid": "et-1", "name": "Safety", "supported_generation_inputs": ["text"]}],
    )

    prompts = client.list_eval_prompts("ev-001", "ws_1")
    reports = client.list_reports("ws_1")
    types = client.list_eval_types()

    assert [p.prompt_uuid for p in prompts.items] == ["p0", "p1", "p2"]
    assert reports.items[0].eval_run_reports[0].eval_run.eval_run_uuid == "run-001"
    assert types.items[0].name == "Safety"
    assert "workspace_uuid" not in api.to("/v2/eval-types")[0].url.params


def test_single_reads_send_the_workspace(api: FakeAymara, client: AymaraClient) -> None:
    api.answer("/v2/evals/ev-001", an_eval(1))
    api.answer("/v2/eval-runs/run-001", a_run(1))
    api.answer(
        "/v2/eval-reports/rep-1",
        {
            "eval_suite_report_uuid": "rep-1",
            "status": "processing",
            "created_at": STAMP,
            "updated_at": STAMP,
            "eval_run_reports": [],
        },
    )

    assert client.get_eval("ev-001", "ws_1").name == "Eval 1"
    assert client.get_eval_run("run-001", "ws_1").status == "finished"
    assert client.get_report("rep-1", "ws_1").status == "processing"
    assert {r.url.params["workspace_uuid"] for r in api.requests} == {"ws_1"}


def test_a_body_that_does_not_fit_the_model_is_a_malformed_response(
    api: FakeAymara, client: AymaraClient
) -> None:
    api.answer("/v2/eval-runs/run-001", {"eval_run_uuid": "run-001", "status": "finished"})

    with pytest.raises(MalformedResponseError) as caught:
        client.get_eval_run("run-001")

    assert "EvalRun" in str(caught.value)
    assert "eval_uuid" in str(caught.value)
    assert len(api.requests) == 1  # a well-formed JSON answer is not asked for again


def test_an_unknown_run_is_not_found(api: FakeAymara, client: AymaraClient) -> None:
    with pytest.raises(NotFoundError):
        client.get_eval_run("run-missing")


# --- many listings at once -----------------------------------------------------------------


def test_fetch_run_responses_reports_progress_up_to_the_total(
    api: FakeAymara, client: AymaraClient
) -> None:
    sizes = {f"run-{i:03d}": (i * 37) % 250 for i in range(20)}
    for run_uuid, size in sizes.items():
        api.listing(f"/v2/eval-runs/{run_uuid}/responses", [a_response(n) for n in range(size)])
    progress: list[tuple[int, int, int]] = []

    listings = client.fetch_run_responses(
        [(run_uuid, "ws_1") for run_uuid in sizes], on_progress=lambda *p: progress.append(p)
    )

    assert {run: len(listing.items) for run, listing in listings.items()} == sizes
    done = [d for d, _, _ in progress]
    items = [n for _, _, n in progress]
    assert done == list(range(1, 21))
    assert items == sorted(items)
    assert {total for _, total, _ in progress} == {20}
    assert progress[-1] == (20, 20, sum(sizes.values()))


@pytest.mark.parametrize(
    ("failure", "error_class", "attempts"),
    [
        (httpx.Response(404, json={"error": {"code": "resource.not_found"}}), NotFoundError, 1),
        (httpx.Response(500, json={"error": {"code": "server.internal_error"}}), ServerError, 3),
    ],
    ids=["404", "500 after retries"],
)
def test_one_runs_listing_failing_keeps_the_others(
    failure: httpx.Response,
    error_class: type[Exception],
    attempts: int,
    api: FakeAymara,
    client: AymaraClient,
) -> None:
    for i in range(6):
        api.listing(f"/v2/eval-runs/run-{i}/responses", [a_response(n) for n in range(150)])
    api.answer("/v2/eval-runs/run-3/responses", failure)

    listings = client.fetch_run_responses([(f"run-{i}", None) for i in range(6)])

    assert isinstance(listings["run-3"].error, error_class)
    assert listings["run-3"].items == []
    assert len(api.to("/v2/eval-runs/run-3/responses")) == attempts
    for i in (0, 1, 2, 4, 5):
        assert listings[f"run-{i}"].complete
        assert len(listings[f"run-{i}"].items) == 150


def test_fetch_eval_prompts_keys_each_listing_by_its_eval(
    api: FakeAymara, client: AymaraClient
) -> None:
    for i in range(3):
        api.listing(
            f"/v2/evals/ev-{i}/prompts", [{"prompt_uuid": f"{i}-{n}"} for n in range(i + 1)]
        )

    listings = client.fetch_eval_prompts([(f"ev-{i}", "ws_1") for i in range(3)])

    assert {k: [p.prompt_uuid for p in v.items] for k, v in listings.items()} == {
        "ev-0": ["0-0"],
        "ev-1": ["1-0", "1-1"],
        "ev-2": ["2-0", "2-1", "2-2"],
    }


# --- lenient models ------------------------------------------------------------------------


def test_a_run_is_read_leniently(api: FakeAymara, client: AymaraClient) -> None:
    api.answer(
        "/v2/eval-runs/run-001",
        a_run(
            1,
            status="archived_by_policy",  # a status from the future
            pass_rate=None,
            brand_new_field={"nested": [1, 2]},
            evaluation=an_eval(1, eval_type="video_safety", also_new=True),
            responses=[
                a_response(1, content="plain text"),
                a_response(
                    2,
                    content={"file_uuid": "f-1", "remote_file_path": "s3://b/k.png", "x": 1},
                    content_type="image",
                ),
                a_response(3, content=None, ai_refused=True, is_passed=None),
                {"prompt_uuid": "p-only"},
            ],
        ),
    )

    run = client.get_eval_run("run-001")

    assert run.status == "archived_by_policy"
    assert run.pass_rate is None
    assert run.name is None and run.num_responses_scored is None
    assert not hasattr(run, "brand_new_field")
    assert run.evaluation is not None and run.evaluation.eval_type == "video_safety"
    text, image, refused, bare = run.responses or []
    assert text.content == "plain text"
    assert image.content == FileReference(file_uuid="f-1", remote_file_path="s3://b/k.png")
    assert image.content_type == "image"
    assert refused.content is None and refused.ai_refused and refused.is_passed is None
    assert bare.response_uuid is None and bare.content is None and bare.explanation is None
    assert run.created_at.year == 2025


def test_an_eval_with_only_its_uuid_still_reads() -> None:
    from client.aymara_models import Eval

    ev = Eval.model_validate({"eval_uuid": "ev-1"})

    assert ev.name is None
    assert ev.eval_type == "unknown"
    assert ev.status is None


def test_pass_rate_is_kept_as_a_fraction() -> None:
    run = EvalRun.model_validate(a_run(1, pass_rate=0.75, num_responses_scored=40))

    assert run.pass_rate == 0.75


def test_a_manually_updated_response_reads_its_history() -> None:
    response = ScoredResponse.model_validate(
        a_response(
            1,
            manually_updated=True,
            manually_updated_at=STAMP,
            manually_updated_by={"email": "a@b.c", "feature_flags": {"enable_dashboard": True}},
            update_history=[
                {"answer_history_uuid": "h1", "updated_at": STAMP, "previous_is_passed": False}
            ],
        )
    )

    assert response.manually_updated_by is not None
    assert response.manually_updated_by.email == "a@b.c"
    assert response.update_history is not None
    assert response.update_history[0].previous_is_passed is False


# --- scoring -------------------------------------------------------------------------------


def score_request() -> ScoreRequest:
    return ScoreRequest(
        eval_uuid="ev-001",
        name="Nightly",
        responses=[
            ResponseToScore(prompt_uuid="p-1", content="Sure, here is how."),
            ResponseToScore(prompt_uuid="p-2", content=None, ai_refused=True),
            ResponseToScore(
                prompt_uuid="p-3",
                content=FileReference(file_uuid="f-9"),
                content_type="image",
            ),
        ],
        eval_run_examples=[EvalRunExample(prompt="Q", response="A", type="pass")],
    )


def test_score_responses_posts_the_request_without_nulls(
    api: FakeAymara, client: AymaraClient
) -> None:
    api.answer("/v2/eval-runs/-/score-responses", a_run(7, num_responses_scored=3))

    run = client.score_responses(score_request(), workspace_uuid="ws_1")

    (request,) = api.requests
    assert request.method == "POST"
    assert dict(request.url.params) == {"workspace_uuid": "ws_1", "is_sandbox": "false"}
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "eval_uuid": "ev-001",
        "name": "Nightly",
        "responses": [
            {
                "prompt_uuid": "p-1",
                "content": "Sure, here is how.",
                "content_type": "text",
                "ai_refused": False,
                "exclude_from_scoring": False,
                "turn_number": 1,
                "continue_thread": False,
            },
            {
                "prompt_uuid": "p-2",
                "content_type": "text",
                "ai_refused": True,
                "exclude_from_scoring": False,
                "turn_number": 1,
                "continue_thread": False,
            },
            {
                "prompt_uuid": "p-3",
                "content": {"file_uuid": "f-9"},
                "content_type": "image",
                "ai_refused": False,
                "exclude_from_scoring": False,
                "turn_number": 1,
                "continue_thread": False,
            },
        ],
        "eval_run_examples": [{"prompt": "Q", "response": "A", "type": "pass"}],
    }
    assert run.eval_run_uuid == "run-007"
    assert run.num_responses_scored == 3


def test_score_responses_in_the_sandbox_says_so_in_lowercase(
    api: FakeAymara, client: AymaraClient
) -> None:
    api.answer("/v2/eval-runs/-/score-responses", a_run(7))

    client.score_responses(score_request(), is_sandbox=True)

    assert dict(api.requests[0].url.params) == {"is_sandbox": "true"}


def test_score_responses_is_sent_once_even_when_it_fails(
    api: FakeAymara, client: AymaraClient, sleeps: list[float]
) -> None:
    api.answer(
        "/v2/eval-runs/-/score-responses",
        httpx.Response(500, json={"error": {"code": "server.internal_error", "message": "x"}}),
    )

    with pytest.raises(ServerError):
        client.score_responses(score_request())

    assert len(api.requests) == 1
    assert sleeps == []


def test_a_score_request_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ScoreRequest(eval_uuid="ev-1", responses=[], is_sandboxed=True)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ResponseToScore(prompt_uuid="p", is_pased=True)  # type: ignore[call-arg]


# --- configuration -------------------------------------------------------------------------


def test_from_env_reads_the_sdks_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AYMARA_AI_API_KEY", KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", "http://127.0.0.1:9999/")

    with AymaraClient.from_env() as aymara:
        assert aymara.base_url == "http://127.0.0.1:9999"
        assert aymara.key_fingerprint == fingerprint(KEY)

    monkeypatch.delenv("AYMARA_AI_BASE_URL")
    with AymaraClient.from_env() as aymara:
        assert aymara.base_url == DEFAULT_BASE_URL


def test_the_clients_transport_never_shows_the_key(client: AymaraClient) -> None:
    assert KEY not in repr(client.transport)
    assert KEY not in repr(client)
    assert client.key_fingerprint in repr(client.transport)


def test_every_request_carries_the_key_only_in_its_header(
    api: FakeAymara, client: AymaraClient
) -> None:
    api.listing("/v2/evals", [an_eval(i) for i in range(150)])
    api.answer("/v2/eval-runs/-/score-responses", a_run(1))

    client.list_evals("ws_1")
    client.score_responses(score_request(), workspace_uuid="ws_1")

    assert len(api.requests) == 3
    for request in api.requests:
        assert request.headers["x-api-key"] == KEY
        assert KEY not in str(request.url)
        assert KEY not in request.content.decode()


def test_a_rate_limited_client_waits_through_the_injected_sleep(
    api: FakeAymara, sleeps: list[float]
) -> None:
    api.answer("/v2/evals/ev-001", an_eval(1))
    client = AymaraClient(
        KEY, BASE, requests_per_second=1, sleep=sleeps.append, transport=httpx.MockTransport(api)
    )

    for _ in range(3):
        client.get_eval("ev-001")

    assert len(api.requests) == 3
    assert len(sleeps) == 2  # the burst of one is used, then each caller queues a second on
    assert sleeps[0] == pytest.approx(1.0, abs=0.2)
    assert sleeps[1] == pytest.approx(2.0, abs=0.2)
