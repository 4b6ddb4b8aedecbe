"""Reports: the narrative suite reports, per run and per category."""

import streamlit as st

from components import shell, tables
from components.response_card import untrusted_text
from components.tiles import pct
from reporting import frames

ctx = shell.current()
st.title("Reports")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()
if not data.reports:
    st.info(
        "No suite reports in this workspace yet. Create one from a set of runs with the Aymara "
        "SDK (`client.reports.create`), then press Refresh."
    )
    st.stop()

listing = frames.reports_frame(list(data.reports)).sort_values("created_at", ascending=False)
st.caption(f"{len(listing):,} reports. Choose one to read it.")
event = tables.table(
    listing,
    {
        "eval_names": tables.text("Evals", "large"),
        "status": tables.text("Status", "small"),
        "num_runs": st.column_config.NumberColumn("Runs included"),
        "created_at": tables.when("Created"),
        "eval_suite_report_uuid": tables.short_id("Report id"),
    },
    key="reports_table",
    select=True,
)
chosen = tables.selected_row(event, listing)
if chosen is None:
    chosen = listing.iloc[0]
    st.caption("Showing the newest report; choose a row to read another.")

report_uuid = chosen["eval_suite_report_uuid"]
rows = frames.report_rows([r for r in data.reports if r.eval_suite_report_uuid == report_uuid])
st.divider()
st.header(f"Report of {chosen['created_at']:%Y-%m-%d %H:%M} UTC")
if chosen["status"] != "finished":
    st.info(f"This report is {chosen['status']}; its texts may be incomplete. Refresh later.")

overall = rows[rows["eval_run_uuid"].isna() | (rows["section"] == "Overall")]
overall = overall[overall["eval_run_uuid"].isna()] if "eval_run_uuid" in overall else overall
if not overall.empty:
    with st.container(border=True):
        st.subheader("Across all runs")
        first = overall.iloc[0]
        untrusted_text("What passed", first["passing_summary"], key=f"{report_uuid}_op")
        untrusted_text("What failed", first["failing_summary"], key=f"{report_uuid}_of")
        untrusted_text("How to improve", first["improvement_advice"], key=f"{report_uuid}_oa")

per_run = rows[rows["eval_run_uuid"].notna()]
for run_uuid, sections in per_run.groupby("eval_run_uuid", sort=False):
    head = sections.iloc[0]
    with st.container(border=True):
        st.subheader(f"{head['eval_name']}")
        st.caption(f"{head['eval_type']} · pass rate {pct(head['pass_rate'])} · run {run_uuid}")
        if len(sections) > 1:
            st.caption("This report has a section per category:")
            tables.table(
                sections,
                {
                    "section": tables.text("Category", "small"),
                    "passing_summary": tables.text("What passed", "large"),
                    "failing_summary": tables.text("What failed", "large"),
                    "improvement_advice": tables.text("How to improve", "large"),
                },
                key=f"sections_{run_uuid}",
            )
        else:
            untrusted_text("What passed", head["passing_summary"], key=f"{run_uuid}_p")
            untrusted_text("What failed", head["failing_summary"], key=f"{run_uuid}_f")
            untrusted_text("How to improve", head["improvement_advice"], key=f"{run_uuid}_a")
