"""The review calls: PATCH a verdict, read its history; what is sent, and each failure's type."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from client.aymara import EXPECTED_STATE_HEADER, AymaraClient
from client.errors import (
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
)

KEY = "aym-SECRET-review-key"
BASE = "https://aymara.example.test"
RUN, RESP = "run/1", "resp 1"  # ids that need escaping in a path
PATH = "/v2/eval-runs/run%2F1/responses/resp%201"
REVIEWER = {
    "email": "owner@example.com",
    "feature_flags": {"enable_dashboard": True},
    "is_admin": False,
    "is_impersonating": False,
}
HISTORY = {
    "answer_history_uuid": "h-1",
    "updated_at": "2025-03-02T10:00:00Z",
    "previous_is_passed": False,
    "new_is_passed": True,
    "previous_confidence": 0.58,
    "new_confidence": 1.0,
    "previous_explanation": "Judge said no.",
    "new_explanation": "reviewed by ana@example.com: it is fine",
    "updated_by": REVIEWER,
}
UPDATED = {
    "prompt_uuid": "p-1",
    "response_uuid": RESP,
    "is_passed": True,
    "confidence": 1.0,
    "explanation": "reviewed by ana@example.com: it is fine",
    "manually_updated": True,
    "manually_updated_at": "2025-03-02T10:00:00Z",
    "manually_updated_by": REVIEWER,
    "update_history": [HISTORY],
}


def client_for(handler: Any, seen: list[httpx.Request]) -> AymaraClient:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return AymaraClient(
        KEY, BASE, transport=httpx.MockTransport(record), sleep=lambda s: None, max_retries=2
    )


def test_a_patch_sends_only_the_given_fields_and_returns_the_reviewed_response() -> None:
    seen: list[httpx.Request] = []
    client = client_for(lambda r: httpx.Response(200, json=UPDATED), seen)
    answer = client.update_response(
        RUN, RESP, is_passed=True, explanation="it is fine", workspace_uuid="ws-1"
    )
    (request,) = seen
    assert request.method == "PATCH"
    assert request.url.raw_path.decode().split("?")[0] == PATH
    assert request.url.params["workspace_uuid"] == "ws-1"
    assert json.loads(request.content) == {"is_passed": True, "explanation": "it is fine"}
    assert request.headers["x-api-key"] == KEY
    assert EXPECTED_STATE_HEADER not in request.headers
    assert answer.manually_updated is True
    assert answer.manually_updated_by is not None
    assert answer.manually_updated_by.email == "owner@example.com"
    assert answer.update_history is not None
    assert answer.update_history[0].previous_is_passed is False


def test_not_scorable_sends_an_explicit_null_and_the_expected_state_header() -> None:
    seen: list[httpx.Request] = []
    client = client_for(lambda r: httpx.Response(200, json=UPDATED | {"is_passed": None}), seen)
    client.update_response(RUN, RESP, is_passed=None, explanation="no", expected_updated_at=None)
    assert json.loads(seen[0].content) == {"is_passed": None, "explanation": "no"}
    assert seen[0].headers[EXPECTED_STATE_HEADER] == ""


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, NotFoundError), (409, ConflictError), (422, BadRequestError), (500, ServerError)],
)
def test_a_failed_patch_raises_its_type_and_is_sent_exactly_once(
    status: int, error: type[Exception]
) -> None:
    body = {"error": {"code": "x", "message": f"status {status} said no"}, "request_id": "rq-9"}
    seen: list[httpx.Request] = []
    client = client_for(lambda r: httpx.Response(status, json=body), seen)
    with pytest.raises(error) as raised:
        client.update_response(RUN, RESP, is_passed=False, explanation="bad")
    assert len(seen) == 1  # a PATCH that reached the server is never replayed
    assert f"status {status} said no" in str(raised.value)
    assert KEY not in str(raised.value)


def test_a_patch_that_never_connected_is_tried_again() -> None:
    seen: list[httpx.Request] = []
    answers = iter([httpx.ConnectError("refused"), httpx.Response(200, json=UPDATED)])

    def handler(request: httpx.Request) -> httpx.Response:
        item = next(answers)
        if isinstance(item, Exception):
            raise item
        return item

    client = client_for(handler, seen)
    assert client.update_response(RUN, RESP, is_passed=True).is_passed is True
    assert len(seen) == 2


def test_history_reads_a_bare_array_in_order() -> None:
    seen: list[httpx.Request] = []
    second = HISTORY | {"answer_history_uuid": "h-2", "new_is_passed": False}
    client = client_for(lambda r: httpx.Response(200, json=[HISTORY, second]), seen)
    history = client.get_response_history(RUN, RESP, "ws-1")
    assert seen[0].method == "GET"
    assert seen[0].url.raw_path.decode().split("?")[0] == PATH + "/history"
    assert [h.answer_history_uuid for h in history] == ["h-1", "h-2"]
    assert history[0].updated_by is not None
    assert history[0].updated_by.email == "owner@example.com"


def test_history_that_is_not_an_array_is_a_clear_error() -> None:
    client = client_for(lambda r: httpx.Response(200, json={"items": []}), [])
    with pytest.raises(MalformedResponseError, match="not a list"):
        client.get_response_history(RUN, RESP)


def test_history_of_an_unknown_response_is_not_found() -> None:
    body = {"error": {"code": "resource.not_found", "message": "no such response"}}
    client = client_for(lambda r: httpx.Response(404, json=body), [])
    with pytest.raises(NotFoundError, match="no such response"):
        client.get_response_history(RUN, RESP)
