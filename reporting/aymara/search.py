"""Filtering an Aymara responses frame, including its text search."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from reporting.aymara.schema import bool_array, isin_mask


def filter_responses(
    responses: pd.DataFrame,
    *,
    verdicts: Collection[str] | None = None,
    refused: bool | None = None,
    excluded: bool | None = None,
    confidence: tuple[float, float] | None = None,
    categories: Collection[str] | None = None,
    eval_types: Collection[str] | None = None,
    evals: Collection[str] | None = None,
    runs: Collection[str] | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """The responses matching every given filter; None means no filter, [] matches nothing.

    `evals` matches eval_uuid or eval_name, `runs` eval_run_uuid or run_name. `text` is a
    case-insensitive literal substring of the prompt, the response or the explanation.
    """
    mask = np.ones(len(responses), dtype=bool)
    if verdicts is not None:
        mask &= isin_mask(responses["verdict"], verdicts)
    if refused is not None:
        mask &= bool_array(responses["ai_refused"]) == bool(refused)
    if excluded is not None:
        mask &= bool_array(responses["exclude_from_scoring"]) == bool(excluded)
    if confidence is not None:
        lo, hi = confidence
        values = responses["confidence"].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            mask &= (values >= lo) & (values <= hi)
    if categories is not None:
        mask &= isin_mask(responses["prompt_category"], categories)
    if eval_types is not None:
        mask &= isin_mask(responses["eval_type"], eval_types)
    if evals is not None:
        mask &= isin_mask(responses["eval_uuid"], evals) | isin_mask(responses["eval_name"], evals)
    if runs is not None:
        mask &= isin_mask(responses["eval_run_uuid"], runs) | isin_mask(responses["run_name"], runs)
    rows = np.flatnonzero(mask)
    if text:
        rows = rows[_text_hits(responses, rows, text)]
    elif len(rows) == len(responses):
        return responses.copy(deep=False)  # no filter: no need to copy a million rows
    return responses.iloc[rows]


def _text_hits(responses: pd.DataFrame, rows: np.ndarray, needle: str) -> np.ndarray:
    """Which of rows contain needle in the prompt, response or explanation (case-insensitive)."""
    hit = np.zeros(len(rows), dtype=bool)
    prompt = responses["prompt_content"]
    if isinstance(prompt.dtype, pd.CategoricalDtype):
        # A few thousand distinct prompts: search them once, then read the answer per row.
        cats = prompt.cat.categories
        found = cats.astype(object).str.contains(needle, case=False, regex=False)
        lut = np.append(np.asarray(found, dtype=bool), False)
        hit |= lut[prompt.cat.codes.to_numpy()[rows]]
    else:
        hit |= _contains(prompt.iloc[rows], needle)
    for column in ("response_text", "explanation"):
        todo = np.flatnonzero(~hit)
        if not len(todo):
            break
        hit[todo] = _contains(responses[column].iloc[rows[todo]], needle)
    return hit


def _contains(values: pd.Series, needle: str) -> np.ndarray:
    """Case-insensitive literal substring test, missing values never match."""
    found = values.str.contains(needle, case=False, regex=False, na=False)
    return found.to_numpy(dtype=bool, na_value=False)
