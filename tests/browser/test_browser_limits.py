"""An upload's bytes leave the server's memory once parsed, in the real app and browser."""

from __future__ import annotations

from typing import Any

import pytest

from client.aymara import AymaraClient
from tests.app.test_app_score import EVAL_NAME, demo_eval
from tests.appserver import AppServer, browser, page, wait_until_idle
from tests.browser.test_browser_score import choose_eval, score_app, score_sim, upload
from tests.conftest import SIMULATOR_KEY
from tests.stsession import rss_mb, uploaded_bytes_held

__all__ = ["browser", "page", "score_app", "score_sim"]  # fixtures used below

pytestmark = pytest.mark.browser


def test_a_refused_file_is_released_from_memory_and_its_problems_stay_on_screen(
    score_sim: Any, score_app: AppServer, page: Any
) -> None:
    with AymaraClient(SIMULATOR_KEY, score_sim.base_url) as client:
        _, prompts = demo_eval(client)
    page.goto(f"{score_app.url}/score")
    page.get_by_role("heading", name="Score responses").wait_for(timeout=60_000)
    wait_until_idle(page)
    choose_eval(page, EVAL_NAME)
    before = rss_mb(score_app.process.pid)
    big = "x" * (8 * 1024 * 1024)  # one long answer: 8 MB the server would otherwise keep
    bad = "\n".join(
        [
            "prompt_uuid,prompt,content,ai_refused",
            f"{prompts[0].prompt_uuid},p,{big},false",
            "not-a-prompt,p,hello,false",
        ]
    ).encode()
    upload(page, "bad.csv", bad)
    alert = page.locator('[data-testid="stAlertContentError"]').first
    alert.wait_for()
    assert "1 problem in bad.csv" in alert.inner_text()
    assert uploaded_bytes_held(score_app.url) == 0, "the parsed upload is still in memory"
    print(f"RSS around an 8 MB refused upload: {before:.0f} -> {rss_mb(score_app.process.pid):.0f}")

    choose_eval(page, EVAL_NAME)  # a rerun: the problems come from the memo, not the bytes
    assert (
        "1 problem in bad.csv"
        in page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    )
