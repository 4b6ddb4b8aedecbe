"""Evals: the catalogue, and one eval's runs and prompts."""

import streamlit as st

from components import charts, detail, filters, links, numbers, shell, tables
from components.report_button import report_button
from components.tiles import pct
from jobs.report import ReportRequest
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import eval_catalogue
from reporting.aymara.trend import pass_rate_over_time
from reporting.text import code_span, escape_markdown, is_missing, plural
from reporting.vocabulary import CONTENT_TYPES, EVAL_TYPES, STATUSES, words

EVAL_PARAM = "eval_uuid"  # the chosen eval, so a copied link opens it

data = shell.aymara_page("Evals")
if data.evals.empty:
    st.info("This workspace has no evals yet. Create one with the Aymara SDK, then press Refresh.")
    st.stop()

# Evals with the latest activity first; evals that never ran go last.
catalogue = data.shared(
    "evals.catalogue",
    lambda: eval_catalogue(data.evals, data.runs).sort_values(
        ["latest_run_at", "eval_name"], ascending=[False, True], na_position="last", kind="stable"
    ),
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
        "eval_name": tables.text("Eval", 200, pinned=True),
        "eval_type": tables.text("Type", 100),
        "status": tables.text("Status", 80),
        "finished_runs": tables.count(d.FINISHED_RUNS, d.FINISHED_RUNS_HELP, 120),
        "latest_pass_rate": tables.percent("Pass rate", d.LATEST_PASS_RATE_HELP, 90),
        "latest_finished_at": numbers.helped(
            tables.when(d.LATEST_FINISHED_RUN, 165), d.LATEST_FINISHED_RUN_HELP
        ),
        "runs": tables.count("All runs", "Every run of the eval, whatever its status", 85),
        "num_prompts": tables.count("Prompts", width=75),
    },  # prompts, modality, language, jailbreak and the id are in the chosen eval's caption
    id_column="eval_uuid",
    param=EVAL_PARAM,
    key=tables.keyed("evals_table", types, modalities, statuses, detail.closed(EVAL_PARAM)),
    linked_from=catalogue,
)
if chosen is None and st.query_params.get(EVAL_PARAM):
    links.missing_id("eval", str(st.query_params.get(EVAL_PARAM)), "the list of evals")
    st.stop()
if chosen is None:
    st.stop()


def eval_detail() -> None:
    """The chosen eval: the pass rate of its runs, and its prompts."""
    st.header(escape_markdown(chosen["eval_name"]))
    runs = data.runs[data.runs["eval_uuid"] == chosen["eval_uuid"]]
    details = [
        escape_markdown(words(chosen["eval_type"], EVAL_TYPES)),
        escape_markdown(words(chosen["modality"], CONTENT_TYPES)),
        escape_markdown(words(chosen["status"], STATUSES)),
        "jailbreak" if chosen.get("is_jailbreak") is True else "",
        ""
        if is_missing(chosen.get("language"))
        else f"language {escape_markdown(chosen['language'])}",
        f"id `{code_span(chosen['eval_uuid'])}`",
    ]
    details.append(
        f"{int(chosen['finished_runs']):,} finished of {plural(int(chosen['runs']), 'run')}, "
        f"latest finished run's pass rate {pct(chosen['latest_pass_rate'])}"
    )
    st.caption(" · ".join(d for d in details if d))
    report_button(
        data, ReportRequest(eval=str(chosen["eval_uuid"])), f"eval-{chosen['eval_name']}",
        key="report_eval",
    )  # fmt: skip
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Pass rate of its runs")
        finished = runs["status"].astype(str).str.lower() == "finished"
        if (finished & runs["pass_rate"].notna()).any():
            charts.chart(pass_rate_over_time(runs), key="eval_trend")
        else:
            st.info("This eval has no finished runs yet, so there is no pass rate to plot.")
    with right:
        st.subheader("Prompts")
        prompts = data.prompts[data.prompts["eval_uuid"] == chosen["eval_uuid"]]
        if prompts.empty:
            st.info("No prompts were returned for this eval.")
        else:
            st.caption(
                f"{plural(len(prompts), 'prompt')} in "
                f"{plural(prompts['prompt_category'].nunique(), 'category', 'categories')}"
            )
            columns = {
                "prompt_content": tables.text("Prompt", 300, pinned=True),
                "prompt_category": tables.text("Category", 100),
            }
            if (prompts["turn_number"].fillna(1) > 1).any():  # a multi-turn eval: say which turn
                columns = {"turn_number": tables.count("Turn", width=50), **columns}
            tables.table(
                prompts,
                columns,
                key="eval_prompts",
                height=420,
            )


detail.drawer("Eval", eval_detail, param=EVAL_PARAM)
