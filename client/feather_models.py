"""Pydantic models of Feather v1 evals, lenient like the API: extra fields ignored, enums text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Statuses, outcomes and severities stay strings: a value the API adds tomorrow is data to
# show, not a crash. These constants name the values the contract documents today.
PENDING = "pending"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
ERRORED = "errored"
RUN_STATUSES = (PENDING, RUNNING, COMPLETED, FAILED, ERRORED)

OUTCOME_PASSED = "passed"
OUTCOME_FAILED = "failed"
OUTCOME_NO_VERDICT = "no_verdict"
OUTCOME_ERRORED = "errored"
OUTCOME_PENDING = "pending"  # not a server-side `outcome` filter value: runs not finished yet
OUTCOMES = (OUTCOME_PASSED, OUTCOME_FAILED, OUTCOME_NO_VERDICT, OUTCOME_ERRORED)

SCOPES = ("live", "simulation", "test")
SEVERITIES = ("info", "low", "medium", "high", "critical")
CHANNELS = ("chat", "sms", "voice", "email")


class Lenient(BaseModel):
    """Base model: extra fields ignored, fields populated by name."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class EvalScore(Lenient):
    """One score of a run: a normalised value and/or a pass/fail verdict with its rationale."""

    id: str
    organization_id: str
    eval_run_id: str
    blocking: bool
    created_at: dt.datetime
    value: float | None = None
    raw_value: float | None = None
    label: str | None = None
    passed: bool | None = None
    confidence: float | None = None
    rationale: str | None = None
    severity: str | None = None
    evidence_observation_ids: list[str] = Field(default_factory=list)


class EvalRun(Lenient):
    """One evaluator run over one session (conversation), with its scores."""

    id: str
    organization_id: str
    session_id: str
    evaluator_id: str
    status: str
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error_text: str | None = None
    prompt_snapshot: str | None = None
    threshold_snapshot: float | None = None
    # Documented as non-null, but a run without them is still worth showing.
    severity_snapshot: str | None = None
    format_snapshot: str | None = None
    agent_id: str | None = None  # null on legacy rows
    channel: str | None = None
    session_type: str | None = None  # v1.90; what the `scope` filter matches
    config_snapshot: dict[str, Any] = Field(default_factory=dict)
    is_critical_snapshot: bool = False
    scores: list[EvalScore] = Field(default_factory=list)


class ConversationSummary(Lenient):
    """The session (conversation) a run evaluated, as embedded in a run's detail."""

    id: str
    channel: str | None = None
    session_type: str | None = None
    status: str | None = None
    assistant_id: str | None = None
    assistant_revision_id: str | None = None
    subject: str | None = None
    created_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None


class Turn(Lenient):
    """One turn of the evaluated conversation."""

    id: str
    seq: int | None = None
    role: str | None = None
    content: str | None = None
    tool_calls: list[Any] | dict[str, Any] | None = None
    tool_call_id: str | None = None
    authored_by: str | None = None
    created_at: dt.datetime | None = None


class Recording(Lenient):
    """Metadata of a voice session's recording; the API gives no URL to it."""

    id: str
    kind: str | None = None
    status: str | None = None
    duration_ms: int | None = None
    manifest_key: str | None = None
    started_at: dt.datetime | None = None
    finalized_at: dt.datetime | None = None


class EvalRunDetail(EvalRun):
    """A run with what `include=` asked for: the session, its turns and the recording."""

    session: ConversationSummary | None = None
    turns: list[Turn] | None = None
    turns_truncated: bool = False
    recording: Recording | None = None


class Evaluator(Lenient):
    """A reusable check bound to assistants or scenarios; runs snapshot its config."""

    id: str
    name: str
    kind: str
    format: str
    status: str
    severity: str
    created_at: dt.datetime
    updated_at: dt.datetime
    organization_id: str | None = None
    description: str | None = None
    owner: str | None = None
    prompt: str | None = None
    threshold: float | None = None
    judge_model_override: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    created_by: str | None = None


class Assistant(Lenient):
    """An AI assistant (formerly "agent"); runs refer to it as `agent_id`."""

    id: str
    name: str | None = None
    description: str | None = None
    status: str | None = None
    organization_id: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class ActivityBucket(Lenient):
    """Counts of runs created on one UTC day."""

    date: dt.date
    total: int = 0
    failed: int = 0
    errored: int = 0


class Activity(Lenient):
    """Runs per UTC day over a window, every day present (zero days included)."""

    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    buckets: list[ActivityBucket] = Field(default_factory=list)
    # Set by the client when the server has no activity endpoint and the listing was counted.
    computed_locally: bool = False
    skipped: list[str] = Field(default_factory=list)  # runs that could not be read and counted


def run_outcome(run: EvalRun) -> str:
    """A run's outcome as the API's `outcome` filter defines it, or `pending` while it runs.

    completed with every score passed (at least one) -> passed; completed with any failing
    score -> failed; completed without a pass/fail signal -> no_verdict; failed/errored ->
    errored; pending/running -> pending; an unknown status is returned as it is.
    """
    status = run.status.strip().lower()
    if status in (FAILED, ERRORED):
        return OUTCOME_ERRORED
    if status in (PENDING, RUNNING):
        return OUTCOME_PENDING
    if status != COMPLETED:
        return run.status
    verdicts = [score.passed for score in run.scores]
    if any(passed is False for passed in verdicts):
        return OUTCOME_FAILED
    if verdicts and all(passed is True for passed in verdicts):
        return OUTCOME_PASSED
    # No scores, or only null verdicts (numeric/enum/info checks), or a mix of true and null.
    return OUTCOME_NO_VERDICT
