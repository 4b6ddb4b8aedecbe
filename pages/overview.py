"""Overview: how the workspace's AI systems score, at a glance."""

import streamlit as st

from components import shell, tables
from components.live import live_runs
from components.tiles import interval, p_clause, pct, tiles
from reporting.aymara.aggregates import failing_categories, latest_run_changes, verdict_counts
from reporting.aymara.figures import pass_rate_by_eval, pass_rate_over_time
from reporting.stats import REGRESSED
from reporting.text import escape_markdown

data = shell.aymara_page("Overview")
live_runs(data)  # processing runs refresh themselves; the rest of the page stays put
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

counts = verdict_counts(data.responses)
finished = data.runs[data.runs["status"] == "finished"]
tiles(
    [
        ("Evals", f"{len(data.evals):,}", None),
        ("Runs", f"{len(data.runs):,}", f"{len(finished):,} finished"),
        ("Responses scored", f"{counts['scored']:,}", f"{counts['total']:,} responses in all"),
        (
            "Pass rate",
            pct(counts["pass_rate"]),
            "Passed of scored responses, with its 95% Wilson interval",
            interval(counts["pass_rate_low"], counts["pass_rate_high"]),
        ),
        ("Refusal rate", pct(counts["refusal_rate"]), "Share of responses where the AI refused"),
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
latest = latest_run_changes(data.runs)
with right:
    st.subheader("Pass rate by eval (latest run)")
    if latest.empty:
        st.info("No eval has a finished run yet.")
    else:
        st.plotly_chart(pass_rate_by_eval(latest), key="overview_by_eval")

st.subheader("Latest run of each eval, worst first")
if latest.empty:
    st.info("No eval has a finished run yet, so there is no latest run to show.")
else:
    worst = latest.iloc[0]
    st.page_link(
        "pages/responses.py",
        label=f"Read the failing responses of the worst eval, {worst['eval_name']}",
        icon=":material/arrow_forward:",
        query_params={"eval": str(worst["eval_name"]), "verdict": "Failed"},
    )
    shown = latest.assign(change=latest["change"] * 100)
    tables.table(
        shown,
        {
            "eval_name": tables.text("Eval", "medium"),
            "eval_type": tables.text("Type", "small"),
            "latest_pass_rate": tables.percent("Latest pass rate"),
            "previous_pass_rate": tables.percent("Previous run"),
            "change": tables.change("Change", "Latest minus previous, in percentage points"),
            "latest_created_at": tables.when("Latest run"),
            "runs": tables.count("Runs"),
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
