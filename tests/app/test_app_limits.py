"""Bounded output: one huge API text never goes whole into a table cell (AppTest)."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from components import cache
from components.connection import Source
from reporting.text import CELL_CHARS
from tests.app.test_app_aymara import app, open_page
from tests.conftest import SIMULATOR_KEY

__all__ = ["app"]  # fixture used below


def _huge_texts_table() -> None:
    import pandas as pd

    from components import tables

    # 19 API answers of ~1 MB each, as the probe's Responses page held.
    frame = pd.DataFrame({"text": ["y" * 1_000_000] * 19, "short": ["fine"] * 19})
    tables.table(frame, {"text": tables.text("Response"), "short": tables.text("Note")}, key="t")


def test_a_table_cell_holds_a_bounded_preview_of_a_megabyte_text():
    at = AppTest.from_function(_huge_texts_table, default_timeout=30).run()
    assert not at.exception
    shown = at.dataframe[0]
    frame_bytes = len(shown.proto.arrow_data.data)
    print(f"table data sent for 19 x 1 MB texts: {frame_bytes:,} bytes")
    assert frame_bytes < 100_000, "the whole texts went to the browser"
    cells = shown.value["text"]
    assert cells.str.len().max() == CELL_CHARS and cells.iloc[0].endswith("…")
    assert list(shown.value["short"]) == ["fine"] * 19  # short texts are left as they are


def _account(simulator: Any) -> tuple[str, str, str]:
    return cache.account(Source("aymara", simulator.base_url, SIMULATOR_KEY))


def test_links_naming_random_workspaces_evict_no_loaded_dataset(app: AppTest, simulator):
    at = open_page(app, "Overview")
    datasets, _ = cache.dataset_cache().sizes()
    for n in range(25):  # the probe's 25 links
        at.query_params["workspace"] = f"00000000-0000-4000-8000-{n:012d}"
        at.run()
        assert not at.exception
    assert cache.dataset_cache().sizes()[0] == datasets
    at.query_params.pop("workspace")
    at.run()
    assert [m.value for m in at.metric if m.label == "Evals"] != ["0"]
