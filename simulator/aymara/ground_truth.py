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


SUMMED = ("evals", "runs", "responses", "passed", "failed", "not_scored")


def _add_run(row: dict[str, Any], run: Any, s: Any) -> None:
    row["runs"] += 1
    row["runs_by_status"][run.status] += 1
    row["responses"] += s.responses
    row["passed"] += s.passed
    row["failed"] += s.failed
    row["not_scored"] += s.not_scored


def _close(row: dict[str, Any]) -> None:
    row["runs_by_status"] = dict(sorted(row["runs_by_status"].items()))
    decided = row["passed"] + row["failed"]
    row["pass_rate"] = row["passed"] / decided if decided else None


def ground_truth(account: AymaraDemoAccount) -> dict[str, Any]:
    """Counts per workspace and over every workspace, from the code that serves the responses.

    Each row counts everything (sandbox included); its `production` block leaves out sandbox
    runs and sandbox evals, which is what the dashboard shows by default. `key_workspace_uuid`
    is the workspace a request without `workspace_uuid` is answered from (the key's own);
    `totals` is what `workspace_uuid=**` (every workspace) is answered from.
    """
    per: dict[str, dict[str, Any]] = {}
    for ws in account.workspaces:
        evals = [e for e in account.evals if e.workspace is ws]
        production = _zero_counts() | {"evals": sum(not e.spec.is_sandbox for e in evals)}
        per[ws.uuid] = (
            {"name": ws.name} | _zero_counts() | {"evals": len(evals), "production": production}
        )
    for run in account.live_runs():
        row = per[run.workspace_uuid]
        s = account.summary(run)
        _add_run(row, run, s)
        if not (run.is_sandbox or run.eval.spec.is_sandbox):
            _add_run(row["production"], run, s)
    totals = _zero_counts() | {"production": _zero_counts()}
    for row in per.values():
        for key in SUMMED:
            totals[key] += row[key]
            totals["production"][key] += row["production"][key]
        totals["runs_by_status"].update(row["runs_by_status"])
        totals["production"]["runs_by_status"].update(row["production"]["runs_by_status"])
    for row in [*per.values(), totals]:
        _close(row)
        _close(row["production"])
    return {
        "key_workspace_uuid": account.key_workspace.uuid,
        "workspaces": per,
        "totals": totals,
        "scenarios": scenarios(account),
    }


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
