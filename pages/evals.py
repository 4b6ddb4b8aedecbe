"""Evals: the catalogue, and one eval's runs and prompts."""

import streamlit as st

from components import shell, tables
from reporting import figures, frames

ctx = shell.current()
st.title("Evals")
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

catalogue = frames.eval_catalogue(data.evals, data.runs)
c1, c2, c3 = st.columns(3)
types = c1.multiselect(
    "Eval type", sorted(catalogue["eval_type"].dropna().unique()), key="type", bind="query-params"
)
modalities = c2.multiselect(
    "Modality", sorted(catalogue["modality"].dropna().unique()), key="modality", bind="query-params"
)
statuses = c3.multiselect(
    "Status", sorted(catalogue["status"].dropna().unique()), key="status", bind="query-params"
)
shown = catalogue
if types:
    shown = shown[shown["eval_type"].isin(types)]
if modalities:
    shown = shown[shown["modality"].isin(modalities)]
if statuses:
    shown = shown[shown["status"].isin(statuses)]

st.caption(f"{len(shown):,} of {len(catalogue):,} evals. Choose a row to see its runs and prompts.")
event = tables.table(
    shown,
    {
        "eval_name": tables.text("Eval", "medium"),
        "eval_type": tables.text("Type", "small"),
        "modality": tables.text("Modality", "small"),
        "language": tables.text("Language", "small"),
        "is_jailbreak": st.column_config.CheckboxColumn("Jailbreak"),
        "is_sandbox": st.column_config.CheckboxColumn("Sandbox"),
        "num_prompts": st.column_config.NumberColumn("Prompts"),
        "status": tables.text("Status", "small"),
        "runs": st.column_config.NumberColumn("Runs"),
        "latest_pass_rate": tables.percent("Latest pass rate"),
        "latest_run_at": tables.when("Latest run"),
        "eval_uuid": tables.short_id("Eval id"),
    },
    key="evals_table",
    select=True,
)
chosen = tables.selected_row(event, shown)
if chosen is None:
    st.stop()

st.header(str(chosen["eval_name"]))
runs = data.runs[data.runs["eval_uuid"] == chosen["eval_uuid"]]
left, right = st.columns([3, 2])
with left:
    st.subheader("Pass rate of its runs")
    if runs["pass_rate"].notna().any():
        st.plotly_chart(figures.pass_rate_over_time(runs), key="eval_trend")
    else:
        st.info("This eval has no finished runs yet.")
with right:
    st.subheader("Prompts")
    prompts = data.prompts[data.prompts["eval_uuid"] == chosen["eval_uuid"]]
    if prompts.empty:
        st.info("No prompts were returned for this eval.")
    else:
        st.caption(
            f"{len(prompts):,} prompts in {prompts['prompt_category'].nunique():,} categories"
        )
        tables.table(
            prompts,
            {
                "prompt_category": tables.text("Category", "small"),
                "prompt_content": tables.text("Prompt", "large"),
                "turn_number": st.column_config.NumberColumn("Turn"),
            },
            key="eval_prompts",
            height=420,
        )
