"""A shared link to a page works even as the very first visit to a freshly started server."""

from __future__ import annotations

import pytest

from tests.appserver import browser, page, start_app  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_deep_link_is_the_first_visit_of_a_fresh_server(page, start_simulator):  # noqa: F811
    sim = start_simulator(api_key="deep-link-key", seed=7, scale=1)
    app = start_app(
        {
            "AYMARA_AI_API_KEY": "deep-link-key",
            "AYMARA_AI_BASE_URL": sim.base_url,
            "FEATHER_API_KEY": "deep-link-key",
            "FEATHER_BASE_URL": sim.base_url,
        },
        name="deeplink",
    )
    try:
        page.goto(f"{app.url}/feather?outcome=failed")
        page.locator("h1", has_text="Conversation evals").wait_for(timeout=60_000)
        # The page ran inside app.py: its navigation (not the bare file list) is in the sidebar.
        page.get_by_role("link", name="Judge calibration").wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "outcome=failed" in page.url
    finally:
        app.stop()
