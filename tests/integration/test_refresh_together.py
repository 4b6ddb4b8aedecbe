"""Refresh pressed by several people at once reloads once, for everyone (a real app, no browser)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.appserver import start_app
from tests.conftest import SIMULATOR_KEY
from tests.integration.test_lake_sync import control
from tests.stsession import page_tiles, press_together

LISTING = "GET /v2/evals"


@pytest.mark.parametrize("local_lake", ["on", "off"])
def test_six_sessions_pressing_refresh_together_make_one_reload(
    start_simulator: Any, local_lake: str
) -> None:
    sim = start_simulator(seed=21, scale=1, fault_rate=0.0, retry_after_s=0)
    app = start_app(
        {
            "AYMARA_AI_API_KEY": SIMULATOR_KEY,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "EVAL_DASHBOARD_LOCAL_LAKE": local_lake,
            "EVAL_DASHBOARD_STORE": "off",  # every load goes to the API: reloads are countable
        },
        name=f"refresh-together-{local_lake}",
    )
    try:
        control(sim, "POST", "/_sim/reset-stats")
        tiles = page_tiles(app.url)  # the first load
        one_load = control(sim, "GET", "/_sim/stats")["by_route"]
        assert one_load[LISTING] >= 1

        control(sim, "POST", "/_sim/reset-stats")
        took = press_together(app.url, "Refresh", sessions=6)
        reloads = control(sim, "GET", "/_sim/stats")["by_route"]
        assert len(took) == 6
        # One reload's requests, however many pressed: the same listing count as one load.
        assert reloads.get(LISTING, 0) == one_load[LISTING], reloads
        runs = [r for r in one_load if r.startswith("GET /v2/eval-runs/") and "responses" in r]
        assert runs, one_load
        if local_lake == "off":  # in memory: the reload reads every run again, once
            assert all(reloads.get(r, 0) == one_load[r] for r in runs), (reloads, one_load)
        else:  # the own lake: one sync, and no finished run has moved, so none is read
            assert not any(reloads.get(r, 0) for r in runs), reloads
        assert page_tiles(app.url) == tiles  # and everyone sees the same data after it
    finally:
        app.stop()
