"""Views read at a glance, in Chromium: details open in view, one line per eval, phones work.

Each test drives the real app (tests/appserver.py) as a person would: it chooses a row and
never scrolls to find the detail; it reads the trend chart's plotly data from the DOM; it opens
the app 390 px wide. Screenshots go to test-artifacts/screenshots/views-*.png. Synchronisation
waits on selectors and conditions, never on time.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from client.aymara import AymaraClient
from reporting.feather.aggregates import default_window
from reporting.palette import DARK_BACKGROUND, for_dark, series_colors
from simulator.feather.contract import NOW
from tests.appserver import (
    AppServer,
    app_secret_key,
    app_server,
    browser,
    page,
    screenshot,
    sidebar_closed,
    wait_until_idle,
)
from tests.browser.test_browser_aymara import open_page, query, settle
from tests.unit.test_palette_contrast import contrast

__all__ = ["app_secret_key", "app_server", "browser", "page"]  # fixtures used by the tests

pytestmark = pytest.mark.browser

WAIT_MS = 120_000  # a cold page on a loaded 2-core machine takes a while
MAIN = '[data-testid="stMain"]'
DRAWER = '[role="dialog"]'
PHONE = {"width": 390, "height": 844}
# The page's own table, not the live panel's table of processing runs above it on Runs
TABLE = f'{MAIN} [data-testid="stDataFrame"]:not(.st-key-live_runs *)'


@pytest.fixture(scope="module")
def app(browser: Any, app_server: AppServer) -> AppServer:
    """The shared app with its root opened once, so that deep links resolve to their page."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(app_server.url)
        tab.get_by_role("heading", name="Overview").wait_for(timeout=WAIT_MS)
    finally:
        context.close()
    return app_server


def in_viewport(tab: Any, locator: Any) -> bool:
    """Whether the element's top sits inside the window, as the person sees it now."""
    box = locator.bounding_box()
    height = tab.viewport_size["height"]
    return (
        box is not None and 0 <= box["y"] < height and box["y"] + min(box["height"], 40) <= height
    )


def click_first_row(tab: Any, table: Any) -> None:
    """Tick the first data row of a selectable st.dataframe (a canvas) by its checkbox."""
    box = table.bounding_box()
    assert box is not None
    assert in_viewport(tab, table), "the table to choose from is not on screen"
    tab.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


def plotly_data(tab: Any, index: int = 0) -> list[dict[str, Any]]:
    """The traces of the index-th plotly figure on the page, as plotly.js holds them."""
    return tab.evaluate(
        """(i) => [...document.querySelectorAll('.js-plotly-plot')][i].data.map(t => ({
            name: t.name, meta: t.meta, opacity: t.opacity, mode: t.mode,
            showlegend: t.showlegend, customdata: t.customdata,
            colour: (t.marker && t.marker.color) || (t.line && t.line.color) || null,
        }))""",
        index,
    )


# --------------------------------------------------------------------------- details in view

# (page, the text that says its table has loaded, a heading only its detail has)
# (page, the text that says its table has loaded, a heading only its detail has, its URL key)
DETAILS = [
    # finished runs only: a failed or empty newest run has no confidence chart to show
    ("runs?status=finished", "runs. Choose a row", "Judge confidence by verdict", "run"),
    ("evals", "evals. Choose a row", "Prompts", "eval_uuid"),
    (
        "regressions",
        "Prompts that flipped from passed to failed",
        "Prompts that flipped",
        "eval_uuid",
    ),
    ("responses", "responses ·", "Judge's explanation", "response"),
]


@pytest.mark.parametrize(
    ("path", "ready", "heading", "param"),
    [pytest.param(*d, id=d[0].split("?")[0]) for d in DETAILS],
)
def test_choosing_a_row_opens_its_detail_in_view_without_scrolling(
    page: Any, app: AppServer, path: str, ready: str, heading: str, param: str
) -> None:
    open_page(page, f"{app.url}/{path}", ready)
    started = time.monotonic()
    click_first_row(page, page.locator(TABLE).first)
    drawer = page.locator(DRAWER)
    drawer.get_by_text(heading, exact=False).first.wait_for(timeout=WAIT_MS)
    settle(page)
    print(f"{path}: detail in view {time.monotonic() - started:.1f} s after the click")
    assert in_viewport(page, drawer.get_by_text(heading, exact=False).first)
    assert in_viewport(page, drawer)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, f"views-{path.split('?')[0]}-detail")

    # Closing the drawer drops the row from the link, and the same row can be chosen again.
    page.keyboard.press("Escape")
    drawer.wait_for(state="detached", timeout=WAIT_MS)
    page.wait_for_function(
        "(key) => !new URLSearchParams(location.search).has(key)", arg=param, timeout=WAIT_MS
    )
    settle(page)
    click_first_row(page, page.locator(TABLE).first)
    drawer.get_by_text(heading, exact=False).first.wait_for(timeout=WAIT_MS)


