"""Aggregates over Aymara frames: verdict counts, pass rates, latest changes, calibration."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from reporting.aymara.schema import (
    STR,
    UTC_TS,
    bool_array,
    finished_sorted,
    typed_frame,
    verdict_masks,
)
from reporting.stats import (
    wilson_bounds,
    wilson_interval,
)


def verdict_counts(responses: pd.DataFrame) -> dict[str, Any]:
    """Headline counts and rates; excluded responses count as not scored."""
    passed_mask, failed_mask = verdict_masks(responses)
    total = len(responses)
    refused = int(bool_array(responses["ai_refused"]).sum()) if total else 0
    return counts_from_totals(int(passed_mask.sum()), int(failed_mask.sum()), total, refused)


def counts_from_totals(passed: int, failed: int, total: int, refused: int) -> dict[str, Any]:
    """verdict_counts from its four totals (counted here or by SQL)."""
    scored = passed + failed
    low, high = wilson_interval(passed, scored)
    return {
        "passed": passed,
        "failed": failed,
        "not_scored": total - scored,
        "refused": refused,
        "total": total,
        "scored": scored,
        "pass_rate": passed / scored if scored else math.nan,
        "pass_rate_low": low,
        "pass_rate_high": high,
        "refusal_rate": refused / total if total else math.nan,
    }


def _plain_strings(values: Any) -> pd.Series:
    """Group labels as a plain string column (categoricals confuse later joins and charts)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=STR)


def category_pass_rates(responses: pd.DataFrame, by: str = "prompt_category") -> pd.DataFrame:
    """Pass rate with a 95% Wilson interval per group, lowest pass rate first."""
    passed_mask, failed_mask = verdict_masks(responses)
    counts = pd.DataFrame(
        {by: responses[by].array, "passed": passed_mask, "failed": failed_mask}, copy=False
    )
    grouped = counts.groupby(by, observed=True, dropna=False, sort=True)[["passed", "failed"]]
    sums = grouped.sum().astype(np.int64)
    return pass_rates_from_counts(by, sums.index, sums["passed"], sums["failed"])


