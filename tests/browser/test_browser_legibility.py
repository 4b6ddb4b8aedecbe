"""Every page read as a person reads it: at 1440 px light and dark, and 390 px wide.

Each page is screenshotted to test-artifacts/screenshots/<page>-<width>-<theme>.png, then its
visible words are checked: no raw API value (`image_safety`, `no_verdict`, `processing`), no
literal "None", no "eval(s)" plurals, and at 1440 px every table shows all of its columns
without scrolling sideways. Tables are drawn on a canvas; the grid's accessible DOM (a
<table role="grid"> inside the canvas, built once the grid has focus) holds the header and
cell text of the columns in view, so that is what is read. Whether a header's text fits its
column cannot be read from the DOM (column widths live only in the canvas), so the widths
themselves are asserted in tests/app/test_app_legibility.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from reporting.feather.aggregates import default_window
from reporting.vocabulary import RAW_VALUES
from simulator.feather.contract import NOW
from tests.appserver import AppServer, app_secret_key, app_server, browser, screenshot
from tests.browser.test_browser_aymara import settle
from tests.browser.test_browser_feather import feather_app

# fixtures used by the tests; feather_app opens the root once, so deep links resolve to pages
__all__ = ["app_secret_key", "app_server", "browser", "feather_app"]

pytestmark = pytest.mark.browser

WAIT_MS = 120_000  # generous: the machine is shared, and this waits on state, not time
MAIN = '[data-testid="stMain"]'
_first, _last = default_window(NOW.date())
FEATHER_QUERY = f"?created={_first.isoformat()}&created={_last.isoformat()}"

# (url path, screenshot name, text that says the page has loaded)
PAGES = [
    ("", "overview", "Prompt categories that fail most"),
    ("regressions", "regressions", "Prompts that flipped from passed to failed"),
    ("evals", "evals", "Choose a row"),
    ("runs", "runs", "Choose a row"),
    ("responses", "responses", "responses ·"),
    ("compare", "compare", "Prompt by prompt"),
    ("calibration", "calibration", "Review list"),
    ("reports", "reports", "Across all runs"),
    ("score", "score", "Choose the eval your AI answered"),
    ("feather" + FEATHER_QUERY, "feather", "Conversation evals"),
]
# (name, viewport, colour scheme)
MODES = [
    ("1440-light", {"width": 1440, "height": 1000}, "light"),
    ("1440-dark", {"width": 1440, "height": 1000}, "dark"),
    ("390-light", {"width": 390, "height": 844}, "light"),
]
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
PLURAL_HEDGE = re.compile(r"\w\(s\)")


@pytest.fixture(scope="module", params=MODES, ids=[m[0] for m in MODES])
def mode_page(browser: Any, request: Any) -> Iterator[tuple[str, Any]]:
    """One tab per width and colour scheme, recording page errors (each test opens its page
    afresh, a new session; the tab is shared so the app's scripts load from the cache)."""
    name, viewport, scheme = request.param
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    tab = context.new_page()
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    yield name, tab
    context.close()


def grids(tab: Any) -> list[dict[str, Any]]:
    """Each table's accessible grid: header texts, cell texts, column count, widths."""
    found = []
    frames = tab.locator('[data-testid="stDataFrame"]')
    for i in range(frames.count()):
        if not frames.nth(i).is_visible():
            continue  # a table in a tab or expander not open: a person cannot see it either
        canvas = frames.nth(i).locator('canvas[data-testid="data-grid-canvas"]')
        canvas.scroll_into_view_if_needed()
        canvas.focus()  # the grid builds its accessible table once it has focus
        header = canvas.locator("table[role=grid] th").first
        try:
            header.wait_for(state="attached", timeout=5_000)
        except PlaywrightTimeout:
            canvas.press("ArrowDown")  # a focused cell, for a grid that waits for one
            header.wait_for(state="attached", timeout=WAIT_MS)
        found.append(
            frames.nth(i).evaluate(
                """frame => {
                    const grid = frame.querySelector('table[role=grid]');
                    const scroller = frame.querySelector('.dvn-scroller');
                    const inner = frame.querySelector('.dvn-stack > div');
                    return {
                        headers: [...grid.querySelectorAll('th')].map(th => th.textContent),
                        cells: [...grid.querySelectorAll('td')].map(td => td.textContent),
                        columns: Number(grid.getAttribute('aria-colcount')),
                        content_px: inner ? inner.getBoundingClientRect().width : 0,
                        shown_px: scroller.clientWidth,
                    };
                }"""
            )
        )
    return found


def visible_text(tab: Any) -> str:
    """The app's text as a person reads it, less code spans (ids and file columns, on purpose)."""
    return tab.evaluate(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
            const parts = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const parent = node.parentElement;
                // Material icons are ligature names in text ("expand_more"): not words.
                const skip = 'code, pre, canvas, script, style, [data-testid="stIconMaterial"]';
                if (!parent || parent.closest(skip)) continue;
                if (!parent.checkVisibility()) continue;
                // Icons in markdown (":material/x:") are ligatures too: told by their font.
                if (getComputedStyle(parent).fontFamily.includes('Material')) continue;
                parts.push(node.textContent);
            }
            return parts.join(' ');
        }"""
    )


def chart_words(tab: Any) -> list[str]:
    """The words in every chart's legend, axes and annotations."""
    return tab.evaluate(
        """() => [...document.querySelectorAll(
                '.js-plotly-plot .legendtext, .js-plotly-plot .xtick text, ' +
                '.js-plotly-plot .ytick text, .js-plotly-plot .annotation-text, ' +
                '.js-plotly-plot .gtitle, .js-plotly-plot .g-xtitle, .js-plotly-plot .g-ytitle'
            )].map(node => node.textContent)"""
    )


