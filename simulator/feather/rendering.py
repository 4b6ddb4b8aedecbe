"""The JSON fields Feather derives from a run's scores: its outcome and a session's eval_summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from simulator.feather.contract import Json


def run_outcome(run: Json) -> str | None:
    """The run's outcome as the `outcome` filter defines it (None for pending/running runs).

    A completed run with a mix of passed=true and passed=null scores is not "all passed", so it
    is no_verdict; the demo data never produces such a mix.
    """
    status = run.get("status")
    if status in ("failed", "errored"):
        return "errored"
    if status != "completed":
        return None
    verdicts = [score.get("passed") for score in run.get("scores") or []]
    if any(verdict is False for verdict in verdicts):
        return "failed"
    if verdicts and all(verdict is True for verdict in verdicts):
        return "passed"
    return "no_verdict"


def eval_summary(runs: Iterable[Json]) -> Json:
    """A session's `eval_summary`, with the documented semantics.

    succeeded = completed runs whose every score has passed=true (a completed run with no scores
    counts, as the documented "every score" rule reads); pending = pending or running;
    failed = total - succeeded - pending, so no-verdict and errored runs count as failed.
    """
    counts = Counter[str]()
    for run in runs:
        prefixes = ("", "critical_") if run.get("is_critical_snapshot") else ("",)
        scores = run.get("scores") or []
        succeeded = run["status"] == "completed" and all(s.get("passed") is True for s in scores)
        pending = run["status"] in ("pending", "running")
        for prefix in prefixes:
            counts[prefix + "total"] += 1
            counts[prefix + "succeeded"] += succeeded
            counts[prefix + "pending"] += pending
    summary: Json = {}
    for prefix in ("", "critical_"):
        total, ok, pending = (counts[prefix + k] for k in ("total", "succeeded", "pending"))
        summary |= {
            prefix + "total": total,
            prefix + "succeeded": ok,
            prefix + "failed": total - ok - pending,
            prefix + "pending": pending,
        }
    if summary["critical_total"] == 0:
        status = "none"
    elif summary["critical_pending"]:
        status = "pending"
    elif summary["critical_failed"] == 0:
        status = "success"
    elif summary["critical_succeeded"] == 0:
        status = "failure"
    else:
        status = "partial"
    return summary | {"eval_status": status}
