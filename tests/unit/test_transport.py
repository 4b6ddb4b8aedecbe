"""The transport: typed errors, retries with backoff, the key kept secret, and the rate limiter.

The network is faked with `httpx.MockTransport`; waits are recorded with `sleep=sleeps.append`.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from client.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from client.ratelimit import RateLimiter, per_minute
from client.transport import (
    Transport,
    backoff_seconds,
    encode_params,
    fingerprint,
    parse_error_body,
    parse_retry_after,
)

KEY = "sk-live-SECRET-0123456789abcdef"
BASE = "https://api.example.test"

Outcome = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """A handler that answers with the given outcomes in turn (the last one repeats)."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            index = min(len(self.requests), len(self.outcomes)) - 1
        outcome = self.outcomes[index]
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, httpx.Response):  # a fresh copy: a response is read only once
            return httpx.Response(
                outcome.status_code, headers=outcome.headers, content=outcome.content
            )
        return outcome(request)

    @property
    def attempts(self) -> int:
        return len(self.requests)


def make_transport(handler: Script, sleeps: list[float], **options: object) -> Transport:
    return Transport(
        BASE,
        KEY,
        api_name="Test API",
        sleep=sleeps.append,
        transport=httpx.MockTransport(handler),
        **options,  # type: ignore[arg-type]
    )


def aymara_error(
    status: int,
    code: str = "resource.not_found",
    message: str = "Something went wrong.",
    request_id: str | None = "req_top",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body: dict[str, object] = {"error": {"code": code, "message": message, "details": {}}}
    if request_id is not None:
        body["request_id"] = request_id
    return httpx.Response(status, json=body, headers=headers)


OK = httpx.Response(200, json={"ok": True})


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, BadRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_each_error_status_raises_its_own_error_class(
    status: int, error_class: type[APIStatusError], sleeps: list[float]
) -> None:
    handler = Script(aymara_error(status, code="some.code", message="Went wrong."))
    transport = make_transport(handler, sleeps, max_retries=0)

    with pytest.raises(APIStatusError) as caught:
        transport.get("/v2/evals")

    error = caught.value
    assert type(error) is error_class
    assert error.status == status
    assert error.code == "some.code"
    assert error.message == "Went wrong."
    assert error.request_id == "req_top"
    assert error.url == f"{BASE}/v2/evals"
    assert handler.attempts == 1


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        pytest.param(
            {
                "error": {"code": "c", "message": "m", "request_id": "req_inner"},
                "request_id": "req_top",
            },
            {"x-request-id": "req_header"},
            "req_top",
            id="top-level request_id wins",
        ),
        pytest.param(
            {"error": {"code": "c", "message": "m", "request_id": "req_inner"}, "request_id": ""},
            {"x-request-id": "req_header"},
            "req_inner",
            id="error.request_id when the top-level one is empty",
        ),
        pytest.param(
            {"error": {"code": "c", "message": "m"}},
            {"x-request-id": "req_header"},
            "req_header",
            id="x-request-id header when the body has none",
        ),
        pytest.param({"error": {"code": "c", "message": "m"}}, {}, None, id="no request id"),
    ],
)
def test_the_request_id_is_read_from_the_body_then_the_header(
    body: dict[str, object], headers: dict[str, str], expected: str | None, sleeps: list[float]
) -> None:
    handler = Script(httpx.Response(404, json=body, headers=headers))
    transport = make_transport(handler, sleeps)

    with pytest.raises(NotFoundError) as caught:
        transport.get("/v2/evals/ev_1")

    assert caught.value.request_id == expected
    if expected:
        assert f"[request id {expected}]" in str(caught.value)


def test_feathers_error_shape_gives_code_and_message(sleeps: list[float]) -> None:
    body = {"error": "authentication_required", "message": "Missing key.", "retryable": False}
    transport = make_transport(Script(httpx.Response(401, json=body)), sleeps)

    with pytest.raises(AuthenticationError) as caught:
        transport.get("/v1/eval-runs")

    assert caught.value.code == "authentication_required"
    assert caught.value.message == "Missing key."
    assert str(caught.value) == "Missing key. (HTTP 401, authentication_required)"