def pass_rates_from_counts(by: str, labels: Any, passed: Any, failed: Any) -> pd.DataFrame:
    """Pass rates with Wilson intervals from per-group counts (here or from a SQL GROUP BY)."""
    out = pd.DataFrame(
        {
            by: _plain_strings(labels),
            "passed": np.asarray(passed, dtype=np.int64),
            "failed": np.asarray(failed, dtype=np.int64),
        }
    )
    out["scored"] = out["passed"] + out["failed"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pass_rate"] = np.where(out["scored"] > 0, out["passed"] / out["scored"], np.nan)
    out["low"], out["high"] = wilson_bounds(out["passed"], out["scored"])
    out = out.sort_values(["pass_rate", by], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def failing_categories(responses: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The categories with the most failures, and the eval types they failed in."""
    rates = category_pass_rates(responses, "prompt_category")
    _, failed_mask = verdict_masks(responses)
    failing = responses.loc[failed_mask, ["prompt_category", "eval_type"]]
    pairs: Any = []
    if not failing.empty:
        pairs = failing.groupby(["prompt_category", "eval_type"], observed=True).size().index
    return failing_from_rates(rates, pairs, top)


def failing_from_rates(rates: pd.DataFrame, pairs: Any, top: int = 10) -> pd.DataFrame:
    """failing_categories from category pass rates and the (category, eval type) failed pairs."""
    rates = rates[rates["failed"] > 0]
    types: dict[str, set[str]] = {}
    for category, etype in pairs:
        types.setdefault(str(category), set()).add(str(etype))
    out = pd.DataFrame(
        {
            "category": rates["prompt_category"].to_numpy(),
            "failed": rates["failed"].to_numpy(),
            "scored": rates["scored"].to_numpy(),
            "pass_rate": rates["pass_rate"].to_numpy(),
            "eval_types": [", ".join(sorted(types.get(c, ()))) for c in rates["prompt_category"]],
        }
    )
    out = out.astype({"category": STR, "eval_types": STR, "failed": np.int64, "scored": np.int64})
    out = out.sort_values(["failed", "pass_rate", "category"], ascending=[False, True, True])
    return out.head(top).reset_index(drop=True)


LATEST_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "latest_run_uuid": STR,
    "latest_run_name": STR,
    "latest_created_at": UTC_TS,
    "latest_pass_rate": "float64",
    "latest_num_responses_scored": "Int64",
    "previous_run_uuid": STR,
    "previous_pass_rate": "float64",
    "change": "float64",
    "runs": "int64",  # finished runs of the eval (definitions.FINISHED_RUNS)
}


def latest_run_changes(runs: pd.DataFrame) -> pd.DataFrame:
    """Per eval, the latest finished run's pass rate and its change from the one before."""
    finished = finished_sorted(runs, with_rate=True)
    finished_count = finished_sorted(runs, with_rate=False)["eval_uuid"].value_counts()
    cols: dict[str, list[Any]] = {name: [] for name in LATEST_COLUMNS}
    for eval_uuid, group in finished.groupby("eval_uuid", sort=False):
        latest = group.iloc[-1]
        previous = group.iloc[-2] if len(group) > 1 else None
        cols["eval_uuid"].append(eval_uuid)
        cols["eval_name"].append(latest["eval_name"])
        cols["eval_type"].append(latest["eval_type"])
        cols["latest_run_uuid"].append(latest["eval_run_uuid"])
        cols["latest_run_name"].append(latest["run_name"])
        cols["latest_created_at"].append(latest["created_at"])
        cols["latest_pass_rate"].append(latest["pass_rate"])
        cols["latest_num_responses_scored"].append(latest["num_responses_scored"])
        cols["previous_run_uuid"].append(None if previous is None else previous["eval_run_uuid"])
        prev_rate = math.nan if previous is None else previous["pass_rate"]
        cols["previous_pass_rate"].append(prev_rate)
        cols["change"].append(latest["pass_rate"] - prev_rate)
        cols["runs"].append(int(finished_count.get(eval_uuid, len(group))))
    out = typed_frame(cols, LATEST_COLUMNS)
    out = out.sort_values(
        ["latest_pass_rate", "change", "eval_name"], na_position="last", kind="stable"
    )
    return out.reset_index(drop=True)


def eval_catalogue(evals: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The evals frame plus run counts (all, finished), latest finished pass rate and times."""
    base = evals.drop_duplicates("eval_uuid")
    known = set(base["eval_uuid"].dropna())
    orphans = runs.loc[~runs["eval_uuid"].isin(known)].drop_duplicates("eval_uuid", keep="last")
    if not orphans.empty:
        # Runs of an eval missing from the evals listing still get a row: never hide data.
        shared = ["eval_uuid", "eval_name", "eval_type", "workspace_uuid"]
        schema = {c: evals[c].dtype for c in evals.columns}
        extra = typed_frame({c: orphans[c].tolist() for c in shared if c in schema}, schema)
        base = extra if base.empty else pd.concat([base, extra], ignore_index=True)
    ordered = runs.sort_values(["created_at", "eval_run_uuid"], kind="stable")
    by_eval = ordered.groupby("eval_uuid", sort=False)
    count = by_eval.size()
    last = by_eval.tail(1).set_index("eval_uuid")
    finished = finished_sorted(runs, with_rate=True).groupby("eval_uuid").tail(1)
    finished = finished.set_index("eval_uuid")
    out = base.reset_index(drop=True)
    keys = out["eval_uuid"]
    wanted = keys.to_numpy()
    # reindex, not map: pandas 3 cannot map through an empty datetime series (no finished runs).
    out["runs"] = count.reindex(wanted).fillna(0).astype(np.int64).to_numpy()
    done = finished_sorted(runs, with_rate=False)["eval_uuid"].value_counts()
    out["finished_runs"] = done.reindex(wanted).fillna(0).astype(np.int64).to_numpy()
    out["latest_pass_rate"] = finished["pass_rate"].reindex(wanted).astype("float64").to_numpy()
    out["latest_run_at"] = last["created_at"].reindex(wanted).astype(UTC_TS).to_numpy()
    out["latest_run_status"] = last["status"].reindex(wanted).astype(STR).to_numpy()
    out["latest_finished_at"] = finished["created_at"].reindex(wanted).astype(UTC_TS).to_numpy()
    return out


def _band_label(low: float, high: float) -> str:
    """'0.5–0.6' style label; the open top edge shows as 1.0."""

    def fmt(x: float) -> str:
        return f"{x:.1f}" if round(x, 1) == x else f"{x:.2f}"

    return f"{fmt(low)}–{fmt(min(high, 1.0))}"


BAND_COLUMNS: dict[str, Any] = {
    "band": STR,
    "eval_type": STR,
    "scored": "int64",
    "passed": "int64",
    "pass_rate": "float64",
    "overridden": "int64",
    "override_rate": "float64",
    "reviewed": "int64",
    "agreed": "int64",
    "agreement": "float64",
}


def confidence_bands(
    responses: pd.DataFrame, edges: Sequence[float] = (0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
) -> pd.DataFrame:
    """Per band of the judge's own confidence and eval type: scored, pass rate, and overturns.

    Bands use the confidence the judge gave with its verdict, not the one after a review: a
    reviewer's change replaces it (often with 1.0), which would pile every overturn at the top.
    Pass rates count the final verdict (after any review). `agreement` is the share of the
    responses a person reviewed whose verdict they kept (NaN where nobody reviewed one).
    """
    labels = band_labels(edges)
    passed_mask, failed_mask = verdict_masks(responses)
    column = "original_confidence" if "original_confidence" in responses else "confidence"
    judged = responses[column].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(judged) & (judged >= 0) & (judged <= 1)
    usable = (passed_mask | failed_mask) & valid
    frame = pd.DataFrame(
        {
            "confidence": judged[usable],
            "eval_type": np.asarray(responses["eval_type"], dtype=object)[usable],
            "passed": passed_mask[usable],
            "overridden": bool_array(responses["verdict_overridden"])[usable],
            "reviewed": bool_array(responses["manually_updated"])[usable]
            if "manually_updated" in responses
            else np.zeros(int(usable.sum()), dtype=bool),
        }
    )
    frame["agreed"] = frame["reviewed"] & ~frame["overridden"]
    unique = len(set(labels)) == len(labels)
    frame["band"] = pd.cut(
        frame["confidence"], bins=list(edges), right=False, labels=labels if unique else None
    )
    grouped = frame.groupby(["band", "eval_type"], observed=True, sort=True)
    sums = grouped.agg(
        scored=("passed", "size"),
        passed=("passed", "sum"),
        overridden=("overridden", "sum"),
        reviewed=("reviewed", "sum"),
        agreed=("agreed", "sum"),
    )
    band_order = labels if unique else [str(c) for c in frame["band"].cat.categories]
    columns = {name: sums[name].tolist() for name in BAND_SUMS}
    return bands_from_sums(
        [str(b) for b, _ in sums.index], [t for _, t in sums.index], columns, band_order
    )


BAND_SUMS = ("scored", "passed", "overridden", "reviewed", "agreed")


def band_labels(edges: Sequence[float]) -> list[str]:
    """The band labels of confidence_bands for these edges."""
    return [_band_label(lo, hi) for lo, hi in itertools.pairwise(edges)]


def bands_from_sums(
    bands: list[str], eval_types: list[Any], sums: dict[str, list[int]], band_order: list[str]
) -> pd.DataFrame:
    """The confidence_bands frame from per (band, eval type) sums (here or from SQL)."""
    out = typed_frame({"band": bands, "eval_type": eval_types, **sums}, BAND_COLUMNS)
    out["band"] = pd.Categorical(out["band"], categories=band_order, ordered=True)
    out["pass_rate"] = out["passed"] / out["scored"]
    out["override_rate"] = out["overridden"] / out["scored"]
    # Judge-person agreement: of the verdicts a person looked at, the share they kept.
    with np.errstate(invalid="ignore", divide="ignore"):
        out["agreement"] = np.where(out["reviewed"] > 0, out["agreed"] / out["reviewed"], np.nan)
    return out
