"""Judge calibration: does the judge's confidence mean anything, and where to review."""

import streamlit as st

from components import charts, shell, tables
from components.response_card import response_card
from components.review_card import review_actions
from reporting.aymara.figures import calibration_chart
from reporting.text import escape_markdown, plural
from reporting.vocabulary import EVAL_TYPES, words

LOW_CONFIDENCE = 0.7
ALL_TYPES = "All types"

data = shell.aymara_page("Judge calibration")
if not data.has_confidences():
    st.info("The judge gave no confidences in this workspace, so there is nothing to calibrate.")
    st.stop()

st.caption(
    "How the judge's pass rate and the share of verdicts a person later overturned vary with the "
    "judge's own confidence. A well-calibrated judge is overturned less as confidence grows. "
    "Bands use the judge's original confidence; pass rates count the final verdict, after any "
    "person's review. The Review queue page walks through these one at a time."
)
# Built once per dataset and eval type, shared by every session (jobs.memo); SQL on the lake.
bands = data.confidence_bands()
types = [ALL_TYPES, *sorted(bands["eval_type"].dropna().astype(str).unique())]
chosen = st.segmented_control(
    "Eval type",
    types,
    default=ALL_TYPES,
    key="cal_type",
    bind="query-params",
    required=True,
    format_func=lambda t: t if t == ALL_TYPES else escape_markdown(words(t, EVAL_TYPES)),
)
if chosen and chosen != ALL_TYPES:
    bands = bands[bands["eval_type"] == chosen]
else:
    bands = data.confidence_bands(ALL_TYPES)
if bands.empty:
    st.info("No scored response of this type has a judge confidence, so there is nothing to plot.")
    st.stop()
reviewed, kept = int(bands["reviewed"].sum()), int(bands["agreed"].sum())
st.caption(
    f"{int(bands['scored'].sum()):,} scored verdicts; a person reviewed {reviewed:,}, kept "
    f"{kept:,} and overturned {int(bands['overridden'].sum()):,}. Judge-person agreement: "
    + (f"{kept / reviewed:.1%}" if reviewed else "—")
)
charts.chart(
    data.shared("calibration.chart", lambda: calibration_chart(bands), chosen), key="cal_chart"
)
tables.table(
    bands,
    {
        "band": tables.text("Confidence", 110, pinned=True),
        "scored": tables.count("Scored", width=70),
        "passed": tables.count("Passed", width=70),
        "pass_rate": tables.percent("Pass rate", width=90),
        "overridden": tables.count("Overturned", "Verdicts a reviewer overturned", 100),
        "override_rate": tables.percent("Overturn rate", width=120),
        "reviewed": tables.count("Reviewed", "Verdicts a person reviewed", 90),
        "agreement": tables.percent(
            "Agreement", "Judge-person agreement: reviewed verdicts the person kept", 95
        ),
    },
    key="cal_bands",
)

st.subheader("Review list")
st.caption(
    f"Failed verdicts the judge gave with confidence under {LOW_CONFIDENCE:.0%}, newest first: "
    "the verdicts most worth a person's second look."
)


# Built once per dataset and type; on the lake only the listed rows are read.
review, to_review = data.low_confidence_failures(
    LOW_CONFIDENCE, chosen if chosen and chosen != ALL_TYPES else None
)
if review.empty:
    st.success("No low-confidence failures to review.")
    st.stop()
listed = f"; the newest {len(review):,} are listed" if to_review > len(review) else ""
st.caption(f"{plural(to_review, 'response')} to review{listed}. Choose a row to read it.")
table_col, card_col = st.columns([3, 2])
with table_col:
    event = tables.table(
        review,
        {
            "confidence": tables.confidence(),
            "eval_name": tables.text("Eval", 140),
            "prompt_content": tables.text("Prompt", 290),
        },  # category, explanation and run are on the card beside it
        key=tables.keyed("cal_review", chosen),
        select=True,
        height=480,
    )
row = tables.chosen(event, review)
with card_col:
    if row is not None:  # the list holds what the table shows: the card reads the rest
        row = data.response(str(row["eval_run_uuid"]), str(row["response_uuid"]))
    if row is None:
        st.info("Choose a row to read the response and the judge's explanation.")
    else:
        response_card(
            row,
            key="cal_card",
            image_loader=shell.images(),
            thread=data.response_rows().thread(row),
            actions=review_actions(row, "cal_review_panel"),
        )
