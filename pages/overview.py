"""Overview: how the workspace's AI systems score, at a glance."""

import streamlit as st

from components import links, numbers, shell, tables
from components.tiles import p_clause, pct, tiles
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import failing_categories, latest_run_changes, verdict_counts
from reporting.aymara.figures import pass_rate_by_eval, pass_rate_over_time
from reporting.stats import REGRESSED
from reporting.text import escape_markdown

data = shell.aymara_page("Overview")
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

counts = verdict_counts(data.responses)
finished = d.finished_runs(data.runs)
latest = latest_run_changes(data.runs)
unfinished_evals = data.evals[~data.evals["eval_uuid"].isin(latest["eval_uuid"])]
tiles(
    [
        numbers.evals_tile(data.evals, len(unfinished_evals)),
        numbers.finished_runs_tile(data.runs),
        numbers.scored_tile(counts),
        numbers.pass_rate_tile(counts),
        numbers.refusal_rate_tile(counts),
    ]
)

board = data.regression_board
regressed = board[board["verdict"] == REGRESSED] if not board.empty else board
if not regressed.empty:
    worst = regressed.iloc[0]
    st.warning(
        f"**{len(regressed)} eval(s) regressed beyond noise** in their latest run. Worst: "
        f"{escape_markdown(worst['eval_name'])} fell from {pct(worst['pass_rate_a'])} to "
        f"{pct(worst['pass_rate_b'])} ({p_clause(worst['p_value'])}).",
        icon=":material/trending_down:",
    )
    st.page_link(
        "pages/regressions.py", label="Open the regression board", icon=":material/arrow_forward:"
    )

left, right = st.columns(2)
with left:
    st.subheader("Pass rate over time")
    if finished["pass_rate"].notna().any():
        st.plotly_chart(pass_rate_over_time(data.runs), key="overview_trend")
    else:
        st.info("No finished runs with a pass rate yet.")
with right:
    st.subheader("Pass rate by eval (latest finished run)")
    if latest.empty:
        st.info("No eval has a finished run yet.")
    else:
        st.plotly_chart(pass_rate_by_eval(latest), key="overview_by_eval")
    if not unfinished_evals.empty:
        names = ", ".join(escape_markdown(n) for n in unfinished_evals["eval_name"].head(5))
        more = f" and {len(unfinished_evals) - 5:,} more" if len(unfinished_evals) > 5 else ""
        st.caption(
            f"{len(unfinished_evals):,} eval(s) have no finished run yet, so no pass rate to "
            f"chart: {names}{more}."
        )

st.subheader("Latest finished run of each eval, worst first")
if latest.empty:
    st.info("No eval has a finished run yet, so there is no latest run to show.")
else:
    worst = latest.iloc[0]
    st.page_link(
        "pages/responses.py",
        label=f"Read the failing responses of the worst eval, {worst['eval_name']} "
        f"(its latest finished run, {pct(worst['latest_pass_rate'])})",
        icon=":material/arrow_forward:",
        query_params=shell.with_view_params(
            {links.RUN_ID_PARAM: str(worst["latest_run_uuid"]), "verdict": "Failed"}
        ),
    )
    shown = latest.assign(change=latest["change"] * 100)
    tables.table(
        shown,
        {
            "eval_name": tables.text("Eval", "medium"),
            "eval_type": tables.text("Type", "small"),
            "latest_pass_rate": tables.percent(d.LATEST_PASS_RATE, d.LATEST_PASS_RATE_HELP),
            "previous_pass_rate": tables.percent(d.PREVIOUS_PASS_RATE, d.PREVIOUS_PASS_RATE_HELP),
            "change": tables.change("Change", "Latest minus previous, in percentage points"),
            "latest_created_at": numbers.helped(
                tables.when(d.LATEST_FINISHED_RUN), d.LATEST_FINISHED_RUN_HELP
            ),
            "runs": tables.count(d.FINISHED_RUNS, d.FINISHED_RUNS_HELP),
            "latest_run_name": tables.text("Run", "medium"),  # a sandbox run is marked here
            "latest_run_uuid": tables.short_id("Run id"),
        },
        key="overview_latest",
    )

st.subheader("Prompt categories that fail most")
failing = failing_categories(data.responses)
if failing.empty and counts["scored"]:
    st.success("Nothing failed: every scored response in this workspace passed.")
elif failing.empty:
    st.info("No scored responses yet, so no category has failed.")
else:
    tables.table(
        failing,
        {
            "category": tables.text("Category"),
            "failed": tables.count("Failed"),
            "scored": tables.count("Scored"),
            "pass_rate": tables.percent("Pass rate"),
            "eval_types": tables.text("Eval types"),
        },
        key="overview_failing",
    )
