"""The Feather demo dataset's ground truth: totals a client walking it must reproduce."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from simulator.feather.contract import (
    CHANNELS,
    NOW,
    OUTCOMES,
    RUN_STATUSES,
    SCOPES,
    SEVERITIES,
    Json,
    iso,
)
from simulator.feather.dataset import get_dataset
from simulator.settings import SimSettings


def feather_ground_truth(settings: SimSettings) -> Json:
    """Totals a client walking the whole dataset should reproduce."""
    dataset = get_dataset(settings)
    with dataset.lock:
        rows = list(dataset.rows_desc())
    names = {e["id"]: e["name"] for e in dataset.evaluators}

    def tally(values: Iterable[Any], keys: Iterable[str] = ()) -> dict[str, int]:
        """Counts per value; the `keys` come first and are present even at zero."""
        counts = Counter(v for v in values if v is not None)
        return {k: counts.get(k, 0) for k in keys} | dict(counts.most_common())

    week_ago = NOW - timedelta(days=7)
    weekly_failures = tally(
        names[r.run["evaluator_id"]]
        for r in rows
        if r.outcome == "failed" and r.created_at >= week_ago
    )
    return {
        "now": iso(NOW),
        "organization_id": dataset.organization_id,
        "assistants": len(dataset.assistants),
        "evaluators": len(dataset.evaluators),
        "sessions": len(dataset.sessions),
        "runs": len(rows),
        "scores": sum(len(r.run["scores"]) for r in rows),
        "runs_by_status": tally((r.run["status"] for r in rows), RUN_STATUSES),
        "runs_by_outcome": tally((r.outcome for r in rows), OUTCOMES),
        "runs_in_progress": sum(r.outcome is None for r in rows),
        "runs_by_severity": tally((r.run["severity_snapshot"] for r in rows), SEVERITIES),
        "runs_by_channel": tally((r.run["channel"] for r in rows), CHANNELS),
        "runs_by_scope": tally((r.run["session_type"] for r in rows), SCOPES),
        "runs_by_evaluator": tally(names[r.run["evaluator_id"]] for r in rows),
        "runs_without_agent": sum(r.run["agent_id"] is None for r in rows),
        "passed": sum(r.outcome == "passed" for r in rows),
        "failed": sum(r.outcome == "failed" for r in rows),
        "critical_failures": sum(
            r.outcome == "failed" and r.run["is_critical_snapshot"] for r in rows
        ),
        "errored_runs": sum(r.outcome == "errored" for r in rows),
        "failures_by_evaluator_last_7_days": weekly_failures,
        "top_failing_evaluator_last_7_days": next(iter(weekly_failures), None),
    }
