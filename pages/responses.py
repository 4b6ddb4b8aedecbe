"""Responses: every scored response across the loaded runs, filtered, with the judge's reasons."""

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from components import detail, filters, links, partial, review, shell, tables
from components.response_card import preview_column, response_card
from components.review_card import review_actions
from components.tiles import pct
from reporting.aymara import sql
from reporting.aymara.export import export_frame, parquet_bytes, safe_csv
from reporting.aymara.response_rows import RowFilters
from reporting.text import plural

RESPONSE_PARAM = "response"
ANY, YES, NO = "Any", "Yes", "No"
VERDICTS = {"Passed": "passed", "Failed": "failed", "Not scored": "not scored"}
T = TypeVar("T")

data = shell.aymara_page("Responses")
# One page of rows at a time: the loaded frame's, or SQL over the lake's (never all of them).
rows = data.response_rows()
if rows.total() == 0:
    st.info("No scored responses in this workspace yet. Score some for an eval, then Refresh.")
    st.stop()
one_run = links.one_run_id(data.runs) or ""  # a link naming one run (by id) shows it alone

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([3, 2, 2, 3], gap="medium")
    verdicts = c1.pills(
        "Verdict", list(VERDICTS), selection_mode="multi", key="verdict", bind="query-params"
    )
    refused = filters.choice("AI refused", [ANY, YES, NO], "refused", c2)
    excluded = filters.choice("Excluded from scoring", [ANY, YES, NO], "excluded", c3)
    confidence = filters.fraction_range("Judge confidence", "confidence", c4)
    c5, c6, c7, c8 = st.columns(4, gap="medium")

    def options(column: str) -> list[str]:
        """A filter's choices, found once per dataset."""
        return data.shared("responses.options", lambda: rows.options(column), column)

    categories = filters.multi("Category", options("prompt_category"), "category", c5)
    types = filters.multi("Eval type", options("eval_type"), "type", c6)
    evals = filters.multi("Eval", options("eval_name"), "eval", c7)
    runs = filters.multi("Run", options("run_name"), "run_name", c8)
    text = filters.search("Search prompts, responses and explanations", "q")
    reviewed = filters.choice("Reviewed by a person", [ANY, YES, NO], "reviewed")

chosen_filters = RowFilters(
    sql.Filters(
        verdicts=tuple(VERDICTS[v] for v in verdicts) or None,
        refused=None if refused == ANY else refused == YES,
        excluded=None if excluded == ANY else excluded == YES,
        confidence=None if confidence == (0.0, 1.0) else tuple(confidence),
        categories=tuple(categories) or None,
        eval_types=tuple(types) or None,
        evals=tuple(evals) or None,
        runs=tuple(runs) or None,
        text=text or None,
        run_ids=(one_run,) if one_run else None,
    ),
    reviewed=None if reviewed == ANY else reviewed == YES,  # a person changed or confirmed it
)
in_scope = RowFilters(sql.Filters(run_ids=(one_run,))) if one_run else None


def shared(name: str, ask: Callable[[], T], *key: object) -> T:
    """A question about these rows, answered once per dataset and filter set, for everyone."""
    return data.shared(f"responses.{name}", ask, chosen_filters, *key)


counts = shared("counts", lambda: rows.counts(chosen_filters))
matching = int(counts["total"])
of_all = (
    rows.total() if in_scope is None else shared("scope", lambda: rows.counts(in_scope))["total"]
)
summary, download, download_parquet = st.columns([4, 1, 1], vertical_alignment="center")
summary.caption(
    f"**{matching:,}** of {plural(int(of_all), 'response')} · {counts['passed']:,} passed · "
    f"{counts['failed']:,} failed · {counts['not_scored']:,} not scored · "
    f"pass rate {pct(counts['pass_rate'])}"
)
partial.caption(partial.from_responses(data.missing), data.missing)
if not matching:
    st.info("No response matches these filters. Loosen one of them to see more.")
    st.stop()


def every_row() -> pd.DataFrame:
    """Every filtered row with its run's and eval's columns (asked only when downloaded)."""
    return export_frame(rows.everything(chosen_filters), data.runs, data.evals)


download.download_button(
    "Download CSV",
    lambda: safe_csv(every_row()),
    file_name="responses.csv",
    mime="text/csv",
    icon=":material/download:",
    key="responses_csv",
    help=f"The {matching:,} filtered rows, every column; safe to open in a spreadsheet",
    width="stretch",
)
download_parquet.download_button(
    "Parquet",
    lambda: parquet_bytes(every_row()),
    file_name="responses.parquet",
    mime="application/vnd.apache.parquet",
    icon=":material/download:",
    key="responses_parquet",
    help=f"The same {matching:,} rows as Parquet, for pandas, DuckDB or Polars",
    width="stretch",
)

linked = str(st.query_params.get(RESPONSE_PARAM) or "")
place = (
    shared("position", lambda: rows.position(chosen_filters, linked), linked) if linked else None
)
table_key = tables.keyed("responses_table", chosen_filters, detail.closed(RESPONSE_PARAM))
page = tables.page_number(table_key, matching, place)
offset = page * tables.PAGE_ROWS
shown = shared("page", lambda: rows.page(chosen_filters, offset, tables.PAGE_ROWS), offset)
linked_row = (
    shared("row", lambda: rows.page(chosen_filters, place, 1), place) if place is not None else None
)
row = tables.selected_row(
    shown,
    {
        "verdict": tables.verdict(pinned=True),
        "eval_name": tables.text("Eval", 170),
        "prompt_content": tables.text("Prompt", 245),
        "response_preview": tables.text("Response", 245),
        "reviewed": tables.text("Reviewed by a person", 175),
    },  # category, confidence, explanation and run are on the card
    id_column="response_uuid",
    param=RESPONSE_PARAM,
    key=table_key,
    height=640,
    display=shared(
        "display",
        lambda: shown.assign(
            response_preview=preview_column(shown), reviewed=review.reviewed_labels(shown)
        ),
        offset,
    ),
    linked_from=linked_row if linked_row is not None and not linked_row.empty else shown,
    total=matching,
    selected=place,
)


def card() -> None:
    """The chosen response, with previous / next through the filtered rows."""
    uuid = str(st.query_params.get(RESPONSE_PARAM, ""))
    at = shared("position", lambda: rows.position(chosen_filters, uuid), uuid)
    before, after = shared("neighbours", lambda: rows.neighbours(chosen_filters, uuid), uuid)
    detail.step_through(at, matching, before, after, param=RESPONSE_PARAM, noun="response")
    if at is None:
        st.info("This response is not in the filtered rows.")
        return
    chosen = shared("row", lambda: rows.page(chosen_filters, at, 1), at).iloc[0]
    response_card(
        chosen,
        key="responses_card",
        image_loader=shell.images(),
        thread=rows.thread(chosen),
        actions=review_actions(chosen, "responses_review"),
    )


if row is not None:
    detail.drawer("Response", card, param=RESPONSE_PARAM)
elif st.query_params.get(RESPONSE_PARAM):
    st.info(
        "The response named in the link is not in these filtered rows. Clear a filter to see "
        "it, or choose a row to read another response."
    )
else:
    st.caption("Choose a row to read the response and the judge's explanation.")
