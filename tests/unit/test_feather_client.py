"""The Feather client against a faked network: cursor paging, filters, errors, activity, quota."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from client.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PagingError,
    RateLimitError,
    ServerError,
)
from client.feather import (
    DEFAULT_BASE_URL,
    FeatherClient,
    RunFilters,
    count_activity,
    format_when,
)
from client.feather_models import EvalRun, run_outcome

KEY = "fth_live_unit-test-key-0001"
BASE = "https://feather.test"
ORG = "org-1"

Handler = Callable[[httpx.Request], httpx.Response]


def make_run(
    run_id: str,
    *,
    status: str = "completed",
    passed: tuple[bool | None, ...] = (True,),
    created_at: str = "2026-03-02T10:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """A run as the API sends it, with one score per `passed` verdict."""
    return {
        "id": run_id,
        "organization_id": ORG,
        "session_id": f"session-{run_id}",
        "evaluator_id": "evaluator-1",
        "status": status,
        "started_at": None,
        "finished_at": None,
        "error_text": None,
        "prompt_snapshot": "Was the answer polite?",
        "threshold_snapshot": 0.7,
        "severity_snapshot": "high",
        "format_snapshot": "score",
        "created_at": created_at,
        "scores": [
            {
                "id": f"{run_id}-score-{index}",
                "organization_id": ORG,
                "eval_run_id": run_id,
                "value": 0.9 if verdict else 0.1,
                "raw_value": None,
                "label": None,
                "passed": verdict,
                "confidence": 0.8,
                "rationale": "Because.",
                "severity": "high",
                "blocking": False,
                "created_at": created_at,
            }
            for index, verdict in enumerate(passed)
        ],
        **extra,
    }


def page(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    """A cursor page; has_more whenever there is a cursor."""
    return {"items": items, "has_more": next_cursor is not None, "next_cursor": next_cursor}


class Recorder:
    """A MockTransport handler that records every request and answers from a function."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def params(self, index: int = -1) -> dict[str, str]:
        """The query parameters of one recorded request."""
        return dict(self.requests[index].url.params)


def client_for(answer: Handler, **kwargs: Any) -> tuple[FeatherClient, Recorder]:
    """A client whose network is `answer`; never sleeps, no quota unless asked for."""
    recorder = Recorder(answer)
    kwargs.setdefault("sleep", lambda seconds: None)
    kwargs.setdefault("requests_per_minute", None)
    client = FeatherClient(KEY, BASE, transport=httpx.MockTransport(recorder), **kwargs)
    return client, recorder


