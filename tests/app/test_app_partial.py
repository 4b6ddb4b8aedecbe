"""A partial load on the Overview: each number says so, the notice is open, Try again mends it.

The partial dataset is made over real HTTP (the simulator's outage switched on mid-load): an
in-memory load the shared cache holds, and a first-visit sync into the dashboard's own lake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from client.aymara import ALL_WORKSPACES
from components import cache
from components.connection import Source
from jobs.aymara_fetch import fetch_aymara
from jobs.own_lake import own_location, sync_own_lake
from reporting.aymara.aggregates import verdict_counts
from tests.app.test_app_aymara import APP, TIMEOUT_S
from tests.app.test_app_lake import own_lake_env
from tests.conftest import SIMULATOR_KEY
from tests.integration.test_partial_loads import HEADERS, client_of, cut_short, reset, routes


@pytest.fixture(scope="module")
def sim(start_simulator: Any) -> Any:
    """A simulator of its own: its outage is switched on and off."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


@pytest.fixture
def partial_app(monkeypatch: pytest.MonkeyPatch, sim: Any) -> Iterator[tuple[AppTest, Any]]:
    """The app with the shared cache holding a load the outage cut short."""
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", sim.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_STORE", "off")
    monkeypatch.setenv("EVAL_DASHBOARD_LOCAL_LAKE", "off")  # the in-memory load is injected
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES"):
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()
    cut = cut_short(sim, after=3 + 2)  # the three listings, then two runs or evals
    assert cut.partial
    source = Source("aymara", sim.base_url, SIMULATOR_KEY)
    key = cache.cache_key(source, ALL_WORKSPACES, ())
    cache.dataset_cache().get_or_load(key, lambda: cut, lambda _: 600.0)
    yield AppTest.from_file(APP, default_timeout=TIMEOUT_S), cut
    cache.dataset_cache().clear()


def truth_of(sim: Any) -> dict[str, Any]:
    return httpx.get(f"{sim.base_url}/_sim/ground-truth", headers=HEADERS).json()["aymara"]


def tile(at: AppTest, start: str) -> tuple[str, str]:
    found = [(m.label, m.value) for m in at.metric if m.label.startswith(start)]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_a_partial_overview_marks_its_numbers_and_try_again_fetches_only_the_rest(
    partial_app: tuple[AppTest, Any], sim: Any
):
    at, cut = partial_app
    with client_of(sim) as client:
        # The page leaves sandbox runs out by default: count what it shows.
        whole = verdict_counts(fetch_aymara(client, ALL_WORKSPACES).view(False).responses)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    label, value = tile(at, "Responses scored")
    assert (
        label == "Responses scored (partial)"
        and value == f"{verdict_counts(cut.view(False).responses)['scored']:,}"
    )
    assert tile(at, "Pass rate")[0] == "Pass rate (partial)"
    assert tile(at, "Evals")[0] == "Evals"  # the evals listing loaded in full: not marked
    notice = " ".join(w.value for w in at.warning)
    assert f"the responses of {cut.missing.runs:,} of {cut.missing.runs_total:,} runs" in notice
    assert "Everything else on this page is complete" not in notice
    headings = [s.value for s in at.subheader]
    assert "Prompt categories that fail most (partial)" in headings
    assert any("Partial: built without" in c.value for c in at.caption)

    reset(sim)
    at.button(key="_retry_missing").click().run()
    assert not at.exception, [e.value for e in at.exception]
    asked = routes(sim)
    assert not any(r.endswith(("/v2/evals", "/v2/eval-runs")) for r in asked), asked
    assert tile(at, "Responses scored") == ("Responses scored", f"{whole['scored']:,}")
    assert not any("Partial data" in w.value for w in at.warning)


def test_a_first_visit_sync_cut_short_is_partial_and_try_again_fetches_only_the_missing_runs(
    monkeypatch: pytest.MonkeyPatch, sim: Any, tmp_path: Path
) -> None:
    """The own lake: an outage mid-sync shows what synced, marked; Try again syncs the rest."""
    own_lake_env(monkeypatch, sim, tmp_path)
    with client_of(sim) as client:
        whole = verdict_counts(fetch_aymara(client, ALL_WORKSPACES).view(False).responses)
    config = f"{sim.base_url}/_sim/config"
    evals = truth_of(sim)["totals"]["evals"]
    # The three listings, every eval's prompts, then two runs' responses: the sync the first
    # visit made, cut short (made here without retries, so the outage is met at once).
    httpx.post(config, json={"down_after": 3 + evals + 2}, headers=HEADERS).raise_for_status()
    try:
        with client_of(sim) as client:
            cut = sync_own_lake(client, own_location(client))
    finally:
        httpx.post(config, json={"down_after": 0, "down": False}, headers=HEADERS)
    assert cut.partial and cut.sync_id == 1
    source = Source("aymara", sim.base_url, SIMULATOR_KEY)
    cache.dataset_cache().get_or_load(
        cache.cache_key(source, None, (), "own-lake-sync"), lambda: cut, lambda _: 600.0
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    label, value = tile(at, "Responses scored")
    assert label == "Responses scored (partial)" and int(value.replace(",", "")) < whole["scored"]
    notice = " ".join(w.value for w in at.warning)
    said = re.search(r"Partial data: the responses of (\d+) of (\d+) runs did not", notice)
    assert said, notice
    missing, runs = int(said[1]), int(said[2])
    assert 0 < missing < runs

    reset(sim)
    at.button(key="_retry_missing").click().run()
    assert not at.exception, [e.value for e in at.exception]
    asked = routes(sim)
    fetched = sum(n for r, n in asked.items() if r.endswith("/responses"))
    assert fetched == missing, asked  # only the runs that did not load (one page each)
    assert tile(at, "Responses scored") == ("Responses scored", f"{whole['scored']:,}")
    assert not any("Partial data" in w.value for w in at.warning)
    cache.dataset_cache().clear()