def test_a_feather_run_chosen_in_triage_opens_beside_the_table_in_view(
    page: Any, app: AppServer
) -> None:
    first, last = default_window(NOW.date())
    url = f"{app.url}/feather?{urlencode({'created': [str(first), str(last)]}, doseq=True)}"
    open_page(page, url, "Triage (")
    grid = page.locator('[class*="st-key-feather_triage_"] [data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()  # the person scrolls to the table, not to the detail
    started = time.monotonic()
    click_first_row(page, grid)
    drawer = page.locator(DRAWER)
    drawer.get_by_role("heading", name="Run detail").wait_for(timeout=WAIT_MS)
    print(f"feather: run detail in view {time.monotonic() - started:.1f} s after the click")
    assert in_viewport(page, drawer.get_by_role("heading", name="Run detail"))
    assert "feather_run" in query(page)
    screenshot(page, "views-feather-detail")

    drawer.get_by_role("button", name="Close").first.click()
    drawer.wait_for(state="detached", timeout=WAIT_MS)
    page.wait_for_function("() => !location.search.includes('feather_run=')", timeout=WAIT_MS)


def test_the_latest_critical_failure_opens_its_run_in_view(page: Any, app: AppServer) -> None:
    first, last = default_window(NOW.date())
    url = f"{app.url}/feather?{urlencode({'created': [str(first), str(last)]}, doseq=True)}"
    open_page(page, url, "Latest failure of a decisive check")
    page.get_by_role("button", name="Open this run").click()
    heading = page.locator(DRAWER).get_by_role("heading", name="Run detail")
    heading.wait_for(timeout=WAIT_MS)
    assert in_viewport(page, heading)


def card_state(tab: Any) -> tuple[str, str]:
    """The drawer's 'Response k of n' caption and the card's response id."""
    drawer = tab.locator(DRAWER)
    place = drawer.get_by_text(re.compile(r"^Response [\d,]+ of [\d,]+ in the filtered rows$"))
    ident = drawer.get_by_text(re.compile(r"^Response id "))
    return place.first.inner_text(), ident.first.inner_text().removeprefix("Response id ").strip()


def test_previous_and_next_walk_the_filtered_rows_in_order(page: Any, app: AppServer) -> None:
    open_page(page, f"{app.url}/responses?verdict=Failed", "responses ·")
    caption = page.locator(MAIN).get_by_text(re.compile(r"[\d,]+ of [\d,]+ responses")).first
    total = int(re.search(r"([\d,]+) of", caption.inner_text())[1].replace(",", ""))
    click_first_row(page, page.locator(f'{MAIN} [data-testid="stDataFrame"]').first)
    drawer = page.locator(DRAWER)
    drawer.get_by_text("Judge's explanation").wait_for(timeout=WAIT_MS)
    place, first_id = card_state(page)
    assert place == f"Response 1 of {total:,} in the filtered rows"
    assert drawer.get_by_role("button", name="Previous").is_disabled()

    seen = [first_id]
    for k in (2, 3, 4):
        drawer.get_by_role("button", name="Next").click()
        drawer.get_by_text(f"Response {k} of {total:,} in the filtered rows").wait_for(
            timeout=WAIT_MS
        )
        wait_until_idle(page)
        place, ident = card_state(page)
        assert ident not in seen, "Next showed a response already seen"
        assert query(page)["response"] == [ident]  # the link follows the card
        assert "Failed" in drawer.inner_text()  # the verdict badge: still the filtered rows
        seen.append(ident)
    for k, expected in ((3, seen[2]), (2, seen[1]), (1, seen[0])):
        drawer.get_by_role("button", name="Previous").click()
        drawer.get_by_text(f"Response {k} of {total:,} in the filtered rows").wait_for(
            timeout=WAIT_MS
        )
        wait_until_idle(page)  # the caption is drawn before the card below it
        assert card_state(page)[1] == expected
    screenshot(page, "views-response-stepper")


# --------------------------------------------------------------------------- the trend chart


def finished_evals(server: AppServer) -> set[str]:
    """Evals with a finished production run with a pass rate, by the API (every workspace).

    The Overview leaves sandbox runs out by default, so an eval run only in the sandbox draws
    no line.
    """
    with AymaraClient(server.env["AYMARA_AI_API_KEY"], server.env["AYMARA_AI_BASE_URL"]) as c:
        runs = c.list_eval_runs(workspace_uuid="**").items
    return {
        r.eval_uuid
        for r in runs
        if r.status == "finished" and r.pass_rate is not None and r.is_sandbox is not True
    }


def test_the_trend_chart_draws_one_line_per_eval_with_the_worst_in_colour(
    page: Any, app: AppServer
) -> None:
    open_page(page, app.url, "Pass rate over time")
    traces = plotly_data(page, 0)
    assert sorted(t["meta"] for t in traces) == sorted(finished_evals(app))
    assert all(t["mode"] == "lines+markers" for t in traces)
    assert not any((t["name"] or "").startswith("Trend") for t in traces)
    coloured = [t for t in traces if t["opacity"] == 1]
    assert len(coloured) == 3 and all(t["showlegend"] for t in coloured)
    assert all(t["opacity"] < 0.5 and not t["showlegend"] for t in traces if t not in coloured)


def test_clicking_a_point_on_the_trend_opens_that_run(page: Any, app: AppServer) -> None:
    open_page(page, app.url, "Pass rate over time")
    chart = page.locator(".js-plotly-plot").first
    traces = plotly_data(page, 0)
    top = len(traces) - 1  # drawn last, so on top of every faint line
    run_uuid = traces[top]["customdata"][0][3]
    point = chart.locator("g.trace.scatter").nth(top).locator("path.point").first
    box = point.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/runs\?"), timeout=WAIT_MS)
    assert query(page)["run"] == [run_uuid]
    page.locator(DRAWER).get_by_text("Judge confidence by verdict").wait_for(timeout=WAIT_MS)


# --------------------------------------------------------------------------- dark and narrow


def test_in_the_dark_theme_the_figures_draw_in_the_dark_variants(
    browser: Any, app: AppServer
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme="dark")
    tab = context.new_page()
    try:
        open_page(tab, app.url, "Pass rate by eval (latest finished run)")
        colours = {t["colour"] for i in (0, 1) for t in plotly_data(tab, i)}
        colours = {c.upper() for c in colours if isinstance(c, str) and c.startswith("#")}
        needing = {c.upper() for c in series_colors() if for_dark(c) != c}
        assert colours, "no figure colours found"
        assert not colours & needing, f"light-theme colours in the dark: {colours & needing}"
        assert all(contrast(c, DARK_BACKGROUND) >= 3 for c in colours), colours
        screenshot(tab, "views-overview-dark")
    finally:
        context.close()


def test_at_390_px_the_sidebar_starts_closed_tiles_sit_two_per_row_and_nothing_overflows(
    browser: Any, app: AppServer
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    try:
        open_page(tab, app.url, "Prompt categories that fail most")
        assert sidebar_closed(tab), "the sidebar covers the page on a phone"
        tiles = tab.locator(f'{MAIN} [data-testid="stMetric"]')
        boxes = [tiles.nth(i).bounding_box() for i in range(tiles.count())]
        assert len(boxes) >= 4
        first, second, third = boxes[0], boxes[1], boxes[2]
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"] / 2
        assert third["y"] > first["y"] + first["height"] / 2, "more than two tiles in a row"
        assert abs(third["x"] - first["x"]) < 2  # the third starts the next row
        assert all(b["width"] < PHONE["width"] * 0.6 for b in boxes[:4])
        # The page never scrolls sideways: wide tables scroll inside their own frame.
        width = tab.evaluate(
            """() => document.querySelector('[data-testid="stMain"]').scrollWidth"""
        )
        assert width <= PHONE["width"] + 1
        for i in range(tab.locator(f'{MAIN} [data-testid="stDataFrame"]').count()):
            frame = tab.locator(f'{MAIN} [data-testid="stDataFrame"]').nth(i).bounding_box()
            assert frame["x"] >= 0 and frame["x"] + frame["width"] <= PHONE["width"] + 1
        # No modebar floats over a legend.
        assert tab.locator(".js-plotly-plot .modebar-btn").count() == 0
        screenshot(tab, "views-overview-390")
    finally:
        context.close()
