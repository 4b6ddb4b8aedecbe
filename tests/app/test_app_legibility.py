"""Every table on every page, as AppTest sees what the browser is sent: words, widths, headers.

The browser draws tables on a canvas whose column widths never reach the DOM, so whether a
header fits its column is asserted here, on the column configs the page sends: every shown
column has a width, and that width holds its header's text (Source Sans at 14 px, measured
generously). The cells sent are checked too: API values in words, no "None", ids short.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components import cache
from reporting.feather.aggregates import default_window
from reporting.vocabulary import RAW_VALUES
from simulator.feather.contract import NOW
from tests.app.test_app_aymara import APP, PAGES, TIMEOUT_S
from tests.conftest import SIMULATOR_KEY

NAMED_WIDTHS = {"small": 75, "medium": 200, "large": 400}
CHAR_PX = 7.5  # wider than Source Sans 14 px's average letter, so a pass means it fits
HEADER_PADDING_PX = 2 * 8 + 6  # the grid's cell padding on both sides, and a little slack
ROW_CHECKBOX_PX = 35  # a selectable table's leading column
PAGE_PX = 978  # the main column's width at a 1440 px window with the sidebar open


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, simulator: Any, tmp_path: Any) -> Iterator[AppTest]:
    """The app pointed at the simulator for both APIs, with an empty dataset cache."""
    for name in ("AYMARA_AI", "FEATHER"):
        monkeypatch.setenv(f"{name}_API_KEY", SIMULATOR_KEY)
        monkeypatch.setenv(f"{name}_BASE_URL", simulator.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EVAL_DASHBOARD_WORKSPACES", raising=False)
    cache.dataset_cache().clear()
    yield AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    cache.dataset_cache().clear()


def header_px(label: str) -> float:
    """The width a header needs to show its whole label."""
    return len(label) * CHAR_PX + HEADER_PADDING_PX


def shown_columns(table: Any) -> list[tuple[str, dict[str, Any]]]:
    """(name, config) of each column the table shows, in order."""
    configs = json.loads(table.proto.columns or "{}")
    order = list(table.proto.column_order) or list(configs)
    return [(name, configs.get(name, {})) for name in order]


def width_px(config: dict[str, Any]) -> int | None:
    """A column's configured width in pixels, or None when the grid sizes it itself."""
    width = config.get("width")
    return NAMED_WIDTHS.get(width, width) if isinstance(width, str) else width


def cells_as_text(table: Any) -> list[str]:
    """Every text cell the table is sent (a pill cell's words included)."""
    frame = table.value
    found: list[str] = []
    for column in frame.columns:
        for value in frame[column].tolist():
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
                found.extend(str(v) for v in list(value))
    return found


def run_page(at: AppTest, path: str) -> AppTest:
    """Run the app once (st.navigation needs it), then the page (Feather on its demo days)."""
    if path == "pages/feather.py":
        first, last = default_window(NOW.date())
        at.query_params["created"] = [first.isoformat(), last.isoformat()]
    at.run()
    if path != "pages/overview.py":
        at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TABLE_PAGES = [*PAGES.values(), "pages/feather.py"]


@pytest.mark.parametrize("path", TABLE_PAGES, ids=[p.split("/")[1][:-3] for p in TABLE_PAGES])
def test_every_table_gives_each_column_a_width_that_holds_its_header(
    app: AppTest, path: str
) -> None:
    at = run_page(app, path)
    assert at.dataframe, "the page drew no table, so nothing was checked"
    for table in at.dataframe:
        columns = shown_columns(table)
        unsized = [name for name, config in columns if width_px(config) is None]
        assert unsized == [], f"{table.key}: columns without a width"
        cut = [
            (config.get("label"), width_px(config))
            for _, config in columns
            if width_px(config) < header_px(config.get("label") or "")
        ]
        assert cut == [], f"{table.key}: headers wider than their columns"
        checkbox = ROW_CHECKBOX_PX if table.proto.selection_mode else 0
        total = sum(width_px(config) or 0 for _, config in columns) + checkbox
        assert total <= PAGE_PX, f"{table.key}: {total} px of columns cannot fit the page"


@pytest.mark.parametrize("path", TABLE_PAGES, ids=[p.split("/")[1][:-3] for p in TABLE_PAGES])
def test_every_table_shows_api_values_in_words_and_never_none(app: AppTest, path: str) -> None:
    at = run_page(app, path)
    assert at.dataframe, "the page drew no table, so nothing was checked"
    for table in at.dataframe:
        cells = cells_as_text(table)
        assert sorted(set(cells) & RAW_VALUES) == [], f"{table.key}: raw API values"
        assert "None" not in cells, f"{table.key}: a cell reads 'None'"


def test_a_table_s_pinned_key_column_comes_first_and_stays_in_view(app: AppTest) -> None:
    at = run_page(app, "pages/responses.py")
    (table,) = [t for t in at.dataframe if (t.key or "").startswith("responses_table")]
    first, config = shown_columns(table)[0]
    assert first == "verdict" and config["type_config"]["type"] == "multiselect"
    assert config.get("pinned") is True
    at = run_page(app, "pages/regressions.py")
    board = next(t for t in at.dataframe if (t.key or "").startswith("board"))
    name, config = shown_columns(board)[0]
    assert name == "eval_name" and config.get("pinned") is True
