"""A load the API dropped mid-way, in the real app and browser: marked numbers, an open notice,
and Try again that fetches only what is missing. Screenshots at 1440 and 390 px, light and dark.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.appserver import AppServer, browser, screenshot, start_app, wait_until_idle
from tests.conftest import SIMULATOR_KEY

__all__ = ["browser"]  # fixture used below

pytestmark = pytest.mark.browser
HEADERS = {"x-api-key": SIMULATOR_KEY}
RESPONSES_ROUTE = "GET /v2/eval-runs/{eval_run_uuid}/responses"


@pytest.fixture(scope="module")
def slow_sim(start_simulator: Any) -> Any:
    """A simulator slow enough (40 ms a request) that an outage can land mid-load."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0, latency_ms=40)


@pytest.fixture(scope="module")
def partial_app(slow_sim: Any) -> Iterator[AppServer]:
    server = start_app(
        {
            "AYMARA_AI_API_KEY": SIMULATOR_KEY,
            "AYMARA_AI_BASE_URL": slow_sim.base_url,
            "EVAL_DASHBOARD_STORE": "off",
            "EVAL_DASHBOARD_CONCURRENCY": "2",
        },
        name="partial",
    )
    yield server
    server.stop()


def sim_post(sim: Any, path: str, body: dict[str, Any] | None = None) -> None:
    httpx.post(f"{sim.base_url}{path}", json=body, headers=HEADERS).raise_for_status()


def responses_asked(sim: Any) -> int:
    stats = httpx.get(f"{sim.base_url}/_sim/stats", headers=HEADERS).json()
    return stats["by_route"].get(RESPONSES_ROUTE, 0)


def down_after(sim: Any, listings: int, timeout_s: float = 60) -> None:
    """Switch the API off once the app has asked for `listings` runs' responses."""
    deadline = time.monotonic() + timeout_s
    while responses_asked(sim) < listings:
        assert time.monotonic() < deadline, "the app never got that far into its load"
        time.sleep(0.05)  # polling the simulator's counter, a condition, not a fixed wait
    sim_post(sim, "/_sim/config", {"down": True})


def test_a_load_cut_short_is_marked_partial_and_try_again_mends_it(
    browser: Any, partial_app: AppServer, slow_sim: Any
) -> None:
    sim_post(slow_sim, "/_sim/reset-stats")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        page.goto(partial_app.url)
        down_after(slow_sim, 12)
        page.get_by_text("Partial data:", exact=False).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        sim_post(slow_sim, "/_sim/config", {"down": False})
        screenshot(page, "overview-partial-first")
        notice = page.locator('[data-testid="stAlert"]').filter(has_text="Partial data:")
        text = notice.first.inner_text()
        assert "the responses of" in text and "runs did not load" in text, text
        for width, scheme in ((1440, "light"), (390, "light"), (1440, "dark"), (390, "dark")):
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 1000})
            wait_until_idle(page)
            assert screenshot(page, f"overview-partial-{width}-{scheme}").exists()
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1440, "height": 1000})
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        assert any("Responses scored (partial)" in m for m in metrics), metrics
        assert any("Pass rate (partial)" in m for m in metrics), metrics
        assert page.get_by_text("Prompt categories that fail most (partial)").count()

        before = responses_asked(slow_sim)
        page.get_by_role("button", name="Try again").click()
        page.get_by_text("Partial data:", exact=False).first.wait_for(
            state="detached", timeout=90_000
        )
        wait_until_idle(page)
        assert "(partial)" not in page.locator('[data-testid="stMetric"]').first.inner_text()
        total = responses_asked(slow_sim)
        # Only the runs that did not load were asked again, not every run.
        assert 0 < total - before < 48, (before, total)
    finally:
        context.close()
