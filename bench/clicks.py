"""One viewer in Chromium on the Aymara pages at 50,000 responses: the budgets of a click.

A simulator in its own process (scale 10: 500 runs, ~49,000 responses, 50 ms a request) and a
fresh `streamlit run app.py` with an empty cache folder per repetition and data path (the own
lake by default; `--clicks-paths lake,memory` also the in-memory path, in turns). Per repetition:

  first visit   a new browser opens the app: the Overview loads every run over HTTP;
  new session   a new browser context opens the same link on the now warm server;
  sidebar       each Aymara page clicked in the sidebar, in turn, twice (first and seen before);
  filter        on Responses, the verdict "Failed", then the category chosen, then both undone;
  search        a word typed into the search box and Enter.

The first visit's budget is 1.2x the load's latency bound (the same load measured headless on
the same simulator: the sum over its stages of ceil(requests / 8) x 50 ms) plus 1.5 s. A step
counts as settled when Streamlit's websocket has said its script run finished, nothing is stale
and every chart a person can see is drawn. Every wait is bounded.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.feather import sidebar_link

PAGES = (
    "Regressions",
    "Evals",
    "Runs",
    "Responses",
    "Compare runs",
    "Judge calibration",
    "Review queue",
    "Reports",
    "Overview",
)
CATEGORY = "medical advice"
SEARCH = "doctor"
BUDGET_S = {"new_session": 1.5, "sidebar": 0.5, "filter": 0.5, "search": 0.5}
FIRST_VISIT_SLACK_S = 1.5
FIRST_VISIT_RATIO = 1.2
TIMEOUT_MS = 120_000
# Drawn: nothing stale and every chart a person can see drawn (`charts`: at least that many;
# one in a tab not shown is drawn when the tab opens).
DRAWN = """(charts) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent);
    const drawn = plots.filter(p => p.querySelector('.main-svg')).length;
    return drawn === plots.length && drawn >= charts;
}"""
OPENED = """(charts) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (!document.querySelector('[data-testid="stMetric"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    return document.querySelectorAll('.js-plotly-plot .main-svg').length >= charts;
}"""
OVERVIEW_CHARTS = 2
# The dashboard's data paths: its own lake read through DuckDB (the default), or every
# response held in pandas (EVAL_DASHBOARD_LOCAL_LAKE=off).
DATA_PATHS = {
    "lake": {"EVAL_DASHBOARD_LOCAL_LAKE": "on"},
    "memory": {"EVAL_DASHBOARD_LOCAL_LAKE": "off"},
}
DATA_PATH_NAMES = {"lake": "Own lake (DuckDB, default)", "memory": "In memory (pandas)"}


@dataclass
class Clicks:
    """Seconds per kind of step, over every repetition; the first visit's bound."""

    first_visit: list[float] = field(default_factory=list)
    new_session: list[float] = field(default_factory=list)
    sidebar: dict[str, list[float]] = field(default_factory=dict)
    sidebar_again: dict[str, list[float]] = field(default_factory=dict)
    filter: list[float] = field(default_factory=list)
    search: list[float] = field(default_factory=list)
    bound_s: float = 0.0
    load_s: float = 0.0  # the same load headless, no browser and no app
    stages: dict[str, int] = field(default_factory=dict)


class Finished:
    """When Streamlit said, over the page's websocket, that a script run finished."""

    def __init__(self, page: Any) -> None:
        self.at: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        from google.protobuf.message import DecodeError
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except DecodeError:
            return
        # FINISHED_SUCCESSFULLY (0): the page's own run, not a fragment's or one cut short.
        if message.WhichOneof("type") == "script_finished" and message.script_finished == 0:
            self.at.append(time.perf_counter())


def _settle(page: Any, finished: Finished, act: Callable[[], None], charts: int = 0) -> float:
    """Seconds from the action until its script run has finished and the page is drawn.

    The run's end is read off the websocket. The app element's script state (what
    bench.feather watches) never changes for a run that ends within one React render, as a
    warm page's does, so watching it waits forever there.
    """
    runs = len(finished.at)
    started = time.perf_counter()
    act()
    while len(finished.at) <= runs:
        if time.perf_counter() - started > TIMEOUT_MS / 1000:
            raise TimeoutError("no script run finished")
        page.wait_for_timeout(5)  # lets Playwright deliver the websocket's frames
    page.wait_for_function(DRAWN, arg=charts, timeout=TIMEOUT_MS, polling="raf")
    took = time.perf_counter() - started
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError("the page showed an exception")
    return took


def _open(context: Any, url: str) -> tuple[Any, Finished, float]:
    """A new tab opening the link: seconds until the Overview's tiles and charts are drawn."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    finished = Finished(page)
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(OPENED, arg=OVERVIEW_CHARTS, timeout=TIMEOUT_MS, polling="raf")
    return page, finished, time.perf_counter() - started


def _pill(page: Any, group: str, option: str) -> Callable[[], None]:
    buttons = page.locator('[data-testid="stButtonGroup"]').filter(has_text=group)
    return lambda: buttons.locator("button", has_text=option).click()


def _category(page: Any, choose: bool) -> Callable[[], None]:
    def act() -> None:
        box = page.get_by_role("combobox", name="Category")
        box.click()
        if choose:
            page.keyboard.type(CATEGORY)  # the list is long and drawn only in part: narrow it
            pattern = re.compile(f"^{re.escape(CATEGORY)}$", re.I)  # shown as words
            page.get_by_role("option", name=pattern).click()
        else:
            page.keyboard.press("Backspace")  # the last chosen tag goes
        page.keyboard.press("Escape")

    return act


def _search(page: Any, text: str) -> Callable[[], None]:
    def act() -> None:
        box = page.get_by_label("Search prompts, responses and explanations")
        box.fill(text)
        box.press("Enter")

    return act


@contextmanager
def _tab(browser: Any, url: str) -> Iterator[tuple[Any, Finished, float]]:
    """A new browser context (a new session) opening the link; closed after."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        yield _open(context, url)
    finally:
        context.close()


def one_repetition(
    browser: Any, sim_url: str, key: str, root: Path, clicks: Clicks, path: str = "lake"
) -> None:
    """A fresh app with an empty cache folder: the first visit, then the warm steps."""
    from bench.viewers import app_on

    with app_on(f"clicks-{path}", root, sim_url, key, DATA_PATHS[path]) as app:
        with _tab(browser, app.url) as (_, _, took):
            clicks.first_visit.append(took)
        for _ in range(3):
            with _tab(browser, app.url) as (_, _, took):
                clicks.new_session.append(took)
        with _tab(browser, app.url) as (page, finished, _):
            for seen in (clicks.sidebar, clicks.sidebar_again):
                for title in PAGES:
                    seen.setdefault(title, []).append(
                        _settle(page, finished, sidebar_link(page, title))
                    )
            _settle(page, finished, sidebar_link(page, "Responses"))
            for act in (
                _pill(page, "Verdict", "Failed"),
                _category(page, True),
                _category(page, False),
                _pill(page, "Verdict", "Failed"),
            ):
                clicks.filter.append(_settle(page, finished, act))
            clicks.search.append(_settle(page, finished, _search(page, SEARCH)))
            clicks.search.append(_settle(page, finished, _search(page, "")))


def load_bound(sim_url: str, key: str) -> tuple[float, float, dict[str, int]]:
    """The first visit's load measured headless (empty store): its latency bound at 50 ms,
    its own wall time, and its requests per stage."""
    from bench.load import _load

    folder = Path(tempfile.mkdtemp(prefix="bench-clicks-bound-"))
    try:
        done = _load(sim_url, key, folder, 8, keep_data=False)
        return done.bound(0.05), done.wall_s, done.stages
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(
    repeat: int, scale: float, say: Callable[[str], None], paths: tuple[str, ...] = ("lake",)
) -> dict[str, Clicks]:
    """Every repetition on one simulator and one browser, the data paths taking turns."""
    from bench.viewers import simulator
    from tests.appserver import launch_browser

    root = Path(__file__).resolve().parent.parent
    found = {path: Clicks() for path in paths}
    with simulator(scale) as (sim, key):
        bound = load_bound(sim.base_url, key)
        for clicks in found.values():
            clicks.bound_s, clicks.load_s, clicks.stages = bound
        manager, browser = launch_browser()
        try:
            for rep in range(max(1, repeat)):
                # The order turns each repetition: neither path always meets a warmer simulator.
                order = list(found) if rep % 2 == 0 else list(reversed(found))
                for path in order:
                    clicks = found[path]
                    one_repetition(browser, sim.base_url, key, root, clicks, path)
                    say(f"  repetition {rep + 1}/{repeat}, {path}: first visit "
                        f"{clicks.first_visit[-1]:.2f} s")  # fmt: skip
        finally:
            browser.close()
            manager.stop()
    return found


def side_by_side(found: dict[str, Clicks]) -> str:
    """Each step's median on each data path, measured in turns in one run."""
    paths = list(found)

    def steps(clicks: Clicks) -> dict[str, list[float]]:
        every_again = [t for values in clicks.sidebar_again.values() for t in values]
        return {
            "First visit": clicks.first_visit,
            "New session, warm server": clicks.new_session,
            **{f"Sidebar → {t}, first time": clicks.sidebar[t] for t in PAGES},
            "Sidebar, any page seen before": every_again,
            "Responses: a filter changed": clicks.filter,
            "Responses: text search": clicks.search,
        }

    per_path = {path: steps(found[path]) for path in paths}
    lines = [
        "| Step | " + " | ".join(DATA_PATH_NAMES[p] for p in paths) + " |",
        "|---|" + "---|" * len(paths),
    ]
    for step in per_path[paths[0]]:
        cells = [f"{statistics.median(per_path[p][step]):.2f} s" for p in paths]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(clicks: Clicks) -> str:
    """The budgets' table, in Markdown."""
    from bench.report import verdict

    def row(label: str, values: list[float], budget: float) -> str:
        median = statistics.median(values)
        return (
            f"| {label} | {median:.2f} s (worst {max(values):.2f} s, N={len(values)}) | "
            f"< {budget:.2f} s | {verdict(median < budget)} |"
        )

    first_budget = FIRST_VISIT_RATIO * clicks.bound_s + FIRST_VISIT_SLACK_S
    lines = [
        "| Step | Median (worst, N) | Budget | Status |",
        "|---|---|---|---|",
        row(
            f"First visit (its load headless: {clicks.load_s:.2f} s, bound {clicks.bound_s:.2f} s"
            f" for {sum(clicks.stages.values())} requests)",
            clicks.first_visit,
            first_budget,
        ),
        row("New session opening the link, warm server", clicks.new_session, 1.5),
    ]
    for title in PAGES:
        lines.append(row(f"Sidebar → {title}, first time", clicks.sidebar[title], 0.5))
    every_again = [t for values in clicks.sidebar_again.values() for t in values]
    lines.append(row("Sidebar, any page seen before", every_again, 0.5))
    lines.append(row("Responses: a filter changed (verdict, category, undone)", clicks.filter, 0.5))
    lines.append(row(f"Responses: text search '{SEARCH}', and cleared", clicks.search, 0.5))
    return "\n".join(lines)
