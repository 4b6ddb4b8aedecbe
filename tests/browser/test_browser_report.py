"""The report file in Chromium with every request blocked: charts drawn, hostile text inert.

The simulator's answers are rewritten with hostile names, responses and explanations (as a
compromised vendor account could hold); `python -m jobs report` writes the file; Chromium opens
it from disk with every request but the file itself aborted and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobs.cli import main
from tests import conftest
from tests.appserver import SCREENSHOTS
from tests.browser.test_browser_security import (
    ALL_PAYLOADS,
    KEY,
    PAYLOADS,
    start_rewriting_simulator,
)

# The shared Chromium fixture, imported as test_browser_security does until conftest has it.
if not hasattr(conftest, "browser") and "tests.appserver" not in getattr(
    conftest, "pytest_plugins", ()
):
    from tests.appserver import browser  # noqa: F401

pytestmark = pytest.mark.browser
RESPONSES = re.compile(r"^/v2/eval-runs/[^/]+/responses$")


def hostile(path: str, query: dict[str, list[str]], body: Any) -> Any:
    """Hostile text in eval names, run names, responses and explanations."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    for item in items:
        if RESPONSES.match(path) and item.get("content_type") in (None, "text"):
            item["content"] = f"{ALL_PAYLOADS} {item.get('content') or ''}"
            item["explanation"] = f"{PAYLOADS['img']} {PAYLOADS['md_image']}"
        elif path in ("/v2/evals", "/v2/eval-runs"):
            # A run names its eval in its nested `evaluation`: that name is what tables show.
            for named in (item, item.get("evaluation") or {}):
                if named.get("name"):
                    named["name"] = f"{named['name']} {PAYLOADS['script']}"
    return body


@pytest.fixture(scope="module")
def hostile_simulator() -> Iterator[Any]:
    sim = start_rewriting_simulator(hostile, seed=7, scale=1, fault_rate=0.0, retry_after_s=0)
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def report(hostile_simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("report") / "regressions.html"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AYMARA_AI_API_KEY", KEY)
        env.setenv("AYMARA_AI_BASE_URL", hostile_simulator.base_url)
        env.setenv("EVAL_DASHBOARD_STORE", "off")
        assert main(["report", "--regressions", "--out", str(out)]) == 0
    yield out


def open_offline(browser: Any, path: Path, scheme: str, width: int) -> tuple[Any, Any, list[str]]:
    """The file in a fresh context where every other request is aborted and recorded.

    Counted at the route, where a request would leave the browser: Chromium still fires a
    `request` event for a load that the page's CSP then blocks before any byte is sent.
    """
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    blocked: list[str] = []
    url = path.as_uri()

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.body.dataset.charts !== undefined", timeout=60_000)
    return context, page, blocked


def test_the_report_opens_offline_with_its_charts_and_no_hostile_script(
    browser: Any, report: Path
) -> None:
    html = report.read_text()
    assert KEY not in html and "<script>window.__pwned" not in html
    assert "cdn" not in html.lower().split('<script type="application/octet-stream"')[0]
    for scheme, width in (("light", 1440), ("dark", 390)):
        context, page, blocked = open_offline(browser, report, scheme, width)
        try:
            assert page.evaluate("document.body.dataset.charts") == "drawn"
            charts = page.locator(".chart[data-figure]")
            assert charts.count() >= 1
            assert page.locator(".chart[data-drawn=yes] .main-svg").count() >= charts.count()
            assert page.evaluate("window.__pwned") is None
            text = page.inner_text("main")
            assert PAYLOADS["script"] in text and PAYLOADS["img"] in text  # shown, not run
            assert PAYLOADS["md_image"] in text
            headings = " ".join(page.locator("main h2").all_inner_texts())
            assert PAYLOADS["script"] in headings  # a hostile eval name, shown as text
            assert page.locator("main img").count() == 0  # no response image became a tag
            assert page.locator("iframe").count() == 0
            assert blocked == []
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"report-{scheme}-{width}.png"), full_page=True)
        finally:
            context.close()


def test_a_script_slipped_past_escaping_would_still_not_run(browser: Any, report: Path) -> None:
    # The second lock: the page's CSP runs only the script carrying the file's nonce.
    tampered = report.with_name("tampered.html")
    tampered.write_text(
        report.read_text().replace("<main>", "<main><script>window.__pwned=1</script>"
                                   '<img src="http://tracker.invalid/p.png">', 1)
    )  # fmt: skip
    context, page, blocked = open_offline(browser, tampered, "light", 1440)
    try:
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.body.dataset.charts") == "drawn"
        assert blocked == []  # the CSP stops the image before any request is made
    finally:
        context.close()
