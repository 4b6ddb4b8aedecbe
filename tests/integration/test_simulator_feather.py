"""The Feather v1 part of the simulator: paging, filters, errors, activity and the demo data."""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from simulator.feather.contract import NOW, iso, to_utc
from simulator.feather.dataset import FeatherDataset, filter_runs, get_dataset
from simulator.feather.ground_truth import feather_ground_truth
from simulator.feather.rendering import run_outcome
from simulator.feather.routes import decode_cursor, make_router
from simulator.settings import SimSettings

Json = dict[str, Any]

SETTINGS = SimSettings(api_key="feather-test-key-41d2", seed=7, scale=1.0)
HEADERS = {"x-api-key": SETTINGS.api_key}


def _client(settings: SimSettings, dataset: FeatherDataset | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(make_router(settings, dataset))
    return TestClient(app)


@pytest.fixture(scope="module")
def dataset() -> FeatherDataset:
    return get_dataset(SETTINGS)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with _client(SETTINGS) as test_client:
        yield test_client


def walk(client: TestClient, **params: Any) -> tuple[list[Json], int]:
    """Every run the listing returns for `params`, following cursors; and the page count."""
    items: list[Json] = []
    pages = 0
    cursor = None
    while True:
        query = {"limit": 200, **params} | ({"cursor": cursor} if cursor else {})
        response = client.get("/v1/eval-runs", params=query, headers=HEADERS)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        items.extend(body["items"])
        assert (body["next_cursor"] is not None) == body["has_more"]
        if not body["has_more"]:
            return items, pages
        cursor = body["next_cursor"]


def ids(runs: list[Json]) -> list[str]:
    return [run["id"] for run in runs]


def evaluator_id(dataset: FeatherDataset, name: str) -> str:
    return next(e["id"] for e in dataset.evaluators if e["name"] == name)


def agent_id(dataset: FeatherDataset, name: str) -> str:
    return next(a["id"] for a in dataset.assistants if a["name"] == name)


# --------------------------------------------------------------------------- paging


def test_paging_walks_every_run_once_newest_first(
    client: TestClient, dataset: FeatherDataset
) -> None:
    runs, pages = walk(client)

    assert ids(runs) == ids(filter_runs(dataset))
    assert len(set(ids(runs))) == len(runs) == feather_ground_truth(SETTINGS)["runs"]
    assert pages == -(-len(runs) // 200) >= 10
    keys = [(to_utc(run["created_at"]), run["id"]) for run in runs]
    assert keys == sorted(keys, reverse=True)


def test_small_pages_cut_through_runs_sharing_a_timestamp_without_loss(
    client: TestClient, dataset: FeatherDataset
) -> None:
    # A session's runs are inserted together and share created_at, so with 7-run pages some
    # page boundaries fall inside a tie: only the id tie-break keeps them apart.
    runs, pages = walk(client, channel="voice", limit=7)

    assert ids(runs) == ids(filter_runs(dataset, channel="voice"))
    assert pages > 50
    boundaries = [
        (runs[i - 1]["created_at"], runs[i]["created_at"]) for i in range(7, len(runs), 7)
    ]
    assert any(before == after for before, after in boundaries)


def test_default_limit_is_50(client: TestClient) -> None:
    body = client.get("/v1/eval-runs", headers=HEADERS).json()

    assert len(body["items"]) == 50 and body["has_more"] is True


def test_a_cursor_stays_valid_after_a_newer_run_is_written() -> None:
    dataset = FeatherDataset(SETTINGS)  # private copy: this test writes to it
    expected = ids(filter_runs(dataset))
    with _client(SETTINGS, dataset) as client:
        first = client.get("/v1/eval-runs", params={"limit": 100}, headers=HEADERS).json()
        newest = copy.deepcopy(first["items"][0])
        newer = newest | {"id": str(uuid.uuid4()), "created_at": iso(NOW + timedelta(seconds=1))}
        dataset.insert_run(newer)

        rest, _ = walk(client, cursor=first["next_cursor"], limit=100)

    walked = ids(first["items"]) + ids(rest)
    assert walked == expected  # nothing skipped, nothing repeated, the new run not mixed in
    assert ids(filter_runs(dataset))[0] == newer["id"]  # a fresh walk starts with it


def test_a_cursor_is_opaque_but_decodes_to_the_last_items_position(client: TestClient) -> None:
    body = client.get("/v1/eval-runs", params={"limit": 3}, headers=HEADERS).json()
    last = body["items"][-1]

    assert decode_cursor(body["next_cursor"]) == (to_utc(last["created_at"]), last["id"])


@pytest.mark.parametrize("cursor", ["not-base64!!", "bm90IGpzb24", "WzEsMl0", ""])
def test_an_invalid_cursor_is_a_400_bad_request(client: TestClient, cursor: str) -> None:
    response = client.get("/v1/eval-runs", params={"cursor": cursor}, headers=HEADERS)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


# --------------------------------------------------------------------------- filters


def _has_failing_score(run: Json) -> bool:
    return any(score["passed"] is False for score in run["scores"])


# (id, filters from the dataset, what every returned run must satisfy)
FILTER_CASES: list[tuple[str, Callable[[FeatherDataset], Json], Callable[[Json], bool]]] = [
    (
        "outcome failed",
        lambda ds: {"outcome": "failed"},
        lambda r: r["status"] == "completed" and _has_failing_score(r),
    ),
    (
        "outcome passed",
        lambda ds: {"outcome": "passed"},
        lambda r: (
            r["status"] == "completed"
            and bool(r["scores"])
            and all(s["passed"] is True for s in r["scores"])
        ),
    ),
    (
        "outcome no_verdict",
        lambda ds: {"outcome": "no_verdict"},
        lambda r: r["status"] == "completed" and all(s["passed"] is None for s in r["scores"]),
    ),
    (
        "outcome errored",
        lambda ds: {"outcome": "errored"},
        lambda r: r["status"] in ("failed", "errored") and r["error_text"],
    ),
    ("status running", lambda ds: {"status": "running"}, lambda r: r["status"] == "running"),
    (
        "score_min",
        lambda ds: {"score_min": 0.9},
        lambda r: (
            r["format_snapshot"] != "numeric"
            and any(s["value"] is not None and s["value"] >= 0.9 for s in r["scores"])
        ),
    ),
    (
        "score band",
        lambda ds: {"score_min": 0.6, "score_max": 0.7},
        lambda r: any(s["value"] is not None and 0.6 <= s["value"] <= 0.7 for s in r["scores"]),
    ),
    (
        "severity critical",
        lambda ds: {"severity": "critical"},
        lambda r: r["severity_snapshot"] == "critical",
    ),
    ("is_critical true", lambda ds: {"is_critical": "true"}, lambda r: r["is_critical_snapshot"]),
    (
        "is_critical false",
        lambda ds: {"is_critical": "false"},
        lambda r: not r["is_critical_snapshot"],
    ),
    (
        "scope simulation",
        lambda ds: {"scope": "simulation"},
        lambda r: r["session_type"] == "simulation",
    ),
    ("channel sms", lambda ds: {"channel": "sms"}, lambda r: r["channel"] == "sms"),
    (
        "evaluator_id",
        lambda ds: {"evaluator_id": evaluator_id(ds, "Helpfulness")},
        lambda r: r["format_snapshot"] == "score",
    ),
    (
        "agent_id",
        lambda ds: {"agent_id": agent_id(ds, "Returns SMS Bot").upper()},
        lambda r: r["channel"] == "sms",
    ),
    (
        "q evaluator name, any case",
        lambda ds: {"q": "REFUND policy"},
        lambda r: r["prompt_snapshot"].startswith("Compare every refund"),
    ),
    (
        "q assistant name",
        lambda ds: {"q": "voice line"},
        lambda r: r["channel"] == "voice" and r["agent_id"] is not None,
    ),
    (
        "created window",
        lambda ds: {
            "created_from": "2026-11-01T06:30:00Z",
            "created_to": "2026-11-03T18:00:00-05:00",
        },
        lambda r: "2026-11-01T06:30" <= r["created_at"] <= "2026-11-03T23:00",
    ),
    (
        "combined",
        lambda ds: {"scope": "live", "outcome": "failed", "severity": "high", "channel": "chat"},
        lambda r: r["session_type"] == "live" and r["channel"] == "chat" and _has_failing_score(r),
    ),
]


@pytest.mark.parametrize(
    ("make_filters", "holds"),
    [(make, holds) for _, make, holds in FILTER_CASES],
    ids=[name for name, _, _ in FILTER_CASES],
)
def test_each_filter_narrows_to_what_filter_runs_holds(
    client: TestClient,
    dataset: FeatherDataset,
    make_filters: Callable[[FeatherDataset], Json],
    holds: Callable[[Json], bool],
) -> None:
    filters = make_filters(dataset)

    runs, _ = walk(client, **filters)

    assert runs, f"no demo run matches {filters}: the case would prove nothing"
    assert len(runs) < len(dataset.runs)
    assert all(holds(run) for run in runs)
    assert ids(runs) == ids(filter_runs(dataset, **filters))


def test_score_filters_never_match_numeric_runs(
    client: TestClient, dataset: FeatherDataset
) -> None:
    numeric = [r for r in dataset.runs if r["format_snapshot"] == "numeric" and r["scores"]]

    runs, _ = walk(client, score_min=0, score_max=1)

    assert numeric and all(s["value"] is None for r in numeric for s in r["scores"])
    assert not {r["id"] for r in numeric} & set(ids(runs))


def test_q_matches_an_id_prefix_of_eight_characters_but_not_seven(
    client: TestClient, dataset: FeatherDataset
) -> None:
    run = dataset.runs[100]

    by_run, _ = walk(client, q=run["id"][:8])
    by_session, _ = walk(client, q=run["session_id"][:8].upper())
    too_short, _ = walk(client, q=run["id"][:7])

    assert run["id"] in ids(by_run)
    assert ids(by_session) == ids(filter_runs(dataset, session_id=run["session_id"]))
    assert run["id"] not in ids(too_short)


def test_q_by_assistant_name_skips_legacy_runs_without_an_agent(
    client: TestClient, dataset: FeatherDataset
) -> None:
    legacy = [r for r in dataset.runs if r["agent_id"] is None]

    runs, _ = walk(client, q="acme support")

    assert legacy and all(r["channel"] == "chat" for r in legacy)
    assert not {r["id"] for r in legacy} & set(ids(runs))


def test_a_date_only_created_to_includes_that_whole_day(
    client: TestClient, dataset: FeatherDataset
) -> None:
    late_on_the_day = [r for r in dataset.runs if r["created_at"].startswith("2026-11-18T2")]

    whole_day, _ = walk(client, created_from="2026-11-18", created_to="2026-11-18")
    until_noon, _ = walk(client, created_from="2026-11-18", created_to="2026-11-18T12:00:00Z")

    assert late_on_the_day and set(ids(late_on_the_day)) <= set(ids(whole_day))
    assert {r["created_at"][:10] for r in whole_day} == {"2026-11-18"}
    assert all(r["created_at"] <= "2026-11-18T12:00:00" for r in until_noon)
    assert len(until_noon) < len(whole_day)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "201"),
        ("limit", "0"),
        ("limit", "many"),
        ("status", "done"),
        ("outcome", "PASSED"),
        ("scope", "production"),
        ("severity", "urgent"),
        ("agent_id", "not-a-uuid"),
        ("score_min", "1.5"),
        ("score_max", "-0.1"),
        ("is_critical", "maybe"),
        ("created_from", "last tuesday"),
        ("q", "x" * 256),
    ],
)
def test_a_bad_parameter_is_a_422_in_fastapis_shape(
    client: TestClient, name: str, value: str
) -> None:
    response = client.get("/v1/eval-runs", params={name: value}, headers=HEADERS)

    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == ["query", name]
    assert isinstance(detail["msg"], str) and isinstance(detail["type"], str)


