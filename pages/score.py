"""Score responses: upload an AI's offline answers to an eval and see the scored run."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from client.aymara_models import EvalRun, ScoreRequest
from client.errors import APIError
from components import cache, shell, tables
from components.errors import show_error
from components.response_card import response_card
from components.tiles import pct, tiles
from reporting import uploads
from reporting.aymara.aggregates import verdict_counts
from reporting.aymara.responses import responses_frame
from reporting.aymara.schema import FAILED, FINISHED, PASSED
from reporting.aymara.tables import runs_frame

EVAL_KEY = "score_eval"
SUBMISSIONS = "_score_submissions"  # payload hash -> what happened when it was sent
PARSED = "_score_parsed"  # (file id, eval uuid) -> ParsedUpload, so reruns do not re-parse
SENT_LABELS = {"pending": "Sending…", "sent": "Sent", "failed": "Sent", "done": "Scored"}
SHOWN_PROBLEMS = 100  # more are offered as a download
SANDBOX_SENTENCE = (
    "Sandbox runs are scored like any other but marked `is_sandbox`, which keeps them apart "
    "from your production results; turn it off to record a production run."
)


def claim(key: str, name: str, responses_key: str) -> None:
    """The click: record the payload before anything is sent, so it is sent at most once."""
    submissions = st.session_state.setdefault(SUBMISSIONS, {})
    if key not in submissions:
        submissions[key] = {"state": "pending", "name": name, "responses_key": responses_key}


def forget(key: str) -> None:
    """Let the same payload be sent again, after a person chose to."""
    st.session_state.get(SUBMISSIONS, {}).pop(key, None)


def send(
    record: dict[str, Any], request: ScoreRequest, workspace: str | None, sandbox: bool
) -> None:
    """Send once; the outcome lands in the record before anything else can interrupt the run."""
    source = ctx.source("aymara")
    assert source is not None
    with st.spinner(f"Scoring {len(request.responses):,} responses…"):
        record["state"] = "sent"  # set before the request: an interrupted run never resends
        try:
            record["run"] = cache.aymara_client(source).score_responses(
                request, workspace_uuid=workspace, is_sandbox=sandbox
            )
            record["state"] = "done"
        except APIError as exc:
            record["error"], record["state"] = exc, "failed"
    if record["state"] == "done":
        cache.refresh(source, force=False)  # the new run shows in every listing on the next load


def show_failure(record: dict[str, Any], key: str) -> None:
    """Say whether the run may exist, and offer a deliberate second attempt only when safe."""
    name = record["name"]
    if record["state"] == "sent":  # the run was interrupted after sending, before an answer
        st.warning(
            "The request was sent but this page lost the answer: the run MAY have been "
            f"created. Press Refresh and look for a run named {uploads.escape_markdown(name)} "
            "on the Runs page before sending again.",
            icon=":material/help:",
        )
        created = "maybe"
    else:
        outcome = uploads.failure_outcome(record["error"], name)
        show_error(record["error"], what=outcome.headline)
        st.info(uploads.escape_markdown(outcome.advice), icon=":material/lightbulb:")
        created = outcome.created
    if created == "no":
        st.button("Try again", icon=":material/refresh:", on_click=forget, args=(key,))
        return
    checked = st.checkbox("I checked the Runs page and this run is not there", key=f"chk_{key}")
    st.button("Allow sending again", disabled=not checked, on_click=forget, args=(key,))


def problem_table(problems: Sequence[uploads.Problem]) -> None:
    """Problems as a table whose text wraps (and is escaped: st.table renders markdown)."""
    shown = uploads.problems_frame(problems[:SHOWN_PROBLEMS]).map(uploads.escape_markdown)
    shown = shown.rename(columns={"column": "Column", "problem": "What to fix"})
    st.table(shown.set_index("where").rename_axis(None), border="horizontal")
    if len(problems) > SHOWN_PROBLEMS:
        st.caption(f"The first {SHOWN_PROBLEMS} of {len(problems):,} problems; download them all:")
        st.download_button(
            "Download every problem (CSV)",
            uploads.problems_frame(problems).to_csv(index=False).encode("utf-8-sig"),
            file_name="problems.csv",
            mime="text/csv",
            icon=":material/download:",
        )


def show_result(run: EvalRun, prompts: pd.DataFrame) -> None:
    """The scored run: pass rate, counts, a link to it, and its responses with explanations."""
    runs = runs_frame([run], data.evals)
    scored = responses_frame({run.eval_run_uuid: run.responses or []}, runs, prompts)
    counts = verdict_counts(scored)
    pass_rate = runs["pass_rate"].iloc[0]
    st.success(f"Scored: run **{uploads.escape_markdown(run.name or run.eval_run_uuid)}**.")
    link_params = {"run": run.eval_run_uuid}
    if ctx.workspace:
        link_params[shell.WORKSPACE_PARAM] = ctx.workspace
    st.page_link(
        "pages/runs.py",
        label="Open this run on the Runs page",
        icon=":material/open_in_new:",
        query_params=link_params,
    )
    if run.status != FINISHED or scored.empty:
        st.info(
            f"The run is {uploads.escape_markdown(run.status)}: scoring can take a few minutes. "
            "Open it on the Runs page and press Refresh later to see its verdicts."
        )
        return
    tiles(
        [
            ("Pass rate", pct(counts["pass_rate"] if pd.isna(pass_rate) else pass_rate), None),
            ("Passed", f"{counts['passed']:,}", None),
            ("Failed", f"{counts['failed']:,}", None),
            ("Not scored", f"{counts['not_scored']:,}", "Excluded from scoring"),
            ("Refused", f"{counts['refused']:,}", "Responses where the AI refused"),
        ]
    )
    order = scored["verdict"].astype(str).map({FAILED: 0, PASSED: 1}).fillna(2)
    listed = scored.assign(_order=order).sort_values(["_order", "confidence"], kind="stable")
    event = tables.table(
        listed,
        {
            "verdict": tables.text("Verdict", "small"),
            "prompt_content": tables.text("Prompt", "medium"),
            "response_text": tables.text("Response", "medium"),
            "confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
            "explanation": tables.text("Explanation", "large"),
        },
        key="score_result_table",
        select=True,
        height=320,
    )
    row = tables.selected_row(event, listed)
    if row is None:
        st.caption("The card shows the first response; choose a row to see another.")
        row = listed.iloc[0]
    response_card(row, key=f"score_{run.eval_run_uuid[:8]}")


ctx = shell.current()
st.title("Score responses")
st.caption(
    "Ran your AI offline? Upload its responses to an eval's prompts: Aymara scores them as a "
    "new run that appears next to your others."
)
shell.demo_note(ctx)
data = shell.aymara_data(ctx)
if data is None:
    st.stop()

# 1. The eval ---------------------------------------------------------------------------------
prompt_counts = data.prompts.groupby("eval_uuid", observed=True).size()
evals = data.evals[data.evals["eval_uuid"].isin(prompt_counts.index)]
if evals.empty:
    st.info("No eval in this workspace has prompts yet. Create an eval, wait until it is finished.")
    st.stop()
names = dict(zip(evals["eval_uuid"], evals["eval_name"], strict=True))
st.subheader("1. Choose the eval your AI answered")
eval_uuid = st.selectbox(
    "Eval",
    list(names),
    index=None,
    format_func=lambda u: f"{names[u]} · {int(prompt_counts[u])} prompts",
    placeholder="Choose an eval",
    key=EVAL_KEY,
)
hidden = len(data.evals) - len(evals)
if hidden:
    st.caption(f"{hidden} eval(s) without prompts (not finished yet) are not listed.")
if eval_uuid is None:
    st.stop()
the_eval = evals[evals["eval_uuid"] == eval_uuid].iloc[0]
eval_name = str(the_eval["eval_name"])
prompts = data.prompts[data.prompts["eval_uuid"] == eval_uuid]
modality = the_eval["modality"] if isinstance(the_eval["modality"], str) else "text"

left, right = st.columns(2)
stem = uploads.file_slug(eval_name)
left.download_button(
    "Download the CSV template",
    uploads.template_csv(prompts, modality),
    file_name=f"{stem}-responses.csv",
    mime="text/csv",
    icon=":material/download:",
    width="stretch",
)
right.download_button(
    "Download the JSONL template",
    uploads.template_jsonl(prompts, modality),
    file_name=f"{stem}-responses.jsonl",
    mime="application/jsonl",
    icon=":material/download:",
    width="stretch",
)
st.caption(
    f"One row per prompt ({len(prompts):,}). Fill in **content** with your AI's response. "
    "Optional: content_type (text, image, video; for image and video the content is the "
    "file_uuid of a file uploaded to Aymara), ai_refused, exclude_from_scoring and "
    "continue_thread (true/false), thread_uuid and turn_number (multi-turn). The prompt column "
    "is there for you and is ignored on upload."
)

# 2. The file ---------------------------------------------------------------------------------
st.subheader("2. Upload the responses")
uploaded = st.file_uploader(
    "Responses (CSV or JSONL)",
    type=["csv", "jsonl", "ndjson", "json", "txt", "tsv", "xlsx", "xls"],
    max_upload_size=uploads.MAX_MB,
    key="score_file",
    help=f"Up to {uploads.MAX_MB} MB and {uploads.MAX_ROWS:,} responses per file, UTF-8.",
)
st.caption(
    f"Up to {uploads.MAX_MB} MB and {uploads.MAX_ROWS:,} rows, UTF-8 (a BOM is fine). Every "
    "row is checked before anything is sent."
)
if uploaded is None:
    st.stop()
memo_key = (uploaded.file_id, eval_uuid)
memo = st.session_state.get(PARSED)
if memo is None or memo[0] != memo_key:
    parsed = uploads.parse_responses(
        uploaded.getvalue(), uploaded.name, set(prompts["prompt_uuid"]), eval_name
    )
    st.session_state[PARSED] = (memo_key, parsed)
else:
    parsed = memo[1]
for note in parsed.notes:
    st.info(uploads.escape_markdown(note), icon=":material/info:")
if parsed.problems:
    more = f" (and {parsed.more_problems:,} more)" if parsed.more_problems else ""
    st.error(
        f"**{len(parsed.problems):,} problem(s){more} in {uploads.escape_markdown(uploaded.name)}"
        "; nothing will be sent until the file is clean.** Fix each row below and upload the "
        "file again.",
        icon=":material/error:",
    )
    problem_table(parsed.problems)
    st.caption(uploads.ROW_CONVENTION)
    st.stop()

# 3. Preview and options ----------------------------------------------------------------------
st.subheader(f"3. Check what will be sent: {len(parsed.responses):,} responses")
prompt_texts = dict(zip(prompts["prompt_uuid"], prompts["prompt_content"], strict=True))
st.dataframe(
    uploads.preview_frame(parsed, prompt_texts),
    hide_index=True,
    width="stretch",
    height=280,
    column_config={
        "row": st.column_config.NumberColumn("Row", width="small"),
        "prompt_uuid": tables.short_id("Prompt id"),
        "prompt": tables.text("Prompt", "medium"),
        "content": tables.text("Response", "large"),
        "content_type": tables.text("Type", "small"),
        "ai_refused": st.column_config.CheckboxColumn("Refused"),
        "exclude_from_scoring": st.column_config.CheckboxColumn("Excluded"),
        "thread_uuid": tables.short_id("Thread"),
        "turn_number": st.column_config.NumberColumn("Turn", width="small"),
        "continue_thread": st.column_config.CheckboxColumn("Continue"),
    },
    key="score_preview",
)
st.caption(uploads.ROW_CONVENTION)

with st.expander("Pass/fail examples for the judge (optional)"):
    st.caption("A few responses you consider a pass or a fail help the judge apply your policy.")
    edited = st.data_editor(
        pd.DataFrame({c: pd.Series(dtype="str") for c in uploads.EXAMPLE_COLUMNS}),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="score_examples",
        column_config={
            "type": st.column_config.SelectboxColumn("Type", options=list(uploads.EXAMPLE_TYPES)),
            "prompt": st.column_config.TextColumn("Prompt"),
            "response": st.column_config.TextColumn("Response"),
            "explanation": st.column_config.TextColumn("Why (optional)"),
        },
    )
    examples, example_problems = uploads.parse_examples(edited.to_dict("records"))
    if example_problems:
        st.error("Fix the examples before sending:", icon=":material/error:")
        problem_table(example_problems)

default_name = uploads.default_run_name(eval_name, datetime.now(UTC).date())
name = st.text_input("Run name", value=default_name, max_chars=200, key=f"score_name_{eval_uuid}")
sandbox = st.toggle("Sandbox mode", value=True, key="score_sandbox")
st.caption(SANDBOX_SENTENCE)

# 4. Send once --------------------------------------------------------------------------------
st.subheader("4. Send it to be scored")
request = uploads.build_request(eval_uuid, parsed, name or default_name, examples)
workspace = the_eval["workspace_uuid"] if isinstance(the_eval["workspace_uuid"], str) else None
workspace = workspace or ctx.workspace
key = uploads.payload_key(request, workspace, sandbox)
same_responses = uploads.responses_key(request)
submissions: dict[str, dict[str, Any]] = st.session_state.setdefault(SUBMISSIONS, {})
record = submissions.get(key)
earlier = [r for k, r in submissions.items() if k != key and r["responses_key"] == same_responses]
if earlier and record is None:
    st.warning(
        "These responses were already sent in this session as run "
        f"{uploads.escape_markdown(earlier[-1]['name'])}. Sending them again creates another run.",
        icon=":material/content_copy:",
    )
st.button(
    f"Score {len(request.responses):,} responses"
    if record is None
    else SENT_LABELS[record["state"]],
    type="primary",
    icon=":material/send:",
    disabled=record is not None or bool(example_problems),
    on_click=claim,
    args=(key, request.name or default_name, same_responses),
    key="score_submit",
)
record = submissions.get(key)
if record is None:
    st.stop()
if record["state"] == "pending":
    send(record, request, workspace, sandbox)
    st.rerun()  # draw the page again from the record: the button's label, then the outcome
if record["state"] == "done":
    show_result(record["run"], prompts)
else:
    show_failure(record, key)
