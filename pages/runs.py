"""Runs: every run with filters, and one run in detail."""

import streamlit as st

from components import filters, links, numbers, shell, tables
from components.response_card import preview_column, response_card, thread_of
from components.tiles import pct, tiles
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import category_pass_rates, verdict_counts
from reporting.aymara.figures import category_bars, confidence_histogram
from reporting.text import code_span, escape_markdown

RUN_PARAM = "run"
VERDICT_RANK = {"failed": 0, "not scored": 1, "passed": 2}

data = shell.aymara_page("Runs")
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
shown = d.runs_as_shown(shown.sort_values("created_at", ascending=False), data.responses, pct)

st.caption(f"{len(shown):,} of {len(runs):,} runs. Choose a row to open the run.")
if shown.empty:
    st.info("No run matches these filters. Widen the dates or clear a filter to see more.")
    st.stop()
run = tables.selected_row(
    shown,
    {
        "run_name": tables.text("Run", "medium"),
        "eval_name": tables.text("Eval", "medium"),
        "eval_type": tables.text("Type", "small"),
        "status": tables.text("Status", "small"),
        "pass_rate": tables.percent(d.PASS_RATE, d.RUN_PASS_RATE_HELP),
        "pass_rate_so_far": tables.text("Not finished yet", "medium"),
        "num_responses_scored": tables.count("Scored"),
        "num_prompts": tables.count("Prompts"),
        "is_sandbox": st.column_config.CheckboxColumn("Sandbox"),
        "created_at": tables.when("Created"),
        "eval_run_uuid": tables.short_id("Run id"),
    },
    id_column="eval_run_uuid",
    param=RUN_PARAM,
    key=tables.keyed("runs_table", evals, types, statuses, start, end, low, high),
    height=460,
    linked_from=runs,
)
if run is None:
    if st.query_params.get(RUN_PARAM):
        links.missing_id("run", str(st.query_params.get(RUN_PARAM)), "the list of runs")
    st.stop()
run_uuid = str(run["eval_run_uuid"])

st.divider()
st.header(escape_markdown(run["run_name"]))
st.caption(
    f"{escape_markdown(run['eval_name'])} · {escape_markdown(run['eval_type'])} · "
    f"{escape_markdown(run['status'])} · "
    f"created {run['created_at']:%Y-%m-%d %H:%M} UTC · run `{code_span(run_uuid)}`"
)
responses = data.responses[data.responses["eval_run_uuid"] == run_uuid]
if run["status"] in ("processing", "created"):
    st.info(
        f"This run is still {escape_markdown(run['status'])}: {len(responses):,} responses so far. "
        "Its numbers will change; press Refresh to see the latest."
    )
if run["status"] == "failed":
    st.error("This run failed on the API's side and has no scored responses.")
    st.stop()
if responses.empty:
    st.info("This run has no responses yet.")
    st.stop()

counts = verdict_counts(responses)
finished = run["status"] == "finished"
tiles(
    [
        numbers.pass_rate_tile(counts, d.RUN_PASS_RATE_HELP)
        if finished
        else numbers.partial_pass_rate_tile(counts, run["num_prompts"]),
        ("Passed", f"{counts['passed']:,}", None),
        ("Failed", f"{counts['failed']:,}", None),
        ("Not scored", f"{counts['not_scored']:,}", "Excluded from scoring or not scored yet"),
        ("Refused", f"{counts['refused']:,}", "Responses where the AI refused"),
    ]
)
left, right = st.columns(2, gap="large")
with left:
    st.subheader("Pass rate by prompt category")
    if counts["scored"]:
        cats = category_pass_rates(responses)
        st.plotly_chart(category_bars(cats), key="run_cats")
    else:
        st.info("No response of this run is scored yet, so there is no pass rate to break down.")
with right:
    st.subheader("Judge confidence by verdict")
    if counts["scored"] and responses["confidence"].notna().any():
        st.plotly_chart(confidence_histogram(responses), key="run_conf")
    else:
        st.info("The judge gave no confidences for this run.")

st.subheader("Responses")
only = st.segmented_control(
    "Show", ["All", "Failed", "Passed", "Not scored"], default="All", key="run_show",
    bind="query-params", required=True,
)  # fmt: skip
listed = responses
if only and only != "All":
    listed = responses[responses["verdict"] == only.lower()]
# Failures first, the judge's least confident first within each verdict.
rank = listed["verdict"].astype(str).map(VERDICT_RANK).fillna(len(VERDICT_RANK))
listed = listed.assign(_rank=rank).sort_values(["_rank", "confidence"], kind="stable")
if listed.empty:
    st.info(f"No {only.lower()} responses in this run.")
    st.stop()
table_col, card_col = st.columns([3, 2])
with table_col:
    event = tables.table(
        listed.assign(response_preview=preview_column(listed)),
        {
            "verdict": tables.text("Verdict", "small"),
            "prompt_category": tables.text("Category", "small"),
            "prompt_content": tables.text("Prompt", "medium"),
            "response_preview": tables.text("Response", "medium"),
            "confidence": tables.confidence(),
            "explanation": tables.text("Explanation", "large"),
        },
        key=tables.keyed("run_responses", run_uuid, only),
        select=True,
        height=520,
    )
row = tables.chosen(event, listed)
with card_col:
    if row is None:
        row = listed.iloc[0]
        st.caption("The card shows the first response; choose a row to see another.")
    response_card(row, key=f"run_{run_uuid[:8]}", thread=thread_of(row, responses))
