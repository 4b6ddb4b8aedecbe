"""Runs: every run with filters, and one run in detail."""

import pandas as pd
import streamlit as st

from components import charts, detail, filters, links, numbers, shell, tables
from components.live import live_runs
from components.report_button import report_button
from components.response_card import preview_column, response_card
from components.review_card import review_actions
from components.tiles import pct, tiles
from jobs.report import ReportRequest
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import category_pass_rates, verdict_counts
from reporting.aymara.figures import category_bars, confidence_histogram
from reporting.aymara.response_rows import thread_of
from reporting.text import code_span, escape_markdown, is_missing, plural, run_label
from reporting.vocabulary import EVAL_TYPES, STATUSES, words

RUN_PARAM = "run"
VERDICT_RANK = {"failed": 0, "not scored": 1, "passed": 2}

data = shell.aymara_page("Runs")
if data.runs.empty:
    st.info("No runs in this workspace yet. Score responses for an eval, then press Refresh.")
    st.stop()

live_runs(data)  # processing runs refresh themselves; the rest of the page stays put
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

filter_state = (evals, types, statuses, start, end, low, high)


def filtered() -> pd.DataFrame:
    """The runs these filters keep, newest first, with their pass rates as shown."""
    kept = filters.keep_chosen(runs, {"eval_name": evals, "eval_type": types, "status": statuses})
    day = kept["created_at"].dt.date
    kept = kept[(day >= start) & (day <= end)]
    if (low, high) != (0.0, 1.0):
        kept = kept[kept["pass_rate"].between(low, high)]
    # Runs still processing show a pass rate so far: only their responses are read.
    pending = kept.loc[~d.is_finished(kept["status"]).to_numpy(dtype=bool), "eval_run_uuid"]
    return d.runs_as_shown(
        kept.sort_values("created_at", ascending=False), data.run_responses(*pending), pct
    )


# Built once per dataset and filter set, shared by every session (jobs.memo).
shown = data.shared("runs.shown", filtered, filter_state)

st.caption(f"{len(shown):,} of {len(runs):,} runs. Choose a row to open the run.")
if shown.empty:
    st.info("No run matches these filters. Widen the dates or clear a filter to see more.")
    st.stop()
run = tables.selected_row(
    shown,
    {
        "run_name": tables.text("Run", 190, pinned=True),
        "eval_name": tables.text("Eval", 150),
        "status": tables.text("Status", 85),
        "pass_rate": tables.percent(d.PASS_RATE, d.RUN_PASS_RATE_HELP, 90),
        "pass_rate_so_far": tables.text("So far", 135, help_text="A run still processing"),
        "num_responses_scored": tables.count("Scored", width=70),
        "created_at": tables.when("Created"),
        "is_sandbox": st.column_config.CheckboxColumn("Sandbox", width=75),
    },  # the prompt count and the run's id are in the chosen run's caption
    id_column="eval_run_uuid",
    param=RUN_PARAM,
    key=tables.keyed(
        "runs_table", evals, types, statuses, start, end, low, high, detail.closed(RUN_PARAM)
    ),
    height=460,
    display=data.shared(
        "runs.display",
        lambda: shown.assign(
            run_name=[
                run_label(n, None, e)
                for n, e in zip(shown["run_name"], shown["eval_name"], strict=True)
            ]
        ),
        filter_state,
    ),
    linked_from=runs,
)
if run is None:
    if st.query_params.get(RUN_PARAM):
        links.missing_id("run", str(st.query_params.get(RUN_PARAM)), "the list of runs")
    st.stop()


def run_detail() -> None:
    """The chosen run: its numbers, charts, and its responses with the card beside them."""
    run_uuid = str(run["eval_run_uuid"])
    st.header(escape_markdown(run["run_name"]))
    facts = [
        escape_markdown(run["eval_name"]),
        escape_markdown(words(run["eval_type"], EVAL_TYPES)),
        escape_markdown(words(run["status"], STATUSES)),
        "" if is_missing(run.get("num_prompts")) else plural(int(run["num_prompts"]), "prompt"),
        f"created {run['created_at']:%Y-%m-%d %H:%M} UTC",
        f"run `{code_span(run_uuid)}`",
    ]
    st.caption(" · ".join(f for f in facts if f))
    report_button(
        data, ReportRequest(run=run_uuid), f"run-{run['run_name']}", key="report_run",
        include_sandbox=bool(run["is_sandbox"] is True),
    )  # fmt: skip
    responses = data.run_responses(run_uuid)
    if run["status"] in ("processing", "created"):
        st.info(
            f"This run is still {words(run['status'], STATUSES).lower()}: "
            f"{plural(len(responses), 'response')} so far. "
            "Its numbers will change; press Refresh to see the latest."
        )
    if run["status"] == "failed":
        st.error("This run failed on the API's side and has no scored responses.")
        return
    if responses.empty:
        st.info("This run has no responses yet.")
        return

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
            charts.chart(category_bars(cats), key="run_cats")
        else:
            st.info(
                "No response of this run is scored yet, so there is no pass rate to break down."
            )
    with right:
        st.subheader("Judge confidence by verdict")
        if counts["scored"] and responses["confidence"].notna().any():
            charts.chart(confidence_histogram(responses), key="run_conf")
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
        return
    table_col, card_col = st.columns([3, 2])
    with table_col:
        event = tables.table(
            listed.assign(response_preview=preview_column(listed)),
            {
                "verdict": tables.verdict(pinned=True),
                "prompt_content": tables.text("Prompt", 180),
                "response_preview": tables.text("Response", 135),
                "confidence": tables.confidence(),
            },  # the category and the judge's explanation are on the card
            key=tables.keyed("run_responses", run_uuid, only),
            select=True,
            height=520,
        )
    row = tables.chosen(event, listed)
    with card_col:
        if row is None:
            row = listed.iloc[0]
            st.caption("The card shows the first response; choose a row to see another.")
        response_card(
            row,
            key=f"run_{run_uuid[:8]}",
            image_loader=shell.images(),
            thread=thread_of(row, responses),
            actions=review_actions(row, f"run_review_{run_uuid[:8]}"),
        )


detail.drawer("Run", run_detail, param=RUN_PARAM)
