"""The Score page's upload steps: templates, the checked file, its problems, the preview."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from client.aymara_models import EvalRunExample
from components import tables
from jobs.sizes import release_freed_memory
from reporting.text import escape_markdown
from reporting.uploads import grouping, parse, request, templates, validate

PARSED = "_score_parsed"  # (file id, eval uuid) -> ParsedUpload, so reruns do not re-parse
SHOWN_PROBLEMS = 100  # more are offered as a download
RELEASE_AFTER_BYTES = 1_000_000  # an upload this big hands its freed memory back once parsed
PREVIEW_COLUMNS = {
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
}


def template_downloads(prompts: pd.DataFrame, eval_name: str, modality: str) -> None:
    """The CSV and JSONL templates side by side, one row per prompt."""
    stem = templates.file_slug(eval_name)
    downloads = (
        ("CSV", templates.template_csv(prompts, modality), "csv", "text/csv"),
        ("JSONL", templates.template_jsonl(prompts, modality), "jsonl", "application/jsonl"),
    )
    for column, (label, body, extension, mime) in zip(st.columns(2), downloads, strict=True):
        column.download_button(
            f"Download the {label} template",
            body,
            file_name=f"{stem}-responses.{extension}",
            mime=mime,
            icon=":material/download:",
            width="stretch",
        )


def checked_upload(
    uploaded: Any, widget_value: Any, eval_uuid: str, prompts: pd.DataFrame, eval_name: str,
    session: MutableMapping[str, Any],
) -> tuple[str, validate.ParsedUpload] | None:  # fmt: skip
    """The file's name and its rows parsed and checked, once per file and eval (reruns reuse it).

    The uploaded bytes are released from the server's memory as soon as they are parsed; a
    rerun finds the same file (its id still in the widget) in the memo. None: no file, or a
    released file checked against another eval (it must be uploaded again).
    """
    memo = session.get(PARSED)
    if uploaded is None:
        file_id = getattr(widget_value, "file_id", None)  # a released file reads as DeletedFile
        if memo is not None and file_id is not None and memo[0] == (file_id, eval_uuid):
            return memo[2], memo[1]
        if file_id is not None:
            st.info("Upload the file again to check it against this eval.", icon=":material/info:")
        return None
    memo_key = (uploaded.file_id, eval_uuid)
    if memo is not None and memo[0] == memo_key:
        return memo[2], memo[1]
    parsed = parse.parse_responses(
        uploaded.getvalue(), uploaded.name, set(prompts["prompt_uuid"]), eval_name
    )
    session[PARSED] = (memo_key, parsed, uploaded.name)
    release_uploads()
    if uploaded.size > RELEASE_AFTER_BYTES:
        # The bytes (and the upload request's buffers) are freed, but glibc keeps the pages:
        # without this the server held ~120 MB more after a round of 20 MB uploads.
        release_freed_memory()
    return uploaded.name, parsed


def release_uploads() -> None:
    """Drop this session's uploaded bytes from Streamlit's memory (parsed rows are kept).

    Streamlit keeps every upload until the session ends, minutes after its tab closed; a
    parsed or refused file is not needed again, and neither is anything posted beside it.
    """
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.uploaded_file_mgr.remove_session_files(ctx.session_id)


def problem_table(problems: Sequence[validate.Problem], of: int = 0) -> None:
    """Problems as a table whose text wraps (and is escaped: st.table renders markdown).

    The same problem on many rows is one line with its row ranges (`of`: rows checked, so a
    problem on every row says "all"); the download keeps one line per row.
    """
    groups = grouping.group_problems(problems, of)
    shown = templates.problems_frame(groups[:SHOWN_PROBLEMS]).map(escape_markdown)
    shown = shown.rename(columns={"column": "Column", "problem": "What to fix"})
    st.table(shown.set_index("where").rename_axis(None), border="horizontal")
    if len(groups) < len(problems) or len(groups) > SHOWN_PROBLEMS:
        first = f"the first {SHOWN_PROBLEMS} " if len(groups) > SHOWN_PROBLEMS else ""
        st.caption(
            f"{len(problems):,} problems, {first}grouped by kind above; download them row by row:"
        )
        st.download_button(
            "Download every problem (CSV)",
            templates.problems_frame(problems).to_csv(index=False).encode("utf-8-sig"),
            file_name="problems.csv",
            mime="text/csv",
            icon=":material/download:",
        )


def preview(parsed: validate.ParsedUpload, prompts: pd.DataFrame) -> None:
    """What will be sent, one row per response, with the prompt text alongside."""
    prompt_texts = dict(zip(prompts["prompt_uuid"], prompts["prompt_content"], strict=True))
    st.dataframe(
        templates.preview_frame(parsed, prompt_texts),
        hide_index=True,
        width="stretch",
        height=280,
        column_config=PREVIEW_COLUMNS,
        key="score_preview",
    )


def examples_editor() -> tuple[list[EvalRunExample], bool]:
    """Optional pass/fail examples for the judge; the examples, and whether any row is wrong."""
    with st.expander("Pass/fail examples for the judge (optional)"):
        st.caption(
            "A few responses you consider a pass or a fail help the judge apply your policy."
        )
        edited = st.data_editor(
            pd.DataFrame({c: pd.Series(dtype="str") for c in validate.EXAMPLE_COLUMNS}),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key="score_examples",
            column_config={
                "type": st.column_config.SelectboxColumn(
                    "Type", options=list(validate.EXAMPLE_TYPES)
                ),
                "prompt": st.column_config.TextColumn("Prompt"),
                "response": st.column_config.TextColumn("Response"),
                "explanation": st.column_config.TextColumn("Why (optional)"),
            },
        )
        examples, problems = request.parse_examples(edited.to_dict("records"))
        if problems:
            st.error("Fix the examples before sending:", icon=":material/error:")
            problem_table(problems)
    return examples, bool(problems)
