"""What a client that walks the whole demo dataset must find: counts and pass rates."""

from __future__ import annotations

from typing import Any

from simulator.aymara.generator import AymaraDemoAccount
from simulator.aymara.ground_truth import ground_truth as aymara_account_truth
from simulator.settings import SimSettings


def aymara_ground_truth(settings: SimSettings) -> dict[str, Any]:
    """Per-workspace and total counts of the Aymara dataset, plus where its scenarios live.

    `{"key_workspace_uuid": ..., "workspaces": {ws_uuid: {name, evals, runs, runs_by_status,
    responses, passed, failed, not_scored, pass_rate, production: {...}}}, "totals": {...},
    "scenarios": {"regression": {...}, "noise": {...}}}` where `responses` counts every item
    `/v2/eval-runs/{id}/responses` serves for the workspace's runs, `pass_rate = passed /
    (passed + failed)`, and `production` is the same counts without sandbox runs and evals.
    A request without `workspace_uuid` is answered from `key_workspace_uuid` only (the key's
    own workspace); `totals` is what `workspace_uuid=**` (every workspace) answers. This is a
    fresh server's truth; a running one's (runs added or deleted) is `GET /_sim/ground-truth`.
    """
    return aymara_account_truth(AymaraDemoAccount(settings))


def ground_truth(settings: SimSettings) -> dict[str, Any]:
    """Both APIs' ground truth: `{"aymara": ..., "feather": ...}` (Feather when available)."""
    result: dict[str, Any] = {"aymara": aymara_ground_truth(settings)}
    try:
        from simulator.feather.ground_truth import feather_ground_truth
    except ImportError:
        return result
    result["feather"] = feather_ground_truth(settings)
    return result
