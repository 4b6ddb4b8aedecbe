"""A load cut short by an outage says what is missing, and Try again asks only for that.

The simulator's outage switch is flipped mid-load over real HTTP, as the probe killed the API
after 426 of 502 listings.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from jobs.aymara_fetch import fetch_aymara
from tests.conftest import SIMULATOR_KEY

HEADERS = {"x-api-key": SIMULATOR_KEY}


@pytest.fixture(scope="module")
def sim(start_simulator: Any) -> Any:
    """A simulator of its own: these tests switch its outage on and off."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


def routes(sim: Any) -> dict[str, int]:
    return httpx.get(f"{sim.base_url}/_sim/stats", headers=HEADERS).json()["by_route"]


def reset(sim: Any) -> None:
    httpx.post(f"{sim.base_url}/_sim/reset-stats", headers=HEADERS).raise_for_status()


def client_of(sim: Any) -> AymaraClient:
    return AymaraClient(SIMULATOR_KEY, sim.base_url, max_retries=0, sleep=lambda s: None)


def cut_short(sim: Any, after: int) -> Any:
    """A load whose API goes down once it has served `after` requests.

    The simulator counts the requests itself, so where the outage falls does not depend on
    how fast this machine hands the answers to the loader.
    """
    httpx.post(
        f"{sim.base_url}/_sim/config", json={"down_after": after}, headers=HEADERS
    ).raise_for_status()
    try:
        with client_of(sim) as client:
            return fetch_aymara(client, ALL_WORKSPACES)
    finally:
        httpx.post(
            f"{sim.base_url}/_sim/config", json={"down_after": 0, "down": False}, headers=HEADERS
        ).raise_for_status()


def test_an_outage_mid_load_names_what_is_missing_and_a_retry_fetches_only_that(sim: Any):
    with client_of(sim) as client:
        whole = fetch_aymara(client, ALL_WORKSPACES)
    assert not whole.partial and not whole.missing

    cut = cut_short(sim, after=3 + 10)  # the three listings, then ten runs or evals
    assert cut.partial
    assert cut.missing.runs > 0 and cut.missing.runs_total == whole.missing.runs_total
    assert len(cut.responses) < len(whole.responses)
    said = "; ".join(cut.missing.parts())
    assert f"the responses of {cut.missing.runs:,} of {cut.missing.runs_total:,} runs" in said

    reset(sim)
    with client_of(sim) as client:
        repaired = fetch_aymara(client, ALL_WORKSPACES, previous=cut)
    asked = routes(sim)
    # The listings read in full are not asked again; only the missing runs and evals are.
    assert not any(r.endswith(("/v2/evals", "/v2/eval-runs")) for r in asked), asked
    assert sum(n for r, n in asked.items() if r.endswith("/responses")) >= cut.missing.runs
    print(f"partial: {cut.requests} requests, missing {said}; retry: {repaired.requests} {asked}")
    assert repaired.requests <= cut.missing.runs + cut.missing.evals + 3, asked
    assert not repaired.partial and not repaired.missing and repaired.resume is None
    assert len(repaired.responses) == len(whole.responses)
    key = ["response_uuid", "verdict"]
    assert (
        repaired.responses[key].sort_values(key).reset_index(drop=True)
        .equals(whole.responses[key].sort_values(key).reset_index(drop=True))
    )  # fmt: skip
