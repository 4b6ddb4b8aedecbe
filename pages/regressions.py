"""Regressions: each eval's latest run against the one before, with noise told from change."""

import streamlit as st

from components import shell, tables
from components.compare import MARKS, change_badge, flip_card
from components.report_button import report_button
from components.tiles import p_clause, p_label, pct
from jobs.report import ReportRequest
from reporting.aymara.compare import NEWLY_FAILED, flip_table
from reporting.stats import REGRESSED
from reporting.text import escape_markdown

EVAL_PARAM = "eval_uuid"  # the eval whose flips are shown, so a copied link opens it


data = shell.aymara_page("Regressions")

board = data.regression_board
if board.empty:
    st.info("No eval has two finished runs yet, so there is nothing to compare.")
    st.stop()

st.caption(
    "Each eval's latest finished run against its previous one. A change counts as real only "
    "when McNemar's test on the prompts both runs answered (or a two-proportion test when "
    "they share none) puts it beyond noise at p < 0.05."
)
regressed = int((board["verdict"] == REGRESSED).sum())
if regressed:
    st.error(
        f"**{regressed} eval(s) regressed beyond noise.** The worst is at the top.",
        icon=":material/trending_down:",
    )
else:
    st.success("No eval regressed beyond noise in its latest run.", icon=":material/check:")
report_button(data, ReportRequest(regressions=True), "regressions", key="report_regressions")

shown = board.assign(
    result=board["verdict"].map(MARKS).fillna(board["verdict"]),
    change=board["change"] * 100,
    p_text=board["p_value"].map(p_label),
)
row = tables.selected_row(
    board,
    {
        "result": st.column_config.TextColumn("Result", width=112),
        "eval_name": tables.text("Eval", "medium"),
        "pass_rate_a": tables.percent("Previous run"),
        "pass_rate_b": tables.percent("Latest run"),
        "change": tables.change("Change"),
        "p_text": st.column_config.TextColumn(
            "p-value", width="small", help="Below 0.05: a change beyond noise"
        ),
        "newly_failed": tables.count("Newly failed"),
        "newly_passed": tables.count("Newly passed"),
        "n_shared": tables.count("Shared prompts"),
        "eval_type": tables.text("Type", "small"),
    },
    id_column="eval_uuid",
    param=EVAL_PARAM,
    key="board",
    display=shown,
)
if row is None:
    row = board.iloc[0]
    st.caption("Showing the top row; choose another eval to see its flips.")

st.divider()
st.header(escape_markdown(row["eval_name"]))
change_badge(str(row["verdict"]))
facts = [
    f"{pct(row['pass_rate_a'])} → {pct(row['pass_rate_b'])}",
    p_clause(row["p_value"]),
    f"{int(row['newly_failed'])} prompts newly failed, {int(row['newly_passed'])} newly passed",
    f"{escape_markdown(row['run_a_name'])} → {escape_markdown(row['run_b_name'])}",
]
st.caption(" · ".join(facts))
resp = data.responses
flips = flip_table(
    resp[resp["eval_run_uuid"] == row["run_a"]], resp[resp["eval_run_uuid"] == row["run_b"]]
)
failed_now = flips[flips["change"] == NEWLY_FAILED]
# The judge's most confident new failures are the least likely to be judge noise: show them first.
failed_now = failed_now.sort_values("confidence_b", ascending=False)
st.subheader(f"Prompts that flipped from passed to failed ({len(failed_now)})")
if failed_now.empty:
    st.info("No prompt flipped from passed to failed between these two runs.")
    st.stop()
st.caption("Most confident new failures first. Choose a row to read both answers.")
table_col, card_col = st.columns([5, 7])
with table_col:
    picked = tables.table(
        failed_now,
        {
            "confidence_b": tables.confidence("Confidence"),
            "prompt_category": tables.text("Category", "small"),
            "prompt_content": tables.text("Prompt", "large"),
        },
        key=tables.keyed("flips", row["run_a"], row["run_b"]),
        select=True,
        height=480,
    )
flip = tables.chosen(picked, failed_now)
with card_col:
    flip_card(
        failed_now.iloc[0] if flip is None else flip, "Previous run", "Latest run", key="flip"
    )
