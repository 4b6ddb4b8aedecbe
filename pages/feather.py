"""Conversation evals: Feather eval runs, filtered on the server, with triage and a run's detail."""

import streamlit as st

from components import charts, detail, feather_loaders, feather_view, shell, tables
from components.errors import show_problems
from components.tiles import pct, tiles
from reporting.feather.aggregates import recent_window
from reporting.feather.empty import why_no_pass_rates
from reporting.stats import p_label
from reporting.vocabulary import DECISIVE_HELP

ctx = shell.current()
st.title("Conversation evals")
shell.demo_note(ctx)
source = ctx.source("feather")
if source is None:
    st.info("No Feather account is configured. Set `FEATHER_API_KEY` to see conversation evals.")
    st.stop()

catalog = feather_loaders.load_catalog(source, ctx.workspace)
show_problems(catalog.problems)
chosen = feather_view.filter_panel(
    catalog, feather_view.anchor_day(ctx.demo, source, ctx.workspace)
)
if chosen is None:
    st.stop()
first_day, last_day = chosen.first_day, chosen.last_day
window = f"{first_day:%Y-%m-%d} to {last_day:%Y-%m-%d} (UTC)"

# The activity endpoint counts runs per day on the server: a total for the progress bar, and a
# day chart that stays right even if the listing stops early.
activity = None
if chosen.activity_fits:
    f = chosen.filters
    result = feather_loaders.load_activity(
        source, first_day, last_day, scope=f.scope, channel=f.channel,
        evaluator_id=f.evaluator_id, agent_id=f.agent_id, workspace=ctx.workspace,
    )  # fmt: skip
    show_problems(result.problems)
    activity = result.activity
expected = sum(b.total for b in activity.buckets) if activity else None
data = feather_view.load_runs(source, chosen, ctx.workspace, expected)
if data is None:
    st.stop()
# Every count and figure below, built once for this load and shared (reruns redraw them).
view = feather_loaders.load_view(
    source, data, catalog, activity, first_day, last_day, ctx.workspace
)
runs = view.runs
if runs.empty:
    st.info(
        f"No eval runs match these filters from {window}. Widen the date range or set a filter "
        "back to Any."
    )
    st.stop()

