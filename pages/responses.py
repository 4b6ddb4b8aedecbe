"""Responses: every scored response across the loaded runs, filtered, with the judge's reasons."""

import streamlit as st

from components import filters, shell, tables
from components.response_card import response_card
from components.tiles import pct
from reporting import frames

RESPONSE_PARAM = "response"
ANY, YES, NO = "Any", "Yes", "No"

ctx = shell.current()
st.title("Responses")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()
responses = data.responses
if responses.empty:
    st.info("No scored responses in this workspace yet.")
    st.stop()

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
    verdicts = c1.pills(
        "Verdict",
        ["passed", "failed", "not scored"],
        selection_mode="multi",
        key="verdict",
        bind="query-params",
        format_func=str.capitalize,
    )
    refused = filters.choice("AI refused", [ANY, YES, NO], "refused", c2)
    excluded = filters.choice("Excluded", [ANY, YES, NO], "excluded", c3)
    confidence = filters.fraction_range("Judge confidence", "confidence", c4)
    c5, c6, c7, c8 = st.columns(4)
    categories = filters.multi(
        "Category", filters.options_of(responses["prompt_category"]), "category", c5
    )
    types = filters.multi("Eval type", filters.options_of(responses["eval_type"]), "type", c6)
    evals = filters.multi("Eval", filters.options_of(responses["eval_name"]), "eval", c7)
    runs = filters.multi("Run", filters.options_of(responses["run_name"]), "run_name", c8)
    text = filters.search("Search prompts, responses and explanations", "q")

shown = frames.filter_responses(
    responses,
    verdicts=verdicts or None,
    refused=None if refused == ANY else refused == YES,
    excluded=None if excluded == ANY else excluded == YES,
    confidence=None if confidence == (0.0, 1.0) else confidence,
    categories=categories or None,
    eval_types=types or None,
    evals=evals or None,
    runs=runs or None,
    text=text or None,
)
counts = frames.verdict_counts(shown)
st.caption(
    f"**{len(shown):,}** of {len(responses):,} responses · {counts['passed']:,} passed · "
    f"{counts['failed']:,} failed · {counts['not_scored']:,} not scored · "
    f"pass rate {pct(counts['pass_rate'])}"
)
if shown.empty:
    st.info("No response matches these filters. Loosen one of them to see more.")
    st.stop()

export_columns = [
    "eval_name", "eval_type", "run_name", "eval_run_uuid", "prompt_uuid", "prompt_category",
    "prompt_content", "response_uuid", "response_text", "content_type", "ai_refused",
    "exclude_from_scoring", "verdict", "confidence", "explanation", "thread_uuid", "turn_number",
]  # fmt: skip
st.download_button(
    f"Download these {len(shown):,} rows as CSV",
    lambda: shown[[c for c in export_columns if c in shown.columns]].to_csv(index=False),
    file_name="responses.csv",
    mime="text/csv",
    icon=":material/download:",
    key="responses_csv",
)

table_col, card_col = st.columns([3, 2])
with table_col:
    event = tables.table(
        shown,
        {
            "verdict": tables.text("Verdict", "small"),
            "eval_name": tables.text("Eval", "small"),
            "prompt_category": tables.text("Category", "small"),
            "prompt_content": tables.text("Prompt", "medium"),
            "response_text": tables.text("Response", "medium"),
            "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
            "explanation": tables.text("Explanation", "medium"),
            "run_name": tables.text("Run", "small"),
        },
        key="responses_table",
        select=True,
        height=640,
    )
picked = tables.selected_row(event, shown)
if picked is not None:
    st.query_params[RESPONSE_PARAM] = str(picked["response_uuid"])
wanted = st.query_params.get(RESPONSE_PARAM)
row = picked
if row is None and wanted:
    match = shown[shown["response_uuid"] == wanted]
    row = match.iloc[0] if not match.empty else None
with card_col:
    if row is None:
        st.info("Choose a row to read the response and the judge's explanation.")
    else:
        response_card(row, key="responses_card")
