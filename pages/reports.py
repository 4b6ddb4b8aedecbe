"""Reports: the narrative suite reports, overall, per run and (for accuracy) per category."""

import pandas as pd
import streamlit as st

from components import shell, tables
from components.response_card import untrusted_text
from components.tiles import pct
from reporting.aymara.reports import report_rows, reports_frame
from reporting.text import code_span, escape_markdown, plural
from reporting.vocabulary import EVAL_TYPES, STATUSES, words

REPORT_PARAM = "report"  # the chosen report, so a copied link opens it
CATEGORY_COLUMNS = [1, 3, 3, 3]


def category_rows(categories: pd.DataFrame, *, key: str) -> None:
    """An accuracy report's per-category sections: one row per category, its texts in full."""
    st.caption(f"By category ({len(categories):,}), one row each:")
    for column, label in zip(
        st.columns(CATEGORY_COLUMNS),
        ["Category", "What passed", "What failed", "How to improve"],
        strict=True,
    ):
        column.markdown(f"**{label}**")
    for j, (_, section) in enumerate(categories.iterrows()):
        name, passed, failed, advice = st.columns(CATEGORY_COLUMNS)
        name.markdown(f"**{escape_markdown(section['section'])}**")
        for column, field in (
            (passed, "passing_summary"),
            (failed, "failing_summary"),
            (advice, "improvement_advice"),
        ):
            with column:
                untrusted_text(None, section[field], key=f"{key}_{j}_{field}")


data = shell.aymara_page("Reports")
if not data.reports:
    st.info(
        "No suite reports in this workspace yet. Create one from a set of runs with the Aymara "
        "SDK (`client.reports.create`), then press Refresh."
    )
    st.stop()

listing = reports_frame(list(data.reports), data.runs)
st.caption(f"{plural(len(listing), 'report')}, newest first. Choose one to read it.")
chosen = tables.selected_row(
    listing,
    {
        "created_at": tables.when("Created", width=150),
        "status": tables.text("Status", 90),
        "num_runs": tables.count("Runs included", width=120),
        "eval_names": tables.text("Evals", 480),
        "eval_suite_report_uuid": tables.short_id("Report id"),
    },
    id_column="eval_suite_report_uuid",
    param=REPORT_PARAM,
    key="reports_table",
)
if chosen is None:
    # The newest finished report (an unfinished report has little text), else the newest.
    finished = listing[listing["status"].astype(str).str.lower() == "finished"]
    chosen = (finished if not finished.empty else listing).iloc[0]
    st.caption("Showing the newest finished report; choose a row to read another.")

report_uuid = str(chosen["eval_suite_report_uuid"])
report = [r for r in data.reports if r.eval_suite_report_uuid == report_uuid]
rows = report_rows(report, data.runs)
st.divider()
st.header(f"Report of {chosen['created_at']:%Y-%m-%d %H:%M} UTC")
st.caption(
    f"{plural(int(chosen['num_runs']), 'run')} · "
    f"{escape_markdown(words(chosen['status'], STATUSES))} · "
    f"report `{code_span(report_uuid)}`"
)
if str(chosen["status"]).lower() != "finished":
    st.info(
        f"This report is {escape_markdown(words(chosen['status'], STATUSES).lower())}; "
        "its texts may be incomplete. "
        "Refresh later."
    )

overall = rows[rows["level"] == "report"]
if not overall.empty:
    with st.container(border=True):
        st.subheader("Across all runs")
        first = overall.iloc[0]
        untrusted_text("What passed", first["passing_summary"], key=f"{report_uuid}_op")
        untrusted_text("What failed", first["failing_summary"], key=f"{report_uuid}_of")
        untrusted_text("How to improve", first["improvement_advice"], key=f"{report_uuid}_oa")

per_run = rows[rows["level"] != "report"]
if per_run.empty:
    st.info("This report has no per-run sections yet.")
for i, (run_uuid, sections) in enumerate(per_run.groupby("eval_run_uuid", sort=False)):
    head = sections.iloc[0]
    with st.container(border=True):
        title, rate = st.columns([4, 1], vertical_alignment="center")
        title.subheader(escape_markdown(head["eval_name"]))
        rate.metric("Pass rate", pct(head["pass_rate"]), border=False)
        st.caption(
            f"{escape_markdown(words(head['eval_type'], EVAL_TYPES))} · run `{code_span(run_uuid)}`"
        )
        run_level = sections[sections["level"] == "run"]
        for _, texts in run_level.iterrows():
            untrusted_text("What passed", texts["passing_summary"], key=f"r{i}_p")
            untrusted_text("What failed", texts["failing_summary"], key=f"r{i}_f")
            untrusted_text("How to improve", texts["improvement_advice"], key=f"r{i}_a")
        categories = sections[sections["level"] == "category"]
        if not categories.empty:
            category_rows(categories, key=f"r{i}")