def paged(pages: dict[str | None, dict[str, Any]]) -> Handler:
    """Answer GET /v1/eval-runs from pages keyed by the cursor they are reached with."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    return answer


# --- cursor paging ---------------------------------------------------------------------


def test_list_eval_runs_follows_next_cursor_while_has_more() -> None:
    pages = {
        None: page([make_run("r1"), make_run("r2")], "c1"),
        "c1": page([make_run("r3"), make_run("r4")], "c2"),
        "c2": page([make_run("r5")], None),
    }
    progress: list[tuple[int, int | None, int]] = []
    client, recorder = client_for(paged(pages))

    listing = client.list_eval_runs(on_progress=lambda *args: progress.append(args))

    assert [run.id for run in listing.items] == ["r1", "r2", "r3", "r4", "r5"]
    assert listing.complete and listing.pages == 3
    assert [r.url.path for r in recorder.requests] == ["/v1/eval-runs"] * 3
    assert [r.url.params.get("cursor") for r in recorder.requests] == [None, "c1", "c2"]
    assert {r.url.params["limit"] for r in recorder.requests} == {"200"}
    assert progress == [(1, None, 2), (2, None, 4), (3, None, 5)]


def test_a_repeated_cursor_stops_with_a_paging_error_and_keeps_the_runs_read() -> None:
    pages = {
        None: page([make_run("r1")], "c1"),
        "c1": page([make_run("r2")], "c2"),
        "c2": page([make_run("r3")], "c1"),
    }
    client, recorder = client_for(paged(pages))

    listing = client.list_eval_runs()

    assert isinstance(listing.error, PagingError)
    assert "cursor" in str(listing.error)
    assert [run.id for run in listing.items] == ["r1", "r2", "r3"]
    assert len(recorder.requests) == 3
    assert not listing.complete


def test_has_more_without_a_cursor_is_a_paging_error() -> None:
    pages = {None: {"items": [make_run("r1")], "has_more": True, "next_cursor": None}}
    client, recorder = client_for(paged(pages))

    listing = client.list_eval_runs()

    assert isinstance(listing.error, PagingError)
    assert "no cursor" in str(listing.error)
    assert [run.id for run in listing.items] == ["r1"]
    assert len(recorder.requests) == 1


def test_a_limit_over_200_is_rejected_by_the_server_with_a_message_naming_limit() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if int(request.url.params["limit"]) > 200:
            detail = [
                {
                    "type": "less_than_equal",
                    "loc": ["query", "limit"],
                    "msg": "Input should be less than or equal to 200",
                    "input": request.url.params["limit"],
                    "ctx": {"le": 200},
                }
            ]
            return httpx.Response(422, json={"detail": detail})
        return httpx.Response(200, json=page([], None))

    client, recorder = client_for(answer)

    listing = client.list_eval_runs(page_size=500)

    assert isinstance(listing.error, BadRequestError)
    assert listing.error.status == 422
    assert listing.error.code == "validation_error"
    assert listing.error.message == "limit: Input should be less than or equal to 200"
    assert listing.items == []
    assert len(recorder.requests) == 1  # a 422 is not retried


def test_runs_that_do_not_fit_the_schema_are_skipped_and_reported_not_dropped() -> None:
    broken = make_run("r-broken")
    del broken["created_at"]
    pages = {None: page([make_run("r1"), broken, make_run("r3")], None)}
    client, _ = client_for(paged(pages))

    listing = client.list_eval_runs()

    assert [run.id for run in listing.items] == ["r1", "r3"]
    assert len(listing.skipped) == 1 and "r-broken" in listing.skipped[0]
    assert "created_at" in listing.skipped[0]
    assert listing.error is None and not listing.complete


def test_unknown_fields_are_ignored_and_unknown_statuses_kept() -> None:
    run = make_run("r1", status="quarantined", brand_new_field={"x": 1}, channel="fax")
    client, _ = client_for(paged({None: page([run], None)}))

    (item,) = client.list_eval_runs().items

    assert item.status == "quarantined" and item.channel == "fax"
    assert run_outcome(item) == "quarantined"


def test_max_runs_stops_early_and_says_the_listing_was_cut_short() -> None:
    pages = {
        None: page([make_run("r1"), make_run("r2")], "c1"),
        "c1": page([make_run("r3"), make_run("r4")], "c2"),
        "c2": page([make_run("r5")], None),
    }
    client, recorder = client_for(paged(pages))

    listing = client.list_eval_runs(page_size=2, max_runs=3)

    assert [run.id for run in listing.items] == ["r1", "r2", "r3"]
    assert isinstance(listing.error, PagingError)
    assert len(recorder.requests) == 2


def test_max_runs_equal_to_the_whole_listing_is_complete() -> None:
    client, _ = client_for(paged({None: page([make_run("r1"), make_run("r2")], None)}))

    listing = client.list_eval_runs(max_runs=2)

    assert len(listing.items) == 2 and listing.complete


def test_a_page_error_midway_keeps_the_runs_already_read() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") == "c1":
            return httpx.Response(401, json={"error": "authentication_required", "message": "no"})
        return httpx.Response(200, json=page([make_run("r1")], "c1"))

    client, _ = client_for(answer)

    listing = client.list_eval_runs()

    assert isinstance(listing.error, AuthenticationError)
    assert [run.id for run in listing.items] == ["r1"]


# --- filters -------------------------------------------------------------------------------


def test_every_filter_is_sent_with_lowercase_booleans_and_iso_dates() -> None:
    client, recorder = client_for(paged({None: page([], None)}))
    filters = RunFilters(
        session_id="s-1",
        evaluator_id="e-1",
        agent_id="a-1",
        status="completed",
        scope="live",
        outcome="failed",
        severity="critical",
        score_min=0.25,
        score_max=0.75,
        channel="voice",
        created_from=dt.date(2026, 3, 1),
        created_to=dt.datetime(2026, 3, 5, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        is_critical=True,
        q="refund bot",
    )

    client.list_eval_runs(filters)

    assert recorder.params() == {
        "session_id": "s-1",
        "evaluator_id": "e-1",
        "agent_id": "a-1",
        "status": "completed",
        "scope": "live",
        "outcome": "failed",
        "severity": "critical",
        "score_min": "0.25",
        "score_max": "0.75",
        "channel": "voice",
        "created_from": "2026-03-01",
        "created_to": "2026-03-05T10:30:00Z",
        "is_critical": "true",
        "q": "refund bot",
        "limit": "200",
    }


def test_filters_left_as_none_are_not_sent_and_false_is_sent_as_false() -> None:
    client, recorder = client_for(paged({None: page([], None)}))

    client.list_eval_runs(RunFilters(status="errored", is_critical=False, q=""))

    assert recorder.params() == {"status": "errored", "is_critical": "false", "limit": "200"}


def test_is_critical_is_applied_again_for_servers_that_ignore_it() -> None:
    runs = [make_run("r1", is_critical_snapshot=True), make_run("r2")]
    client, recorder = client_for(paged({None: page(runs, None)}))

    listing = client.list_eval_runs(RunFilters(is_critical=True))

    assert recorder.params()["is_critical"] == "true"
    assert [run.id for run in listing.items] == ["r1"]


def test_a_naive_datetime_is_taken_as_utc() -> None:
    assert format_when(dt.datetime(2026, 3, 5, 8, 0)) == "2026-03-05T08:00:00Z"
    assert format_when(dt.date(2026, 3, 5)) == "2026-03-05"


def test_q_longer_than_255_characters_raises_and_sends_nothing() -> None:
    client, recorder = client_for(paged({None: page([], None)}))

    with pytest.raises(ValueError, match="255"):
        client.list_eval_runs(RunFilters(q="x" * 256))

    assert recorder.requests == []
    RunFilters(q="x" * 255)  # the longest allowed


@pytest.mark.parametrize(
    ("bounds", "named"),
    [
        ({"score_min": -0.1}, "score_min"),
        ({"score_max": 1.5}, "score_max"),
        ({"score_min": float("nan")}, "score_min"),
        ({"score_min": 0.8, "score_max": 0.2}, "score_min"),
    ],
)
def test_score_bounds_are_checked_before_sending(bounds: dict[str, float], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        RunFilters(**bounds)


def test_created_from_after_created_to_is_refused() -> None:
    with pytest.raises(ValueError, match="created_from"):
        RunFilters(created_from=dt.date(2026, 3, 6), created_to=dt.date(2026, 3, 5))
    with pytest.raises(ValueError, match="created_from"):
        RunFilters(
            created_from=dt.datetime(2026, 3, 5, 18, tzinfo=dt.UTC),
            created_to=dt.datetime(2026, 3, 5, 17, tzinfo=dt.UTC),
        )
    # A created_to at midnight UTC (a date, as the server reads it) covers its whole day.
    evening = dt.datetime(2026, 3, 5, 18, tzinfo=dt.UTC)
    RunFilters(created_from=evening, created_to=dt.date(2026, 3, 5))
    RunFilters(created_from=evening, created_to=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    RunFilters(created_from=evening, created_to=evening)


# --- errors ----------------------------------------------------------------------------------

ERROR_CASES = [
    (
        400,
        {"error": "bad_request", "message": "cursor is not valid"},
        BadRequestError,
        "bad_request",
        "cursor is not valid",
    ),
    (
        401,
        {"error": "authentication_required", "message": "Missing or invalid API key"},
        AuthenticationError,
        "authentication_required",
        "Missing or invalid API key",
    ),
    (
        404,
        {"error": "not_found", "message": "Eval run not found", "retryable": False},
        NotFoundError,
        "not_found",
        "Eval run not found",
    ),
    (
        409,
        {"error": "conflict", "message": "Run is still running"},
        ConflictError,
        "conflict",
        "Run is still running",
    ),
    (
        422,
        {"detail": [{"loc": ["path", "run_id"], "msg": "Input should be a valid UUID"}]},
        BadRequestError,
        "validation_error",
        "path.run_id: Input should be a valid UUID",
    ),
    (
        429,
        {"error": "rate_limited", "message": "Slow down", "retryable": True, "retry_after": 3},
        RateLimitError,
        "rate_limited",
        "Slow down",
    ),
    (
        503,
        {"error": "unavailable", "message": "Try later", "retryable": True},
        ServerError,
        "unavailable",
        "Try later",
    ),
    (500, None, ServerError, None, "Feather API answered HTTP 500 Internal Server Error"),
]


@pytest.mark.parametrize(("status", "body", "error_class", "code", "message"), ERROR_CASES)
def test_each_error_shape_becomes_the_right_typed_error(
    status: int, body: Any, error_class: type[Exception], code: str | None, message: str
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"x-request-id": "req-42"}
        if body is None:
            return httpx.Response(status, text="<html>oops</html>", headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    client, recorder = client_for(answer, max_retries=0)

    with pytest.raises(error_class) as caught:
        client.get_eval_run("run-1")

    error = caught.value
    assert error.status == status  # type: ignore[attr-defined]
    assert error.code == code  # type: ignore[attr-defined]
    assert error.message == message  # type: ignore[attr-defined]
    assert error.request_id == "req-42"  # type: ignore[attr-defined]
    assert KEY not in str(error) and KEY not in (error.url or "")  # type: ignore[attr-defined]
    assert len(recorder.requests) == 1


def test_a_429_body_retry_after_is_honoured_when_there_is_no_header() -> None:
    answers = iter(
        [
            httpx.Response(429, json={"error": "rate_limited", "message": "x", "retry_after": 7}),
            httpx.Response(200, json=make_run("r1")),
        ]
    )
    sleeps: list[float] = []
    client, recorder = client_for(lambda request: next(answers), sleep=sleeps.append)

    run = client.get_eval_run("r1")

    assert run.id == "r1"
    assert sleeps == [7.0]
    assert len(recorder.requests) == 2


def test_a_retry_after_header_wins_over_the_body() -> None:
    answers = iter(
        [
            httpx.Response(
                429,
                json={"error": "rate_limited", "message": "x", "retry_after": 7},
                headers={"retry-after": "2"},
            ),
            httpx.Response(200, json=make_run("r1")),
        ]
    )
    sleeps: list[float] = []
    client, _ = client_for(lambda request: next(answers), sleep=sleeps.append)

    client.get_eval_run("r1")

    assert sleeps == [2.0]


def test_rate_limited_until_retries_run_out_raises_rate_limit_error() -> None:
    body = {"error": "rate_limited", "message": "Too many requests", "retry_after": 1}
    sleeps: list[float] = []
    client, recorder = client_for(
        lambda request: httpx.Response(429, json=body), sleep=sleeps.append, max_retries=2
    )

    with pytest.raises(RateLimitError, match="Too many requests"):
        client.get_eval_run("r1")

    assert sleeps == [1.0, 1.0]
    assert len(recorder.requests) == 3


def test_a_run_detail_that_does_not_fit_is_a_malformed_response() -> None:
    client, _ = client_for(lambda request: httpx.Response(200, json={"id": "r1"}))

    with pytest.raises(MalformedResponseError, match="EvalRunDetail"):
        client.get_eval_run("r1")


# --- single reads and other listings ---------------------------------------------------------


def test_get_eval_run_asks_for_the_session_and_turns_and_reads_them() -> None:
    detail = make_run(
        "r1",
        session={
            "id": "session-r1",
            "channel": "voice",
            "session_type": "live",
            "status": "closed",
            "created_at": "2026-03-02T09:59:00Z",
        },
        turns=[
            {
                "id": "t1",
                "seq": 1,
                "role": "user",
                "content": "Hi",
                "tool_calls": None,
                "authored_by": "end_user",
                "created_at": "2026-03-02T09:59:01Z",
            },
            {
                "id": "t2",
                "seq": 2,
                "role": "assistant",
                "content": None,
                "tool_calls": [{"name": "lookup", "arguments": {"id": 3}}],
                "authored_by": "assistant",
                "created_at": "2026-03-02T09:59:02Z",
            },
            {"id": "t3", "seq": 3, "role": "tool", "tool_calls": {"result": "ok"}},
        ],
        turns_truncated=True,
        recording={"id": "rec-1", "kind": "call", "status": "final", "duration_ms": 61000},
    )
    client, recorder = client_for(lambda request: httpx.Response(200, json=detail))

    run = client.get_eval_run("r1/../x")

    assert recorder.requests[0].url.raw_path.startswith(b"/v1/eval-runs/r1%2F..%2Fx")
    assert recorder.params() == {"include": "session,turns"}
    assert run.session is not None and run.session.channel == "voice"
    assert [turn.seq for turn in run.turns or []] == [1, 2, 3]
    assert run.turns is not None and run.turns[1].tool_calls == [
        {"name": "lookup", "arguments": {"id": 3}}
    ]
    assert run.turns[2].tool_calls == {"result": "ok"}
    assert run.turns_truncated is True
    assert run.recording is not None and run.recording.duration_ms == 61000
    assert run.scores[0].passed is True


def test_get_eval_run_without_include_sends_none() -> None:
    client, recorder = client_for(lambda request: httpx.Response(200, json=make_run("r1")))

    client.get_eval_run("r1", include=None)
    client.get_eval_run("r1", include="recording")

    assert recorder.params(0) == {}
    assert recorder.params(1) == {"include": "recording"}


def test_list_assistants_reads_the_assistants_key() -> None:
    body = {
        "assistants": [{"id": "a1", "name": "Refunds"}, {"id": "a2", "name": "Sales"}],
        "has_more": False,
        "next_cursor": None,
    }
    client, recorder = client_for(lambda request: httpx.Response(200, json=body))

    listing = client.list_assistants()

    assert [a.name for a in listing.items] == ["Refunds", "Sales"]
    assert recorder.requests[0].url.path == "/v1/assistants"


def test_list_evaluators_sends_its_filters_and_pages() -> None:
    def evaluator(evaluator_id: str) -> dict[str, Any]:
        return {
            "id": evaluator_id,
            "organization_id": ORG,
            "name": f"Check {evaluator_id}",
            "kind": "model_judge",
            "format": "score",
            "description": None,
            "owner": None,
            "status": "active",
            "prompt": "Judge it",
            "threshold": 0.7,
            "severity": "medium",
            "judge_model_override": None,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-02T00:00:00Z",
            "tags": ["tone"],
        }

    pages = {None: page([evaluator("e1")], "c1"), "c1": page([evaluator("e2")], None)}
    client, recorder = client_for(paged(pages))

    listing = client.list_evaluators(kind="model_judge", status="active", name_contains="tone")

    assert [e.id for e in listing.items] == ["e1", "e2"]
    assert listing.items[0].tags == ["tone"] and listing.items[0].threshold == 0.7
    assert recorder.params(0) == {
        "kind": "model_judge",
        "status": "active",
        "name_contains": "tone",
        "limit": "200",
    }
    assert recorder.requests[0].url.path == "/v1/evaluators"


# --- outcome -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "verdicts", "outcome"),
    [
        ("completed", (True,), "passed"),
        ("completed", (True, True), "passed"),
        ("completed", (True, False), "failed"),
        ("completed", (False,), "failed"),
        ("completed", (None, False), "failed"),
        ("completed", (), "no_verdict"),
        ("completed", (None,), "no_verdict"),
        ("completed", (True, None), "no_verdict"),
        ("failed", (), "errored"),
        ("errored", (True,), "errored"),
        ("pending", (), "pending"),
        ("running", (), "pending"),
        ("cancelled", (), "cancelled"),
    ],
)
def test_run_outcome_follows_the_api_definitions(
    status: str, verdicts: tuple[bool | None, ...], outcome: str
) -> None:
    run = EvalRun.model_validate(make_run("r", status=status, passed=verdicts))
    assert run_outcome(run) == outcome


# --- activity --------------------------------------------------------------------------------


def test_activity_uses_the_endpoint_when_the_server_has_it() -> None:
    body = {
        "period_start": "2026-03-01T00:00:00Z",
        "period_end": "2026-03-02T00:00:00Z",
        "buckets": [
            {"date": "2026-03-01", "total": 4, "failed": 1, "errored": 0},
            {"date": "2026-03-02", "total": 0, "failed": 0, "errored": 0},
        ],
    }
    client, recorder = client_for(lambda request: httpx.Response(200, json=body))

    activity = client.activity(dt.date(2026, 3, 1), dt.date(2026, 3, 2), scope="live")

    assert recorder.requests[0].url.path == "/v1/eval-runs/activity"
    assert recorder.params() == {
        "created_from": "2026-03-01",
        "created_to": "2026-03-02",
        "scope": "live",
    }
    assert activity.computed_locally is False
    assert [(b.date.isoformat(), b.total, b.failed) for b in activity.buckets] == [
        ("2026-03-01", 4, 1),
        ("2026-03-02", 0, 0),
    ]


FALLBACK_RUNS = [
    make_run("p1", created_at="2026-03-01T00:00:00Z"),
    make_run("f1", passed=(False,), created_at="2026-03-01T23:59:59Z"),
    make_run("e1", status="errored", passed=(), created_at="2026-03-03T12:00:00+00:00"),
    make_run("e2", status="failed", passed=(), created_at="2026-03-03T13:00:00Z"),
    make_run("n1", passed=(None,), created_at="2026-03-05T01:00:00Z"),
    # 23:30 on the 4th in New York is 03:30 on the 5th in UTC: buckets are UTC days.
    make_run("f2", passed=(True, False), created_at="2026-03-04T23:30:00-04:00"),
    make_run("w1", status="running", passed=(), created_at="2026-03-05T02:00:00Z"),
]


@pytest.mark.parametrize(
    "missing",
    [
        httpx.Response(404, json={"error": "not_found", "message": "Not Found"}),
        httpx.Response(405, json={"detail": "Method Not Allowed"}),
        httpx.Response(
            422,
            json={"detail": [{"loc": ["path", "run_id"], "msg": "Input should be a valid UUID"}]},
        ),
    ],
    ids=["404", "405", "422-run-id"],
)
def test_activity_is_counted_from_the_listing_when_the_endpoint_is_missing(
    missing: httpx.Response,
) -> None:
    pages = {None: page(FALLBACK_RUNS[:3], "c1"), "c1": page(FALLBACK_RUNS[3:], None)}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/eval-runs/activity":
            return missing
        return paged(pages)(request)

    client, recorder = client_for(answer)

    activity = client.activity(
        dt.date(2026, 3, 1), dt.date(2026, 3, 5), scope="live", agent_id="a-1"
    )

    assert activity.computed_locally is True
    assert [(b.date.isoformat(), b.total, b.failed, b.errored) for b in activity.buckets] == [
        ("2026-03-01", 2, 1, 0),
        ("2026-03-02", 0, 0, 0),
        ("2026-03-03", 2, 0, 2),
        ("2026-03-04", 0, 0, 0),
        ("2026-03-05", 3, 1, 0),
    ]
    listing_request = recorder.params(1)
    assert listing_request["created_from"] == "2026-03-01"
    assert listing_request["created_to"] == "2026-03-05"
    assert listing_request["scope"] == "live" and listing_request["agent_id"] == "a-1"

    # The missing endpoint is remembered: the next call goes straight to the listing.
    before = len(recorder.requests)
    client.activity(dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    assert [r.url.path for r in recorder.requests[before:]] == ["/v1/eval-runs"] * 2


def test_the_fallback_without_a_window_covers_the_last_365_days_every_day_present() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/activity"):
            return httpx.Response(404, json={"error": "not_found", "message": "Not Found"})
        return httpx.Response(200, json=page([], None))

    client, recorder = client_for(answer)

    activity = client.activity()

    days = [bucket.date for bucket in activity.buckets]
    assert len(days) == 366
    assert all(b - a == dt.timedelta(days=1) for a, b in itertools.pairwise(days))
    assert days[-1] == dt.datetime.now(dt.UTC).date()
    assert recorder.params(1)["created_from"].endswith("Z")


def test_activity_does_not_fall_back_on_other_errors() -> None:
    client, recorder = client_for(
        lambda request: httpx.Response(401, json={"error": "authentication_required"})
    )

    with pytest.raises(AuthenticationError):
        client.activity(dt.date(2026, 3, 1), dt.date(2026, 3, 5))

    assert len(recorder.requests) == 1


def test_the_fallback_refuses_to_count_a_listing_that_stopped_halfway() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/activity"):
            return httpx.Response(404, json={"error": "not_found", "message": "Not Found"})
        return httpx.Response(200, json=page([make_run("r1")], "c1") | {"next_cursor": None})

    client, _ = client_for(answer)

    with pytest.raises(PagingError):
        client.activity(dt.date(2026, 3, 1), dt.date(2026, 3, 5))


def test_an_activity_window_over_400_days_is_refused() -> None:
    client, recorder = client_for(lambda request: httpx.Response(500))

    with pytest.raises(ValueError, match="400"):
        client.activity(dt.date(2025, 1, 1), dt.date(2026, 3, 1))

    assert recorder.requests == []


def test_count_activity_ignores_runs_outside_the_window() -> None:
    runs = [EvalRun.model_validate(make_run("r", created_at="2026-02-28T23:00:00Z"))]
    buckets = count_activity(runs, dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert [(b.total, b.failed, b.errored) for b in buckets] == [(0, 0, 0), (0, 0, 0)]


# --- the quota ---------------------------------------------------------------------------------


def test_a_client_side_rate_limiter_is_wired_by_default() -> None:
    client = FeatherClient(KEY, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert client.rate_limiter is not None
    assert client.transport.rate_limiter is client.rate_limiter
    assert client.base_url == DEFAULT_BASE_URL

    unlimited, _ = client_for(lambda request: httpx.Response(200), requests_per_minute=None)
    assert unlimited.rate_limiter is None and unlimited.transport.rate_limiter is None


def test_the_rate_limiter_spaces_requests_to_stay_within_the_quota_in_every_minute() -> None:
    now = [1000.0]
    sent_at: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(now[0])
        return httpx.Response(200, json=make_run("r1"))

    client, _ = client_for(answer, requests_per_minute=120, sleep=sleep, clock=lambda: now[0])

    for _ in range(400):
        client.get_eval_run("r1")

    assert len(sent_at) == 400
    # No 60-second window ever holds more than the quota...
    busiest = max(sum(1 for t in sent_at[i:] if t < start + 60) for i, start in enumerate(sent_at))
    assert busiest <= 120
    # ...and the limiter does not idle far below it either.
    assert sent_at[-1] - sent_at[0] < 400 / 120 * 60 * 1.05


def test_from_env_reads_the_key_and_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEATHER_API_KEY", KEY)
    monkeypatch.setenv("FEATHER_BASE_URL", "https://feather.example/")
    with FeatherClient.from_env(requests_per_minute=None) as client:
        assert client.base_url == "https://feather.example"
        assert client.key_fingerprint != KEY and KEY not in repr(client.transport)


def test_the_key_goes_only_in_its_header() -> None:
    client, recorder = client_for(paged({None: page([make_run("r1")], None)}))

    client.list_eval_runs(RunFilters(q="refund"))

    request = recorder.requests[0]
    assert request.headers["x-api-key"] == KEY
    assert KEY not in str(request.url)
    assert json.dumps(dict(request.url.params)).find(KEY) == -1
