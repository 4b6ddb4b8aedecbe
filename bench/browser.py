"""The Overview in Chromium: from opening the page to its charts drawn and the app idle.

Per repetition: a fresh `streamlit run` with an empty store folder is opened once (cold: every
request goes to the API) and again in a new browser context (a new session in the same process:
the in-memory DatasetCache); then, once the store has written every finished run, a second fresh
app process on the same folder is opened (the disk store: only the listings are fetched).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PLOTS_DRAWN = "() => document.querySelectorAll('.js-plotly-plot').length >= 2"


def available() -> str | None:
    """None when Playwright and Chromium are there, else why not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    from tests.appserver import CHROMIUM

    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (make chromium)"
    return None


def _open_overview(browser: Any, url: str, timeout_ms: int) -> tuple[float, float]:
    """(seconds until the charts are there and the app idle, seconds until Streamlit's page
    shell is up) from navigating to the Overview in a new browser context."""
    from tests.appserver import wait_until_idle

    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
        shell = time.perf_counter() - started
        page.wait_for_function(PLOTS_DRAWN, timeout=timeout_ms)
        wait_until_idle(page, timeout_ms)
        took = time.perf_counter() - started
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError("the Overview showed an exception")
        return took, shell
    finally:
        context.close()


def _stored_runs(folder: Path) -> int:
    return sum(1 for _ in folder.glob("**/responses/*/*.parquet"))


def _wait_for_store(folder: Path, expected: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while _stored_runs(folder) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app stored {_stored_runs(folder)} of {expected} runs")
        time.sleep(0.2)  # polling the disk for the app's background writes


def overview_times(
    base_url: str,
    api_key: str,
    finished_runs: int,
    repeat: int,
    say: Callable[[str], None] = lambda _: None,
    timeout_ms: int = 180_000,
) -> dict[str, list[float]]:
    """{"cold": [...], "memory": [...], "disk": [...], "shell": [...]} seconds per repetition
    ("shell": every open's time until Streamlit's page shell was up, before any script output)."""
    from tests.appserver import launch_browser, start_app

    manager, browser = launch_browser()
    times: dict[str, list[float]] = {"cold": [], "memory": [], "disk": [], "shell": []}

    def opened(kind: str, url: str) -> None:
        took, shell = _open_overview(browser, url, timeout_ms)
        times[kind].append(took)
        times["shell"].append(shell)

    try:
        for rep in range(max(1, repeat)):
            folder = Path(tempfile.mkdtemp(prefix="bench-browser-store-"))
            env = {
                "AYMARA_AI_API_KEY": api_key,
                "AYMARA_AI_BASE_URL": base_url,
                "EVAL_DASHBOARD_CACHE_DIR": str(folder),
            }
            app = start_app(env, name=f"bench-browser-{rep}")
            try:
                opened("cold", app.url)
                opened("memory", app.url)
                _wait_for_store(folder, finished_runs)
            finally:
                app.stop()
            app = start_app(env, name=f"bench-browser-{rep}-disk")
            try:
                opened("disk", app.url)
            finally:
                app.stop()
                shutil.rmtree(folder, ignore_errors=True)
            say(
                f"  browser {rep + 1}/{repeat}: cold {times['cold'][-1]:.2f} s, memory "
                f"{times['memory'][-1]:.2f} s, disk {times['disk'][-1]:.2f} s"
            )
    finally:
        browser.close()
        manager.stop()
    return times
