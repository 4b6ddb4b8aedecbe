"""Score responses in a real browser: upload a CSV, send it, see the run; then a bad file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from client.aymara import AymaraClient
from tests.app.test_app_score import EVAL_NAME, demo_eval, responses_csv, score_requests
from tests.appserver import AppServer, browser, page, screenshot, start_app, wait_until_idle
from tests.conftest import SIMULATOR_KEY

__all__ = ["browser", "page"]  # fixtures used by the tests below

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def score_sim(start_simulator: Callable[..., Any]) -> Any:
    """A simulator of its own: this module adds a run to it."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


@pytest.fixture(scope="module")
def score_app(score_sim: Any) -> Iterator[AppServer]:
    """The real app connected to that simulator."""
    server = start_app(
        {
            "AYMARA_AI_API_KEY": SIMULATOR_KEY,
            "AYMARA_AI_BASE_URL": score_sim.base_url,
            "EVAL_DASHBOARD_STORE": "off",
        },
        name="score",
    )
    yield server
    server.stop()


def set_down(sim: Any, down: bool) -> None:
    """Make every API request answer 503 (or serve again)."""
    httpx.post(
        f"{sim.base_url}/_sim/config", json={"down": down}, headers={"x-api-key": SIMULATOR_KEY}
    ).raise_for_status()


def choose_eval(tab: Any, name: str) -> None:
    """Open the eval selectbox and pick an eval by its name."""
    tab.locator('[data-testid="stSelectbox"]').filter(has_text="Eval").first.click()
    tab.get_by_role("option", name=re.compile(re.escape(name))).first.click()
    wait_until_idle(tab)


def upload(tab: Any, name: str, data: bytes) -> None:
    """Put a file into the uploader's input, as the file picker would."""
    tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    wait_until_idle(tab)


def test_a_csv_goes_from_upload_to_a_scored_run_and_a_bad_file_gets_row_numbers(
    score_sim: Any, score_app: AppServer, page: Any
) -> None:
    with AymaraClient(SIMULATOR_KEY, score_sim.base_url) as client:
        ev, prompts = demo_eval(client)
    page.goto(score_app.url)
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    wait_until_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Score responses").click()
    page.get_by_role("heading", name="Score responses").wait_for(timeout=60_000)
    wait_until_idle(page)

    choose_eval(page, EVAL_NAME)
    page.get_by_text("Download the CSV template").wait_for()
    upload(page, "responses.csv", responses_csv(prompts))
    page.get_by_text(f"3. Check what will be sent: {len(prompts)} responses").wait_for()
    sandbox = page.get_by_role("switch", name="Sandbox mode")
    assert sandbox.is_checked()

    page.get_by_role("button", name=f"Score {len(prompts)} responses").click()
    wait_until_idle(page)
    tiles = page.locator('[data-testid="stMetric"]')
    tiles.first.wait_for()
    assert "50.0%" in tiles.filter(has_text="Pass rate").inner_text()
    link = page.get_by_role("link", name=re.compile("Open this sandbox run on the Runs page"))
    href = link.get_attribute("href") or ""
    assert score_requests(score_sim) == 1
    with AymaraClient(SIMULATOR_KEY, score_sim.base_url) as client:
        runs = client.list_eval_runs(ev.workspace_uuid, eval_uuid=ev.eval_uuid).items
    newest = max(runs, key=lambda r: r.created_at)
    assert f"run={newest.eval_run_uuid}" in href and "runs" in href
    assert "sandbox=true" in href  # the Runs page leaves sandbox runs out unless asked
    assert page.get_by_role("button", name="Scored", exact=True).is_disabled()
    assert not page.console_errors
    shot = screenshot(page, "score-result")
    assert shot.exists()

    bad = b"\n".join(
        [
            b"prompt_uuid,prompt,content,ai_refused",
            f"{prompts[0].prompt_uuid},p,fine,false".encode(),
            b"not-a-prompt,p,hello,false",
            f"{prompts[2].prompt_uuid},p,,false".encode(),
            f"{prompts[3].prompt_uuid},p,ok,perhaps".encode(),
        ]
    )
    upload(page, "bad.csv", bad)
    alert = page.locator('[data-testid="stAlertContentError"]').first
    alert.wait_for()
    assert "3 problems in bad.csv" in alert.inner_text()
    problems = page.locator('[data-testid="stTable"]').first
    problems.wait_for()
    grid = problems.inner_text()
    for where, column in (("Row 3", "prompt_uuid"), ("Row 4", "content"), ("Row 5", "ai_refused")):
        assert re.search(rf"{where}\s+{column}\s", grid), grid
    assert "is not a prompt of the eval" in grid
    assert page.get_by_role("button", name=re.compile("^Score ")).count() == 0
    shot = screenshot(page, "score-problems")
    assert shot.exists()
    assert score_requests(score_sim) == 1

    # The same responses again: already sent, so the button stays "Scored" and the run is shown.
    upload(page, "responses-again.csv", responses_csv(prompts))
    page.get_by_role("button", name="Scored", exact=True).wait_for()
    assert page.get_by_role("button", name="Scored", exact=True).is_disabled()
    # Under a new name they could go again; with the API down the answer never comes back.
    page.get_by_label("Run name").fill("Second attempt")
    page.get_by_label("Run name").press("Enter")
    page.get_by_text("already sent in this session", exact=False).wait_for()
    wait_until_idle(page)
    set_down(score_sim, True)
    try:
        page.get_by_role("button", name=f"Score {len(prompts)} responses").click()
        wait_until_idle(page)
        page.get_by_text("the run MAY have been created").wait_for()
    finally:
        set_down(score_sim, False)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "look for a run named 'Second attempt' on the Runs page before sending again" in main
    assert score_requests(score_sim) == 2  # the failed POST went once and was not replayed
    shot = screenshot(page, "score-maybe-created")
    assert shot.exists()
