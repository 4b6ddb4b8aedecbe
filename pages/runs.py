"""Runs: every run with filters, and one run in detail."""

import streamlit as st

from components import filters, shell, tables
from components.response_card import response_card
from components.tiles import pct, tiles
from reporting import figures, frames

RUN_PARAM = "run"

ctx = shell.current()
st.title("Runs")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()
if data.runs.empty:
    st.info("No runs in this workspace yet. Score responses for an eval, then press Refresh.")
    st.stop()

runs = data.runs
first_day = runs["created_at"].min().date()
last_day = runs["created_at"].max().date()
with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    evals = filters.multi("Eval", filters.options_of(runs["eval_name"]), "eval", c1)
    types = filters.multi("Eval type", filters.options_of(runs["eval_type"]), "type", c2)
    statuses = filters.multi("Status", filters.options_of(runs["status"]), "status", c3)
    c4, c5 = st.columns(2)
    start, end = filters.day_range("Created between", first_day, last_day, "days", c4)
    low, high = filters.fraction_range("Pass rate between", "pass_rate", c5)

shown = runs
if evals:
    shown = shown[shown["eval_name"].isin(evals)]
if types:
    shown = shown[shown["eval_type"].isin(types)]
if statuses:
    shown = shown[shown["status"].isin(statuses)]
day = shown["created_at"].dt.date
shown = shown[(day >= start) & (day <= end)]
if (low, high) != (0.0, 1.0):
    shown = shown[shown["pass_rate"].between(low, high)]
shown = shown.sort_values("created_at", ascending=False)

st.caption(f"{len(shown):,} of {len(runs):,} runs. Choose a row to open the run.")
event = tables.table(
    shown,
    {
        "run_name": tables.text("Run", "medium"),
        "eval_name": tables.text("Eval", "medium"),
        "eval_type": tables.text("Type", "small"),
        "status": tables.text("Status", "small"),
        "pass_rate": tables.percent("Pass rate"),
        "num_responses_scored": st.column_config.NumberColumn("Scored"),
        "num_prompts": st.column_config.NumberColumn("Prompts"),
        "is_sandbox": st.column_config.CheckboxColumn("Sandbox"),
        "created_at": tables.when("Created"),
        "eval_run_uuid": tables.short_id("Run id"),
    },
    key="runs_table",
    select=True,
    height=360,
)
picked = tables.selected_row(event, shown)
if picked is not None and st.query_params.get(RUN_PARAM) != picked["eval_run_uuid"]:
    st.query_params[RUN_PARAM] = picked["eval_run_uuid"]
run_uuid = st.query_params.get(RUN_PARAM)
if not run_uuid:
    st.stop()
match = runs[runs["eval_run_uuid"] == run_uuid]
if match.empty:
    st.warning("The run named in the link is not in this workspace's data (it may be deleted).")
    st.stop()
run = match.iloc[0]

st.divider()
st.header(f"{run['run_name']}")
st.caption(f"{run['eval_name']} · {run['eval_type']} · created {run['created_at']:%Y-%m-%d %H:%M} UTC")
responses = data.responses[data.responses["eval_run_uuid"] == run_uuid]
if run["status"] in ("processing", "created"):
    st.info(
        f"This run is still {run['status']}: {len(responses):,} responses so far. "
        "Its numbers will change; press Refresh to see the latest."
    )
if run["status"] == "failed":
    st.error("This run failed on the API's side and has no scored responses.")
    st.stop()
if responses.empty:
    st.info("This run has no responses yet.")
    st.stop()

counts = frames.verdict_counts(responses)
tiles(
    [
        ("Pass rate", pct(counts["pass_rate"]), f"95% interval {pct(counts['pass_rate_low'])} – "
         f"{pct(counts['pass_rate_high'])}"),
        ("Passed", f"{counts['passed']:,}", None),
        ("Failed", f"{counts['failed']:,}", None),
        ("Not scored", f"{counts['not_scored']:,}", "Excluded from scoring or not scored yet"),
        ("Refused", f"{counts['refused']:,}", "Responses where the AI refused"),
    ]
)
left, right = st.columns(2)
with left:
    st.subheader("Pass rate by prompt category")
    st.plotly_chart(figures.category_bars(frames.category_pass_rates(responses)), key="run_cats")
with right:
    st.subheader("Judge confidence by verdict")
    if responses["confidence"].notna().any():
        st.plotly_chart(figures.confidence_histogram(responses), key="run_conf")
    else:
        st.info("The judge gave no confidences for this run.")

st.subheader("Responses")
only = st.segmented_control(
    "Show", ["All", "Failed", "Passed", "Not scored"], default="All", key="run_show"
)
listed = responses
if only and only != "All":
    listed = responses[responses["verdict"] == only.lower()]
listed = listed.sort_values(["verdict", "confidence"], ascending=[True, True])
event = tables.table(
    listed,
    {
        "verdict": tables.text("Verdict", "small"),
        "prompt_category": tables.text("Category", "small"),
        "prompt_content": tables.text("Prompt", "medium"),
        "response_text": tables.text("Response", "medium"),
        "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
        "explanation": tables.text("Explanation", "large"),
    },
    key="run_responses",
    select=True,
    height=320,
)
row = tables.selected_row(event, listed)
if row is None and not listed.empty:
    row = listed.iloc[0]
    st.caption("The card shows the first response; choose a row to see another.")
if row is not None:
    response_card(row, key=f"run_{run_uuid[:8]}")
