"""Regressions: each eval's latest run against the one before, with noise told from change."""

import pandas as pd
import streamlit as st

from components import detail, shell, tables
from components.compare import change_badge, flip_card
from components.report_button import report_button
from components.tiles import p_clause, pct
from jobs.report import ReportRequest
from reporting.aymara.compare import NEWLY_FAILED
from reporting.stats import REGRESSED, p_label
from reporting.text import escape_markdown, plural, run_label

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
        f"**{plural(regressed, 'eval')} regressed beyond noise.** The worst is at the top.",
        icon=":material/trending_down:",
    )
else:
    st.success("No eval regressed beyond noise in its latest run.", icon=":material/check:")
report_button(data, ReportRequest(regressions=True), "regressions", key="report_regressions")

shown = board.assign(
    result=board["verdict"],
    change=board["change"] * 100,
    p_text=board["p_value"].map(p_label),
)
row = tables.selected_row(
    board,
    {
        "eval_name": tables.text("Eval", 195, pinned=True),
        "result": tables.verdict("Result", 120, "Beyond noise at p < 0.05, or within noise"),
        "pass_rate_a": tables.percent("Previous run", width=115),
        "pass_rate_b": tables.percent("Latest run", width=100),
        "change": tables.change("Change"),
        "p_text": tables.text("p-value", 75, help_text="Below 0.05: a change beyond noise"),
        "newly_failed": tables.count("Newly failed", width=115),
        "newly_passed": tables.count("Newly passed", width=115),
    },
    id_column="eval_uuid",
    param=EVAL_PARAM,
    key=tables.keyed("board", detail.closed(EVAL_PARAM)),
    display=shown,
)


def flips_of(row: pd.Series) -> None:
    """One eval's change: its numbers, and the prompts that flipped with both answers."""
    st.header(escape_markdown(row["eval_name"]))
    change_badge(str(row["verdict"]))
    facts = [
        f"{pct(row['pass_rate_a'])} → {pct(row['pass_rate_b'])}",
        p_clause(row["p_value"]),
        f"{plural(int(row['newly_failed']), 'prompt')} newly failed, "
        f"{int(row['newly_passed']):,} newly passed, "
        f"of {plural(int(row['n_shared']), 'shared prompt')}",
        escape_markdown(
            f"{run_label(row['run_a_name'], row.get('run_a_created_at'), row['eval_name'])} → "
            f"{run_label(row['run_b_name'], row.get('run_b_created_at'), row['eval_name'])}"
        ),
    ]
    st.caption(" · ".join(facts))

    def newly_failed() -> pd.DataFrame:
        """The pair's prompts that flipped to failed, the judge's most confident first."""
        flips = data.flips(str(row["run_a"]), str(row["run_b"]))
        # The judge's most confident new failures are the least likely to be judge noise.
        return flips[flips["change"] == NEWLY_FAILED].sort_values("confidence_b", ascending=False)

    failed_now = data.shared("regressions.flips", newly_failed, row["run_a"], row["run_b"])
    st.subheader(f"Prompts that flipped from passed to failed ({len(failed_now):,})")
    if failed_now.empty:
        st.info("No prompt flipped from passed to failed between these two runs.")
        return
    st.caption("Most confident new failures first. Choose a row to read both answers.")
    table_col, card_col = st.columns([5, 7])
    with table_col:
        picked = tables.table(
            failed_now,
            {
                "prompt_content": tables.text("Prompt", 360),  # confidences: on the card
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


if row is None:
    st.caption("Showing the top row; choose another eval to see its flips.")
    st.divider()
    flips_of(board.iloc[0])
else:
    detail.drawer("Regression", lambda: flips_of(row), param=EVAL_PARAM)
