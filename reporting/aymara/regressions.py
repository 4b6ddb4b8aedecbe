"""The regression board: each eval's latest finished run against the one before."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from reporting.aymara.compare import flip_counts
from reporting.aymara.schema import STR, UTC_TS, finished_sorted, typed_frame, verdict_masks
from reporting.stats import (
    CHANGE_RANK,
    classify_change,
    mcnemar_test,
    two_proportion_test,
)

BOARD_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "run_a": STR,
    "run_b": STR,
    "run_a_name": STR,
    "run_b_name": STR,
    "run_a_created_at": UTC_TS,
    "run_b_created_at": UTC_TS,
    "pass_rate_a": "float64",
    "pass_rate_b": "float64",
    "change": "float64",
    "n_shared": "Int64",
    "newly_failed": "Int64",
    "newly_passed": "Int64",
    "p_value": "float64",
    "test": STR,  # "mcnemar", "two-proportion" or "none"
    "verdict": STR,
}


def _scored_counts(responses: pd.DataFrame | None) -> tuple[int, int]:
    """(passed, scored) in a run's responses."""
    if responses is None or responses.empty:
        return 0, 0
    passed_mask, failed_mask = verdict_masks(responses)
    return int(passed_mask.sum()), int(passed_mask.sum() + failed_mask.sum())


def _run_totals(run: pd.Series, responses: pd.DataFrame | None) -> tuple[float, float, float]:
    """(pass rate, passed, scored) of a run: the API's figures first, the responses second."""
    rate = float(run["pass_rate"]) if pd.notna(run["pass_rate"]) else math.nan
    scored_api = run.get("num_responses_scored")
    passed, scored = _scored_counts(responses)
    if math.isnan(rate) and scored:
        rate = passed / scored
    if pd.notna(scored_api) and scored_api and not math.isnan(rate):
        return rate, round(rate * float(scored_api)), float(scored_api)
    if scored:
        return rate, float(passed), float(scored)
    return rate, math.nan, math.nan


def regression_board(runs: pd.DataFrame, responses: pd.DataFrame | None) -> pd.DataFrame:
    """Per eval, latest finished run against the previous one, with a significance verdict."""
    finished = finished_sorted(runs, with_rate=False)
    positions: dict[Any, np.ndarray] = {}
    if responses is not None and not responses.empty:
        positions = responses.groupby("eval_run_uuid", observed=True, sort=False).indices
    cols: dict[str, list[Any]] = {name: [] for name in BOARD_COLUMNS}
    for eval_uuid, group in finished.groupby("eval_uuid", sort=False):
        if len(group) < 2:
            continue
        run_a, run_b = group.iloc[-2], group.iloc[-1]
        rows_a = positions.get(run_a["eval_run_uuid"])
        rows_b = positions.get(run_b["eval_run_uuid"])
        resp_a = responses.iloc[rows_a] if rows_a is not None else None
        resp_b = responses.iloc[rows_b] if rows_b is not None else None
        rate_a, x_a, n_a = _run_totals(run_a, resp_a)
        rate_b, x_b, n_b = _run_totals(run_b, resp_b)
        shared = newly_failed = newly_passed = None
        p_value, test = math.nan, "none"
        if resp_a is not None and resp_b is not None:
            newly_failed, newly_passed, shared = flip_counts(resp_a, resp_b)
            if shared:
                p_value, test = mcnemar_test(newly_failed, newly_passed), "mcnemar"
        if test == "none" and not (math.isnan(n_a) or math.isnan(n_b)):
            # Without paired answers, compare the two pass rates as independent samples.
            p_value = two_proportion_test(x_a, n_a, x_b, n_b)
            test = "two-proportion" if not math.isnan(p_value) else "none"
        change = rate_b - rate_a
        cols["eval_uuid"].append(eval_uuid)
        cols["eval_name"].append(run_b["eval_name"])
        cols["eval_type"].append(run_b["eval_type"])
        cols["run_a"].append(run_a["eval_run_uuid"])
        cols["run_b"].append(run_b["eval_run_uuid"])
        cols["run_a_name"].append(run_a["run_name"])
        cols["run_b_name"].append(run_b["run_name"])
        cols["run_a_created_at"].append(run_a["created_at"])
        cols["run_b_created_at"].append(run_b["created_at"])
        cols["pass_rate_a"].append(rate_a)
        cols["pass_rate_b"].append(rate_b)
        cols["change"].append(change)
        cols["n_shared"].append(shared)
        cols["newly_failed"].append(newly_failed)
        cols["newly_passed"].append(newly_passed)
        cols["p_value"].append(p_value)
        cols["test"].append(test)
        # McNemar tests the paired flips, so their balance gives the direction it speaks for.
        direction = newly_passed - newly_failed if test == "mcnemar" else change
        cols["verdict"].append(classify_change(p_value, direction))
    out = typed_frame(cols, BOARD_COLUMNS)
    rank = out["verdict"].map(CHANGE_RANK).astype("int64")
    out = out.assign(_rank=rank).sort_values(
        ["_rank", "change", "eval_name"], na_position="last", kind="stable"
    )
    return out.drop(columns="_rank").reset_index(drop=True)
