"""Live runs and the "Download report" buttons, on the real pages under AppTest."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from client.aymara import ALL_WORKSPACES, AymaraClient
from components.live import processing, refetch
from jobs.aymara_fetch import fetch_aymara
from tests.app.test_app_aymara import app, captions, open_page, select_row  # noqa: F401
from tests.conftest import SIMULATOR_KEY

SUPPORT = "7b2d6992-70a7-4124-b4a8-48bdb346da1b"  # the seeded workspace with no processing run


def live_captions(at: AppTest) -> list[str]:
    return [c for c in captions(at) if "live" in c and "processing" in c]


def test_the_runs_page_shows_its_processing_runs_live(app: AppTest) -> None:  # noqa: F811
    at = open_page(app, "Runs")
    (marker,) = live_captions(at)
    assert "2 runs processing" in marker and "updated" in marker and "UTC" in marker
    live = [d.value for d in at.dataframe if "status" in d.value and len(d.value) == 2]
    assert any(set(v["status"]) == {"Processing"} for v in live)


def test_nothing_processing_means_no_live_panel(app: AppTest) -> None:  # noqa: F811
    at = open_page(app, "Overview", workspace=SUPPORT)
    assert live_captions(at) == []


def test_only_the_processing_runs_are_fetched_again(simulator: Any) -> None:
    with AymaraClient(SIMULATOR_KEY, simulator.base_url, sleep=lambda s: None) as client:
        data = fetch_aymara(client, ALL_WORKSPACES)
        running = processing(data.runs)
        before = client.transport.requests_sent
        fresh, failed = refetch(client, running, data.evals)
        assert client.transport.requests_sent - before == len(running) == 2
    assert failed == [] and set(fresh["eval_run_uuid"]) == set(running["eval_run_uuid"])
    assert processing(pd.concat([fresh])).shape[0] == 2


@pytest.mark.parametrize(
    ("title", "table", "key"),
    [
        ("Runs", "runs_table", "report_run"),
        ("Evals", "evals", "report_eval"),
        ("Regressions", None, "report_regressions"),
        ("Compare runs", None, "report_compare"),
    ],
)
def test_each_page_offers_a_report_download(
    app: AppTest,  # noqa: F811
    title: str,
    table: str | None,
    key: str,
) -> None:
    at = open_page(app, title)
    if table:
        at = select_row(at, table)
    buttons = [b for b in at.get("download_button") if getattr(b, "key", None) == key] or [
        b for b in at.get("download_button")
    ]
    assert buttons, f"no download button on {title}"
    assert any("Download report" in str(b.proto.label) for b in buttons)