def widget_words(tab: Any) -> list[str]:
    """What the filters show: chosen tags, select boxes, pills and radio labels."""
    return tab.evaluate(
        """() => [...document.querySelectorAll(
                '[data-baseweb="tag"], [data-baseweb="select"] [value], ' +
                '[data-testid="stWidgetLabel"], [data-testid="stButtonGroup"] button, ' +
                '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], ' +
                '[data-baseweb="select"] div[class*="singleValue"]'
            )].map(node => node.innerText || node.getAttribute('value') || '')"""
    )


def raw_values(words: list[str]) -> list[str]:
    """The words that are an API value exactly as the API spells it."""
    return sorted({w for w in (s.strip() for s in words) if w in RAW_VALUES})


@pytest.mark.parametrize(("path", "name", "ready"), PAGES, ids=[p[1] for p in PAGES])
def test_every_page_reads_in_plain_words_at_each_width_and_theme(
    mode_page: tuple[str, Any],
    feather_app: AppServer,
    path: str,
    name: str,
    ready: str,
) -> None:
    mode, tab = mode_page
    tab.errors.clear()
    tab.goto(f"{feather_app.url}/{path}")
    tab.locator(MAIN).get_by_text(ready, exact=False).first.wait_for(timeout=WAIT_MS)
    settle(tab)
    screenshot(tab, f"{name}-{mode}")
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.errors == []

    text = visible_text(tab)
    tables = grids(tab)
    cells = [c for t in tables for c in t["headers"] + t["cells"]]
    found = {
        "identifiers in the text": sorted(set(SNAKE_CASE.findall(text))),
        "'(s)' plurals": PLURAL_HEDGE.findall(text + " ".join(cells)),
        "'None' in the text": re.findall(r".{0,30}\bNone\b.{0,30}", text),
        "'None' in a table": [c for c in cells if c.strip() == "None"],
        "raw values in tables": raw_values(cells),
        "raw values in charts": raw_values(chart_words(tab)),
        "raw values in filters and tiles": raw_values(widget_words(tab)),
        "identifiers in tables": sorted({c for c in cells if SNAKE_CASE.fullmatch(c.strip())}),
    }
    if mode.startswith("1440"):
        # Every column is in view: the accessible grid holds only the columns drawn.
        found["tables hiding columns off to the side"] = [
            t["headers"] for t in tables if len(t["headers"]) != t["columns"]
        ]
        found["tables scrolling sideways (content px, shown px)"] = [
            (t["headers"], t["content_px"], t["shown_px"])
            for t in tables
            if t["content_px"] > t["shown_px"] + 1
        ]
    assert {k: v for k, v in found.items() if v} == {}