def test_feathers_retry_after_in_the_body_sets_the_wait_when_no_header_does(
    sleeps: list[float],
) -> None:
    body = {"error": "rate_limited", "message": "Slow down.", "retryable": True, "retry_after": 4}
    handler = Script(httpx.Response(429, json=body), OK)

    assert make_transport(handler, sleeps).get("/v1/eval-runs") == {"ok": True}
    assert sleeps == [4.0]


def test_a_422_detail_list_becomes_a_readable_bad_request(sleeps: list[float]) -> None:
    body = {
        "detail": [
            {"loc": ["query", "limit"], "msg": "Input should be greater than 0", "type": "x"},
            {"loc": ["body", "responses", 0, "prompt_uuid"], "msg": "Field required"},
        ]
    }
    transport = make_transport(Script(httpx.Response(422, json=body)), sleeps)

    with pytest.raises(BadRequestError) as caught:
        transport.get("/v2/evals", {"limit": 0})

    assert caught.value.status == 422
    assert caught.value.code == "validation_error"
    assert caught.value.message == (
        "limit: Input should be greater than 0; responses.0.prompt_uuid: Field required"
    )


def test_a_non_json_error_body_still_gives_a_typed_error(sleeps: list[float]) -> None:
    page = httpx.Response(502, text="<html><body>Bad gateway</body></html>")
    transport = make_transport(Script(page), sleeps, max_retries=0)

    with pytest.raises(ServerError) as caught:
        transport.get("/v2/evals")

    assert caught.value.status == 502
    assert caught.value.code is None
    assert caught.value.message == "Test API answered HTTP 502 Bad Gateway"


def test_a_long_error_message_is_cut_short(sleeps: list[float]) -> None:
    transport = make_transport(Script(aymara_error(400, message="x" * 5_000)), sleeps)

    with pytest.raises(BadRequestError) as caught:
        transport.get("/v2/evals")

    assert len(caught.value.message) == 501
    assert caught.value.message.endswith("…")


def test_invalid_json_on_a_200_is_a_malformed_response_after_retries_of_a_get(
    sleeps: list[float],
) -> None:
    handler = Script(httpx.Response(200, content=b'{"items": [{"eval_uu'))
    transport = make_transport(handler, sleeps)

    with pytest.raises(MalformedResponseError) as caught:
        transport.get("/v2/evals")

    assert handler.attempts == 3
    assert len(sleeps) == 2
    assert caught.value.status == 200
    assert "not valid JSON" in caught.value.message


def test_a_truncated_body_that_comes_back_whole_on_retry_is_returned(sleeps: list[float]) -> None:
    handler = Script(httpx.Response(200, content=b'{"ok": tr'), OK)

    assert make_transport(handler, sleeps).get("/v2/evals") == {"ok": True}
    assert handler.attempts == 2


def test_invalid_json_on_a_post_is_not_replayed(sleeps: list[float]) -> None:
    handler = Script(httpx.Response(200, content=b"{"))

    with pytest.raises(MalformedResponseError):
        make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert handler.attempts == 1


def test_an_empty_success_body_decodes_as_none(sleeps: list[float]) -> None:
    transport = make_transport(Script(httpx.Response(204)), sleeps)

    assert transport.request("DELETE", "/v2/evals/ev_1") is None


