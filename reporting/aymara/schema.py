"""Aymara frames' column schemas, shared constants and small helpers over frames."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from reporting.vocabulary import prettify

FINISHED = "finished"
UNCATEGORISED = "Uncategorised"
OVERALL = "Overall"
PASSED, FAILED, NOT_SCORED = "passed", "failed", "not scored"
VERDICTS: tuple[str, ...] = (PASSED, FAILED, NOT_SCORED)
UNKNOWN_TYPE = "unknown"

STR = "str"  # pandas' own string dtype (Arrow-backed when pyarrow is installed)
UTC_TS = "datetime64[us, UTC]"  # microseconds: no overflow for odd far-future dates

EVAL_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "modality": STR,
    "language": STR,
    "is_jailbreak": "boolean",
    "is_sandbox": "boolean",
    "num_prompts": "Int64",
    "status": STR,
    "workspace_uuid": STR,
    "created_at": UTC_TS,
    "updated_at": UTC_TS,
    "created_by": STR,
    "ai_description": STR,
}

RUN_COLUMNS: dict[str, Any] = {
    "eval_run_uuid": STR,
    "eval_uuid": STR,
    "run_name": STR,
    "eval_name": STR,
    "eval_type": STR,
    "status": STR,
    "created_at": UTC_TS,
    "updated_at": UTC_TS,
    "pass_rate": "float64",
    "num_prompts": "Int64",
    "num_responses_scored": "Int64",
    "is_sandbox": "boolean",
    "workspace_uuid": STR,
    "pass_rate_raw": "float64",
}

PROMPT_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "prompt_uuid": STR,
    "prompt_content": STR,
    "prompt_category": STR,
    "thread_uuid": STR,
    "turn_number": "Int64",
}

RESPONSE_COLUMNS: tuple[str, ...] = (
    "eval_run_uuid",
    "eval_uuid",
    "eval_name",
    "eval_type",
    "run_name",
    "run_created_at",
    "workspace_uuid",
    "prompt_uuid",
    "prompt_content",
    "prompt_category",
    "response_uuid",
    "response_text",
    "content_type",
    "file_uuid",
    "file_path",
    "ai_refused",
    "exclude_from_scoring",
    "is_passed",
    "verdict",
    "confidence",
    "confidence_valid",
    "explanation",
    "thread_uuid",
    "turn_number",
    "manually_updated",
    "original_is_passed",
    "original_confidence",
    "verdict_overridden",
)


# ---------------------------------------------------------------------------------------------
# Small helpers


def short_uuid(uuid: str | None) -> str:
    """The first eight characters of a uuid, for labels."""
    return (uuid or "")[:8]


def untitled_eval_name(eval_uuid: str | None) -> str:
    """The label of an eval that has no name."""
    short = short_uuid(eval_uuid)
    return f"Untitled eval {short}" if short else "Untitled eval"


def usable_name(value: str | None) -> str | None:
    """A usable name, or None when missing or blank."""
    return value if isinstance(value, str) and value.strip() else None


def utc_series(values: Iterable[Any]) -> pd.Series:
    """Datetimes as tz-aware UTC; naive values are taken to be UTC already."""
    series = pd.Series(list(values), dtype=object)
    return pd.to_datetime(series, utc=True, errors="coerce").astype(UTC_TS)


def typed_frame(columns: Mapping[str, Sequence[Any]], schema: Mapping[str, Any]) -> pd.DataFrame:
    """A frame with exactly the schema's columns and dtypes (also when there are no rows)."""
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = columns.get(name, [])
        if dtype == UTC_TS:
            data[name] = utc_series(values)
        else:
            data[name] = pd.Series(list(values), dtype=dtype)
    return pd.DataFrame(data)


def cast_frame(frame: pd.DataFrame, schema: Mapping[str, Any]) -> pd.DataFrame:
    """A query's frame as typed_frame would build it, cast column by column (no Python objects)."""
    if frame.empty:
        return typed_frame({}, schema)
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        column = frame[name] if name in frame else pd.Series([None] * len(frame))
        if dtype == UTC_TS:
            data[name] = pd.to_datetime(column, utc=True, errors="coerce").astype(UTC_TS)
        else:
            data[name] = column.astype(dtype)
    return pd.DataFrame(data).reset_index(drop=True)


def is_finished(status: pd.Series) -> pd.Series:
    """Rows whose status is finished, whatever the case."""
    return status.astype(STR).str.lower().eq(FINISHED).fillna(False).astype(bool)


def status_is_finished(status: Any) -> bool:
    """One status, as `is_finished` reads it (a Series of one cost 4 ms a call, per run listed)."""
    return status is not None and not pd.isna(status) and str(status).lower() == FINISHED


def category_array(values: Sequence[Any] | np.ndarray) -> pd.Categorical:
    """A categorical from a list, without sorting the categories (factorize is one hash pass)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=STR))


def _codes_lut(categories: pd.Index, wanted: Iterable[Any]) -> np.ndarray:
    """A lookup table over category codes (last slot for code -1) marking the wanted values."""
    lut = np.zeros(len(categories) + 1, dtype=bool)
    positions = categories.get_indexer(pd.Index(list(wanted), dtype=object))
    lut[positions[positions >= 0]] = True
    lut[-1] = False
    return lut


def isin_mask(column: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """Boolean mask of rows whose value is one of values; categorical columns by their codes."""
    if isinstance(values, str):
        values = [values]  # one value given bare: never split it into characters
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _codes_lut(column.cat.categories, values)[column.cat.codes.to_numpy()]
    return column.isin(list(values)).to_numpy(dtype=bool)


def bool_array(column: pd.Series) -> np.ndarray:
    """A plain bool array from a bool or nullable-boolean column (missing -> False)."""
    return column.fillna(False).to_numpy(dtype=bool)


def normalise_pass_rate(value: float | None) -> float:
    """A pass rate as a fraction; percentages (1 < v <= 100) are scaled, nonsense is NaN."""
    if value is None:
        return math.nan
    rate = float(value)
    if not math.isfinite(rate) or rate < 0 or rate > 100:
        return math.nan
    # The API documents a fraction, but its docs' example is 42.0: read such values as percent.
    return rate / 100 if rate > 1 else rate


def prettify_tag(tag: str) -> str:
    """'billing_policy' -> 'Billing policy'."""
    return prettify(tag)


def verdict_masks(responses: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(passed, failed) boolean arrays from the verdict column."""
    verdict = responses["verdict"]
    return (verdict == PASSED).to_numpy(dtype=bool), (verdict == FAILED).to_numpy(dtype=bool)


def finished_sorted(runs: pd.DataFrame, with_rate: bool) -> pd.DataFrame:
    """Finished runs (optionally only those with a pass rate), oldest first."""
    keep = is_finished(runs["status"])
    if with_rate:
        keep &= runs["pass_rate"].notna()
    chosen = runs.loc[keep]
    return chosen.sort_values(["created_at", "eval_run_uuid"], kind="stable")
