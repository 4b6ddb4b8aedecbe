"""Compare runs: two runs of one eval, prompt by prompt, with honest intervals."""

import streamlit as st

from components import charts, filters, links, shell, tables
from components.compare import change_badge, flip_card
from components.report_button import report_button
from components.tiles import interval, pct, tiles
from jobs.report import ReportRequest
from reporting import stats
from reporting.aymara import definitions as d
from reporting.aymara.aggregates import category_pass_rates, verdict_counts
from reporting.aymara.compare import mcnemar_from_flips
from reporting.aymara.figures import grouped_category_bars
from reporting.aymara.schema import is_finished
from reporting.stats import p_label
from reporting.text import escape_markdown, run_label
from reporting.vocabulary import STATUSES, words

# Sandbox runs are always listed here (marked): scoring a candidate model in sandbox mode is
# done to compare it with production, so the pick is explicit and the page says so.
data = shell.aymara_page("Compare runs", sandbox=True)

runs = data.runs.sort_values("created_at", ascending=False)
counts = runs["eval_uuid"].value_counts()
comparable = runs[runs["eval_uuid"].isin(counts[counts >= 2].index)]
if comparable.empty:
    st.info("No eval has two runs yet. Compare needs two runs of the same eval.")
    st.stop()

eval_names = dict(zip(comparable["eval_uuid"], comparable["eval_name"], strict=False))
# The regression board's order first (regressions at the top), then any other comparable eval.
board = data.regression_board
order = [u for u in board["eval_uuid"] if u in eval_names] if not board.empty else []
order += [u for u in eval_names if u not in order]
eval_uuid = links.id_choice(
    "Eval", order, {u: str(eval_names[u]) for u in order}, "eval", 0, what="eval",
    resets=("run_a", "run_b"),
)  # fmt: skip
of_eval = comparable[comparable["eval_uuid"] == eval_uuid]
sandbox = d.sandbox_runs(of_eval, data.evals).to_numpy(dtype=bool)
labels = {
    r.eval_run_uuid: f"{run_label(r.run_name, r.created_at, eval_names[eval_uuid])} · "
    f"{words(r.status, STATUSES)} · "
    f"{d.run_pass_rate_label(r.status, r.pass_rate, r.num_responses_scored, r.num_prompts, pct)}"
    for r in of_eval.itertuples()
}
uuids = list(labels)  # newest first
# By default the latest finished production run against the finished one before it.
done = [i for i, finished in enumerate(is_finished(of_eval["status"]) & ~sandbox) if finished]
default_b, default_a = (done[0], done[1]) if len(done) >= 2 else (0, 1)
if sandbox.any():
    st.caption(
        f":material/science: Sandbox runs are listed too, marked "
        f'"{d.SANDBOX_MARK.strip()}": choose one as Run B to compare a candidate with production.'
    )
c1, c2 = st.columns(2)
run_a = links.id_choice("Run A (before)", uuids, labels, "run_a", default_a, c1)
run_b = links.id_choice("Run B (after)", uuids, labels, "run_b", default_b, c2)
if run_a == run_b:
    st.info("Choose two different runs.")
    st.stop()

a = of_eval[of_eval["eval_run_uuid"] == run_a].iloc[0]
b = of_eval[of_eval["eval_run_uuid"] == run_b].iloc[0]
resp_a, resp_b = data.run_responses(run_a), data.run_responses(run_b)
# What follows depends only on the dataset and the two runs: built once, shared by every
# session comparing them (each session had built its own flip table, counts and chart).
flips = data.flips(run_a, run_b)
counts_a, counts_b, (b_count, c_count, p_value) = data.shared(
    "compare.counts",
    lambda: (verdict_counts(resp_a), verdict_counts(resp_b), mcnemar_from_flips(flips)),
    run_a,
    run_b,
)

warnings = []
for run in (a, b):
    if run["status"] != "finished":
        warnings.append(
            f"Run {escape_markdown(run['run_name'])} is "
            f"{escape_markdown(words(run['status'], STATUSES).lower())}; "
            "its verdicts may still change."
        )
prompts_a, prompts_b = set(resp_a["prompt_uuid"]), set(resp_b["prompt_uuid"])
if prompts_a != prompts_b:
    warnings.append(
        f"The runs answered different prompt sets ({len(prompts_a - prompts_b)} only in A, "
        f"{len(prompts_b - prompts_a)} only in B): the eval's prompts changed between them, so "
        "only the shared prompts are compared like for like."
    )
for text in warnings:
    st.warning(text, icon=":material/warning:")

delta = (counts_b["pass_rate"] or 0) - (counts_a["pass_rate"] or 0)
verdict = stats.classify_change(p_value, delta)
tiles(
    [
        (
            "Run A pass rate",
            pct(counts_a["pass_rate"]),
            None,
            interval(counts_a["pass_rate_low"], counts_a["pass_rate_high"]),
        ),
        (
            "Run B pass rate",
            pct(counts_b["pass_rate"]),
            None,
            interval(counts_b["pass_rate_low"], counts_b["pass_rate_high"]),
        ),
        ("Change", f"{delta * 100:+.1f} pp", None),
        ("Newly failed / passed", f"{b_count:,} / {c_count:,}", "Prompts whose verdict flipped"),
        ("McNemar p-value", p_label(p_value), "Below 0.05: a change beyond noise"),
    ]
)
change_badge(verdict)
report_button(
    data, ReportRequest(compare=(run_a, run_b)), f"compare-{a['run_name']}-{b['run_name']}",
    key="report_compare", include_sandbox=bool(a["is_sandbox"] is True or b["is_sandbox"] is True),
)  # fmt: skip

st.subheader("Pass rate by category, with 95% intervals")
if counts_a["scored"] or counts_b["scored"]:
    bars = data.shared(
        "compare.bars",
        lambda: grouped_category_bars(
            category_pass_rates(resp_a),
            category_pass_rates(resp_b),
            "Run A (before)",
            "Run B (after)",
        ),
        run_a,
        run_b,
    )
    charts.chart(bars, key="cmp_bars")
else:
    st.info("Neither run has scored responses yet, so there are no pass rates to compare.")

st.subheader("Prompt by prompt")
c3, c4 = st.columns(2)
changes = filters.multi("Change", filters.options_of(flips["change"]), "change", c3)
cats = filters.multi("Category", filters.options_of(flips["prompt_category"]), "cmp_cat", c4)
# Shared too, so the table is prepared once for everyone (components.tables keys by frame).
shown = data.shared(
    "compare.shown",
    lambda: filters.keep_chosen(flips, {"change": changes, "prompt_category": cats}),
    run_a,
    run_b,
    changes,
    cats,
)
if shown.empty:
    st.info("No prompt matches these filters. Clear one of them to see more.")
    st.stop()
event = tables.table(
    shown,
    {
        "prompt_content": tables.text("Prompt", 370),
        "change": tables.verdict("Change", 120),
        "verdict_a": tables.verdict("Run A", 100),
        "verdict_b": tables.verdict("Run B", 100),
        "confidence_a": tables.confidence("Confidence A", 115),
        "confidence_b": tables.confidence("Confidence B", 115),
    },  # the category is on the card below
    key=tables.keyed("cmp_table", run_a, run_b, changes, cats),
    select=True,
    height=360,
)
row = tables.chosen(event, shown)
if row is None:
    row = shown.iloc[0]
    st.caption("Showing the first row; choose another to read its answers side by side.")
flip_card(row, "Run A (before)", "Run B (after)", key="cmp_card")
