"""Start the real app with `streamlit run` on a free port, and drive it in Debian's Chromium."""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py`, with its output captured to a log file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def logs(self) -> str:
        """Everything the app printed so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the app."""
        self.process.terminate()
        try:
            self.process.wait(timeout=3)  # a clean stop takes < 1 s; past that, no wait
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_app(
    env: Mapping[str, str], name: str = "app", timeout_s: float = 90, root: Path = ROOT
) -> AppServer:
    """Run the dashboard as a user would, and return once its health check answers.

    `root` is the checkout whose app.py runs (the bench runs an older commit beside this one).
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{name}-{port}.log"
    # The app under test sees only the accounts a test gives it (the cache folder and the data
    # path a test module chose stay).
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AYMARA_", "FEATHER_", "EVAL_DASHBOARD_"))
        or k in ("EVAL_DASHBOARD_CACHE_DIR", "EVAL_DASHBOARD_LOCAL_LAKE")  # the data path
    }
    full_env.update(env)
    full_env["PYTHONUNBUFFERED"] = "1"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--logger.level", "info",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=root, env=full_env, stdout=log, stderr=log)
    server = AppServer(f"http://127.0.0.1:{port}", process, log_path, dict(env))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{server.logs()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/_stcore/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling a server that is starting, not synchronising a test
    server.stop()
    raise RuntimeError(f"the app did not answer within {timeout_s:.0f} s:\n{server.logs()[-3000:]}")


def launch_browser() -> tuple[Any, Any]:
    """Playwright and a headless Debian Chromium, or a skip when either is missing."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; `make test` installs Debian's chromium")
    manager = playwright_api.sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    return manager, browser


_shared: dict[str, Any] = {}


def shared_browser() -> Any:
    """One Chromium for the whole test process.

    Playwright's sync API allows one instance per thread, and a fixture imported into several
    modules is instantiated once per module, so every `browser` fixture hands out this one.
    """
    if "browser" not in _shared:
        _shared["manager"], _shared["browser"] = launch_browser()
        atexit.register(_close_shared)
    return _shared["browser"]


def _close_shared() -> None:
    browser, manager = _shared.pop("browser", None), _shared.pop("manager", None)
    if browser is not None:
        browser.close()
    if manager is not None:
        manager.stop()


def wait_until_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script (its status widget is gone)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning';
        }""",
        timeout=timeout_ms,
    )


def sidebar_closed(page: Any) -> bool:
    """Whether the sidebar is out of the way (collapsed, or drawn off the left edge)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    return (
        sidebar.get_attribute("aria-expanded") == "false"
        or box is None
        or box["x"] + box["width"] <= 0
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact, and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Streamlit scrolls inside its main container, so stretch the viewport to the content.
    size = page.viewport_size or {"width": 1440, "height": 1000}
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return main ? main.scrollHeight : document.body.scrollHeight;
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 8000)})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


@pytest.fixture(scope="session")
def browser() -> Any:
    """The headless Chromium shared by every browser test."""
    return shared_browser()


@pytest.fixture(scope="session")
def app_secret_key() -> str:
    """The API key the browser-tested app is given; tests assert it never reaches the browser."""
    return "sk-live-browser-test-9d8c7b6a5f4e3d2c1b0a"


@pytest.fixture(scope="session")
def app_server(start_simulator: Any, app_secret_key: str) -> Iterator[AppServer]:
    """The real app, connected over HTTP to a simulator as if to both vendors."""
    sim = start_simulator(api_key=app_secret_key, seed=7, scale=1, retry_after_s=0)
    server = start_app(
        {
            "AYMARA_AI_API_KEY": app_secret_key,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "FEATHER_API_KEY": app_secret_key,
            "FEATHER_BASE_URL": sim.base_url,
        },
        name="app",
    )
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any, request: Any) -> Iterator[Any]:
    """A fresh browser page that records console errors and page errors."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    tab.console_errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    yield tab
    context.close()
