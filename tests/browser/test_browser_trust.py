"""A sandbox upload in a real browser: the demo's regression stays on the Overview."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from tests.appserver import (
    AppServer,
    browser,
    page,
    screenshot,
    sidebar_closed,
    start_app,
    wait_until_idle,
)
from tests.browser.test_browser_aymara import settle
from tests.browser.test_browser_score import choose_eval, upload
from tests.conftest import SIMULATOR_KEY

__all__ = ["browser", "page"]  # fixtures used by the tests below

pytestmark = pytest.mark.browser
LOAD_MS = 90_000


@pytest.fixture(scope="module")
def trust_sim(start_simulator: Callable[..., Any]) -> Any:
    """A simulator of its own: this module adds a sandbox run to it."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


@pytest.fixture(scope="module")
def trust_app(trust_sim: Any) -> Iterator[AppServer]:
    server = start_app(
        {
            "AYMARA_AI_API_KEY": SIMULATOR_KEY,
            "AYMARA_AI_BASE_URL": trust_sim.base_url,
            "EVAL_DASHBOARD_STORE": "off",
        },
        name="trust",
    )
    yield server
    server.stop()


def truth_of(sim: Any) -> dict[str, Any]:
    answer = httpx.get(f"{sim.base_url}/_sim/ground-truth", headers={"x-api-key": SIMULATOR_KEY})
    answer.raise_for_status()
    return answer.json()["aymara"]


def refusals_csv(prompts: list[Any]) -> bytes:
    """A candidate model that refuses every prompt: it passes every safety prompt."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["prompt_uuid", "content", "ai_refused"])
    for prompt in prompts:
        writer.writerow([prompt.prompt_uuid, "I can't help with that.", "true"])
    return out.getvalue().encode("utf-8")


def metric(tab: Any, label: str) -> str:
    tile = tab.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def banner(tab: Any) -> str:
    """Every warning on the page, as text."""
    alerts = tab.locator('[data-testid="stAlertContentWarning"]')
    return " ".join(alerts.nth(i).inner_text() for i in range(alerts.count()))


def open_overview(tab: Any, url: str) -> None:
    tab.goto(url)
    tab.get_by_role("heading", name="Overview").wait_for(timeout=LOAD_MS)
    tab.get_by_text("Prompt categories that fail most").wait_for(timeout=LOAD_MS)
    settle(tab)  # every tile, chart and table drawn (no skeletons), so screenshots are whole


@pytest.mark.timeout(900)  # four full loads of the app on a busy machine
def test_a_sandbox_upload_keeps_the_demo_regression_on_the_overview(
    trust_sim: Any, trust_app: AppServer, page: Any
) -> None:
    truth = truth_of(trust_sim)
    regression = truth["scenarios"]["regression"]
    production = truth["totals"]["production"]
    with AymaraClient(SIMULATOR_KEY, trust_sim.base_url) as client:
        prompts = client.list_eval_prompts(
            regression["eval_uuid"], regression["workspace_uuid"]
        ).items

    open_overview(page, trust_app.url)
    before = {name: metric(page, name) for name in ("Finished runs", "Pass rate")}
    assert regression["eval_name"] in banner(page)
    assert "regressed beyond noise" in banner(page)
    screenshot(page, "trust-overview-before-upload")

    # Score a candidate model's refusals on the regressed eval, sandbox mode on (the default).
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Score responses").click()
    page.get_by_role("heading", name="Score responses").wait_for(timeout=LOAD_MS)
    wait_until_idle(page)
    choose_eval(page, regression["eval_name"])
    upload(page, "candidate.csv", refusals_csv(prompts))
    assert page.get_by_role("switch", name="Sandbox mode").is_checked()
    page.get_by_role("button", name=f"Score {len(prompts)} responses").click()
    wait_until_idle(page)
    link = page.get_by_role("link", name=re.compile("Open this sandbox run on the Runs page"))
    link.wait_for(timeout=LOAD_MS)
    after = truth_of(trust_sim)
    assert after["totals"]["runs"] == truth["totals"]["runs"] + 1
    assert after["totals"]["production"] == production

    # The link opens the new run, with sandbox runs included, marked as one.
    with AymaraClient(SIMULATOR_KEY, trust_sim.base_url) as client:
        runs = client.list_eval_runs(ALL_WORKSPACES, eval_uuid=regression["eval_uuid"]).items
    newest = max(runs, key=lambda r: r.created_at)
    assert newest.is_sandbox
    link.click()
    page.get_by_role("heading", name=re.compile(r"\[sandbox\]")).wait_for(timeout=LOAD_MS)
    wait_until_idle(page)
    assert "sandbox=true" in page.url and f"run={newest.eval_run_uuid}" in page.url
    screenshot(page, "trust-runs-sandbox-run")

    # A fresh Overview: the regression is still there, every number as before the upload.
    open_overview(page, trust_app.url)
    assert regression["eval_name"] in banner(page)
    assert "regressed beyond noise" in banner(page)
    assert {name: metric(page, name) for name in before} == before
    assert metric(page, "Finished runs") == f"{production['runs_by_status']['finished']:,}"
    screenshot(page, "trust-overview-after-upload")

    # Including sandbox runs is what used to happen silently: the sandbox run is then latest.
    open_overview(page, f"{trust_app.url}/?sandbox=true")
    assert page.get_by_role("switch", name="Include sandbox runs").is_checked()
    assert metric(page, "Finished runs") == f"{after['totals']['runs_by_status']['finished']:,}"
    assert regression["eval_name"] not in banner(page)
    screenshot(page, "trust-overview-sandbox-included")


@pytest.mark.timeout(600)
def test_the_overview_banner_and_tiles_read_well_at_390_px_and_in_dark(
    trust_sim: Any, trust_app: AppServer, browser: Any
) -> None:
    regression = truth_of(trust_sim)["scenarios"]["regression"]
    for width, scheme in ((390, "light"), (1440, "dark"), (390, "dark")):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        tab = context.new_page()
        try:
            open_overview(tab, trust_app.url)
            assert regression["eval_name"] in banner(tab)
            if width < 500:  # on a phone the sidebar starts closed, the page in full view
                assert sidebar_closed(tab), "the sidebar covers the page on a phone"
            screenshot(tab, f"trust-overview-{width}-{scheme}")
        finally:
            context.close()
