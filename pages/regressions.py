"""Regressions: each eval's latest run against the one before, with noise told from change."""

import streamlit as st

from components import shell, tables
from components.compare import MARKS, change_badge, flip_card
from components.tiles import pct
from reporting import frames

ctx = shell.current()
st.title("Regressions")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()

board = frames.regression_board(data.runs, data.responses)
if board.empty:
    st.info("No eval has two finished runs yet, so there is nothing to compare.")
    st.stop()

st.caption(
    "Each eval's latest finished run against its previous one. A change counts as real only "
    "when McNemar's test on the prompts both runs answered (or a two-proportion test when "
    "they share none) puts it beyond noise at p < 0.05."
)
shown = board.assign(
    result=board["verdict"].map(MARKS).fillna(board["verdict"]), change=board["change"] * 100
)
event = tables.table(
    shown,
    {
        "result": tables.text("Result", "small"),
        "eval_name": tables.text("Eval", "medium"),
        "eval_type": tables.text("Type", "small"),
        "pass_rate_a": tables.percent("Previous run"),
        "pass_rate_b": tables.percent("Latest run"),
        "change": tables.change("Change"),
        "p_value": st.column_config.NumberColumn("p-value", format="%.3g"),
        "newly_failed": st.column_config.NumberColumn("Newly failed"),
        "newly_passed": st.column_config.NumberColumn("Newly passed"),
        "n_shared": st.column_config.NumberColumn("Shared prompts"),
    },
    key="board",
    select=True,
)
row = tables.selected_row(event, board)
if row is None:
    row = board.iloc[0]
    st.caption("Showing the top row; choose another eval to see its flips.")

st.divider()
st.header(str(row["eval_name"]))
change_badge(str(row["verdict"]))
st.caption(
    f"{pct(row['pass_rate_a'])} → {pct(row['pass_rate_b'])} · p = {row['p_value']:.3g} · "
    f"{int(row['newly_failed'])} prompts newly failed, {int(row['newly_passed'])} newly passed"
)
resp = data.responses
flips = frames.flip_table(
    resp[resp["eval_run_uuid"] == row["run_a"]], resp[resp["eval_run_uuid"] == row["run_b"]]
)
failed_now = flips[flips["change"] == "newly failed"]
# The judge's most confident new failures are the least likely to be judge noise: show them first.
failed_now = failed_now.sort_values("confidence_b", ascending=False)
st.subheader(f"Prompts that flipped from passed to failed ({len(failed_now)})")
if failed_now.empty:
    st.info("No prompt flipped from passed to failed.")
    st.stop()
for i, (_, flip) in enumerate(failed_now.head(20).iterrows()):
    flip_card(flip, "Previous run", "Latest run", key=f"flip_{i}")
if len(failed_now) > 20:
    st.caption(f"{len(failed_now) - 20} more; open Compare runs to see them all.")
