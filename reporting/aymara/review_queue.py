"""Which responses are most worth a person's eye, in order; and one response changed in a frame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from reporting.aymara.schema import FAILED, NOT_SCORED, PASSED, bool_array

LOW_CONFIDENCE = 0.7
QUEUES: dict[str, str] = {
    "low_fail": "Low-confidence failures",
    "low_pass": "Low-confidence passes",
    "flips": "Flips between the last two runs",
    "filter": "Your own filter",
}
QUEUE_HELP: dict[str, str] = {
    "low_fail": f"Responses the judge failed with confidence under {LOW_CONFIDENCE:.0%}, "
    "least confident first.",
    "low_pass": f"Responses the judge passed with confidence under {LOW_CONFIDENCE:.0%}, "
    "least confident first.",
    "flips": "Prompts whose verdict changed between each eval's last two finished runs, "
    "in the latest run, least confident first.",
    "filter": "Every scored response of the eval and verdict you choose, least confident first.",
}


def _judged(responses: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The judge's own verdict and confidence, before any person changed them."""
    if "original_is_passed" in responses:
        original = responses["original_is_passed"]
    else:
        original = responses["is_passed"]
    column = "original_confidence" if "original_confidence" in responses else "confidence"
    confidence = responses[column].to_numpy(dtype=float, na_value=np.nan)
    return original.to_numpy(dtype=object, na_value=None), confidence


def _last_two_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Each eval's last two finished runs (created_at order), as (eval_uuid, eval_run_uuid)."""
    finished = runs[runs["status"] == "finished"].sort_values(["created_at", "eval_run_uuid"])
    return finished.groupby("eval_uuid", sort=False).tail(2)


def flip_runs(runs: pd.DataFrame) -> tuple[str, ...]:
    """The runs the flips queue reads: each eval's last two finished runs."""
    return tuple(str(r) for r in _last_two_runs(runs)["eval_run_uuid"])


def _flips(responses: pd.DataFrame, runs: pd.DataFrame) -> np.ndarray:
    """A mask of the latest run's responses whose judged verdict differs from the run before."""
    mask = np.zeros(len(responses), dtype=bool)
    pairs = _last_two_runs(runs)
    original, _ = _judged(responses)
    run_ids = responses["eval_run_uuid"].astype(object).to_numpy()
    prompts = responses["prompt_uuid"].astype(object).to_numpy()
    for _, group in pairs.groupby("eval_uuid", sort=False):
        if len(group) < 2:
            continue
        previous, latest = group["eval_run_uuid"].tolist()
        before = {
            p: v
            for p, v, r in zip(prompts, original, run_ids, strict=True)
            if r == previous and v is not None
        }
        for i in np.flatnonzero(run_ids == latest):
            was = before.get(prompts[i])
            if was is not None and original[i] is not None and was != original[i]:
                mask[i] = True
    return mask


def review_queue(
    responses: pd.DataFrame,
    runs: pd.DataFrame,
    kind: str,
    *,
    eval_uuid: str | None = None,
    verdict: str | None = None,
    low: float = LOW_CONFIDENCE,
) -> pd.DataFrame:
    """The responses of one queue, in review order (least confident first, then newest run).

    Membership uses the judge's own verdict and confidence, so a response stays in its queue
    (shown as reviewed) after a person changes it; reviewed ones are the `manually_updated`.
    """
    if responses.empty:
        return responses
    original, confidence = _judged(responses)
    excluded = bool_array(responses["exclude_from_scoring"])
    judged = np.array([v is not None for v in original]) & ~excluded
    passed = np.array([v is True for v in original])
    with np.errstate(invalid="ignore"):
        shaky = np.isfinite(confidence) & (confidence < low)
    if kind == "low_fail":
        mask = judged & ~passed & shaky
    elif kind == "low_pass":
        mask = judged & passed & shaky
    elif kind == "flips":
        mask = judged & _flips(responses, runs)
    else:
        mask = judged.copy()
        if eval_uuid:
            mask &= (responses["eval_uuid"].astype(object) == eval_uuid).to_numpy()
        if verdict in (PASSED, FAILED, NOT_SCORED):
            mask &= (responses["verdict"].astype(object) == verdict).to_numpy()
    chosen = responses.loc[mask].assign(_judge_confidence=confidence[mask])
    chosen = chosen.sort_values(
        ["_judge_confidence", "run_created_at", "response_uuid"],
        ascending=[True, False, True],
        na_position="last",
        kind="stable",
    )
    return chosen.drop(columns="_judge_confidence")


def low_confidence_failures(
    responses: pd.DataFrame, below: float, eval_type: str | None = None
) -> pd.DataFrame:
    """Failed verdicts with a confidence under `below` (of one eval type), newest run first.

    The final verdict and confidence, as the calibration page lists them for a second look.
    """
    confidence = responses["confidence"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        mask = (responses["verdict"].astype(object) == FAILED).to_numpy() & (confidence < below)
    if eval_type:
        mask &= (responses["eval_type"].astype(object) == eval_type).to_numpy()
    low = responses.loc[mask]
    return low.sort_values(["run_created_at", "confidence"], ascending=[False, True], kind="stable")


def reviewed_mask(queue: pd.DataFrame, agreed: set[str] | frozenset[str] = frozenset()) -> Any:
    """Which queued responses a person has looked at: changed via the API, or agreed here."""
    manual = bool_array(queue["manually_updated"])
    noted = queue["response_uuid"].astype(object).isin(agreed).to_numpy()
    return manual | noted


def with_response(
    responses: pd.DataFrame, run_uuid: str, record: Mapping[str, Any]
) -> pd.DataFrame:
    """The frame with one response's verdict columns replaced (a copy; the input is kept).

    `record` holds RECORD_SCHEMA values of the response as the API now returns it.
    """
    hit = (responses["eval_run_uuid"].astype(object) == run_uuid).to_numpy() & (
        responses["response_uuid"].astype(object) == record["response_uuid"]
    ).to_numpy()
    if not hit.any():
        return responses
    out = responses.copy(deep=False)
    passed = record.get("is_passed")
    excluded = bool(record.get("exclude_from_scoring"))
    verdict = NOT_SCORED if passed is None or excluded else PASSED if passed else FAILED
    original = record.get("original_is_passed")
    confidence = record.get("confidence")
    changes: dict[str, Any] = {
        "is_passed": pd.NA if passed is None else bool(passed),
        "verdict": verdict,
        "confidence": np.nan if confidence is None else float(confidence),
        "confidence_valid": confidence is not None and 0 <= confidence <= 1,
        "explanation": record.get("explanation") or "",
        "manually_updated": bool(record.get("manually_updated")),
        "original_is_passed": pd.NA if original is None else bool(original),
        "verdict_overridden": original != passed,
    }
    if record.get("original_confidence") is not None:
        changes["original_confidence"] = float(record["original_confidence"])
    for column, value in changes.items():
        if column in out:
            values = out[column].copy()
            values[hit] = value
            out[column] = values
    return out
