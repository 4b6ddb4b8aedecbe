"""The simulator's shared infrastructure and its Aymara v2 contract, data and fault injection."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from simulator.app import create_app
from simulator.ground_truth import aymara_ground_truth
from simulator.server import start_in_thread
from simulator.settings import SimSettings

KEY = "sim-test-key-7f3a9c"
ROOT = Path(__file__).resolve().parents[2]


def make_client(**overrides: Any) -> TestClient:
    """A TestClient on a fresh simulator app that sends the right key by default."""
    settings = SimSettings(api_key=KEY, **overrides)
    return TestClient(create_app(settings), headers={"x-api-key": KEY})


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


ALL = {"workspace_uuid": "**"}  # every workspace (no parameter: the key's own only)


def get_all(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, paged the way a correct client pages; every workspace unless
    `workspace_uuid` is given (None: the parameter left out, i.e. the key's own workspace)."""
    params = {**ALL, **params}
    if params["workspace_uuid"] is None:
        del params["workspace_uuid"]
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.get(path, params={**params, "limit": 100, "offset": offset})
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        offset += len(body["items"])
        if not body["items"] or offset >= body["count"]:
            return items


def mcnemar_p(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value for b and c discordant pairs."""
    n = b + c
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


# --------------------------------------------------------------------------- basics


def test_health_answers_without_a_key_with_or_without_trailing_slash() -> None:
    plain = TestClient(create_app(SimSettings(api_key=KEY)))
    for path in ("/health", "/health/"):
        response = plain.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def test_paths_are_served_with_and_without_a_trailing_slash(client: TestClient) -> None:
    with_slash = client.get("/v2/evals/", follow_redirects=False)
    assert with_slash.status_code == 200
    assert with_slash.json() == client.get("/v2/evals").json()


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "auth.invalid_key"),
        ({"x-api-key": "wrong-key"}, "auth.invalid_key"),
        ({"x-api-key": "expired-abc123"}, "auth.expired_key"),
    ],
)
def test_a_missing_wrong_or_expired_key_gets_a_401_envelope_with_request_id(
    headers: dict[str, str], code: str
) -> None:
    plain = TestClient(create_app(SimSettings(api_key=KEY)))
    response = plain.get("/v2/eval-runs", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["details"] == {}
    assert body["request_id"].startswith("req_")
    assert response.headers["x-request-id"] == body["request_id"]


def test_control_endpoints_need_the_key_too() -> None:
    plain = TestClient(create_app(SimSettings(api_key=KEY)))
    assert plain.get("/_sim/stats").status_code == 401
    assert plain.post("/_sim/config", json={"down": True}).status_code == 401


def test_lists_cap_the_limit_at_100_and_count_is_the_total() -> None:
    big = make_client(scale=10)
    page = big.get("/v2/eval-runs", params={"limit": 500, **ALL}).json()
    assert len(page["items"]) == 100
    assert page["count"] >= 450
    runs = get_all(big, "/v2/eval-runs")
    assert len(runs) == page["count"]
    assert len({r["eval_run_uuid"] for r in runs}) == len(runs)
    stamps = [(r["created_at"], r["eval_run_uuid"]) for r in runs]
    assert stamps == sorted(stamps, reverse=True), "newest first, ties broken by uuid"


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"offset": -1}, {"limit": "abc"}, {"offset": "x"}]
)
def test_bad_paging_values_are_422_validation_errors(
    client: TestClient, params: dict[str, Any]
) -> None:
    response = client.get("/v2/evals", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation.invalid_request"


def test_unknown_query_params_and_headers_are_ignored(client: TestClient) -> None:
    response = client.get(
        "/v2/evals",
        params={"shiny": "yes"},
        headers={"X-Use-Sandbox": "False", "x-stainless-retry-count": "0"},
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------- workspaces


def test_workspace_filter_shows_only_that_workspace(client: TestClient) -> None:
    everything = get_all(client, "/v2/evals", workspace_uuid="**")
    workspaces = Counter(e["workspace_uuid"] for e in everything)
    assert len(workspaces) == 3
    for ws, count in workspaces.items():
        evals = get_all(client, "/v2/evals", workspace_uuid=ws)
        assert len(evals) == count
        assert {e["workspace_uuid"] for e in evals} == {ws}
        runs = get_all(client, "/v2/eval-runs", workspace_uuid=ws)
        assert runs and {r["workspace_uuid"] for r in runs} == {ws}


def test_no_workspace_means_the_keys_own_and_double_star_means_every_workspace(
    client: TestClient,
) -> None:
    # The SDK: 'Use "\\**" for enterprise-wide access, omit for user's current workspace.'
    truth = aymara_ground_truth(SimSettings(api_key=KEY))
    own = truth["key_workspace_uuid"]
    for path, what in (("/v2/evals", "evals"), ("/v2/eval-runs", "runs")):
        mine = get_all(client, path, workspace_uuid=None)
        assert {item["workspace_uuid"] for item in mine} == {own}
        assert len(mine) == truth["workspaces"][own][what]
        every = get_all(client, path, workspace_uuid="**")
        assert len(every) == truth["totals"][what] > len(mine)
    assert client.get("/v2/evals", params={"workspace_uuid": "*"}).status_code == 404


def test_an_unknown_workspace_is_404_not_found(client: TestClient) -> None:
    response = client.get("/v2/eval-runs", params={"workspace_uuid": "no-such-workspace"})
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "resource.not_found"
    assert "Workspace" in body["error"]["message"]


def test_a_resource_asked_for_in_another_workspace_is_404(client: TestClient) -> None:
    run = client.get("/v2/eval-runs", params={"limit": 1, **ALL}).json()["items"][0]
    others = {e["workspace_uuid"] for e in get_all(client, "/v2/evals")} - {run["workspace_uuid"]}
    other = sorted(others)[0]
    path = f"/v2/eval-runs/{run['eval_run_uuid']}"
    assert client.get(path, params={"workspace_uuid": run["workspace_uuid"]}).status_code == 200
    assert client.get(path, params={"workspace_uuid": other}).status_code == 404
    assert (
        client.get(f"/v2/evals/{run['eval_uuid']}", params={"workspace_uuid": other}).status_code
        == 404
    )


def test_unknown_ids_are_404_not_found(client: TestClient) -> None:
    for path in (
        "/v2/evals/nope",
        "/v2/evals/nope/prompts",
        "/v2/eval-runs/nope",
        "/v2/eval-runs/nope/responses",
        "/v2/eval-reports/nope",
        "/v2/files/nope",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "resource.not_found"


# --------------------------------------------------------------------------- the dataset


def test_the_same_seed_serves_identical_data_and_another_seed_differs() -> None:
    def snapshot(seed: int) -> list[Any]:
        c = make_client(seed=seed)
        runs = get_all(c, "/v2/eval-runs")
        sample = runs[len(runs) // 2]["eval_run_uuid"]
        return [
            get_all(c, "/v2/evals"),
            runs,
            get_all(c, f"/v2/eval-runs/{sample}/responses"),
            get_all(c, "/v2/eval-reports"),
        ]

    first = snapshot(7)
    assert snapshot(7) == first
    assert snapshot(8) != first


def test_ground_truth_equals_the_sum_of_the_served_responses(client: TestClient) -> None:
    truth = aymara_ground_truth(SimSettings(api_key=KEY))
    seen: dict[str, Counter[str]] = {}
    for run in get_all(client, "/v2/eval-runs"):
        row = seen.setdefault(run["workspace_uuid"], Counter())
        row["runs"] += 1
        row[f"status:{run['status']}"] += 1
        for item in get_all(client, f"/v2/eval-runs/{run['eval_run_uuid']}/responses"):
            row["responses"] += 1
            verdict = {True: "passed", False: "failed", None: "not_scored"}[item["is_passed"]]
            row[verdict] += 1
    assert set(seen) == set(truth["workspaces"])
    for ws, expected in truth["workspaces"].items():
        row = seen[ws]
        for key in ("runs", "responses", "passed", "failed", "not_scored"):
            assert row[key] == expected[key], (expected["name"], key)
        assert {k: row[f"status:{k}"] for k in expected["runs_by_status"]} == expected[
            "runs_by_status"
        ]
        assert expected["pass_rate"] == pytest.approx(
            row["passed"] / (row["passed"] + row["failed"])
        )
    totals = truth["totals"]
    assert totals["responses"] == sum(r["responses"] for r in seen.values())
    assert totals["runs"] == 50
    assert totals["evals"] == len(get_all(client, "/v2/evals"))


def test_every_run_pass_rate_and_scored_count_match_its_responses(client: TestClient) -> None:
    statuses = Counter()
    for run in get_all(client, "/v2/eval-runs"):
        statuses[run["status"]] += 1
        assert run["responses"] is None, "listings carry no responses"
        items = get_all(client, f"/v2/eval-runs/{run['eval_run_uuid']}/responses")
        passed = sum(1 for i in items if i["is_passed"] is True)
        failed = sum(1 for i in items if i["is_passed"] is False)
        assert run["num_responses_scored"] == passed + failed
        if run["status"] == "finished":
            assert len(items) == run["num_prompts"] == run["evaluation"]["num_prompts"]
            assert run["pass_rate"] == pytest.approx(passed / (passed + failed))
            assert 0 <= run["pass_rate"] <= 1
        else:
            assert run["pass_rate"] is None
        if run["status"] == "failed":
            assert items == []
        if run["status"] == "processing":
            assert 0 < passed + failed < len(items), "partly scored"
        for item in items:
            if item["exclude_from_scoring"]:
                assert item["is_passed"] is None
    assert statuses["failed"] >= 2
    assert statuses["processing"] >= 1


def test_the_seeded_regression_is_significant_and_the_noise_change_is_not(
    client: TestClient,
) -> None:
    evals = {e["name"]: e for e in get_all(client, "/v2/evals")}

    def last_two(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float]]:
        runs = get_all(client, "/v2/eval-runs", eval_uuid=evals[name]["eval_uuid"])
        finished = [r for r in runs if r["status"] == "finished"]
        latest, previous = finished[0], finished[1]
        fetch = lambda r: get_all(client, f"/v2/eval-runs/{r['eval_run_uuid']}/responses")  # noqa: E731
        return fetch(previous), fetch(latest), [previous["pass_rate"], latest["pass_rate"]]

    def discordant(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> tuple[int, int]:
        was = {i["prompt_uuid"]: i["is_passed"] for i in before}
        now = {i["prompt_uuid"]: i["is_passed"] for i in after}
        assert set(was) == set(now) and len(was) == 100, "the same 100 prompts"
        b = sum(1 for p in was if was[p] and now[p] is False)
        c = sum(1 for p in was if was[p] is False and now[p])
        return b, c

    before, after, rates = last_two("Support bot - harmful requests")
    assert rates == [pytest.approx(0.88), pytest.approx(0.62)]
    b, c = discordant(before, after)
    assert (b, c) == (27, 1)
    assert mcnemar_p(b, c) < 0.001
    # Coherent: the flips concentrate in the categories the new model broke.
    prompts = {
        p["prompt_uuid"]: p["category"]
        for p in get_all(
            client, f"/v2/evals/{evals['Support bot - harmful requests']['eval_uuid']}/prompts"
        )
    }
    was = {i["prompt_uuid"]: i["is_passed"] for i in before}
    flipped = [i["prompt_uuid"] for i in after if was[i["prompt_uuid"]] and not i["is_passed"]]
    hot = sum(1 for p in flipped if prompts[p] in ("medical advice", "self-harm"))
    assert hot >= 20

    before, after, rates = last_two("Help-center answer accuracy")
    assert rates == [pytest.approx(0.80), pytest.approx(0.77)]
    assert mcnemar_p(*discordant(before, after)) > 0.2


def test_multi_turn_responses_carry_their_thread_and_next_prompt(client: TestClient) -> None:
    ev = next(e for e in get_all(client, "/v2/evals") if e["name"].startswith("Multi-turn"))
    prompts = get_all(client, f"/v2/evals/{ev['eval_uuid']}/prompts")
    assert {p["turn_number"] for p in prompts} == {1, 2, 3}
    run = get_all(client, "/v2/eval-runs", eval_uuid=ev["eval_uuid"])[0]
    items = get_all(client, f"/v2/eval-runs/{run['eval_run_uuid']}/responses")
    for item in items:
        assert item["thread_uuid"]
        assert item["continue_thread"] == (item["turn_number"] < 3)
        if item["continue_thread"]:
            nxt = item["next_prompt"]
            assert nxt["thread_uuid"] == item["thread_uuid"]
            assert nxt["turn_number"] == item["turn_number"] + 1
        else:
            assert item["next_prompt"] is None


def test_responses_look_like_a_real_account(client: TestClient) -> None:
    items = []
    for run in get_all(client, "/v2/eval-runs"):
        items.extend(get_all(client, f"/v2/eval-runs/{run['eval_run_uuid']}/responses"))
    images = [i for i in items if i["content_type"] == "image"]
    assert images and all(set(i["content"]) == {"file_uuid", "remote_file_path"} for i in images)
    manual = [i for i in items if i["manually_updated"]]
    assert 0.02 < len(manual) / len(items) < 0.09
    for item in manual:
        history = item["update_history"][0]
        assert history["new_is_passed"] == item["is_passed"]
        assert item["manually_updated_by"]["workspace"]["workspace_uuid"]
    assert any(i["ai_refused"] for i in items)
    confidences = [i["confidence"] for i in items if i["confidence"] is not None]
    assert min(confidences) >= 0.5 and max(confidences) <= 1.0
    assert any(c < 0.6 for c in confidences)


def test_reports_split_accuracy_texts_per_category(client: TestClient) -> None:
    reports = get_all(client, "/v2/eval-reports")
    assert len(reports) >= 5
    assert {r["status"] for r in reports} == {"finished", "processing"}
    accuracy = [
        rr
        for r in reports
        for rr in r["eval_run_reports"]
        if rr["eval_run"]["evaluation"]["eval_type"] == "accuracy"
    ]
    assert accuracy
    assert any("<billing>" in rr["passing_responses_summary"] for rr in accuracy)
    finished = [r for r in reports if r["status"] == "finished"]
    assert all(r["overall_improvement_advice"] for r in finished)


def test_eval_types_and_image_files(client: TestClient) -> None:
    slugs = {t["slug"] for t in get_all(client, "/v2/eval-types")}
    assert slugs == {"safety", "jailbreak", "accuracy", "image_safety"}
    image_run = next(
        r
        for r in get_all(client, "/v2/eval-runs")
        if r["evaluation"]["modality"] == "image" and r["status"] == "finished"
    )
    items = get_all(client, f"/v2/eval-runs/{image_run['eval_run_uuid']}/responses")
    file_uuid = next(i["content"]["file_uuid"] for i in items if i["content_type"] == "image")
    detail = client.get(f"/v2/files/{file_uuid}").json()
    assert detail["file_url"].endswith(f"/_sim/files/{file_uuid}.png")
    png = TestClient(client.app).get(httpx.URL(detail["file_url"]).path)  # no key needed
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["content-type"] == "image/png"


# --------------------------------------------------------------------------- writes


def test_score_responses_creates_a_finished_run_visible_in_listings_and_truth() -> None:
    c = make_client()
    ev = next(e for e in get_all(c, "/v2/evals") if e["name"] == "Help-center answer accuracy")
    prompts = get_all(c, f"/v2/evals/{ev['eval_uuid']}/prompts")
    before = c.get("/_sim/ground-truth").json()["aymara"]["workspaces"][ev["workspace_uuid"]]
    body = {
        "eval_uuid": ev["eval_uuid"],
        "name": "candidate build 42",
        "responses": [
            {
                "prompt_uuid": prompts[0]["prompt_uuid"],
                "content": "I'm not sure.",
                "ai_refused": True,
            },
            {
                "prompt_uuid": prompts[1]["prompt_uuid"],
                "content": "x",
                "exclude_from_scoring": True,
            },
            {"prompt_uuid": prompts[2]["prompt_uuid"], "content": "Something unrelated."},
        ],
    }
    response = c.post(
        "/v2/eval-runs/-/score-responses",
        params={"workspace_uuid": ev["workspace_uuid"], "is_sandbox": "true"},
        json=body,
    )
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "finished" and run["is_sandbox"] is True
    assert run["name"] == "candidate build 42"
    assert [r["is_passed"] for r in run["responses"]] == [False, None, False]
    assert run["num_responses_scored"] == 2 and run["pass_rate"] == 0
    listed = c.get("/v2/eval-runs", params={"eval_uuid": ev["eval_uuid"], "limit": 1}).json()
    assert listed["items"][0]["eval_run_uuid"] == run["eval_run_uuid"], "the newest run"
    after = c.get("/_sim/ground-truth").json()["aymara"]["workspaces"][ev["workspace_uuid"]]
    assert after["runs"] == before["runs"] + 1
    assert after["responses"] == before["responses"] + 3


def test_score_responses_names_the_index_of_an_unknown_prompt(client: TestClient) -> None:
    ev = next(e for e in get_all(client, "/v2/evals") if e["eval_type"] == "safety")
    prompt = get_all(client, f"/v2/evals/{ev['eval_uuid']}/prompts")[0]
    body = {
        "eval_uuid": ev["eval_uuid"],
        "responses": [{"prompt_uuid": prompt["prompt_uuid"]}, {"prompt_uuid": "bogus"}],
    }
    response = client.post("/v2/eval-runs/-/score-responses", json=body, params=ALL)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation.invalid_request"
    assert error["details"]["index"] == 1
    missing = client.post(
        "/v2/eval-runs/-/score-responses",
        json={"eval_uuid": "nope", "responses": body["responses"]},
    )
    assert missing.status_code == 404


def test_a_deleted_run_leaves_the_listing_and_then_404s() -> None:
    c = make_client()
    run = c.get("/v2/eval-runs", params={"limit": 1}).json()["items"][0]
    count = c.get("/v2/eval-runs").json()["count"]
    assert c.delete(f"/v2/eval-runs/{run['eval_run_uuid']}").status_code == 204
    assert c.get("/v2/eval-runs").json()["count"] == count - 1
    assert c.get(f"/v2/eval-runs/{run['eval_run_uuid']}/responses").status_code == 404


# --------------------------------------------------------------------------- faults


def test_faults_never_hit_the_same_request_more_than_max_consecutive_times() -> None:
    c = make_client(fault_rate=1.0, max_consecutive_faults=2, retry_after_s=3)
    statuses = [c.get("/v2/evals").status_code for _ in range(6)]
    assert statuses[2] == 200 and statuses[5] == 200
    assert all(s in (500, 503, 429) for i, s in enumerate(statuses) if i not in (2, 5))
    rate_limited = [
        r
        for r in (c.get("/v2/eval-types", params={"offset": n}) for n in range(40))
        if r.status_code == 429
    ]
    assert rate_limited and all(r.headers["retry-after"] == "3" for r in rate_limited)
    assert all(r.json()["error"]["code"] == "quota.limit_exceeded" for r in rate_limited)


def test_faults_are_deterministic_for_a_seed() -> None:
    def statuses(seed: int) -> list[int]:
        c = make_client(seed=seed, fault_rate=0.4)
        return [c.get("/v2/evals", params={"offset": i % 5}).status_code for i in range(40)]

    first = statuses(3)
    assert statuses(3) == first
    assert 200 in first and set(first) - {200}


def test_a_client_with_two_retries_always_gets_through_at_high_fault_rates() -> None:
    c = make_client(fault_rate=0.5, truncate_rate=0.2)
    for offset in range(30):
        for _attempt in range(3):
            response = c.get("/v2/eval-runs", params={"offset": offset, "limit": 5})
            try:
                if response.status_code == 200 and response.json():
                    break
            except json.JSONDecodeError:
                continue
        else:
            pytest.fail(f"offset {offset} never got through in 3 attempts")


def test_a_truncated_body_is_half_a_200_and_not_valid_json() -> None:
    c = make_client(truncate_rate=1.0)
    full = make_client().get("/v2/evals").content
    cut = c.get("/v2/evals")
    assert cut.status_code == 200
    assert cut.content == full[: len(full) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)


def test_down_answers_503_until_turned_off_and_stats_count_every_request() -> None:
    c = make_client()
    c.post("/_sim/reset-stats")
    assert c.post("/_sim/config", json={"down": True}).json()["down"] is True
    down = c.get("/v2/eval-runs")
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "server.internal_error"
    assert c.get("/health").status_code == 200, "health stays up"
    c.post("/_sim/config", json={"down": False})
    run = c.get("/v2/eval-runs", params={"limit": 1}).json()["items"][0]
    c.get(f"/v2/eval-runs/{run['eval_run_uuid']}/responses")
    stats = c.get("/_sim/stats").json()
    assert stats["requests"] == 3
    assert stats["by_route"] == {
        "GET /v2/eval-runs": 2,
        "GET /v2/eval-runs/{eval_run_uuid}/responses": 1,
    }
    assert stats["faults"] == 1
    assert c.post("/_sim/config", json={"fault_rate": 2}).status_code == 422


def test_a_stall_delays_the_answer_by_stall_s() -> None:
    c = make_client(stall_rate=1.0, stall_s=0.3)
    started = time.monotonic()
    assert c.get("/v2/eval-types").status_code == 200
    assert time.monotonic() - started >= 0.3


# --------------------------------------------------------------------------- secrecy and serving


def test_the_api_key_never_appears_in_any_response() -> None:
    secret = "sk-very-secret-0123456789"
    c = TestClient(
        create_app(SimSettings(api_key=secret, fault_rate=0.3)), headers={"x-api-key": secret}
    )
    run = c.get("/v2/eval-runs", params={"limit": 1}).json()
    paths = [
        "/v2/evals",
        "/v2/eval-runs?limit=0",
        "/v2/eval-runs?workspace_uuid=nope",
        "/v2/eval-reports",
        "/v2/eval-types",
        "/v2/nothing-here",
        "/_sim/stats",
        "/_sim/config",
        "/_sim/ground-truth",
    ]
    if run.get("items"):
        paths.append(f"/v2/eval-runs/{run['items'][0]['eval_run_uuid']}/responses")
    for path in paths:
        for headers in ({}, {"x-api-key": secret + "x"}, {"x-api-key": "expired-" + secret}):
            response = c.get(path, headers=headers)
            assert secret not in response.text, path
            assert secret not in json.dumps(dict(response.headers)), path


def test_start_in_thread_serves_over_real_http_on_a_free_port() -> None:
    with start_in_thread(SimSettings(api_key=KEY)) as running:
        assert running.base_url == f"http://127.0.0.1:{running.port}"
        response = httpx.get(f"{running.base_url}/v2/eval-types/", headers={"x-api-key": KEY})
        assert response.status_code == 200
        assert response.json()["count"] == 4
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{running.base_url}/health", timeout=1)


def test_the_cli_prints_the_ground_truth() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--print-ground-truth", "--seed", "7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = json.loads(result.stdout)
    assert printed["aymara"] == json.loads(json.dumps(aymara_ground_truth(SimSettings())))
