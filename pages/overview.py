"""Overview: how the workspace's AI systems score, at a glance."""

import streamlit as st

from components import charts, partial, shell, tables
from components.live import live_runs
from components.tiles import interval, p_clause, pct, tiles
from reporting.aymara.aggregates import failing_categories, latest_run_changes, verdict_counts
from reporting.aymara.figures import pass_rate_by_eval
from reporting.aymara.trend import HIGHLIGHTED, clicked_run, evals_worst_first, pass_rate_over_time
from reporting.stats import REGRESSED
from reporting.text import escape_markdown, plural
from reporting.vocabulary import EVAL_TYPES, words_joined

data = shell.aymara_page("Overview")
live_runs(data)  # processing runs refresh themselves; the rest of the page stays put
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

counts = verdict_counts(data.responses)
finished = data.runs[data.runs["status"] == "finished"]
# What a partial load left out is said on each number built from it.
gap = data.missing
by_responses, by_runs = partial.from_responses(gap), partial.from_runs(gap)
tiles(
    [
        (partial.mark("Evals", partial.from_evals(gap)), f"{len(data.evals):,}", None),
        (partial.mark("Runs", by_runs), f"{len(data.runs):,}", f"{len(finished):,} finished"),
        (
            partial.mark("Responses scored", by_responses),
            f"{counts['scored']:,}",
            f"{counts['total']:,} responses in all",
        ),
        (
            partial.mark("Pass rate", by_responses),
            pct(counts["pass_rate"]),
            "Passed of scored responses, with its 95% Wilson interval. Counts final verdicts, "
            f"after any person's review: {counts['passed']:,} of {counts['scored']:,} passed.",
            interval(counts["pass_rate_low"], counts["pass_rate_high"]),
        ),
        (
            partial.mark("Refusal rate", by_responses),
            pct(counts["refusal_rate"]),
            "Share of responses where the AI refused",
        ),
    ]
)

board = data.regression_board
regressed = board[board["verdict"] == REGRESSED] if not board.empty else board
if not regressed.empty:
    worst = regressed.iloc[0]
    st.warning(
        f"**{plural(len(regressed), 'eval')} regressed beyond noise** in their latest run"
        f"{' (partial data)' if by_responses else ''}. Worst: "
        f"{escape_markdown(worst['eval_name'])} fell from {pct(worst['pass_rate_a'])} to "
        f"{pct(worst['pass_rate_b'])} ({p_clause(worst['p_value'])}).",
        icon=":material/trending_down:",
    )
    st.page_link(
        "pages/regressions.py", label="Open the regression board", icon=":material/arrow_forward:"
    )

left, right = st.columns(2)
with left:
    st.subheader(partial.mark("Pass rate over time", by_runs))
    if finished["pass_rate"].notna().any():
        names = dict(zip(data.runs["eval_uuid"], data.runs["eval_name"], strict=True))
        focus = st.multiselect(
            "Evals in colour",
            evals_worst_first(data.runs),
            format_func=lambda uuid: str(names.get(uuid, uuid)),
            placeholder=f"The {HIGHLIGHTED} with the lowest latest pass rate",
            key="trend_evals",
        )
        event = charts.chart(
            pass_rate_over_time(data.runs, focus or None),
            key="overview_trend",
            on_select="rerun",
            selection_mode="points",
        )
        st.caption("One line per eval; the others faint behind. Click a point to open its run.")
        if run_uuid := clicked_run(event):
            st.switch_page("pages/runs.py", query_params={"run": run_uuid})
        partial.caption(by_runs, gap)
    else:
        st.info("No finished runs with a pass rate yet.")
latest = latest_run_changes(data.runs)
with right:
    st.subheader(partial.mark("Pass rate by eval (latest run)", by_runs))
    if latest.empty:
        st.info("No eval has a finished run yet.")
    else:
        charts.chart(pass_rate_by_eval(latest), key="overview_by_eval")
        partial.caption(by_runs, gap)

st.subheader(partial.mark("Latest run of each eval, worst first", by_runs))
partial.caption(by_runs, gap)
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
    # Significant regressions are marked: the board's verdict, joined on the eval.
    significance = board.set_index("eval_uuid")["verdict"] if not board.empty else None
    shown = latest.assign(
        change=latest["change"] * 100,
        result=latest["eval_uuid"].map(significance) if significance is not None else None,
    )
    tables.table(
        shown,
        {
            "eval_name": tables.text("Eval", 220, pinned=True),
            "result": tables.verdict(
                "Result", 120, "Regressed or improved beyond noise (p < 0.05), or within noise"
            ),
            "eval_type": tables.text("Type", 100),
            "latest_pass_rate": tables.percent("Pass rate", "The latest run's pass rate", 90),
            "previous_pass_rate": tables.percent("Previous run", width=115),
            "change": tables.change("Change", "Latest minus previous, in percentage points"),
            "latest_created_at": tables.when("Latest run"),
            "runs": tables.count("Runs", width=60),
        },
        key="overview_latest",
    )

st.subheader(partial.mark("Prompt categories that fail most", by_responses))
partial.caption(by_responses, gap)
failing = failing_categories(data.responses)
if failing.empty and counts["scored"]:
    st.success("Nothing failed: every scored response in this workspace passed.")
elif failing.empty:
    st.info("No scored responses yet, so no category has failed.")
else:
    tables.table(
        failing.assign(eval_types=failing["eval_types"].map(lambda t: words_joined(t, EVAL_TYPES))),
        {
            "category": tables.text("Category", pinned=True),
            "failed": tables.count("Failed", width=70),
            "scored": tables.count("Scored", width=70),
            "pass_rate": tables.percent("Pass rate", width=90),
            "eval_types": tables.text("Eval types"),
        },
        key="overview_failing",
    )