summary = view.summary
tiles(
    [
        ("Runs", f"{summary['runs']:,}", f"Created {window} with these filters"),
        (
            "Pass rate",
            pct(summary["pass_rate"]),
            f"95% Wilson interval {pct(summary['pass_low'])} – {pct(summary['pass_high'])}. "
            f"Passed ÷ (passed + failed) over {summary['verdicts']:,} runs with a verdict; "
            f"{summary['no_verdict']:,} without a verdict, {summary['errored']:,} errored and "
            f"{summary['pending']:,} pending runs are left out.",
        ),
        (
            "Decisive checks failed",
            f"{summary['critical_failures']:,}",
            "Failed runs of decisive checks. " + DECISIVE_HELP,
        ),
        (
            "Errored runs",
            f"{summary['errored']:,}",
            "Runs whose check could not complete (status failed or errored)",
        ),
    ]
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Failures by evaluator, last 7 days")
    since, _ = recent_window(last_day)
    st.caption(f"Failed runs created {since:%Y-%m-%d} to {last_day:%Y-%m-%d} (UTC), most first")
    charts.chart(view.figures["recent_failures"], key="feather_recent_failures")
with right:
    st.subheader("Latest failure of a decisive check")
    feather_view.failure_card(view.latest_critical)

st.subheader("Evaluators that changed, last 7 days against the 7 before")
changes = view.changes
if changes.empty:
    st.info(
        "Not enough runs with a verdict in both weeks to compare. Widen the created-between "
        "window to at least 14 days."
    )
else:
    st.caption(
        "A change counts as real only when a two-proportion test puts it beyond noise "
        "(p < 0.05). Real regressions first, decisive and most severe checks on top."
    )
    tables.table(
        changes.assign(
            result=changes["verdict"],
            change=changes["change"] * 100,
            p_text=changes["p_value"].map(p_label),
            runs_text=[
                f"{int(b):,} → {int(r):,}"
                for b, r in zip(changes["verdicts_before"], changes["verdicts_recent"], strict=True)
            ],
        ),
        {
            "evaluator_name": tables.text("Evaluator", 190, pinned=True),
            "result": tables.verdict("Result", 120, "Beyond noise at p < 0.05, or within noise"),
            "is_critical": st.column_config.CheckboxColumn(
                "Decisive", width=85, help=DECISIVE_HELP
            ),
            "pass_rate_before": tables.percent("Week before", width=105),
            "pass_rate_recent": tables.percent("Last 7 days", width=105),
            "change": tables.change("Change"),
            "p_text": tables.text("p-value", 75, help_text="Below 0.05: a change beyond noise"),
            "runs_text": tables.text(
                "Runs", 110, help_text="Runs with a verdict: the week before → the last 7 days"
            ),
        },
        key="feather_changes",
    )

st.subheader("Runs per day by outcome")
if view.daily_from_activity:
    st.caption("Counted by the API's activity endpoint over every run in the window.")
else:
    st.caption("Counted from the runs loaded for these filters.")
charts.chart(view.figures["daily"], key="feather_daily")

no_pass_rates = why_no_pass_rates(runs, chosen.filters.outcome)
left, right = st.columns(2)
with left:
    st.subheader("Severity by outcome")
    charts.chart(view.figures["severity"], key="feather_severity")
with right:
    st.subheader("Pass rate by evaluator")
    if no_pass_rates:
        st.info(no_pass_rates, icon=":material/info:")
    else:
        charts.chart(view.figures["by_evaluator"], key="feather_by_evaluator")

left, right = st.columns(2)
with left:
    st.subheader("Scores by evaluator")
    st.caption("Score-format checks, 0–1; the red mark is the passing threshold.")
    charts.chart(view.figures["scores"], key="feather_scores")
with right:
    st.subheader("Measurements by evaluator")
    st.caption("Numeric-format checks (raw values), each on its own scale.")
    charts.chart(view.figures["numeric"], key="feather_numeric")

if not no_pass_rates:  # said once above, not under each empty chart
    left, right = st.columns(2)
    with left:
        st.subheader("Pass rate by channel")
        charts.chart(view.figures["by_channel"], key="feather_by_channel")
    with right:
        st.subheader("Pass rate by scope")
        charts.chart(view.figures["by_scope"], key="feather_by_scope")

# A new key when the filters change or the detail is closed, so no stale row stays chosen.
table_key = f"{hash(data.filters) & 0xFFFFFF:x}_{detail.closed(feather_view.RUN_PARAM)}"
triage = view.triage
triage_tab, runs_tab = st.tabs([f"Triage ({len(triage):,})", f"All runs ({len(runs):,})"])
with triage_tab:
    st.caption(
        "Failed runs of decisive checks, or with a blocking failing score: highest severity "
        "first, then newest. Choose a row to read the run and its conversation."
    )
    if triage.empty:
        st.success(
            "Nothing to triage: no decisive or blocking check failed.",
            icon=":material/check_circle:",
        )
    else:
        tables.selected_row(
            triage, feather_view.TRIAGE_COLUMNS, id_column="run_id", param=feather_view.RUN_PARAM,
            key=f"feather_triage_{table_key}", height=320,
        )  # fmt: skip
with runs_tab:
    st.caption("Every run loaded for these filters, newest first. Choose a row to open it.")
    tables.selected_row(
        runs, feather_view.RUNS_COLUMNS, id_column="run_id", param=feather_view.RUN_PARAM,
        key=f"feather_runs_{table_key}", height=360,
    )  # fmt: skip

run_id = st.query_params.get(feather_view.RUN_PARAM)


def run_drawer() -> None:
    """The chosen run and its conversation, with a button to close it."""
    head, close = st.columns([5, 1], vertical_alignment="center")
    head.subheader("Run detail")
    if close.button("Close", icon=":material/close:", key="feather_close_run"):
        detail.close(feather_view.RUN_PARAM)
        st.rerun()
    feather_view.run_detail(source, run_id, catalog, ctx.workspace)


if run_id:
    detail.drawer("Conversation eval run", run_drawer, param=feather_view.RUN_PARAM)
