"""Judge calibration: does the judge's confidence mean anything, and where to review."""

import streamlit as st

from components import shell, tables
from components.response_card import response_card
from reporting import figures, frames

LOW_CONFIDENCE = 0.7

ctx = shell.current()
st.title("Judge calibration")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()
responses = data.responses
if responses["confidence"].notna().sum() == 0:
    st.info("The judge gave no confidences in this workspace, so there is nothing to calibrate.")
    st.stop()

st.caption(
    "How the judge's pass rate and the share of verdicts a person later overturned vary with the "
    "judge's own confidence. A well-calibrated judge is overturned less as confidence grows."
)
bands = frames.confidence_bands(responses)
types = ["All types", *sorted(bands["eval_type"].dropna().unique())]
chosen = st.segmented_control("Eval type", types, default="All types", key="cal_type",
                              bind="query-params", required=True)  # fmt: skip
if chosen and chosen != "All types":
    bands = bands[bands["eval_type"] == chosen]
    scoped = responses[responses["eval_type"] == chosen]
else:
    bands = frames.confidence_bands(responses.assign(eval_type="All types"))
    scoped = responses
st.plotly_chart(figures.calibration_chart(bands), key="cal_chart")
tables.table(
    bands,
    {
        "band": tables.text("Confidence", "small"),
        "eval_type": tables.text("Type", "small"),
        "scored": st.column_config.NumberColumn("Scored"),
        "passed": st.column_config.NumberColumn("Passed"),
        "pass_rate": tables.percent("Pass rate"),
        "overridden": st.column_config.NumberColumn("Overturned by a reviewer"),
        "override_rate": tables.percent("Overturn rate"),
    },
    key="cal_bands",
)

st.subheader("Review list")
st.caption(
    f"Failed verdicts the judge gave with confidence under {LOW_CONFIDENCE:.0%}, newest first: "
    "the verdicts most worth a person's second look."
)
review = scoped[(scoped["verdict"] == "failed") & (scoped["confidence"] < LOW_CONFIDENCE)]
review = review.sort_values(["run_created_at", "confidence"], ascending=[False, True])
if review.empty:
    st.success("No low-confidence failures to review.")
    st.stop()
event = tables.table(
    review,
    {
        "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
        "eval_name": tables.text("Eval", "small"),
        "prompt_category": tables.text("Category", "small"),
        "prompt_content": tables.text("Prompt", "medium"),
        "explanation": tables.text("Explanation", "large"),
        "run_created_at": tables.when("Run"),
    },
    key="cal_review",
    select=True,
    height=320,
)
row = tables.selected_row(event, review)
if row is not None:
    response_card(row, key="cal_card")
