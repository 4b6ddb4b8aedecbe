"""Score responses: upload an AI's offline answers to an eval and see the scored run."""

from datetime import UTC, datetime

import streamlit as st

from components import cache, review, score_upload, shell
from components.score_advice import ROW_CONVENTION, SANDBOX_SENTENCE, TEMPLATE_HELP
from components.score_send import ScoreSubmission, show_result
from reporting.text import escape_markdown, plural
from reporting.uploads import request, validate

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
write_blocked = review.write_block()  # scoring writes with the shared key, like a review
if write_blocked is not None:
    st.warning(f"Sending is turned off for you. {write_blocked}", icon=":material/lock:")

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
    format_func=lambda u: f"{names[u]} · {plural(int(prompt_counts[u]), 'prompt')}",
    placeholder="Choose an eval",
    key="score_eval",
)
hidden = len(data.evals) - len(evals)
if hidden:
    st.caption(
        f"{plural(hidden, 'eval')} without prompts (not finished yet) "
        f"{'is' if hidden == 1 else 'are'} not listed."
    )
if eval_uuid is None:
    st.stop()
the_eval = evals[evals["eval_uuid"] == eval_uuid].iloc[0]
eval_name = str(the_eval["eval_name"])
prompts = data.prompts[data.prompts["eval_uuid"] == eval_uuid]
modality = the_eval["modality"] if isinstance(the_eval["modality"], str) else "text"
score_upload.template_downloads(prompts, eval_name, modality)
st.caption(f"One row per prompt ({len(prompts):,}). {TEMPLATE_HELP}")

# 2. The file ---------------------------------------------------------------------------------
st.subheader("2. Upload the responses")
limits = f"Up to {validate.MAX_MB} MB and {validate.MAX_ROWS:,} responses per file, UTF-8"
uploaded = st.file_uploader(
    "Responses (CSV or JSONL)",
    type=["csv", "jsonl", "ndjson", "json", "txt", "tsv", "xlsx", "xls"],
    max_upload_size=validate.MAX_MB,
    key="score_file",
    help=f"{limits}.",
)
st.caption(f"{limits} (a BOM is fine). Every row is checked before anything is sent.")
checked = score_upload.checked_upload(
    uploaded, st.session_state.get("score_file"), eval_uuid, prompts, eval_name, st.session_state
)
if checked is None:
    st.stop()
file_name, parsed = checked
for note in parsed.notes:
    st.info(escape_markdown(note), icon=":material/info:")
if parsed.problems:
    more = f" (and {parsed.more_problems:,} more)" if parsed.more_problems else ""
    st.error(
        f"**{plural(len(parsed.problems), 'problem')}{more} in {escape_markdown(file_name)}"
        "; nothing will be sent until the file is clean.** Fix each row below and upload the "
        "file again.",
        icon=":material/error:",
    )
    score_upload.problem_table(parsed.problems, parsed.checked)
    st.caption(ROW_CONVENTION)
    st.stop()

# 3. Preview and options ----------------------------------------------------------------------
st.subheader(f"3. Check what will be sent: {len(parsed.responses):,} responses")
score_upload.preview(parsed, prompts)
st.caption(ROW_CONVENTION)
examples, examples_wrong = score_upload.examples_editor()
default_name = request.default_run_name(eval_name, datetime.now(UTC).date())
name = st.text_input("Run name", value=default_name, max_chars=200, key=f"score_name_{eval_uuid}")
sandbox = st.toggle("Sandbox mode", value=True, key="score_sandbox")
st.caption(SANDBOX_SENTENCE)

# 4. Send once --------------------------------------------------------------------------------
st.subheader("4. Send it to be scored")
source = ctx.source("aymara")
assert source is not None  # aymara_data returned data, so the account is there
workspace = the_eval["workspace_uuid"] if isinstance(the_eval["workspace_uuid"], str) else None
submission = ScoreSubmission(
    client=cache.aymara_client(source),
    request=request.build_request(eval_uuid, parsed, name or default_name, examples),
    workspace=workspace or ctx.aymara_workspace,
    sandbox=sandbox,
    session=st.session_state,
    default_name=default_name,
    on_scored=lambda: cache.refresh(source, force=False),  # every listing shows the new run
)
submission.button(blocked=examples_wrong or write_blocked is not None)
record = submission.advance()
if record is None:
    st.stop()
if record["state"] == "done":
    show_result(record["run"], data.evals, prompts, ctx.link_workspace)
else:
    submission.show_failure()
