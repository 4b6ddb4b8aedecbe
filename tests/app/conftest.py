"""Which data path each AppTest module runs on.

The pages' numbers, reviews, partial loads and the lake run on the default path, the
dashboard's own lake. Modules about layout, limits, scoring, the live panel, sign-in and
Feather run on the in-memory path (EVAL_DASHBOARD_LOCAL_LAKE=off): what they check does not
depend on where the responses are held, and a first-visit sync per test would add a minute to
the suite. Every one of them passes on the own lake too (`EVAL_DASHBOARD_LOCAL_LAKE=on`
pytest tests/app runs them so).
"""

from __future__ import annotations

import os

import pytest

IN_MEMORY_MODULES = {
    "test_access",
    "test_app_feather",
    "test_app_legibility",
    "test_app_limits",
    "test_app_live",
    "test_app_score",
    "test_charts",
}


@pytest.fixture(autouse=True)
def data_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the layout and limits modules to the in-memory path unless the run asks otherwise."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    if module in IN_MEMORY_MODULES and "EVAL_DASHBOARD_LOCAL_LAKE" not in os.environ:
        monkeypatch.setenv("EVAL_DASHBOARD_LOCAL_LAKE", "off")
