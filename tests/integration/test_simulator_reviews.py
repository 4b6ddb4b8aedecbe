"""The simulator's review endpoints over real HTTP: PATCH a verdict, read it back everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulator.server import start_in_thread
from simulator.settings import SimSettings

KEY = "sim-review-key-41c2"
HEADER = "x-expected-manually-updated-at"
# The SDK 1.2.1 models' required fields.
ANSWER_HISTORY_REQUIRED = {"answer_history_uuid", "updated_at"}
ANSWER_HISTORY_FIELDS = (
    ANSWER_HISTORY_REQUIRED
    | {
        f"{side}_{name}"
        for side in ("previous", "new")
        for name in ("is_passed", "confidence", "explanation")
    }
    | {"updated_by"}
)
USER_REQUIRED = {"email", "feature_flags", "is_admin", "is_impersonating"}


@pytest.fixture(scope="module")
def api() -> Iterator[httpx.Client]:
    running = start_in_thread(SimSettings(api_key=KEY, scale=0.2))
    with httpx.Client(base_url=running.base_url, headers={"x-api-key": KEY}) as http:
        yield http
    running.stop()


def finished_run(api: httpx.Client) -> dict[str, Any]:
    runs = api.get("/v2/eval-runs", params={"limit": 100}).json()["items"]
    return next(r for r in runs if r["status"] == "finished" and not r["is_sandbox"])


def responses(api: httpx.Client, run_uuid: str) -> list[dict[str, Any]]:
    body = api.get(f"/v2/eval-runs/{run_uuid}/responses", params={"limit": 100}).json()
    assert body["count"] <= 100
    return body["items"]


def totals(api: httpx.Client) -> dict[str, Any]:
    return api.get("/_sim/ground-truth").json()["aymara"]["totals"]


def test_an_overturn_shows_in_the_listing_the_history_the_run_and_the_ground_truth(
    api: httpx.Client,
) -> None:
    run = finished_run(api)
    before_truth = totals(api)
    target = next(
        r
        for r in responses(api, run["eval_run_uuid"])
        if r["is_passed"] is False and not r["manually_updated"]
    )
    path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses/{target['response_uuid']}"
    answer = api.patch(
        path, json={"is_passed": True, "explanation": "reviewed by ana@example.com: fine"}
    )
    assert answer.status_code == 200, answer.text
    updated = answer.json()
    assert updated["is_passed"] is True
    assert updated["manually_updated"] is True
    assert set(updated["manually_updated_by"]) >= USER_REQUIRED
    assert updated["manually_updated_at"]

    history = api.get(path + "/history").json()
    assert isinstance(history, list) and len(history) == 1
    (entry,) = history
    assert set(entry) == ANSWER_HISTORY_FIELDS
    assert entry["previous_is_passed"] is False and entry["new_is_passed"] is True
    assert entry["previous_explanation"] == target["explanation"]
    assert entry["new_explanation"] == "reviewed by ana@example.com: fine"
    assert entry["previous_confidence"] == entry["new_confidence"] == target["confidence"]
    assert entry["updated_at"] == updated["manually_updated_at"]

    listed = {r["response_uuid"]: r for r in responses(api, run["eval_run_uuid"])}
    assert listed[target["response_uuid"]]["manually_updated"] is True
    assert listed[target["response_uuid"]]["is_passed"] is True
    assert listed[target["response_uuid"]]["update_history"] == history

    after = api.get(f"/v2/eval-runs/{run['eval_run_uuid']}").json()
    assert after["updated_at"] > run["updated_at"]
    scored = run["num_responses_scored"]
    assert after["pass_rate"] * scored == pytest.approx(run["pass_rate"] * scored + 1)
    after_truth = totals(api)
    assert after_truth["passed"] == before_truth["passed"] + 1
    assert after_truth["failed"] == before_truth["failed"] - 1


def test_every_change_moves_the_run_and_adds_one_history_entry(api: httpx.Client) -> None:
    run = finished_run(api)
    target = responses(api, run["eval_run_uuid"])[3]
    path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses/{target['response_uuid']}"
    stamps = []
    for verdict in (False, True, None):
        assert api.patch(path, json={"is_passed": verdict}).status_code == 200
        stamps.append(api.get(f"/v2/eval-runs/{run['eval_run_uuid']}").json()["updated_at"])
    assert stamps == sorted(set(stamps))  # strictly later each time
    history = api.get(path + "/history").json()
    assert [h["new_is_passed"] for h in history[-3:]] == [False, True, None]
    assert history[-1]["previous_is_passed"] is True


def test_a_stale_expected_state_is_a_409_carrying_the_current_response(
    api: httpx.Client,
) -> None:
    run = finished_run(api)
    target = responses(api, run["eval_run_uuid"])[5]
    path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses/{target['response_uuid']}"
    seen = target["manually_updated_at"] or ""
    first = api.patch(path, json={"is_passed": True}, headers={HEADER: seen})
    assert first.status_code == 200
    second = api.patch(path, json={"is_passed": False}, headers={HEADER: seen})
    assert second.status_code == 409
    body = second.json()
    assert body["error"]["code"] == "resource.conflict"
    assert body["error"]["details"]["current"]["is_passed"] is True
    current = api.get(path + "/history").json()
    assert current[-1]["new_is_passed"] is True  # the refused change left no trace


@pytest.mark.parametrize(
    "body",
    [{}, {"is_passed": "yes"}, {"confidence": 1.5}, {"explanation": 3}, ["is_passed"]],
)
def test_a_bad_body_is_a_422_naming_the_field(api: httpx.Client, body: Any) -> None:
    run = finished_run(api)
    target = responses(api, run["eval_run_uuid"])[0]
    path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses/{target['response_uuid']}"
    answer = api.patch(path, json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation.invalid_request"


def test_unknown_responses_and_runs_are_404(api: httpx.Client) -> None:
    run = finished_run(api)
    missing = f"/v2/eval-runs/{run['eval_run_uuid']}/responses/no-such-response"
    assert api.patch(missing, json={"is_passed": True}).status_code == 404
    assert api.get(missing + "/history").status_code == 404
    assert api.patch("/v2/eval-runs/nope/responses/x", json={"is_passed": True}).status_code == 404
