"""Feather building blocks: the filter panel, loading with progress, a failure card, a run."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from client.feather import MAX_ACTIVITY_DAYS, RunFilters
from client.feather_models import CHANNELS, OUTCOMES, RUN_STATUSES, SCOPES, SEVERITIES
from components import feather_loaders, tables
from components.connection import Source
from components.errors import show_error, show_problems
from components.feather_loaders import FeatherCatalog, FeatherRuns
from components.response_card import untrusted_text
from reporting import vocabulary as vocab
from reporting.feather.aggregates import default_window
from reporting.feather.tables import NO_ASSISTANT, run_row, run_scores_table
from reporting.text import escape_markdown
from reporting.vocabulary import DECISIVE, DECISIVE_HELP, words

ANY = "Any"
RUN_PARAM = "feather_run"
EARLIEST_DAYS = 730  # how far back the date picker reaches
# A binding marked is_critical is a "decisive check"; "critical" on screen means severity only.
CRITICAL_CHOICES = {ANY: None, "Decisive only": True, "Not decisive": False}
# The filters the activity endpoint also takes; any other one means counting the listing.
ACTIVITY_FILTERS = frozenset(
    ("created_from", "created_to", "scope", "channel", "evaluator_id", "agent_id")
)
ROLE_AVATARS = {
    "tool": ":material/build:",
    "system": ":material/settings:",
    "other": ":material/help:",
}


@dataclass(frozen=True)
class Chosen:
    """What the filter panel asks for: the API's filters and the window's days."""

    filters: RunFilters
    first_day: dt.date
    last_day: dt.date

    @property
    def activity_fits(self) -> bool:
        """Whether the activity endpoint can count runs for exactly these filters."""
        used = set(self.filters.to_params())
        days = (self.last_day - self.first_day).days + 1
        return used <= ACTIVITY_FILTERS and days <= MAX_ACTIVITY_DAYS


def anchor_day(demo: bool, source: Source, workspace: str | None) -> dt.date:
    """Today (UTC); for demo data that stops earlier, the day of its newest run."""
    today = dt.datetime.now(dt.UTC).date()
    if not demo:
        return today
    newest = feather_loaders.newest_run_day(source, workspace)
    return min(today, newest) if newest else today


def _pick(
    container: Any, label: str, options: list[str], key: str, names: dict[str, str] | None = None
) -> str | None:
    """A one-of-many filter with "Any" first; the URL holds the API value, shown in words.

    Not bound with bind="query-params": a bound selectbox writes and reads its shown label, so
    a link naming the API's own value (`?outcome=failed`) would be ignored.
    """
    shown = {ANY: ANY, **(names or {o: words(o) for o in options})}
    choices = [ANY, *options]
    wanted = st.query_params.get(key)
    by_label = {label_: option for option, label_ in shown.items()}
    current = wanted if wanted in choices else by_label.get(wanted, ANY)
    value = container.selectbox(
        label, choices, index=choices.index(current), format_func=shown.get, key=key
    )
    if value in (None, ANY):
        st.query_params.pop(key, None)
        return None
    st.query_params[key] = value
    return value


def _day_range(container: Any, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The created-between days; a half-chosen range counts as that one day."""
    picked = container.date_input(
        "Created between (UTC)",
        (start, end),
        min_value=end - dt.timedelta(days=EARLIEST_DAYS),
        max_value=end,
        key="created",
        bind="query-params",
        help="Whole UTC days, both ends included. Default: the last 30 days.",
    )
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return start, end
    return picked, picked