def test_a_mocked_refused_connection_is_an_api_connection_error(sleeps: list[float]) -> None:
    handler = Script(httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(APIConnectionError) as caught:
        make_transport(handler, sleeps).get("/v2/evals")

    assert type(caught.value) is APIConnectionError
    assert handler.attempts == 3
    assert "Connection refused" in str(caught.value)


def test_a_real_refused_connection_is_an_api_connection_error(sleeps: list[float]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = Transport(f"http://127.0.0.1:{port}", KEY, sleep=sleeps.append, max_retries=1)

    with pytest.raises(APIConnectionError) as caught:
        transport.get("/v2/evals")

    assert type(caught.value) is APIConnectionError
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert KEY not in str(caught.value)
    assert len(sleeps) == 1


def test_a_read_timeout_is_an_api_timeout_error(sleeps: list[float]) -> None:
    handler = Script(httpx.ReadTimeout("timed out"))

    with pytest.raises(APITimeoutError) as caught:
        make_transport(handler, sleeps).get("/v2/evals")

    assert isinstance(caught.value, APIConnectionError)
    assert handler.attempts == 3
    assert "did not answer in time" in str(caught.value)


# --- retries -------------------------------------------------------------------------------


def test_a_429_with_retry_after_waits_that_many_seconds(sleeps: list[float]) -> None:
    handler = Script(aymara_error(429, headers={"Retry-After": "3"}), OK)

    assert make_transport(handler, sleeps).get("/v2/evals") == {"ok": True}
    assert sleeps == [3.0]
    assert handler.attempts == 2


def test_retry_after_ms_wins_over_retry_after(sleeps: list[float]) -> None:
    headers = {"retry-after-ms": "1500", "Retry-After": "3"}
    handler = Script(aymara_error(429, headers=headers), OK)

    make_transport(handler, sleeps).get("/v2/evals")

    assert sleeps == [1.5]


def test_retry_after_as_an_http_date_waits_until_then(sleeps: list[float]) -> None:
    when = email.utils.formatdate(int(time.time()) + 10, usegmt=True)
    handler = Script(aymara_error(503, headers={"Retry-After": when}), OK)

    make_transport(handler, sleeps).get("/v2/evals")

    assert len(sleeps) == 1
    assert 8.0 < sleeps[0] <= 10.0


def test_parse_retry_after_reads_an_http_date_against_the_given_clock() -> None:
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    then = email.utils.mktime_tz(email.utils.parsedate_tz("Wed, 21 Oct 2015 07:28:00 GMT"))

    assert parse_retry_after(headers, now=lambda: then - 12.0) == 12.0
    assert parse_retry_after(headers, now=lambda: then + 5.0) is None  # in the past


@pytest.mark.parametrize("value", ["61", "3600", "-1", "soon"])
def test_a_retry_after_outside_0_to_60_seconds_is_ignored_for_backoff(
    value: str, sleeps: list[float]
) -> None:
    handler = Script(aymara_error(429, headers={"Retry-After": value}), OK)

    make_transport(handler, sleeps).get("/v2/evals")

    assert len(sleeps) == 1
    assert 0.375 <= sleeps[0] <= 0.5  # the first backoff step, not the header


def test_an_out_of_range_retry_after_ms_falls_back_to_retry_after(sleeps: list[float]) -> None:
    headers = {"retry-after-ms": "90000", "Retry-After": "2"}
    handler = Script(aymara_error(429, headers=headers), OK)

    make_transport(handler, sleeps).get("/v2/evals")

    assert sleeps == [2.0]


def test_backoff_grows_and_is_capped_at_8_seconds_with_jitter(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500))

    with pytest.raises(ServerError):
        make_transport(handler, sleeps, max_retries=6).get("/v2/evals")

    nominal = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleeps) == len(nominal)
    for waited, step in zip(sleeps, nominal, strict=True):
        assert 0.75 * step <= waited <= step


@pytest.mark.parametrize(
    ("retry", "nominal"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)]
)
def test_backoff_jitter_spans_three_quarters_to_all_of_the_nominal_delay(
    retry: int, nominal: float
) -> None:
    assert backoff_seconds(retry, rand=lambda: 0.0) == nominal
    assert backoff_seconds(retry, rand=lambda: 1.0) == 0.75 * nominal


def test_at_most_two_retries_by_default_then_the_typed_error(sleeps: list[float]) -> None:
    handler = Script(aymara_error(503, code="server.internal_error"))

    with pytest.raises(ServerError) as caught:
        make_transport(handler, sleeps).get("/v2/evals")

    assert handler.attempts == 3
    assert len(sleeps) == 2
    assert caught.value.status == 503
    assert caught.value.retryable


def test_a_server_error_that_clears_on_retry_returns_the_body(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500), aymara_error(502), OK)

    assert make_transport(handler, sleeps).get("/v2/evals") == {"ok": True}
    assert handler.attempts == 3


def test_x_should_retry_false_on_a_503_makes_exactly_one_attempt(sleeps: list[float]) -> None:
    handler = Script(aymara_error(503, headers={"x-should-retry": "false"}))

    with pytest.raises(ServerError):
        make_transport(handler, sleeps).get("/v2/evals")

    assert handler.attempts == 1
    assert sleeps == []


