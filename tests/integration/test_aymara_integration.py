"""The Aymara client against the simulator over real HTTP: every listing adds up to the truth.

The simulator is an independent implementation of the contract (it imports nothing from
`client`), and `simulator.ground_truth` counts its dataset without going through HTTP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.aymara_models import ResponseToScore, ScoreRequest
from client.errors import AuthenticationError, NotFoundError
from tests.conftest import SIMULATOR_KEY

TOTALS = ("evals", "runs", "responses", "passed", "failed", "not_scored")


def ground_truth() -> dict[str, Any]:
    """What a fresh simulator with the shared settings holds (counted without HTTP)."""
    from simulator.ground_truth import aymara_ground_truth
    from simulator.settings import SimSettings

    return aymara_ground_truth(SimSettings(seed=7, scale=1))


def connect(sim: Any, key: str = SIMULATOR_KEY, **options: Any) -> AymaraClient:
    # Waits are recorded, not slept: the simulator's injected faults clear within the retries.
    options.setdefault("sleep", lambda seconds: None)
    return AymaraClient(key, sim.base_url, concurrency=8, **options)


def sim_stats(sim: Any) -> dict[str, Any]:
    answer = httpx.get(f"{sim.base_url}/_sim/stats", headers={"x-api-key": SIMULATOR_KEY})
    answer.raise_for_status()
    return answer.json()


def walk_everything(client: AymaraClient) -> dict[str, Counter[str]]:
    """Read every eval, run and response of every workspace; count them per workspace."""
    everything = client.list_evals(ALL_WORKSPACES)  # no workspace_uuid: the key's own only
    assert everything.complete, everything.error
    workspaces = sorted({e.workspace_uuid for e in everything.items if e.workspace_uuid})
    counts: dict[str, Counter[str]] = {}
    for ws in workspaces:
        evals = client.list_evals(ws)
        runs = client.list_eval_runs(ws)
        assert evals.complete, evals.error
        assert runs.complete, runs.error
        responses = client.fetch_run_responses([(run.eval_run_uuid, ws) for run in runs.items])
        tally: Counter[str] = Counter(evals=len(evals.items), runs=len(runs.items))
        for run_uuid, listing in responses.items():
            assert listing.complete, (run_uuid, listing.error, listing.skipped)
            for response in listing.items:
                tally["responses"] += 1
                verdict = {True: "passed", False: "failed", None: "not_scored"}[response.is_passed]
                tally[verdict] += 1
        counts[ws] = tally
    return counts


def expected_counts(truth: dict[str, Any]) -> dict[str, Counter[str]]:
    return {
        ws: Counter({name: facts[name] for name in TOTALS if facts[name]})
        for ws, facts in truth["workspaces"].items()
    }


@pytest.fixture(scope="module")
def faulty_simulator(start_simulator: Any) -> Iterator[Any]:
    """A simulator that answers a fifth of requests with a 429, 500 or 503."""
    yield start_simulator(seed=7, scale=1, fault_rate=0.2, retry_after_s=0)


def test_walking_every_listing_gives_the_ground_truth(simulator: Any) -> None:
    truth = ground_truth()

    with connect(simulator) as client:
        counts = walk_everything(client)

    assert counts == expected_counts(truth)
    summed = sum(counts.values(), Counter())
    assert {name: summed[name] for name in TOTALS} == {
        name: truth["totals"][name] for name in TOTALS
    }


def test_a_fifth_of_requests_failing_still_gives_the_ground_truth(
    simulator: Any, faulty_simulator: Any
) -> None:
    truth = ground_truth()

    before_clean = sim_stats(simulator)["requests"]
    with connect(simulator) as client:
        clean_counts = walk_everything(client)
    clean_requests = sim_stats(simulator)["requests"] - before_clean

    before = sim_stats(faulty_simulator)
    with connect(faulty_simulator) as client:
        counts = walk_everything(client)
    after = sim_stats(faulty_simulator)

    assert counts == clean_counts == expected_counts(truth)
    assert after["faults"] > before["faults"]
    assert after["requests"] - before["requests"] > clean_requests


def test_a_bad_key_is_an_authentication_error_that_does_not_show_the_key(
    simulator: Any,
) -> None:
    wrong = "not-the-right-key-5e1d0c"

    with connect(simulator, key=wrong) as client, pytest.raises(AuthenticationError) as caught:
        client.get_eval_run("anything")

    for text in (str(caught.value), repr(caught.value), caught.value.url or ""):
        assert wrong not in text
        assert SIMULATOR_KEY not in text

    with connect(simulator, key=wrong) as client:
        listing = client.list_evals()
    assert isinstance(listing.error, AuthenticationError)


def test_an_unknown_workspace_is_not_found(simulator: Any) -> None:
    with connect(simulator) as client:
        listing = client.list_evals("ws-that-does-not-exist")

    assert isinstance(listing.error, NotFoundError)
    assert listing.items == []


def test_scoring_responses_creates_a_run_that_is_then_listed(start_simulator: Any) -> None:
    sim = start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)  # this one is written
    with connect(sim) as client:
        evals = client.list_evals().items
        target = next(e for e in evals if e.status == "finished" and e.workspace_uuid)
        ws = target.workspace_uuid
        prompts = client.list_eval_prompts(target.eval_uuid, ws)
        assert prompts.complete and prompts.items
        refused = {p.prompt_uuid for p in prompts.items[::5]}
        request = ScoreRequest(
            eval_uuid=target.eval_uuid,
            name="Scored by the integration test",
            responses=[
                ResponseToScore(
                    prompt_uuid=p.prompt_uuid,
                    content=None if p.prompt_uuid in refused else f"An answer to: {p.content}",
                    ai_refused=p.prompt_uuid in refused,
                )
                for p in prompts.items
            ],
        )
        runs_before = client.list_eval_runs(ws, target.eval_uuid).items

        run = client.score_responses(request, workspace_uuid=ws)

        assert run.eval_run_uuid not in {r.eval_run_uuid for r in runs_before}
        assert run.eval_uuid == target.eval_uuid
        runs_after = client.list_eval_runs(ws, target.eval_uuid)
        assert len(runs_after.items) == len(runs_before) + 1
        listed = next(r for r in runs_after.items if r.eval_run_uuid == run.eval_run_uuid)
        assert listed.num_prompts == len(prompts.items)
        responses = client.list_run_responses(run.eval_run_uuid, ws)
        assert responses.complete
        assert sorted(r.prompt_uuid for r in responses.items) == sorted(
            p.prompt_uuid for p in prompts.items
        )
        scored = sum(r.is_passed is not None for r in responses.items)
        assert listed.num_responses_scored == scored
        assert {r.prompt_uuid for r in responses.items if r.ai_refused} == refused