def filter_panel(catalog: FeatherCatalog, today: dt.date) -> Chosen | None:
    """Every filter of the eval-run listing, bound to the URL; None when they contradict."""
    start, end = default_window(today)
    evaluators = sorted(catalog.evaluator_names, key=lambda i: catalog.evaluator_names[i].lower())
    assistants = sorted(catalog.assistant_names, key=lambda i: catalog.assistant_names[i].lower())
    with st.container(border=True):
        c1, c2, c3, c4 = st.columns(4)
        first_day, last_day = _day_range(c1, start, end)
        outcome = _pick(c2, "Outcome", list(OUTCOMES), "outcome")
        severity = _pick(c3, "Severity", list(SEVERITIES), "severity")
        critical = c4.selectbox(
            DECISIVE,
            list(CRITICAL_CHOICES),
            key="critical",
            bind="query-params",
            help=DECISIVE_HELP,
        )
        c5, c6, c7, c8 = st.columns(4)
        evaluator = _pick(c5, "Evaluator", evaluators, "evaluator", catalog.evaluator_names)
        assistant = _pick(c6, "Assistant", assistants, "assistant", catalog.assistant_names)
        channel = _pick(c7, "Channel", list(CHANNELS), "channel")
        scope = _pick(c8, "Scope", list(SCOPES), "scope")
        c9, c10, c11, c12 = st.columns(4)
        status = _pick(c9, "Status", list(RUN_STATUSES), "status")
        low, high = c10.slider(
            "Score between",
            0.0,
            1.0,
            (0.0, 1.0),
            step=0.05,
            key="score",
            bind="query-params",
            help="Runs with a 0–1 score in this range. Numeric checks (raw values such as "
            "latency) never match a score range.",
        )
        session = c11.text_input(
            "Conversation (session) id", key="session", bind="query-params", max_chars=64
        ).strip()
        text = c12.text_input(
            "Search",
            key="q",
            bind="query-params",
            max_chars=255,
            placeholder="Assistant or evaluator name, or an id",
        ).strip()
    if session and not _is_uuid(session):
        st.warning("The conversation id is not a uuid, so it is not used as a filter.")
        session = ""
    scored = (low, high) != (0.0, 1.0)
    try:
        filters = RunFilters(
            session_id=session or None,
            evaluator_id=evaluator,
            agent_id=assistant,
            status=status,
            scope=scope,
            outcome=outcome,
            severity=severity,
            score_min=float(low) if scored else None,
            score_max=float(high) if scored else None,
            channel=channel,
            created_from=first_day,
            created_to=last_day,  # a date: the API includes that whole day
            is_critical=CRITICAL_CHOICES.get(critical or ANY),
            q=text or None,
        )
    except ValueError as exc:
        st.warning(f"These filters cannot be combined: {escape_markdown(str(exc))}.")
        return None
    return Chosen(filters, first_day, last_day)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def load_runs(
    source: Source, chosen: Chosen, workspace: str | None, expected: int | None
) -> FeatherRuns | None:
    """Load the runs with a progress bar (runs fetched so far); show errors; None on failure."""
    bar = st.empty()

    def progress(runs: int, pages: int) -> None:
        if expected:
            text = f"Loading eval runs: {runs:,} of {expected:,} fetched ({pages:,} pages)"
            bar.progress(min(1.0, runs / expected), text=text)
        else:  # a cursor listing has no total: the bar creeps on while the count is exact
            text = f"Loading eval runs: {runs:,} fetched so far ({pages:,} pages)"
            bar.progress(min(0.95, pages / (pages + 4)), text=text)

    data = feather_loaders.load_runs(source, chosen.filters, workspace, progress)
    bar.empty()
    if data.fatal is not None:
        show_error(data.fatal, what="The eval runs could not be loaded")
        return None
    show_problems(data.problems)
    return data


def failure_card(row: pd.Series | None) -> None:
    """The newest failure of a decisive check, its rationale in plain text."""
    with st.container(border=True):
        if row is None:
            st.success("No decisive check failed in this window.", icon=":material/check_circle:")
            return
        channel = "no channel" if not row["channel"] else words(row["channel"], vocab.CHANNELS)
        st.text(f"{row['evaluator_name']} · {row['assistant_name']} · {channel}")
        st.text(
            f"{row['created_at']:%Y-%m-%d %H:%M} UTC · "
            f"{words(row['triage_severity'], vocab.SEVERITIES).lower()} severity"
            + (" · blocking" if row["blocking_failure"] else "")
        )
        untrusted_text("Rationale", row["rationale"], key=f"latest_{str(row['run_id'])[:8]}")
        if st.button("Open this run", icon=":material/open_in_new:", key="open_latest_critical"):
            st.query_params[RUN_PARAM] = str(row["run_id"])


TRIAGE_COLUMNS: dict[str, Any] = {
    "evaluator_name": tables.text("Evaluator", 210, pinned=True),
    "triage_severity": tables.text("Severity", 85),
    "assistant_name": st.column_config.TextColumn("Assistant", width=150),
    "channel": st.column_config.TextColumn("Channel", width=75),
    "created_at": tables.when("Created"),
    # Last, so the long text has the rest of the width; the run's detail shows it whole.
    "rationale": tables.text("Rationale of the failing score", 270),
}


RUNS_COLUMNS: dict[str, Any] = {
    "evaluator_name": tables.text("Evaluator", 190, pinned=True),
    "outcome": tables.verdict("Outcome", 105),
    "created_at": tables.when("Created"),
    "assistant_name": tables.text("Assistant", 130),
    "severity": tables.text("Severity", 85),
    "is_critical": st.column_config.CheckboxColumn("Decisive", width=85, help=DECISIVE_HELP),
    "channel": tables.text("Channel", 75),
    "value": st.column_config.NumberColumn("Lowest score", format="%.2f", width=115),
    # the rationale, the error and the run's id are in the run's detail
}