def test_x_should_retry_true_on_a_400_is_retried(sleeps: list[float]) -> None:
    handler = Script(aymara_error(400, headers={"x-should-retry": "true"}), OK)

    assert make_transport(handler, sleeps).get("/v2/evals") == {"ok": True}
    assert handler.attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int, sleeps: list[float]) -> None:
    handler = Script(aymara_error(status))

    with pytest.raises(APIStatusError):
        make_transport(handler, sleeps).get("/v2/evals")

    assert handler.attempts == 1


def test_a_409_is_retried_for_a_get(sleeps: list[float]) -> None:
    handler = Script(aymara_error(409, code="resource.conflict"), OK)

    assert make_transport(handler, sleeps).get("/v2/evals") == {"ok": True}
    assert handler.attempts == 2


def test_a_409_is_not_retried_for_a_post(sleeps: list[float]) -> None:
    handler = Script(aymara_error(409, code="resource.conflict"), OK)

    with pytest.raises(ConflictError):
        make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert handler.attempts == 1


def test_a_post_that_got_a_500_is_not_replayed(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500), OK)

    with pytest.raises(ServerError):
        make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert handler.attempts == 1
    assert sleeps == []


def test_a_post_whose_connection_was_refused_is_retried(sleeps: list[float]) -> None:
    handler = Script(httpx.ConnectError("Connection refused"), OK)

    body = make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert body == {"ok": True}
    assert handler.attempts == 2


def test_a_post_whose_connect_timed_out_is_retried(sleeps: list[float]) -> None:
    handler = Script(httpx.ConnectTimeout("connect timed out"), OK)

    make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert handler.attempts == 2


def test_a_post_read_timeout_is_not_replayed(sleeps: list[float]) -> None:
    handler = Script(httpx.ReadTimeout("timed out"), OK)

    with pytest.raises(APITimeoutError):
        make_transport(handler, sleeps).post("/v2/eval-runs/-/score-responses", json_body={})

    assert handler.attempts == 1


def test_the_retry_count_header_counts_attempts(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500))

    with pytest.raises(ServerError):
        make_transport(handler, sleeps).get("/v2/evals")

    assert [r.headers["x-stainless-retry-count"] for r in handler.requests] == ["0", "1", "2"]


def test_max_retries_zero_makes_one_attempt(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500))

    with pytest.raises(ServerError):
        make_transport(handler, sleeps, max_retries=0).get("/v2/evals")

    assert handler.attempts == 1


def test_requests_sent_counts_every_attempt(sleeps: list[float]) -> None:
    transport = make_transport(Script(aymara_error(500), OK), sleeps)

    transport.get("/v2/evals")
    transport.get("/v2/evals")

    assert transport.requests_sent == 3


# --- query encoding ------------------------------------------------------------------------


def test_query_params_drop_none_lowercase_booleans_and_join_lists() -> None:
    encoded = encode_params(
        {"workspace_uuid": None, "is_sandbox": False, "a": True, "ids": ["x", "y"], "limit": 5}
    )

    assert encoded == {"is_sandbox": "false", "a": "true", "ids": "x,y", "limit": "5"}


def test_parse_error_body_tolerates_bodies_of_any_shape() -> None:
    assert parse_error_body(None).message is None
    assert parse_error_body(["a"]).code is None
    assert parse_error_body({"detail": "Not Found"}).message == "Not Found"
    assert parse_error_body({"message": "plain"}).message == "plain"


# --- the key stays secret ------------------------------------------------------------------


def test_the_key_is_sent_only_in_the_x_api_key_header(sleeps: list[float]) -> None:
    handler = Script(aymara_error(500), OK)
    transport = make_transport(handler, sleeps)

    transport.get("/v2/evals", {"workspace_uuid": "ws_1", "limit": 100, "offset": 0})
    transport.post("/v2/eval-runs/-/score-responses", {"is_sandbox": False}, {"eval_uuid": "e"})

    assert handler.attempts == 3
    for request in handler.requests:
        assert request.headers["x-api-key"] == KEY
        assert KEY not in str(request.url)
        assert KEY not in request.url.query.decode()
        assert KEY not in request.content.decode()
        others = [v for k, v in request.headers.items() if k.lower() != "x-api-key"]
        assert not any(KEY in value for value in others)


