"""Responses: every scored response across the loaded runs, filtered, with the judge's reasons."""

import pandas as pd
import streamlit as st

from components import detail, filters, links, partial, review, shell, tables
from components.response_card import preview_column, response_card, thread_of
from components.review_card import review_actions
from components.tiles import pct
from reporting.aymara.aggregates import verdict_counts
from reporting.aymara.export import export_frame, parquet_bytes, safe_csv
from reporting.aymara.search import filter_responses
from reporting.text import plural

RESPONSE_PARAM = "response"
ANY, YES, NO = "Any", "Yes", "No"
VERDICTS = {"Passed": "passed", "Failed": "failed", "Not scored": "not scored"}

data = shell.aymara_page("Responses")
responses = data.responses
if responses.empty:
    st.info("No scored responses in this workspace yet. Score some for an eval, then Refresh.")
    st.stop()
responses = links.one_run(responses, data.runs)  # a link naming one run (by id) shows it alone
one_run = str(st.query_params.get(links.RUN_ID_PARAM) or "")  # part of every key below

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
        """A filter's choices, found once per dataset (and linked run)."""
        return data.shared(
            "responses.options", lambda: filters.options_of(responses[column]), column, one_run
        )

    categories = filters.multi("Category", options("prompt_category"), "category", c5)
    types = filters.multi("Eval type", options("eval_type"), "type", c6)
    evals = filters.multi("Eval", options("eval_name"), "eval", c7)
    runs = filters.multi("Run", options("run_name"), "run_name", c8)
    text = filters.search("Search prompts, responses and explanations", "q")
    reviewed = filters.choice("Reviewed by a person", [ANY, YES, NO], "reviewed")

filter_state = (
    reviewed,
    verdicts,
    refused,
    excluded,
    confidence,
    categories,
    types,
    evals,
    runs,
    text,
    one_run,
)


def filtered() -> pd.DataFrame:
    """The responses these filters keep."""
    kept = filter_responses(
        responses,
        verdicts=[VERDICTS[v] for v in verdicts] or None,
        refused=None if refused == ANY else refused == YES,
        excluded=None if excluded == ANY else excluded == YES,
        confidence=None if confidence == (0.0, 1.0) else confidence,
        categories=categories or None,
        eval_types=types or None,
        evals=evals or None,
        runs=runs or None,
        text=text or None,
    )
    if reviewed != ANY:  # verdicts a person changed or confirmed through the API
        kept = kept[kept["manually_updated"].to_numpy(dtype=bool) == (reviewed == YES)]
    return kept


# Filtered, counted and formatted once per dataset and filter set, for every session.
shown = data.shared("responses.shown", filtered, filter_state)
counts = data.shared("responses.counts", lambda: verdict_counts(shown), filter_state)
summary, download, download_parquet = st.columns([4, 1, 1], vertical_alignment="center")
summary.caption(
    f"**{len(shown):,}** of {plural(len(responses), 'response')} · {counts['passed']:,} passed · "
    f"{counts['failed']:,} failed · {counts['not_scored']:,} not scored · "
    f"pass rate {pct(counts['pass_rate'])}"
)
partial.caption(partial.from_responses(data.missing), data.missing)
if shown.empty:
    st.info("No response matches these filters. Loosen one of them to see more.")
    st.stop()
download.download_button(
    "Download CSV",
    lambda: safe_csv(export_frame(shown, data.runs, data.evals)),
    file_name="responses.csv",
    mime="text/csv",
    icon=":material/download:",
    key="responses_csv",
    help=f"The {len(shown):,} filtered rows, every column; safe to open in a spreadsheet",
    width="stretch",
)
download_parquet.download_button(
    "Parquet",
    lambda: parquet_bytes(export_frame(shown, data.runs, data.evals)),
    file_name="responses.parquet",
    mime="application/vnd.apache.parquet",
    icon=":material/download:",
    key="responses_parquet",
    help=f"The same {len(shown):,} rows as Parquet, for pandas, DuckDB or Polars",
    width="stretch",
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
    key=tables.keyed("responses_table", filter_state, detail.closed(RESPONSE_PARAM)),
    height=640,
    display=data.shared(
        "responses.display",
        lambda: shown.assign(
            response_preview=preview_column(shown), reviewed=review.reviewed_labels(shown)
        ),
        filter_state,
    ),
)


def card() -> None:
    """The chosen response, with previous / next through the filtered rows."""
    uuid = str(st.query_params.get(RESPONSE_PARAM, ""))
    match = shown[shown["response_uuid"].astype(str) == uuid]
    detail.stepper(shown, "response_uuid", uuid, param=RESPONSE_PARAM, noun="response")
    if match.empty:
        st.info("This response is not in the filtered rows.")
        return
    chosen = match.iloc[0]
    response_card(
        chosen,
        key="responses_card",
        image_loader=shell.images(),
        thread=thread_of(chosen, responses),
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
