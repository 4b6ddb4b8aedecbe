"""Which data path the apps of each browser module run on.

A linked response, keyboard reviews, a load cut short and the secrets on disk run on the
default path, the dashboard's own lake. The other modules check drawing, layout, themes and
hostile text, which do not depend on where the responses are held: they run on the in-memory
path (EVAL_DASHBOARD_LOCAL_LAKE=off) to keep the suite in its time budget, unless the run sets
EVAL_DASHBOARD_LOCAL_LAKE itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

OWN_LAKE_MODULES = {
    "test_browser_deeplink",
    "test_browser_partial",
    "test_browser_review",
    "test_secrets",
}
NAME = "EVAL_DASHBOARD_LOCAL_LAKE"


@pytest.fixture(scope="module", autouse=True)
def data_path(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before the module's app starts: the in-memory path, except for the modules above."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    chosen = os.environ.get(NAME)
    if chosen is None and module not in OWN_LAKE_MODULES:
        os.environ[NAME] = "off"
    yield
    if chosen is None:
        os.environ.pop(NAME, None)
