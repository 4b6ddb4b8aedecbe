"""The Feather page in Chromium: charts drawn, shared filtered links, a run opened from triage."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from reporting.feather.aggregates import default_window
from reporting.feather.tables import SEVERITY_RANK
from simulator.feather.contract import NOW
from simulator.feather.dataset import filter_runs, get_dataset
from simulator.settings import SimSettings
from tests.appserver import (  # noqa: F401 - fixtures
    AppServer,
    app_secret_key,
    app_server,
    browser,
    page,
    screenshot,
    start_app,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
EXCEPTION = '[data-testid="stException"]'
CHARTS = 8  # every chart on the page: failures, per day, severity, 2 distributions, 3 pass rates
# With one outcome chosen, the three pass-rate charts give way to one sentence saying why.
CHARTS_WITHOUT_PASS_RATES = CHARTS - 3


def data_window() -> list[str]:
    """30 days ending with the demo data's fixed "now": the same runs whatever today's date."""
    first, last = default_window(NOW.date())
    return [first.isoformat(), last.isoformat()]


def feather_url(server: AppServer, **params: str | list[str]) -> str:
    """The Feather page's address with these query parameters (lists repeat the key)."""
    query = urlencode({"created": data_window(), **params}, doseq=True)
    return f"{server.url}/feather?{query}"


@pytest.fixture(scope="module")
def dataset() -> Any:
    """The simulator's data: app_server's simulator runs seed 7 at scale 1 in this process."""
    return get_dataset(SimSettings(api_key="unused", seed=7, scale=1))


@pytest.fixture(scope="module")
def feather_app(browser: Any, app_server: AppServer) -> AppServer:  # noqa: F811
    """The shared app, with its root opened once so that deep links resolve.

    app.py sits beside a folder named pages/, so Streamlit runs a deep-linked page directly
    until app.py's st.navigation has run once (see test_browser_security's xfail).
    """
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(app_server.url)
        tab.get_by_role("heading", name="Overview").wait_for(timeout=WAIT_MS)
        wait_until_idle(tab)
    finally:
        context.close()
    return app_server


def open_feather(tab: Any, url: str, charts: int = CHARTS) -> None:
    """Open the page and wait until its script is done and its `charts` charts are drawn."""
    tab.goto(url)
    wait_until_idle(tab)
    tab.get_by_role("heading", name="Conversation evals").wait_for(timeout=WAIT_MS)
    tab.locator(".js-plotly-plot").nth(charts - 1).wait_for(timeout=WAIT_MS)


def tile(tab: Any, label: str) -> str:
    """The value a KPI tile shows."""
    metric = tab.locator('[data-testid="stMetric"]').filter(has=tab.get_by_text(label, exact=True))
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def selectbox(tab: Any, label: str) -> str:
    """The option a selectbox shows."""
    return tab.get_by_role("combobox", name=label).input_value()


def test_the_page_draws_every_chart_and_the_answers_without_an_exception(
    page: Any,  # noqa: F811
    feather_app: AppServer,
    dataset: Any,
) -> None:
    open_feather(page, feather_url(feather_app))
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator(".js-plotly-plot").count() >= 4
    first, last = data_window()
    runs = filter_runs(dataset, created_from=first, created_to=last)
    assert tile(page, "Runs") == f"{len(runs):,}"
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Refund policy accuracy").first.wait_for()
    latest = filter_runs(
        dataset, created_from=first, created_to=last, outcome="failed", is_critical=True
    )[0]
    rationale = next(s["rationale"] for s in latest["scores"] if s["passed"] is False)
    assert main.get_by_text(rationale, exact=True).count() >= 1
    assert page.console_errors == []
    screenshot(page, "feather-overview")


def test_a_shared_filtered_link_restores_its_filters_and_shows_the_filtered_count(
    page: Any,  # noqa: F811
    feather_app: AppServer,
    dataset: Any,
) -> None:
    url = feather_url(feather_app, outcome="failed", severity="high")
    open_feather(page, url, CHARTS_WITHOUT_PASS_RATES)
    assert page.locator(EXCEPTION).count() == 0
    # The link holds the API's values; the filters show them in words.
    assert selectbox(page, "Outcome") == "Failed"
    assert selectbox(page, "Severity") == "High"
    # Only failed runs are shown, so the pass-rate charts give way to one sentence.
    page.get_by_text("Every run shown with a verdict failed", exact=False).wait_for()
    assert page.locator(".js-plotly-plot").count() == CHARTS_WITHOUT_PASS_RATES
    first, last = data_window()
    expected = filter_runs(
        dataset, created_from=first, created_to=last, outcome="failed", severity="high"
    )
    everything = filter_runs(dataset, created_from=first, created_to=last)
    assert 0 < len(expected) < len(everything)
    assert tile(page, "Runs") == f"{len(expected):,}"
    assert "outcome=failed" in page.url and "severity=high" in page.url
    screenshot(page, "feather-filtered")


def test_choosing_the_top_triage_row_opens_the_run_with_its_conversation(
    page: Any,  # noqa: F811
    feather_app: AppServer,
    dataset: Any,
) -> None:
    open_feather(page, feather_url(feather_app))
    first, last = data_window()
    failed = filter_runs(dataset, created_from=first, created_to=last, outcome="failed")
    listed = [
        r
        for r in failed
        if r["is_critical_snapshot"]
        or any(s["blocking"] and s["passed"] is False for s in r["scores"])
    ]
    rank = SEVERITY_RANK

    def worst(run: dict[str, Any]) -> int:
        failing = [s["severity"] for s in run["scores"] if s["passed"] is False and s["severity"]]
        return max(rank[v] for v in [run["severity_snapshot"], *failing])

    top = max(listed, key=lambda r: (worst(r), r["created_at"]))
    # Streamlit marks a keyed element's container with a st-key-<key> class.
    grid = page.locator('[class*="st-key-feather_triage_"] [data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # The first body row's selection checkbox: the grid is a canvas, so click by position.
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    page.get_by_role("heading", name="Run detail").wait_for(timeout=WAIT_MS)
    wait_until_idle(page)
    assert f"feather_run={top['id']}" in page.url
    main = page.locator('[role="dialog"]')  # the run opens in a drawer beside the table
    first_turn = next(t["content"] for t in dataset.turns[top["session_id"]] if t["content"])
    main.get_by_text(first_turn, exact=True).first.wait_for(timeout=WAIT_MS)
    assert page.locator('[data-testid="stChatMessage"]').count() >= 2
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "feather-run")


def test_the_page_reads_in_the_dark_theme(page: Any, feather_app: AppServer) -> None:  # noqa: F811
    # The app defines light and dark themes, so it follows the viewer's system setting.
    page.emulate_media(color_scheme="dark")
    open_feather(page, feather_url(feather_app))
    assert page.locator(EXCEPTION).count() == 0
    background = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor"
    )
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 80, background
    screenshot(page, "feather-dark")
