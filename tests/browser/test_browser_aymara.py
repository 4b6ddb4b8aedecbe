"""The Aymara pages in Chromium: each page draws, filters live in the URL, hostile text stays text.

The real app runs under `streamlit run` against a simulator over HTTP (tests/appserver.py).
Every page is screenshotted to test-artifacts/screenshots/aymara-<page>.png, and the README's
two pictures are written to docs/. Synchronisation waits on selectors and text, never on time.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from tests.appserver import (
    ROOT,
    AppServer,
    app_secret_key,
    app_server,
    browser,
    page,
    screenshot,
    start_app,
    wait_until_idle,
)

__all__ = ["app_secret_key", "app_server", "browser", "page"]  # fixtures used by the tests

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
LOAD_TIMEOUT_MS = 60_000
MAIN = '[data-testid="stMain"]'
DRAWER = '[role="dialog"]'  # a chosen row's detail opens in a drawer beside the table


# --------------------------------------------------------------------------- helpers


def sim_url(server: AppServer) -> str:
    """The simulator the app reads from."""
    return server.env["AYMARA_AI_BASE_URL"]


def ground_truth(server: AppServer) -> dict[str, Any]:
    """The running simulator's own counts (runs added at runtime included)."""
    answer = httpx.get(
        f"{sim_url(server)}/_sim/ground-truth",
        headers={"x-api-key": server.env["AYMARA_AI_API_KEY"]},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["aymara"]


def settle(tab: Any) -> None:
    """Wait until the script has finished and every table and chart has drawn."""
    wait_until_idle(tab)
    tab.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]') &&
            [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .every(chart => chart.querySelector('.main-svg')) &&
            // A table in a closed expander or another tab is not drawn until it is shown.
            [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                .filter(table => table.checkVisibility())
                .every(table => table.querySelector('canvas'))""",
        timeout=LOAD_TIMEOUT_MS,
    )


def open_page(tab: Any, url: str, ready: str) -> None:
    """Open a URL and wait until `ready` is on the page and everything has drawn."""
    tab.goto(url)
    tab.locator(MAIN).get_by_text(ready, exact=False).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(tab)


def count_caption(tab: Any, noun: str) -> str:
    """The text of the 'N of M <noun>' caption."""
    caption = tab.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=re.compile(rf"of [\d,]+ {noun}")
    )
    return caption.first.inner_text()


def shown_count(tab: Any, noun: str) -> int:
    """N in the 'N of M <noun>' caption."""
    match = re.search(rf"([\d,]+) of [\d,]+ {noun}", count_caption(tab, noun))
    assert match, count_caption(tab, noun)
    return int(match.group(1).replace(",", ""))


def wait_for_count(tab: Any, noun: str, expected: int) -> None:
    """Wait until the count caption shows `expected` rows."""
    pattern = re.compile(rf"^\**{expected:,}\** of [\d,]+ {noun}")
    tab.locator('[data-testid="stCaptionContainer"]').filter(has_text=pattern).first.wait_for(
        timeout=LOAD_TIMEOUT_MS
    )
    settle(tab)


def query(tab: Any) -> dict[str, list[str]]:
    """The current URL's query parameters."""
    return parse_qs(urlparse(tab.url).query)


def metric(tab: Any, label: str) -> str:
    """The value shown in the KPI tile with this label."""
    tile = tab.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def click_first_row(tab: Any, table: Any) -> None:
    """Select the first data row of a selectable st.dataframe (a canvas grid) by its checkbox."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    # The grid draws a 35 px header, then 35 px rows; the row-selection checkbox is leftmost.
    tab.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


def hover_text(tab: Any, chart: Any) -> str:
    """Hover over a chart's first visible data mark and return the tooltip it shows."""
    chart.scroll_into_view_if_needed()
    marks = chart.locator("g.point path, path.point")
    boxes = (marks.nth(i).bounding_box() for i in range(marks.count()))
    box = next((b for b in boxes if b and b["width"] > 2 and b["height"] > 2), None)
    assert box is not None, "the chart drew no data marks"
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = chart.locator(".hoverlayer .hovertext")
    tip.first.wait_for(timeout=10_000)
    return tip.first.text_content() or ""


def no_exception(tab: Any) -> None:
    """No Streamlit exception box on the page."""
    assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def pct(value: float) -> str:
    """As the tiles show a rate."""
    return f"{value * 100:.1f}%"


@pytest.fixture(scope="module")
def truth(app_server: AppServer) -> dict[str, Any]:
    """Ground truth of the shared app's simulator."""
    return ground_truth(app_server)


@pytest.fixture(scope="module")
def special(app_server: AppServer) -> dict[str, tuple[str, bool]]:
    """Response uuid and whether its run is a sandbox one, for each kind the card marks.

    Production runs are searched first; the demo's conversations live in a sandbox eval, which
    the link then includes (`sandbox=true`), as a viewer switching it on would.
    """
    found: dict[str, tuple[str, bool]] = {}
    with AymaraClient(app_server.env["AYMARA_AI_API_KEY"], sim_url(app_server)) as client:
        every = client.list_eval_runs(ALL_WORKSPACES).items  # every workspace, as the app reads
        runs = sorted((r for r in every if r.status == "finished"), key=lambda r: r.is_sandbox)
        for run in runs:
            sandbox = bool(run.is_sandbox)
            for item in client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items:
                uuid = item.response_uuid or ""
                if (item.turn_number or 1) > 1:
                    found.setdefault("multi-turn", (uuid, sandbox))
                if item.ai_refused:
                    found.setdefault("refused", (uuid, sandbox))
                if item.exclude_from_scoring:
                    found.setdefault("excluded", (uuid, sandbox))
                if item.content_type == "image":
                    found.setdefault("image", (uuid, sandbox))
                if item.is_passed is False and item.explanation:
                    found.setdefault("failed", (uuid, sandbox))
            if len(found) == 5:
                break
    return found


# --------------------------------------------------------------------------- every page

# (url path and query, screenshot name, text that says the page has loaded, charts drawn)
PAGES = [
    ("", "overview", "Prompt categories that fail most", 2),
    ("regressions", "regressions", "Prompts that flipped from passed to failed", 0),
    ("evals", "evals", "evals. Choose a row", 0),
    ("runs", "runs", "runs. Choose a row", 0),
    ("responses", "responses", "responses ·", 0),
    ("compare", "compare", "Prompt by prompt", 1),
    ("calibration", "calibration", "Review list", 1),
    ("reports", "reports", "Across all runs", 0),
]


@pytest.mark.parametrize(("path", "name", "ready", "charts"), PAGES, ids=[p[1] for p in PAGES])
def test_every_aymara_page_draws_without_an_error_and_never_shows_the_key(
    page: Any,
    app_server: AppServer,
    app_secret_key: str,
    truth: dict[str, Any],
    path: str,
    name: str,
    ready: str,
    charts: int,
) -> None:
    open_page(page, f"{app_server.url}/{path}", ready)
    no_exception(page)
    assert page.locator(".js-plotly-plot").count() == charts
    assert app_secret_key not in page.content()
    assert page.console_errors == []
    shot = screenshot(page, f"aymara-{name}")
    for i in range(charts):  # every chart explains its marks on hover
        assert hover_text(page, page.locator(".js-plotly-plot").nth(i)).strip()
    if name == "overview":
        totals = truth["totals"]["production"]  # sandbox runs are left out by default
        assert metric(page, "Evals") == f"{totals['evals']:,}"
        assert metric(page, "Finished runs") == f"{totals['runs_by_status']['finished']:,}"
        assert metric(page, "Responses scored") == f"{totals['passed'] + totals['failed']:,}"
        assert metric(page, "Pass rate") == pct(totals["pass_rate"])
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS / "overview.png")


# --------------------------------------------------------------------------- details


def test_choosing_an_eval_shows_its_runs_over_time_and_its_prompts(
    page: Any,
    app_server: AppServer,
) -> None:
    open_page(page, f"{app_server.url}/evals", "evals. Choose a row")
    click_first_row(page, page.locator('[data-testid="stDataFrame"]').first)
    drawer = page.locator(DRAWER)
    drawer.get_by_role("heading", name="Prompts").wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert "eval_uuid" in query(page)
    drawer.locator(".js-plotly-plot").first.wait_for()
    no_exception(page)
    screenshot(page, "aymara-evals-detail")

    # The address bar now opens the same eval.
    shared = page.url
    heading = drawer.locator("h2").first.inner_text()
    page.goto(shared)
    drawer.get_by_role("heading", name="Prompts").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert drawer.locator("h2").first.inner_text() == heading


def test_a_run_opened_from_its_link_shows_tiles_categories_and_confidence(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    regression = truth["scenarios"]["regression"]
    url = f"{app_server.url}/runs?run={regression['latest_run_uuid']}"
    page.goto(url)
    page.locator(DRAWER).get_by_text("Judge confidence by verdict").wait_for(
        timeout=LOAD_TIMEOUT_MS
    )
    settle(page)
    page.locator(".js-plotly-plot").nth(1).wait_for()
    no_exception(page)
    assert metric(page, "Pass rate") == pct(regression["latest_pass_rate"])
    screenshot(page, "aymara-runs-detail")
    charts = page.locator(".js-plotly-plot")
    assert "Pass rate" in hover_text(page, charts.nth(0))
    assert "Responses" in hover_text(page, charts.nth(1))


CARD_MARKS = {
    "failed": "Failed",
    "multi-turn": "of conversation",
    "refused": "AI refused",
    "excluded": "Excluded from scoring",
    "image": "Image file",
}


def test_the_response_card_shows_each_kind_of_response(
    page: Any,
    app_server: AppServer,
    special: dict[str, tuple[str, bool]],
) -> None:
    assert set(special) == set(CARD_MARKS), "the demo data lacks a kind of response"
    for case, (uuid, sandbox) in special.items():
        included = "&sandbox=true" if sandbox else ""
        page.goto(f"{app_server.url}/responses?response={uuid}{included}")
        card = page.locator(DRAWER)
        card.get_by_text("Judge's explanation").wait_for(timeout=LOAD_TIMEOUT_MS)
        settle(page)
        text = card.inner_text()
        assert CARD_MARKS[case] in text, (case, text)
        assert uuid in text
        no_exception(page)
        screenshot(page, f"aymara-response-card-{case}")
        if case == "multi-turn":
            card.get_by_text("Earlier turns").click()
            card.get_by_text("Turn 1", exact=True).wait_for()
            DOCS.mkdir(exist_ok=True)
            card.screenshot(path=str(DOCS / "response-card.png"))


def test_an_accuracy_report_shows_its_categories_one_row_each(
    page: Any,
    app_server: AppServer,
) -> None:
    with AymaraClient(app_server.env["AYMARA_AI_API_KEY"], sim_url(app_server)) as client:
        reports = [r for r in client.list_reports().items if r.status == "finished"]
    # Accuracy run reports hold one <tag>…</tag> section per category.
    report = next(
        r
        for r in reports
        if any("</" in (rr.passing_responses_summary or "") for rr in r.eval_run_reports or [])
    )
    url = f"{app_server.url}/reports?report={report.eval_suite_report_uuid}"
    open_page(page, url, "By category")
    no_exception(page)
    mark = page.locator(MAIN).get_by_text(re.compile(r"By category \(\d+\), one row each"))
    count = int(re.search(r"\d+", mark.first.inner_text())[0])
    assert count > 1
    headers = page.locator(MAIN).get_by_text("How to improve", exact=True)
    assert headers.count() >= 1
    screenshot(page, "aymara-reports-detail")


# --------------------------------------------------------------------------- filters and URL


def test_the_verdict_pills_filter_the_table_and_write_the_url(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    totals = truth["totals"]["production"]
    open_page(page, f"{app_server.url}/responses", "responses ·")
    assert shown_count(page, "responses") == totals["responses"]

    verdict = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Verdict")
    verdict.locator("button", has_text="Failed").click()
    wait_for_count(page, "responses", totals["failed"])
    assert query(page)["verdict"] == ["Failed"]

    verdict.locator("button", has_text="Passed").click()
    wait_for_count(page, "responses", totals["failed"] + totals["passed"])
    assert sorted(query(page)["verdict"]) == ["Failed", "Passed"]


def test_a_linked_response_filtered_out_is_said_never_replaced_by_another(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    totals = truth["totals"]["production"]
    open_page(page, f"{app_server.url}/responses?verdict=Passed", "responses ·")
    wait_for_count(page, "responses", totals["passed"])
    click_first_row(page, page.locator('[data-testid="stDataFrame"]').first)
    page.locator(DRAWER).get_by_text("Judge's explanation").wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    chosen = query(page)["response"][0]

    # The same response linked with a filter that leaves it out: said, and no other shown.
    open_page(page, f"{app_server.url}/responses?verdict=Failed&response={chosen}", "responses ·")
    wait_for_count(page, "responses", totals["failed"])
    page.get_by_text("The response named in the link is not in these filtered rows").wait_for()
    assert page.locator(DRAWER).count() == 0
    assert query(page)["response"] == [chosen]


def test_a_link_with_filters_opens_the_same_filtered_view(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    open_page(page, f"{app_server.url}/responses?verdict=Failed", "responses ·")
    wait_for_count(page, "responses", truth["totals"]["production"]["failed"])
    failed = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Verdict")
    assert failed.locator("button", has_text="Failed").get_attribute("aria-pressed") == "true"

    status = "finished"
    open_page(page, f"{app_server.url}/runs?status={status}", "runs. Choose a row")
    wait_for_count(page, "runs", truth["totals"]["production"]["runs_by_status"][status])


def test_the_workspace_survives_in_the_url_from_page_to_page(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    ws_uuid, ws = min(truth["workspaces"].items(), key=lambda item: item[1]["runs"])
    ws = ws["production"]
    open_page(page, f"{app_server.url}/?workspace={ws_uuid}", "Pass rate over time")
    assert metric(page, "Finished runs") == f"{ws['runs_by_status']['finished']:,}"
    assert metric(page, "Pass rate") == pct(ws["pass_rate"])

    page.get_by_role("link", name="Runs", exact=True).click()
    page.locator(MAIN).get_by_text("runs. Choose a row").wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert query(page).get("workspace") == [ws_uuid]
    assert shown_count(page, "runs") == ws["runs"]

    page.get_by_role("link", name="Responses", exact=True).click()
    wait_for_count(page, "responses", ws["responses"])
    assert query(page).get("workspace") == [ws_uuid]


def test_choosing_a_workspace_in_the_sidebar_writes_it_into_the_url(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    open_page(page, f"{app_server.url}/runs", "runs. Choose a row")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    options = page.get_by_role("option")  # all, this key's workspace, then each workspace
    options.nth(2).wait_for()
    options.nth(2).click()
    page.wait_for_function(
        """() => location.search.includes('workspace=') ||
            document.querySelector('[data-testid="stException"]')""",
        timeout=LOAD_TIMEOUT_MS,
    )
    no_exception(page)
    ws_uuid = query(page)["workspace"][0]
    wait_for_count(page, "runs", truth["workspaces"][ws_uuid]["production"]["runs"])
    screenshot(page, "aymara-runs-one-workspace")


# --------------------------------------------------------------------------- dark theme


def test_the_overview_follows_a_dark_system_theme_and_stays_readable(
    browser: Any,
    app_server: AppServer,
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme="dark")
    tab = context.new_page()
    try:
        tab.goto(app_server.url)
        tab.get_by_role("heading", name="Overview").wait_for(timeout=LOAD_TIMEOUT_MS)
        background = luminance(tab, '[data-testid="stApp"]', "backgroundColor")
        assert background < 0.2, "the app did not follow the dark system theme"
        tab.locator(MAIN).get_by_text("Prompt categories that fail most").wait_for()
        settle(tab)
        screenshot(tab, "aymara-overview-dark")
        title = luminance(tab, "h1", "color")
        axis_text = luminance(tab, ".js-plotly-plot .xtick text", "fill")
        assert title > 0.7 and axis_text > 0.5, "text is dark on a dark background"
    finally:
        context.close()


def luminance(tab: Any, selector: str, prop: str) -> float:
    """Relative luminance (0 black .. 1 white) of a computed colour of the first match."""
    rgb = tab.evaluate(
        """([selector, prop]) => {
            const el = document.querySelector(selector);
            const value = getComputedStyle(el)[prop];
            return value.match(/[\\d.]+/g).slice(0, 3).map(Number);
        }""",
        [selector, prop],
    )
    r, g, b = (c / 255 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --------------------------------------------------------------------------- hostile text

HOSTILE = (
    "<script>window.__pwned=1</script> "
    '<img src=x onerror="window.__pwned=1"> '
    "[open me](javascript:window.__pwned=1) "
    "![x](http://example.invalid/p.png)"
)
HOSTILE_RUN_NAME = "run ![x](http://example.invalid/run.png) :red[loud] <b>bold</b>"
HOSTILE_KEY = "sk-hostile-aymara-pages-5e4d3c2b1a"


def foreign_requests(urls: list[str]) -> list[str]:
    """Requests to any host but the app's and the simulator's loopback address."""
    return [url for url in urls if urlparse(url).hostname not in (None, "127.0.0.1")]


@pytest.fixture(scope="module")
def hostile_app(start_simulator: Callable[..., Any], tmp_path_factory: Any) -> Iterator[AppServer]:
    """A simulator of its own holding a run whose response is hostile text, and an app on it."""
    sim = start_simulator(api_key=HOSTILE_KEY, seed=7, scale=1, retry_after_s=0)
    with AymaraClient(HOSTILE_KEY, sim.base_url) as client:
        ev = next(
            e
            for e in client.list_evals().items
            if e.status == "finished" and (e.eval_type or "").endswith("safety")
        )
        prompt = client.list_eval_prompts(ev.eval_uuid).items[0]
    scored = httpx.post(
        f"{sim.base_url}/v2/eval-runs/-/score-responses",
        headers={"x-api-key": HOSTILE_KEY},
        json={
            "eval_uuid": ev.eval_uuid,
            "name": HOSTILE_RUN_NAME,
            "responses": [{"prompt_uuid": prompt.prompt_uuid, "content": HOSTILE}],
        },
        timeout=30,
    )
    assert scored.status_code == 200, scored.text
    server = start_app(
        {
            "AYMARA_AI_API_KEY": HOSTILE_KEY,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "EVAL_DASHBOARD_CACHE_DIR": str(tmp_path_factory.mktemp("hostile-store")),
        },
        name="aymara-hostile",
    )
    yield server
    server.stop()


def test_hostile_response_text_is_shown_literally_and_never_runs(
    page: Any,
    hostile_app: AppServer,
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_page(page, f"{hostile_app.url}/responses?q=__pwned", "responses ·")
    wait_for_count(page, "responses", 1)
    click_first_row(page, page.locator('[data-testid="stDataFrame"]').first)
    page.get_by_text("Judge's explanation", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    page.wait_for_load_state("networkidle")

    main, card = page.locator(MAIN), page.locator(DRAWER)
    assert card.get_by_text(HOSTILE, exact=True).count() >= 1, card.inner_text()
    # Captions keep a word joiner after ':' and '@' so no bare URL or address becomes a link.
    assert HOSTILE_RUN_NAME in card.inner_text().replace("\u2060", "")
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    for area in (main, card):
        assert area.locator("img[src='x'], img[src*='example.invalid'], script").count() == 0
        assert area.locator("a[href^='javascript:'], a[href*='example.invalid']").count() == 0
    assert foreign_requests(requests) == []
    screenshot(page, "aymara-hostile-card")


def test_a_page_asks_no_host_but_the_app_for_anything(
    page: Any,
    app_server: AppServer,
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_server.url}/reports")
    page.get_by_role("heading", name="Reports").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    assert foreign_requests(requests) == []


def test_the_regression_board_puts_the_real_regression_on_top_and_calls_noise_noise(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    regression, noise = truth["scenarios"]["regression"], truth["scenarios"]["noise"]
    # Opened bare, the board shows its top row: the seeded real regression.
    open_page(page, f"{app_server.url}/regressions", "Prompts that flipped")
    no_exception(page)
    main = page.locator(MAIN)
    assert main.locator("h2").first.inner_text() == regression["eval_name"]
    assert main.get_by_text(re.compile("Regressed beyond noise")).count() >= 1
    flipped = f"Prompts that flipped from passed to failed ({regression['passed_then_failed']})"
    assert main.get_by_text(flipped).count() == 1
    # The noise-only change, opened by its link, is marked within noise.
    page.goto(f"{app_server.url}/regressions?eval_uuid={noise['eval_uuid']}")
    # Opened by its link, the eval's flips are in the drawer; wait on its heading.
    drawer = page.locator(DRAWER)
    drawer.locator("h2", has_text=noise["eval_name"]).wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    headings = [h.inner_text() for h in drawer.locator("h2").all()]
    assert headings == ["Regression", noise["eval_name"]], headings  # the drawer's, then the eval
    assert drawer.get_by_text(re.compile("Regressed beyond noise")).count() == 0
    assert drawer.get_by_text(re.compile("Within noise")).count() >= 1
    screenshot(page, "aymara-regressions-noise")


def test_the_failing_responses_of_the_worst_eval_are_one_click_from_the_overview(
    page: Any,
    app_server: AppServer,
    truth: dict[str, Any],
) -> None:
    regression = truth["scenarios"]["regression"]
    open_page(page, app_server.url, "Latest finished run of each eval")
    page.get_by_text("Read the failing responses of the worst eval").click()
    page.locator(MAIN).get_by_text(" responses · ").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert "verdict=Failed" in page.url
    caption = count_caption(page, "responses")
    assert " 0 passed" in caption and "pass rate 0.0%" in caption
    # The run whose number the user clicked (by id), not every run of the eval.
    assert f"eval_run_uuid={regression['latest_run_uuid']}" in page.url
    shared = regression["shared_prompts"]
    failed = shared - round(regression["latest_pass_rate"] * shared)
    assert shown_count(page, "responses") == failed
