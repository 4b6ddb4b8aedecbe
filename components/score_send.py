"""Send a score request at most once per session, and show what came of it."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from client.aymara import AymaraClient
from client.aymara_models import EvalRun, ScoreRequest
from client.errors import APIError
from components import shell, tables
from components.errors import show_error
from components.response_card import response_card
from components.score_advice import failure_outcome
from components.tiles import pct, tiles
from reporting.aymara.aggregates import verdict_counts
from reporting.aymara.definitions import SANDBOX_PARAM, sandbox_runs
from reporting.aymara.responses import responses_frame
from reporting.aymara.schema import FAILED, FINISHED, PASSED
from reporting.aymara.tables import runs_frame
from reporting.text import escape_markdown
from reporting.uploads.request import payload_key, responses_key

SUBMISSIONS = "_score_submissions"  # payload hash -> what happened when it was sent
SENT_LABELS = {"pending": "Sending…", "sent": "Sent", "failed": "Sent", "done": "Scored"}


@dataclass
class ScoreSubmission:
    """One payload, sent at most once: its record lives in the session, keyed by its hash."""

    client: AymaraClient
    request: ScoreRequest
    workspace: str | None
    sandbox: bool
    session: MutableMapping[str, Any]  # st.session_state, or a dict in a test
    default_name: str
    on_scored: Callable[[], None] = lambda: None  # e.g. make every listing load the new run
    key: str = field(init=False)
    responses_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = payload_key(self.request, self.workspace, self.sandbox)
        self.responses_key = responses_key(self.request)

    @property
    def records(self) -> dict[str, dict[str, Any]]:
        """Every payload sent in this session."""
        return self.session.setdefault(SUBMISSIONS, {})

    @property
    def record(self) -> dict[str, Any] | None:
        """What happened to this payload, if it was sent."""
        return self.records.get(self.key)

    def earlier_name(self) -> str | None:
        """The run name these same responses were already sent under, if any."""
        earlier = [
            r
            for k, r in self.records.items()
            if k != self.key and r["responses_key"] == self.responses_key
        ]
        return earlier[-1]["name"] if earlier else None

    def claim(self) -> None:
        """The click: record the payload before anything is sent, so it is sent at most once."""
        if self.key not in self.records:
            self.records[self.key] = {
                "state": "pending",
                "name": self.request.name or self.default_name,
                "responses_key": self.responses_key,
            }

    def forget(self) -> None:
        """Let the same payload be sent again, after a person chose to."""
        self.records.pop(self.key, None)

    def send(self) -> None:
        """Send once; the outcome lands in the record before anything else can interrupt."""
        record = self.record
        assert record is not None and record["state"] == "pending"
        record["state"] = "sent"  # set before the request: an interrupted run never resends
        try:
            record["run"] = self.client.score_responses(
                self.request, workspace_uuid=self.workspace, is_sandbox=self.sandbox
            )
            record["state"] = "done"
        except APIError as exc:
            record["error"], record["state"] = exc, "failed"
        if record["state"] == "done":
            self.on_scored()

    def button(self, *, blocked: bool = False) -> None:
        """The send button: its label says what happened; it works once per payload."""
        record = self.record
        earlier = self.earlier_name()
        if earlier is not None and record is None:
            st.warning(
                "These responses were already sent in this session as run "
                f"{escape_markdown(earlier)}. Sending them again creates another run.",
                icon=":material/content_copy:",
            )
        count = len(self.request.responses)
        st.button(
            f"Score {count:,} responses" if record is None else SENT_LABELS[record["state"]],
            type="primary",
            icon=":material/send:",
            disabled=record is not None or blocked,
            on_click=self.claim,
            key="score_submit",
        )

    def advance(self) -> dict[str, Any] | None:
        """Send a claimed payload (then draw the page again from its record); its record."""
        record = self.record
        if record is not None and record["state"] == "pending":
            with st.spinner(f"Scoring {len(self.request.responses):,} responses…"):
                self.send()
            st.rerun()  # the button's label, then the outcome, drawn from the record
        return record

    def show_failure(self) -> None:
        """Say whether the run may exist; offer a deliberate second attempt only when safe."""
        record = self.record
        assert record is not None
        name = record["name"]
        if record["state"] == "sent":  # interrupted after sending, before an answer
            st.warning(
                "The request was sent but this page lost the answer: the run MAY have been "
                f"created. Press Refresh and look for a run named {escape_markdown(name)} on "
                "the Runs page before sending again.",
                icon=":material/help:",
            )
            created = "maybe"
        else:
            outcome = failure_outcome(record["error"], name)
            show_error(record["error"], what=outcome.headline)
            st.info(escape_markdown(outcome.advice), icon=":material/lightbulb:")
            created = outcome.created
        if created == "no":
            st.button("Try again", icon=":material/refresh:", on_click=self.forget)
            return
        checked = st.checkbox(
            "I checked the Runs page and this run is not there", key=f"chk_{self.key}"
        )
        st.button("Allow sending again", disabled=not checked, on_click=self.forget)


def show_result(
    run: EvalRun, evals: pd.DataFrame, prompts: pd.DataFrame, workspace: str | None
) -> None:
    """The scored run: pass rate, counts, a link to it, and its responses with explanations."""
    runs = runs_frame([run], evals)
    scored = responses_frame({run.eval_run_uuid: run.responses or []}, runs, prompts)
    counts = verdict_counts(scored)
    pass_rate = runs["pass_rate"].iloc[0]
    st.success(f"Scored: run **{escape_markdown(run.name or run.eval_run_uuid)}**.")
    link_params = {"run": run.eval_run_uuid}
    if workspace:
        link_params[shell.WORKSPACE_PARAM] = workspace
    sandbox = bool(sandbox_runs(runs, evals).iloc[0])
    if sandbox:  # the Runs page leaves sandbox runs out unless asked: the link asks
        link_params[SANDBOX_PARAM] = "true"
    st.page_link(
        "pages/runs.py",
        label="Open this sandbox run on the Runs page (sandbox runs included)"
        if sandbox
        else "Open this run on the Runs page",
        icon=":material/open_in_new:",
        query_params=link_params,
    )
    if run.status != FINISHED or scored.empty:
        st.info(
            f"The run is {escape_markdown(run.status)}: scoring can take a few minutes. "
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
    row = tables.chosen(event, listed)
    if row is None:
        st.caption("The card shows the first response; choose a row to see another.")
        row = listed.iloc[0]
    response_card(row, key=f"score_{run.eval_run_uuid[:8]}")