def run_detail(source: Source, run_id: str, catalog: FeatherCatalog, workspace: str | None) -> None:
    """One run: what it checked, its scores with rationales, and the conversation's turns."""
    with st.spinner("Loading the run and its conversation…"):
        result = feather_loaders.load_run(source, run_id, workspace)
    if result.error is not None or result.run is None:
        if result.error is not None:
            show_error(result.error, what="This eval run could not be loaded")
        return
    run = result.run
    _facts(run, run_row(run), catalog)
    if run.error_text:
        st.error(
            "The check itself did not complete. The API's error text:", icon=":material/error:"
        )
        st.text(run.error_text)
    st.markdown("**Scores**")
    if not run.scores:
        st.info("This run has no scores.")
    else:
        tables.table(
            run_scores_table(run.scores),
            {
                "verdict": tables.verdict(),
                "value": st.column_config.NumberColumn("Value", format="%.2f", width=80),
                "raw_value": st.column_config.NumberColumn("Raw value", format="%.6g", width=100),
                "label": tables.text("Label", 110),
                "confidence": tables.confidence(),
                "severity": tables.text("Severity", 85),
                "blocking": st.column_config.CheckboxColumn("Blocking", width=85),
            },  # each score's rationale is listed in full below
            key=f"scores_{run.id[:8]}",
        )
    reasons_col, talk_col = st.columns([2, 3])
    with reasons_col:
        st.markdown("**Rationales**")
        for number, score in enumerate(run.scores, start=1):
            verdict = {True: "passed", False: "failed"}.get(score.passed, "no verdict")
            verdict = words(verdict, vocab.VERDICTS).lower()
            untrusted_text(
                f"Score {number}: {verdict}",
                score.rationale,
                key=f"rationale_{run.id[:8]}_{number}",
            )
    with talk_col:
        st.markdown("**Conversation**")
        _transcript(run)


def _facts(run: Any, row: dict[str, Any], catalog: FeatherCatalog) -> None:
    """The run's facts as a grid: fixed labels as captions, API values as plain text."""
    agent = run.agent_id
    threshold = run.threshold_snapshot
    facts = [
        ("Evaluator", catalog.evaluator_names.get(run.evaluator_id) or run.evaluator_id),
        ("Assistant", catalog.assistant_names.get(agent) or agent or NO_ASSISTANT),
        ("Outcome", words(row["outcome"], vocab.VERDICTS)),
        ("Status", words(run.status, vocab.STATUSES)),
        (DECISIVE, "Yes" if run.is_critical_snapshot else "No"),
        ("Severity (snapshot)", words(run.severity_snapshot, vocab.SEVERITIES)),
        ("Threshold (snapshot)", None if threshold is None else f"{threshold:g}"),
        ("Format (snapshot)", words(run.format_snapshot, vocab.FORMATS)),
        ("Channel", None if not run.channel else words(run.channel, vocab.CHANNELS)),
        ("Scope", None if not run.session_type else words(run.session_type, vocab.SCOPES)),
        ("Created", f"{run.created_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("Finished", f"{run.finished_at:%Y-%m-%d %H:%M:%S} UTC" if run.finished_at else None),
        ("Conversation (session) id", run.session_id),
        ("Run id", run.id),
        ("Evaluator id", run.evaluator_id),
    ]
    with st.container(border=True):
        for start in range(0, len(facts), 5):
            for column, (label, value) in zip(
                st.columns(5), facts[start : start + 5], strict=False
            ):
                column.caption(label)
                column.text("—" if value is None else str(value))


def _transcript(run: Any) -> None:
    """The session's turns as chat messages holding plain text."""
    session = run.session
    if session is not None:
        bits = [session.channel, session.session_type, session.status]
        st.text(" · ".join(words(b) for b in bits if b))
        if session.subject:
            st.text(session.subject)
    turns = sorted(run.turns or [], key=lambda t: (t.seq is None, t.seq or 0))
    if not turns:
        st.info("The API returned no turns for this conversation.")
        return
    for turn in turns:
        role = (turn.role or "").lower()
        name = role if role in ("user", "assistant", *ROLE_AVATARS) else "other"
        # Only these fixed names reach the avatar: the role itself is API text.
        with st.chat_message(name, avatar=ROLE_AVATARS.get(name)):
            if name == "other":
                st.text(f"Role: {turn.role or 'unknown'}")
            if turn.content:
                st.text(turn.content)
            if turn.tool_calls:
                st.code(json.dumps(turn.tool_calls, indent=2, default=str), language="json")
    if run.turns_truncated:
        st.caption("The API cut this transcript short; later turns are not shown.")