ECHOES = [
    pytest.param(
        aymara_error(401, code="auth.invalid_key", message=f"Key {KEY} is not valid"),
        id="aymara message",
    ),
    pytest.param(
        httpx.Response(401, json={"error": "authentication_required", "message": f"bad {KEY}"}),
        id="feather message",
    ),
    pytest.param(
        aymara_error(401, code=f"auth.{KEY}", request_id=f"req-{KEY}"), id="code and request id"
    ),
    pytest.param(
        httpx.Response(401, json={"detail": f"x-api-key {KEY} rejected"}), id="detail string"
    ),
    pytest.param(
        httpx.Response(422, json={"detail": [{"loc": ["query", KEY], "msg": f"bad {KEY}"}]}),
        id="detail list",
    ),
    pytest.param(
        httpx.Response(
            401, json={"error": {"code": "c", "message": "m"}}, headers={"x-request-id": KEY}
        ),
        id="request id header",
    ),
]


@pytest.mark.parametrize("response", ECHOES)
def test_the_key_never_appears_in_an_error_even_when_the_server_echoes_it(
    response: httpx.Response, sleeps: list[float]
) -> None:
    transport = make_transport(Script(response), sleeps)

    with pytest.raises(APIStatusError) as caught:
        transport.get("/v2/evals")

    error = caught.value
    for text in (str(error), repr(error), error.url, error.message, error.code, error.request_id):
        assert KEY not in (text or "")
    assert "***" in str(error) + (error.code or "") + (error.request_id or "")


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError(f"refused for {KEY}"), httpx.ReadTimeout(f"timed out {KEY}")],
    ids=["connection", "timeout"],
)
def test_the_key_never_appears_in_a_transport_error(
    failure: Exception, sleeps: list[float]
) -> None:
    with pytest.raises(APIError) as caught:
        make_transport(Script(failure), sleeps).get("/v2/evals")

    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
    assert KEY not in (caught.value.url or "")


def test_the_transport_repr_shows_a_fingerprint_not_the_key(sleeps: list[float]) -> None:
    transport = make_transport(Script(OK), sleeps)

    assert KEY not in repr(transport)
    assert transport.key_fingerprint == fingerprint(KEY)
    assert fingerprint(KEY) in repr(transport)
    assert len(fingerprint(KEY)) == 16


def test_redirects_are_not_followed_so_another_host_never_gets_the_key(
    sleeps: list[float],
) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.host == "api.example.test":
            return httpx.Response(302, headers={"Location": "https://collector.evil.test/steal"})
        return OK

    transport = Transport(BASE, KEY, sleep=sleeps.append, transport=httpx.MockTransport(handler))

    with pytest.raises(APIStatusError) as caught:
        transport.get("/v2/evals")

    assert hosts == ["api.example.test"]
    assert caught.value.status == 302


def test_a_transport_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="API key"):
        Transport(BASE, "")


# --- rate limiter --------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that moves only when told to, or when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_beyond_the_bucket_queues_callers_at_the_rate() -> None:
    clock = FakeClock()
    waits: list[float] = []
    limiter = RateLimiter(2.0, burst=2, clock=clock, sleep=waits.append)

    # Nobody's sleep moves the clock: five callers arrive at the same instant.
    assert [limiter.acquire() for _ in range(5)] == [0.0, 0.0, 0.5, 1.0, 1.5]
    assert waits == [0.5, 1.0, 1.5]


def test_a_caller_that_sleeps_its_turn_spaces_requests_evenly() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, burst=1, clock=clock, sleep=clock.sleep)

    waits = [limiter.acquire() for _ in range(5)]

    assert waits == [0.0, 0.25, 0.25, 0.25, 0.25]
    assert clock.now == pytest.approx(1_001.0)


def test_the_bucket_refills_over_time_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire()

    clock.now += 0.25  # half a token
    assert limiter.acquire() == pytest.approx(0.25)

    clock.now += 60  # refills, but never beyond the burst
    assert [limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(0.5)]


def test_per_minute_turns_a_quota_into_a_rate() -> None:
    limiter = per_minute(6_000)

    assert limiter.rate == 100.0
    assert limiter.burst == 100.0


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_the_transport_takes_a_token_before_every_attempt(sleeps: list[float]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, burst=1, clock=clock, sleep=clock.sleep)
    handler = Script(aymara_error(500), OK)
    transport = make_transport(handler, sleeps, rate_limiter=limiter)

    transport.get("/v2/evals")
    transport.get("/v2/evals")

    assert handler.attempts == 3
    assert len(clock.slept) == 2  # the first attempt used the burst
