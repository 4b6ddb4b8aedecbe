"""Feather models -> frames: runs, scores and display labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from client.feather_models import Assistant, EvalRun, Evaluator, run_outcome
from reporting.palette import SEVERITY_COLORS

PASSED, FAILED, NO_VERDICT, ERRORED, PENDING = (
    "passed",
    "failed",
    "no_verdict",
    "errored",
    "pending",
)
OUTCOME_ORDER: tuple[str, ...] = (PASSED, FAILED, NO_VERDICT, ERRORED, PENDING)
# The activity endpoint counts only failed and errored per day; the rest stays one number.
OTHER = "other"
OUTCOME_LABELS: dict[str, str] = {
    PASSED: "Passed",
    FAILED: "Failed",
    NO_VERDICT: "No verdict",
    ERRORED: "Errored",
    PENDING: "Pending",
    OTHER: "Passed, no verdict or pending",
}
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITY_COLORS)}
NO_ASSISTANT = "(no assistant)"
UNKNOWN = "unknown"
DEFAULT_WINDOW_DAYS = 30
RECENT_DAYS = 7
SCORE_FORMAT = "score"
NUMERIC_FORMAT = "numeric"
UTC_TS = "datetime64[us, UTC]"

RUN_COLUMNS: dict[str, str] = {
    "run_id": "object",
    "session_id": "object",
    "evaluator_id": "object",
    "agent_id": "object",
    "status": "object",
    "outcome": "object",
    "created_at": UTC_TS,
    "finished_at": UTC_TS,
    "channel": "object",
    "scope": "object",
    "severity": "object",
    "threshold": "float64",
    "format": "object",
    "is_critical": "bool",
    "error_text": "object",
    "scores": "int64",
    "failing_scores": "int64",
    "blocking_failure": "bool",
    "triage_severity": "object",
    "triage_rank": "int64",
    "value": "float64",
    "rationale": "object",
}
SCORE_COLUMNS: dict[str, str] = {
    "score_id": "object",
    "run_id": "object",
    "evaluator_id": "object",
    "format": "object",
    "created_at": UTC_TS,
    "value": "float64",
    "raw_value": "float64",
    "label": "object",
    "passed": "object",
    "confidence": "float64",
    "severity": "object",
    "blocking": "bool",
    "rationale": "object",
}


# --------------------------------------------------------------------------- frames


def typed_frame(rows: list[dict[str, Any]], schema: Mapping[str, str]) -> pd.DataFrame:
    """A frame with exactly the schema's columns and dtypes, also when there are no rows."""
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = [row.get(name) for row in rows]
        if dtype == UTC_TS:
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype(UTC_TS)
        else:
            data[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


def severity_rank(severity: str | None) -> int:
    """How alarming a severity is; unknown values rank below info (shown, never dropped)."""
    return SEVERITY_RANK.get((severity or "").lower(), -1)


def run_row(run: EvalRun) -> dict[str, Any]:
    """One run as a flat row: outcome, triage fields and the rationale worth reading first."""
    failing = [s for s in run.scores if s.passed is False]
    severities = [run.severity_snapshot, *(s.severity for s in failing)]
    worst = max(severities, key=severity_rank) if failing else run.severity_snapshot
    explained = failing or [s for s in run.scores if s.rationale]
    values = [s.value for s in run.scores if s.value is not None]
    return {
        "run_id": run.id,
        "session_id": run.session_id,
        "evaluator_id": run.evaluator_id,
        "agent_id": run.agent_id,
        "status": run.status,
        "outcome": run_outcome(run),
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "channel": run.channel,
        "scope": run.session_type,
        "severity": run.severity_snapshot,
        "threshold": run.threshold_snapshot,
        "format": run.format_snapshot,
        "is_critical": bool(run.is_critical_snapshot),
        "error_text": run.error_text,
        "scores": len(run.scores),
        "failing_scores": len(failing),
        "blocking_failure": any(s.blocking for s in failing),
        "triage_severity": worst,
        "triage_rank": severity_rank(worst),
        # The lowest score is what decides a multi-clause run (e.g. one clause per policy).
        "value": min(values) if values else None,
        "rationale": " | ".join(s.rationale for s in explained if s.rationale) or None,
    }


def runs_frame(runs: Iterable[EvalRun]) -> pd.DataFrame:
    """One row per run, newest first."""
    frame = typed_frame([run_row(run) for run in runs], RUN_COLUMNS)
    return frame.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


def scores_frame(runs: Iterable[EvalRun]) -> pd.DataFrame:
    """One row per score, with its run's evaluator and format snapshot."""
    rows = [
        {
            "score_id": score.id,
            "run_id": run.id,
            "evaluator_id": run.evaluator_id,
            "format": run.format_snapshot,
            "created_at": score.created_at,
            "value": score.value,
            "raw_value": score.raw_value,
            "label": score.label,
            "passed": score.passed,
            "confidence": score.confidence,
            "severity": score.severity,
            "blocking": score.blocking,
            "rationale": score.rationale,
        }
        for run in runs
        for score in run.scores
    ]
    return typed_frame(rows, SCORE_COLUMNS)


def _unique_labels(pairs: Iterable[tuple[str, str | None]], fallback: str) -> dict[str, str]:
    """id -> display name; an empty name gets a fallback, a shared name the id's start."""
    pairs = list(pairs)
    named = [(ident, (name or "").strip() or f"{fallback} {ident[:8]}") for ident, name in pairs]
    counts = Counter(name for _, name in named)
    return {ident: f"{name} ({ident[:8]})" if counts[name] > 1 else name for ident, name in named}


def evaluator_labels(evaluators: Iterable[Evaluator]) -> dict[str, str]:
    """Evaluator id -> a unique display name."""
    return _unique_labels(((e.id, e.name) for e in evaluators), "Evaluator")


def assistant_labels(assistants: Iterable[Assistant]) -> dict[str, str]:
    """Assistant id -> a unique display name."""
    return _unique_labels(((a.id, a.name) for a in assistants), "Assistant")


def with_names(
    runs: pd.DataFrame, evaluators: Mapping[str, str], assistants: Mapping[str, str]
) -> pd.DataFrame:
    """A copy with evaluator and assistant names; unknown ids are named by their start."""
    evaluator = runs["evaluator_id"].map(lambda i: evaluators.get(i) or f"Evaluator {str(i)[:8]}")
    assistant = runs["agent_id"].map(
        lambda i: (
            NO_ASSISTANT if i is None or pd.isna(i) else assistants.get(i) or f"Assistant {i[:8]}"
        )
    )
    return runs.assign(
        evaluator_name=evaluator.astype(object), assistant_name=assistant.astype(object)
    )


def run_scores_table(scores: Sequence[Any]) -> pd.DataFrame:
    """A run's scores for a table: verdict, numbers, severity, blocking and rationale."""
    rows = [
        {
            "verdict": {True: PASSED, False: FAILED}.get(s.passed, "no verdict"),
            "value": s.value,
            "raw_value": s.raw_value,
            "label": s.label,
            "confidence": s.confidence,
            "severity": s.severity,
            "blocking": s.blocking,
            "rationale": s.rationale,
        }
        for s in scores
    ]
    columns = ["verdict", "value", "raw_value", "label", "confidence", "severity", "blocking"]
    return pd.DataFrame(rows, columns=[*columns, "rationale"])