def test_the_422_shape_survives_an_app_wide_custom_validation_handler() -> None:
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def aymara_style(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": {"type": "validation"}}, status_code=422)

    app.include_router(make_router(SETTINGS))
    with TestClient(app) as client:
        response = client.get("/v1/eval-runs", params={"limit": 201}, headers=HEADERS)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    "path",
    ["/v1/eval-runs", "/v1/eval-runs/activity", "/v1/evaluators", "/v1/assistants"],
)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_without_the_right_key_every_endpoint_is_a_401_that_never_echoes_it(
    client: TestClient, path: str, key: str | None
) -> None:
    headers = {} if key is None else {"x-api-key": key}

    response = client.get(path, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error", "message", "retryable", "retry_after"}
    assert body["error"] == "authentication_required" and body["retryable"] is False
    assert SETTINGS.api_key not in response.text and "wrong-key" not in response.text


@pytest.mark.parametrize("path", ["eval-runs", "eval-scores", "evaluators", "conversations"])
def test_unknown_ids_are_404_and_malformed_ids_422(client: TestClient, path: str) -> None:
    missing = client.get(f"/v1/{path}/{uuid.uuid4()}", headers=HEADERS)
    malformed = client.get(f"/v1/{path}/nope", headers=HEADERS)

    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["loc"][0] == "path"


# --------------------------------------------------------------------------- activity


def test_activity_buckets_cover_every_day_and_sum_to_the_listing(
    client: TestClient, dataset: FeatherDataset
) -> None:
    params = {"created_from": "2026-08-01", "created_to": "2026-11-20", "channel": "voice"}

    body = client.get("/v1/eval-runs/activity", params=params, headers=HEADERS).json()
    runs = filter_runs(dataset, **params)

    dates = [bucket["date"] for bucket in body["buckets"]]
    assert dates[0] == "2026-08-01" and dates[-1] == "2026-11-20" and len(dates) == 112
    assert any(bucket["total"] == 0 for bucket in body["buckets"])  # zero days are present
    outcomes = Counter(run_outcome(run) for run in runs)
    assert sum(b["total"] for b in body["buckets"]) == len(runs)
    assert sum(b["failed"] for b in body["buckets"]) == outcomes["failed"] > 0
    assert sum(b["errored"] for b in body["buckets"]) == outcomes["errored"] > 0


def test_activity_defaults_to_the_last_365_days(client: TestClient) -> None:
    body = client.get("/v1/eval-runs/activity", headers=HEADERS).json()

    assert body["period_start"] == iso(NOW - timedelta(days=365))
    assert body["period_end"] == iso(NOW)
    assert len(body["buckets"]) == 366
    assert sum(b["total"] for b in body["buckets"]) == feather_ground_truth(SETTINGS)["runs"]


def test_activity_refuses_a_window_over_400_days(client: TestClient) -> None:
    params = {"created_from": "2025-01-01", "created_to": "2026-11-20"}

    response = client.get("/v1/eval-runs/activity", params=params, headers=HEADERS)

    assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "query"


def test_activity_is_a_404_on_an_older_server() -> None:
    older = SimSettings(api_key=SETTINGS.api_key, feather_activity=False)
    with _client(older) as client:
        response = client.get("/v1/eval-runs/activity", headers=HEADERS)

    assert response.status_code == 404 and response.json()["error"] == "not_found"


# --------------------------------------------------------------------------- single items


def test_run_detail_includes_the_session_turns_and_recording_asked_for(
    client: TestClient, dataset: FeatherDataset
) -> None:
    run = next(
        r
        for r in dataset.runs
        if dataset.recordings.get(r["session_id"], {}).get("status") == "finalized"
    )

    plain = client.get(f"/v1/eval-runs/{run['id']}", headers=HEADERS).json()
    full = client.get(
        f"/v1/eval-runs/{run['id']}",
        params={"include": "session, turns,recording,unknown"},
        headers=HEADERS,
    ).json()

    assert plain["session"] is None and plain["turns"] is None and plain["recording"] is None
    assert full["session"]["id"] == run["session_id"] and full["session"]["channel"] == "voice"
    assert 4 <= len(full["turns"]) <= 16 and full["turns_truncated"] is False
    assert [t["seq"] for t in full["turns"]] == list(range(1, len(full["turns"]) + 1))
    assert full["recording"]["id"] == dataset.recordings[run["session_id"]]["id"]
    assert {k: full[k] for k in run} == run


def test_a_score_and_an_evaluator_can_be_fetched_by_id(
    client: TestClient, dataset: FeatherDataset
) -> None:
    run = next(r for r in dataset.runs if r["scores"])
    score = run["scores"][0]

    got_score = client.get(f"/v1/eval-scores/{score['id']}", headers=HEADERS).json()
    got_evaluator = client.get(f"/v1/evaluators/{run['evaluator_id']}", headers=HEADERS).json()

    assert got_score == score
    assert got_evaluator["id"] == run["evaluator_id"]
    assert got_evaluator["format"] == run["format_snapshot"]


def test_conversation_eval_summary_follows_the_documented_arithmetic(
    client: TestClient, dataset: FeatherDataset
) -> None:
    run = next(r for r in dataset.runs if r["is_critical_snapshot"] and run_outcome(r) == "failed")
    runs = [r for r in dataset.runs if r["session_id"] == run["session_id"]]

    session = client.get(f"/v1/conversations/{run['session_id']}", headers=HEADERS).json()

    summary = session["eval_summary"]
    assert summary["total"] == len(runs)
    assert summary["succeeded"] + summary["failed"] + summary["pending"] == summary["total"]
    assert summary["critical_failed"] >= 1
    assert summary["eval_status"] in ("failure", "partial")


# --------------------------------------------------------------------------- catalogs


def test_evaluators_page_and_filter(client: TestClient, dataset: FeatherDataset) -> None:
    def listing(**params: Any) -> list[Json]:
        items, cursor = [], None
        while True:
            query = params | ({"cursor": cursor} if cursor else {})
            body = client.get("/v1/evaluators", params=query, headers=HEADERS).json()
            items += body["items"]
            if not body["has_more"]:
                return items
            cursor = body["next_cursor"]

    assert sorted(e["id"] for e in listing(limit=5)) == sorted(e["id"] for e in dataset.evaluators)
    assert {e["format"] for e in listing(kind="deterministic")} == {"numeric"}
    assert [e["status"] for e in listing(status="archived")] == ["archived"]
    assert all("compliance" in e["tags"] for e in listing(tag="compliance"))
    assert [e["name"] for e in listing(name_contains="SENTIMENT")] == ["Customer sentiment"]


def test_assistants_use_their_own_key_and_cap_the_limit(
    client: TestClient, dataset: FeatherDataset
) -> None:
    response = client.get("/v1/assistants", params={"limit": 1000}, headers=HEADERS)

    assert response.status_code == 200
    body = response.json()
    assert "items" not in body and body["has_more"] is False
    assert {a["id"] for a in body["assistants"]} == {a["id"] for a in dataset.assistants}


# --------------------------------------------------------------------------- the demo data


def test_two_builds_with_one_seed_are_identical_and_another_seed_differs() -> None:
    first, second = FeatherDataset(SETTINGS), FeatherDataset(SETTINGS)
    other = FeatherDataset(SimSettings(seed=8))

    assert first.runs == second.runs and first.turns == second.turns
    assert first.sessions == second.sessions and first.evaluators == second.evaluators
    assert ids(other.runs) != ids(first.runs)


def test_the_demo_data_covers_every_format_status_and_severity(dataset: FeatherDataset) -> None:
    truth = feather_ground_truth(SETTINGS)

    assert 1500 <= truth["runs"] <= 2500
    assert all(count > 0 for count in truth["runs_by_status"].values())
    assert all(count > 0 for count in truth["runs_by_outcome"].values())
    assert all(count > 0 for count in truth["runs_by_severity"].values())
    assert all(count > 0 for count in truth["runs_by_scope"].values())
    assert {e["format"] for e in dataset.evaluators} == {"boolean", "score", "numeric", "enum"}
    assert truth["critical_failures"] > 0 and truth["runs_without_agent"] > 0


def test_scores_agree_with_their_format_and_threshold(dataset: FeatherDataset) -> None:
    for run in dataset.runs:
        if run["status"] != "completed":
            assert run["scores"] == []
            assert (run["error_text"] is not None) == (run["status"] in ("failed", "errored"))
            continue
        for score in run["scores"]:
            assert score["rationale"] and score["eval_run_id"] == run["id"]
            if run["format_snapshot"] == "numeric":
                assert score["value"] is None and score["raw_value"] is not None
            if run["format_snapshot"] == "enum":
                assert score["label"] in ("positive", "neutral", "negative")
            if run["format_snapshot"] == "score":
                assert score["passed"] == (score["value"] >= run["threshold_snapshot"])
            if score["confidence"] is not None:
                assert 0.5 <= score["confidence"] <= 0.99


def test_in_progress_runs_are_the_newest(dataset: FeatherDataset) -> None:
    in_progress = [r for r in dataset.runs if r["status"] in ("pending", "running")]
    cutoff = NOW - timedelta(minutes=10)

    assert in_progress and all(to_utc(r["created_at"]) > cutoff for r in in_progress)
    assert all(r["started_at"] is None for r in in_progress if r["status"] == "pending")
    assert all(to_utc(r["created_at"]) <= NOW for r in dataset.runs)


def test_one_evaluator_clearly_fails_most_this_week(client: TestClient) -> None:
    week_ago = (NOW - timedelta(days=7)).isoformat()
    failed, _ = walk(client, outcome="failed", created_from=week_ago)
    names = {
        e["id"]: e["name"]
        for e in client.get("/v1/evaluators", params={"limit": 200}, headers=HEADERS).json()[
            "items"
        ]
    }

    (top, top_count), (_, runner_up) = Counter(
        names[r["evaluator_id"]] for r in failed
    ).most_common(2)

    assert (
        top
        == "Refund policy accuracy"
        == feather_ground_truth(SETTINGS)["top_failing_evaluator_last_7_days"]
    )
    assert top_count >= 2 * runner_up


def test_datetimes_are_utc_with_a_z_suffix(dataset: FeatherDataset) -> None:
    run = dataset.runs[0]

    assert run["created_at"].endswith("Z")
    assert to_utc(run["created_at"]).tzinfo == UTC
    assert datetime.fromisoformat(run["created_at"]) <= NOW
