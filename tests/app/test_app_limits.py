"""Bounded output: one huge API text never goes whole into a table cell (AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from reporting.text import CELL_CHARS


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
