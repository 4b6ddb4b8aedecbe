"""Overview: how the workspace's AI systems score, at a glance."""

import pandas as pd
import streamlit as st

from components import charts, links, numbers, partial, shell, tables
from components.live import live_runs
from components.tiles import p_clause, pct, tiles
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import latest_run_changes
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

# Built once per dataset and shared by every session: a rerun that changes nothing, or the
# twentieth person opening the same link, computes none of these again.
counts, failing = data.response_summary()  # on the lake: SQL, no response read into memory
finished = data.shared("overview.finished", lambda: d.finished_runs(data.runs))
latest = data.shared("overview.latest", lambda: latest_run_changes(data.runs))
unfinished_evals = data.shared(
    "overview.unfinished", lambda: data.evals[~data.evals["eval_uuid"].isin(latest["eval_uuid"])]
)
# What a partial load left out is said on each number built from it.
gap = data.missing
by_responses, by_runs = partial.from_responses(gap), partial.from_runs(gap)


def marked(tile: tuple, partial_now: bool) -> tuple:
    """A tile whose label says "(partial)" when its number leaves something out."""
    return (partial.mark(tile[0], partial_now), *tile[1:])


tiles(
    [
        marked(numbers.evals_tile(data.evals, len(unfinished_evals)), partial.from_evals(gap)),
        marked(
            data.shared("overview.runs_tile", lambda: numbers.finished_runs_tile(data.runs)),
            by_runs,
        ),
        marked(numbers.scored_tile(counts), by_responses),
        marked(numbers.pass_rate_tile(counts), by_responses),
        marked(numbers.refusal_rate_tile(counts), by_responses),
    ]
)

board = data.regression_board
regressed = data.shared(
    "overview.regressed",
    lambda: board[board["verdict"] == REGRESSED] if not board.empty else board,
)
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
        names = data.shared(
            "overview.names",
            lambda: dict(zip(data.runs["eval_uuid"], data.runs["eval_name"], strict=True)),
        )
        focus = st.multiselect(
            "Evals in colour",
            data.shared("overview.worst_first", lambda: evals_worst_first(data.runs)),
            format_func=lambda uuid: str(names.get(uuid, uuid)),
            placeholder=f"The {HIGHLIGHTED} with the lowest latest pass rate",
            key="trend_evals",
        )
        event = charts.chart(
            data.shared(
                "overview.trend", lambda: pass_rate_over_time(data.runs, focus or None), focus
            ),
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
with right:
    st.subheader(partial.mark("Pass rate by eval (latest finished run)", by_runs))
    if latest.empty:
        st.info("No eval has a finished run yet.")
    else:
        by_eval = data.shared("overview.by_eval", lambda: pass_rate_by_eval(latest))
        charts.chart(by_eval, key="overview_by_eval")
        partial.caption(by_runs, gap)
    if not unfinished_evals.empty:
        names = ", ".join(escape_markdown(n) for n in unfinished_evals["eval_name"].head(5))
        more = f" and {len(unfinished_evals) - 5:,} more" if len(unfinished_evals) > 5 else ""
        have = "has" if len(unfinished_evals) == 1 else "have"
        st.caption(
            f"{plural(len(unfinished_evals), 'eval')} {have} no finished run yet, so no pass "
            f"rate to chart: {names}{more}."
        )

st.subheader(partial.mark("Latest finished run of each eval, worst first", by_runs))
partial.caption(by_runs, gap)
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

    # Significant regressions are marked: the board's verdict, joined on the eval.
    def marked_latest() -> pd.DataFrame:
        significance = board.set_index("eval_uuid")["verdict"] if not board.empty else None
        return latest.assign(
            change=latest["change"] * 100,
            result=latest["eval_uuid"].map(significance) if significance is not None else None,
        )

    shown = data.shared("overview.latest_table", marked_latest)
    tables.table(
        shown,
        {
            "eval_name": tables.text("Eval", 170, pinned=True),
            "result": tables.verdict(
                "Result", 115, "Regressed or improved beyond noise (p < 0.05), or within noise"
            ),
            "latest_pass_rate": tables.percent("Pass rate", d.LATEST_PASS_RATE_HELP, 90),
            "previous_pass_rate": tables.percent("Previous", d.PREVIOUS_PASS_RATE_HELP, 90),
            "change": tables.change("Change", "Latest minus previous, in percentage points"),
            "latest_created_at": numbers.helped(
                tables.when(d.LATEST_FINISHED_RUN, 165), d.LATEST_FINISHED_RUN_HELP
            ),
            "runs": tables.count(d.FINISHED_RUNS, d.FINISHED_RUNS_HELP, 120),
            "latest_run_name": tables.text("Run", 130),  # a sandbox run is marked here
        },
        key="overview_latest",
    )

st.subheader(partial.mark("Prompt categories that fail most", by_responses))
partial.caption(by_responses, gap)
if failing.empty and counts["scored"]:
    st.success("Nothing failed: every scored response in this workspace passed.")
elif failing.empty:
    st.info("No scored responses yet, so no category has failed.")
else:
    tables.table(
        data.shared(
            "overview.failing_table",
            lambda: failing.assign(
                eval_types=failing["eval_types"].map(lambda t: words_joined(t, EVAL_TYPES))
            ),
        ),
        {
            "category": tables.text("Category", pinned=True),
            "failed": tables.count("Failed", width=70),
            "scored": tables.count("Scored", width=70),
            "pass_rate": tables.percent("Pass rate", width=90),
            "eval_types": tables.text("Eval types"),
        },
        key="overview_failing",
    )
