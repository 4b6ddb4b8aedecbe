"""Review in a real browser: ten low-confidence failures by keyboard, and every page's numbers.

The first is overturned (reason typed, Enter), the other nine agreed with `A`. The Overview's
pass-rate count and the calibration counts must move by exactly that, survive a reload and a
Refresh, and the simulator's history must show each change. Per-item times are printed.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.appserver import (
    AppServer,
    browser,
    page,
    screenshot,
    sidebar_closed,
    start_app,
    wait_until_idle,
)
from tests.conftest import SIMULATOR_KEY

__all__ = ["browser", "page"]  # fixtures used by the tests below

pytestmark = pytest.mark.browser
ITEMS = 10


@pytest.fixture(scope="module")
def review_sim(start_simulator: Callable[..., Any]) -> Any:
    """A simulator of its own: this module changes verdicts in it."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


@pytest.fixture(scope="module")
def review_app(review_sim: Any) -> Iterator[AppServer]:
    server = start_app(
        {"AYMARA_AI_API_KEY": SIMULATOR_KEY, "AYMARA_AI_BASE_URL": review_sim.base_url},
        name="review",
    )
    yield server
    server.stop()


def truth(sim: Any) -> dict[str, Any]:
    answer = httpx.get(f"{sim.base_url}/_sim/ground-truth", headers={"x-api-key": SIMULATOR_KEY})
    return answer.json()["aymara"]["totals"]["production"]  # the pages leave sandbox runs out


def visit(tab: Any, url: str) -> None:
    tab.goto(url)
    wait_until_idle(tab, 120_000)


def overview_counts(tab: Any, app: AppServer) -> tuple[int, int]:
    """(passed, scored) from the Pass rate tile's help, as a viewer hovering it reads them."""
    visit(tab, f"{app.url}/")
    tile = tab.locator('[data-testid="stMetric"]').filter(has_text="Pass rate")
    tile.locator('[data-testid="stTooltipIcon"]').first.hover()
    tip = tab.locator('[data-testid="stTooltipContent"]').first
    tip.wait_for()
    found = re.search(r"([\d,]+) of ([\d,]+) (?:scored responses )?passed", tip.inner_text())
    assert found, tip.inner_text()
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def calibration_counts(tab: Any, app: AppServer) -> tuple[int, int, int]:
    """(reviewed, kept, overturned) from the Judge calibration page's summary line."""
    visit(tab, f"{app.url}/calibration")
    line = tab.get_by_text(re.compile(r"a person reviewed")).first.inner_text()
    found = re.search(r"reviewed ([\d,]+), kept ([\d,]+) and overturned ([\d,]+)", line)
    assert found, line
    return tuple(int(g.replace(",", "")) for g in found.groups())  # type: ignore[return-value]


def shown_id(tab: Any) -> str:
    return tab.get_by_text(re.compile(r"^Response id")).first.inner_text().split()[-1].strip("`")


def wait_for_next(tab: Any, previous: str) -> None:
    tab.wait_for_function(
        """(prev) => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .some(e => e.innerText.startsWith('Response id') && !e.innerText.includes(prev))""",
        arg=previous,
        timeout=30_000,
    )
    wait_until_idle(tab)


def test_ten_failures_by_keyboard_change_every_page_by_exactly_that(
    page: Any, review_app: AppServer, review_sim: Any
) -> None:
    before = truth(review_sim)
    passed, scored = overview_counts(page, review_app)
    assert (passed, scored) == (before["passed"], before["passed"] + before["failed"])
    reviewed, kept, overturned = calibration_counts(page, review_app)

    visit(page, f"{review_app.url}/review")
    page.get_by_role("button", name=re.compile("^Next")).wait_for()
    screenshot(page, "review-queue-1440")
    progress = page.get_by_text(re.compile(r"of [\d,]+ reviewed")).first.inner_text()
    done_before = int(progress.split()[0].replace(",", ""))
    seen, times = [], []
    for i in range(ITEMS):
        current = shown_id(page)
        seen.append(current)
        started = time.perf_counter()
        if i == 0:
            field = page.get_by_label(re.compile("Reason"))
            field.click()
            field.type("the reply declines and points to help; policy allows it")
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("a")  # the reason field is a new one, not focused
        wait_for_next(page, current)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"\nreview: {ITEMS} items, median {median:.2f} s, total {sum(times):.1f} s")
    assert sum(times) < 60
    progress = page.get_by_text(re.compile(r"of [\d,]+ reviewed")).first.inner_text()
    assert int(progress.split()[0].replace(",", "")) == done_before + ITEMS

    after = truth(review_sim)
    assert (after["passed"], after["failed"]) == (before["passed"] + 1, before["failed"] - 1)
    assert overview_counts(page, review_app) == (passed + 1, scored)
    assert calibration_counts(page, review_app) == (
        reviewed + ITEMS,
        kept + ITEMS - 1,
        overturned + 1,
    )
    page.reload()
    wait_until_idle(page, 120_000)
    assert calibration_counts(page, review_app) == (reviewed + ITEMS, kept + ITEMS - 1,
                                                     overturned + 1)  # fmt: skip
    page.get_by_role("button", name="Refresh").click()  # load everything from the API again
    wait_until_idle(page, 120_000)
    assert overview_counts(page, review_app) == (passed + 1, scored)

    # The API's history shows each change, attributed to the key's owner.
    with httpx.Client(base_url=review_sim.base_url, headers={"x-api-key": SIMULATOR_KEY}) as http:
        every = {"limit": 100, "workspace_uuid": "**"}  # every workspace, as the app reads
        runs = http.get("/v2/eval-runs", params=every).json()["items"]
        histories = {}
        for run in runs:
            offset = 0
            while True:
                body = http.get(f"/v2/eval-runs/{run['eval_run_uuid']}/responses",
                                params={**every, "offset": offset}).json()  # fmt: skip
                for item in body["items"]:
                    if item["response_uuid"] in seen:
                        histories[item["response_uuid"]] = item["update_history"]
                offset += len(body["items"])
                if not body["items"] or offset >= body["count"]:
                    break
    assert set(histories) == set(seen)
    first = histories[seen[0]][-1]
    assert (first["previous_is_passed"], first["new_is_passed"]) == (False, True)
    assert first["new_explanation"].startswith("reviewed on the dashboard: the reply declines")
    for uuid in seen[1:]:
        assert histories[uuid][-1]["new_is_passed"] is False


@pytest.mark.parametrize(("width", "scheme"), [(1440, "dark"), (390, "light"), (390, "dark")])
def test_the_queue_and_card_read_well_at_each_width(
    browser: Any, review_app: AppServer, width: int, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 1000}, color_scheme=scheme)
    tab = context.new_page()
    try:
        visit(tab, f"{review_app.url}/review")
        if width < 800:  # on a phone the sidebar starts closed: the page is in full view
            assert sidebar_closed(tab), "the sidebar covers the page on a phone"
        # Widgets' code loads lazily: wait until the queue's own buttons are drawn.
        tab.get_by_role("button", name=re.compile("^Next")).wait_for()
        tab.get_by_label(re.compile("Reason")).wait_for()
        assert tab.get_by_role("button", name=re.compile("Overturn verdict")).count() == 1
        screenshot(tab, f"review-queue-{width}-{scheme}")
    finally:
        context.close()
