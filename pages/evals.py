"""Evals: the catalogue, and one eval's runs and prompts."""

import streamlit as st

from components import filters, links, numbers, shell, tables
from components.tiles import pct
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import eval_catalogue
from reporting.aymara.figures import pass_rate_over_time
from reporting.text import escape_markdown

EVAL_PARAM = "eval_uuid"  # the chosen eval, so a copied link opens it

data = shell.aymara_page("Evals")
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

# Evals with the latest activity first; evals that never ran go last.
catalogue = eval_catalogue(data.evals, data.runs).sort_values(
    ["latest_run_at", "eval_name"], ascending=[False, True], na_position="last", kind="stable"
)
c1, c2, c3 = st.columns(3)
types = filters.multi("Eval type", filters.options_of(catalogue["eval_type"]), "type", c1)
modalities = filters.multi("Modality", filters.options_of(catalogue["modality"]), "modality", c2)
statuses = filters.multi("Status", filters.options_of(catalogue["status"]), "status", c3)
shown = catalogue
if types:
    shown = shown[shown["eval_type"].isin(types)]
if modalities:
    shown = shown[shown["modality"].isin(modalities)]
if statuses:
    shown = shown[shown["status"].isin(statuses)]

st.caption(f"{len(shown):,} of {len(catalogue):,} evals. Choose a row to see its runs and prompts.")
if shown.empty:
    st.info("No eval matches these filters. Clear one of them to see more.")
    st.stop()
chosen = tables.selected_row(
    shown,
    {
        "eval_name": tables.text("Eval", "medium"),
        "eval_type": tables.text("Type", "small"),
        "status": tables.text("Status", "small"),
        "finished_runs": tables.count(d.FINISHED_RUNS, d.FINISHED_RUNS_HELP),
        "latest_pass_rate": tables.percent(d.LATEST_PASS_RATE, d.LATEST_PASS_RATE_HELP),
        "latest_finished_at": numbers.helped(
            tables.when(d.LATEST_FINISHED_RUN), d.LATEST_FINISHED_RUN_HELP
        ),
        "runs": tables.count("All runs", "Every run of the eval, whatever its status"),
        "num_prompts": tables.count("Prompts"),
        "modality": tables.text("Modality", "small"),
        "language": tables.text("Language", "small"),
        "is_jailbreak": st.column_config.CheckboxColumn("Jailbreak"),
        "is_sandbox": st.column_config.CheckboxColumn("Sandbox"),
        "eval_uuid": tables.short_id("Eval id"),
    },
    id_column="eval_uuid",
    param=EVAL_PARAM,
    key=tables.keyed("evals_table", types, modalities, statuses),
    linked_from=catalogue,
)
if chosen is None and st.query_params.get(EVAL_PARAM):
    links.missing_id("eval", str(st.query_params.get(EVAL_PARAM)), "the list of evals")
    st.stop()
if chosen is None:
    st.stop()

st.divider()
st.header(escape_markdown(chosen["eval_name"]))
runs = data.runs[data.runs["eval_uuid"] == chosen["eval_uuid"]]
details = [
    escape_markdown(chosen["eval_type"]),
    escape_markdown(chosen["modality"]),
    escape_markdown(chosen["status"]),
]
details.append(
    f"{int(chosen['finished_runs']):,} finished of {int(chosen['runs']):,} runs, "
    f"latest finished run's pass rate {pct(chosen['latest_pass_rate'])}"
)
st.caption(" · ".join(d for d in details if d))
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Pass rate of its runs")
    finished = runs["status"].astype(str).str.lower() == "finished"
    if (finished & runs["pass_rate"].notna()).any():
        st.plotly_chart(pass_rate_over_time(runs), key="eval_trend")
    else:
        st.info("This eval has no finished runs yet, so there is no pass rate to plot.")
with right:
    st.subheader("Prompts")
    prompts = data.prompts[data.prompts["eval_uuid"] == chosen["eval_uuid"]]
    if prompts.empty:
        st.info("No prompts were returned for this eval.")
    else:
        st.caption(
            f"{len(prompts):,} prompts in {prompts['prompt_category'].nunique():,} categories"
        )
        columns = {
            "prompt_category": tables.text("Category", "small"),
            "prompt_content": tables.text("Prompt", "large"),
        }
        if (prompts["turn_number"].fillna(1) > 1).any():  # a multi-turn eval: say which turn
            columns = {"turn_number": tables.count("Turn"), **columns}
        tables.table(
            prompts,
            columns,
            key="eval_prompts",
            height=420,
        )
