"""The Aymara demo account's ground truth: what a client paging through it must find."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount


def _zero_counts() -> dict[str, Any]:
    """One row of the ground truth before any run is counted (the key order is the output's)."""
    return {
        "evals": 0,
        "runs": 0,
        "runs_by_status": Counter(),
        "responses": 0,
        "passed": 0,
        "failed": 0,
        "not_scored": 0,
    }


def ground_truth(account: AymaraDemoAccount) -> dict[str, Any]:
    """Counts per workspace and in total, from the same code that serves the responses."""
    per: dict[str, dict[str, Any]] = {}
    for ws in account.workspaces:
        evals = [e for e in account.evals if e.workspace is ws]
        per[ws.uuid] = {"name": ws.name} | _zero_counts() | {"evals": len(evals)}
    for run in account.live_runs():
        row = per[run.workspace_uuid]
        s = account.summary(run)
        row["runs"] += 1
        row["runs_by_status"][run.status] += 1
        row["responses"] += s.responses
        row["passed"] += s.passed
        row["failed"] += s.failed
        row["not_scored"] += s.not_scored
    totals = _zero_counts()
    for row in per.values():
        for key in ("evals", "runs", "responses", "passed", "failed", "not_scored"):
            totals[key] += row[key]
        totals["runs_by_status"].update(row["runs_by_status"])
    for row in [*per.values(), totals]:
        row["runs_by_status"] = dict(sorted(row["runs_by_status"].items()))
        decided = row["passed"] + row["failed"]
        row["pass_rate"] = row["passed"] / decided if decided else None
    return {"workspaces": per, "totals": totals, "scenarios": scenarios(account)}


def scenarios(account: AymaraDemoAccount) -> dict[str, Any]:
    """Where the regression board's two seeded stories live."""
    found: dict[str, Any] = {}
    for ev in account.evals:
        if not ev.spec.scenario:
            continue
        runs = [r for r in account.runs if r.eval is ev and r.forced is not None]
        prev, latest = runs[-2], runs[-1]
        flips_down = sum(
            1 for a, b in zip(prev.forced or [], latest.forced or [], strict=True) if a and not b
        )
        flips_up = sum(
            1 for a, b in zip(prev.forced or [], latest.forced or [], strict=True) if b and not a
        )
        found[ev.spec.scenario] = {
            "eval_uuid": ev.uuid,
            "eval_name": ev.spec.name,
            "workspace_uuid": ev.workspace.uuid,
            "previous_run_uuid": prev.uuid,
            "latest_run_uuid": latest.uuid,
            "previous_pass_rate": account.summary(prev).pass_rate,
            "latest_pass_rate": account.summary(latest).pass_rate,
            "shared_prompts": len(ev.prompts),
            "passed_then_failed": flips_down,
            "failed_then_passed": flips_up,
        }
    return found
