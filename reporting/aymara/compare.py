"""Two runs of an Aymara eval compared prompt by prompt: the flip table and McNemar."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reporting.aymara.schema import FAILED, NOT_SCORED, PASSED, STR, VERDICTS
from reporting.stats import (
    mcnemar_test,
)

# How a prompt's verdict changed from run A to run B (the flip table's `change` column).
NEWLY_FAILED = "newly failed"
NEWLY_PASSED = "newly passed"
FAILED_IN_BOTH = "failed in both"
PASSED_IN_BOTH = "passed in both"
UNSCORED = NOT_SCORED  # not scored in one run or both
MISSING_IN_A = "missing in A"
MISSING_IN_B = "missing in B"
CHANGE_ORDER: tuple[str, ...] = (
    NEWLY_FAILED,
    NEWLY_PASSED,
    FAILED_IN_BOTH,
    UNSCORED,
    MISSING_IN_A,
    MISSING_IN_B,
    PASSED_IN_BOTH,
)
# The changes of prompts scored in both runs: what McNemar's test is about.
SCORED_IN_BOTH: tuple[str, ...] = (PASSED_IN_BOTH, FAILED_IN_BOTH, NEWLY_FAILED, NEWLY_PASSED)
_FLIP_KEYS = ["_prompt", "_thread", "_turn"]


def _flip_side(responses: pd.DataFrame) -> pd.DataFrame:
    """One run's responses reduced to the flip-table columns with plain join keys."""
    turn = pd.to_numeric(responses["turn_number"], errors="coerce")
    side = pd.DataFrame(
        {
            "_prompt": responses["prompt_uuid"].astype(object).to_numpy(),
            "_thread": responses["thread_uuid"].astype(object).fillna("").to_numpy(),
            "_turn": turn.fillna(-1).astype(np.int64).to_numpy(),
            "prompt_content": responses["prompt_content"].astype(object).to_numpy(),
            "prompt_category": responses["prompt_category"].astype(object).to_numpy(),
            "verdict": responses["verdict"].astype(object).to_numpy(),
            "response": responses["response_text"].astype(object).to_numpy(),
            "explanation": responses["explanation"].astype(object).to_numpy(),
            "confidence": responses["confidence"].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    # One answer per key: a duplicated response would otherwise multiply the join.
    return side.drop_duplicates(_FLIP_KEYS, keep="first")


def flip_table(responses_a: pd.DataFrame, responses_b: pd.DataFrame) -> pd.DataFrame:
    """Run A against run B prompt by prompt: how each verdict changed."""
    side_a, side_b = _flip_side(responses_a), _flip_side(responses_b)
    both = side_a.merge(side_b, on=_FLIP_KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    va = both["verdict_a"].to_numpy(dtype=object)
    vb = both["verdict_b"].to_numpy(dtype=object)
    where = both["_merge"].to_numpy(dtype=object)
    change = np.select(
        [
            where == "right_only",
            where == "left_only",
            (va == NOT_SCORED) | (vb == NOT_SCORED),
            (va == PASSED) & (vb == PASSED),
            (va == FAILED) & (vb == FAILED),
            (va == PASSED) & (vb == FAILED),
            (va == FAILED) & (vb == PASSED),
        ],
        [
            MISSING_IN_A,
            MISSING_IN_B,
            UNSCORED,
            PASSED_IN_BOTH,
            FAILED_IN_BOTH,
            NEWLY_FAILED,
            NEWLY_PASSED,
        ],
        default=UNSCORED,
    )
    thread = both["_thread"].to_numpy(dtype=object)
    turn = both["_turn"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "prompt_uuid": pd.array(both["_prompt"].to_numpy(dtype=object), dtype=STR),
            "thread_uuid": pd.array(np.where(thread == "", None, thread), dtype=STR),
            "turn_number": pd.arrays.IntegerArray(np.maximum(turn, 0), turn < 0),
            "prompt_content": pd.array(
                both["prompt_content_b"]
                .combine_first(both["prompt_content_a"])
                .to_numpy(dtype=object),
                dtype=STR,
            ),
            "prompt_category": pd.array(
                both["prompt_category_b"]
                .combine_first(both["prompt_category_a"])
                .to_numpy(dtype=object),
                dtype=STR,
            ),
            "verdict_a": pd.Categorical(va, categories=list(VERDICTS)),
            "verdict_b": pd.Categorical(vb, categories=list(VERDICTS)),
            "change": pd.Categorical(change, categories=list(CHANGE_ORDER), ordered=True),
            "response_a": pd.array(both["response_a"].to_numpy(dtype=object), dtype=STR),
            "response_b": pd.array(both["response_b"].to_numpy(dtype=object), dtype=STR),
            "explanation_a": pd.array(both["explanation_a"].to_numpy(dtype=object), dtype=STR),
            "explanation_b": pd.array(both["explanation_b"].to_numpy(dtype=object), dtype=STR),
            "confidence_a": both["confidence_a"].to_numpy(dtype=float),
            "confidence_b": both["confidence_b"].to_numpy(dtype=float),
        }
    )
    out = out.sort_values(
        ["change", "prompt_category", "prompt_content", "prompt_uuid", "turn_number"],
        kind="stable",
        na_position="last",
    )
    return out.reset_index(drop=True)


def _verdicts_by_key(responses: pd.DataFrame) -> dict[tuple[Any, str, int], Any]:
    """Each prompt key's verdict (the first answer per key, as _flip_side keeps it)."""
    turn = pd.to_numeric(responses["turn_number"], errors="coerce").fillna(-1).astype(np.int64)
    keys = zip(
        responses["prompt_uuid"].astype(object).to_numpy(),
        responses["thread_uuid"].astype(object).fillna("").to_numpy(),
        turn.to_numpy(),
        responses["verdict"].astype(object).to_numpy(),
        strict=True,
    )
    found: dict[tuple[Any, str, int], Any] = {}
    for prompt, thread, at, verdict in keys:
        found.setdefault((prompt, thread, int(at)), verdict)
    return found


def flip_counts(responses_a: pd.DataFrame, responses_b: pd.DataFrame) -> tuple[int, int, int]:
    """(newly failed, newly passed, scored in both): the flip table's counts, without the table.

    The regression board needs only these for each eval; building every pair's flip table
    (a merge and a frame of texts) was 90% of the board's time at 50,000 responses.
    """
    before = _verdicts_by_key(responses_a)
    newly_failed = newly_passed = shared = 0
    scored = (PASSED, FAILED)
    for key, verdict_b in _verdicts_by_key(responses_b).items():
        verdict_a = before.get(key)
        if verdict_a in scored and verdict_b in scored:
            shared += 1
            newly_failed += verdict_a == PASSED and verdict_b == FAILED
            newly_passed += verdict_a == FAILED and verdict_b == PASSED
    return newly_failed, newly_passed, shared


def mcnemar_from_flips(flips: pd.DataFrame) -> tuple[int, int, float]:
    """(newly failed, newly passed, McNemar p-value) over the prompts scored in both runs."""
    change = flips["change"]
    b = int((change == NEWLY_FAILED).sum())
    c = int((change == NEWLY_PASSED).sum())
    return b, c, mcnemar_test(b, c)
