"""Why a Feather chart has nothing to say for the runs shown, in one sentence (or None).

A filter can leave a chart technically drawable but empty of meaning: with Outcome = failed
every pass rate is 0%. Such charts are replaced by the sentence, not drawn as a wall of zeros.
"""

from __future__ import annotations

import pandas as pd

PASSED, FAILED = "passed", "failed"


def why_no_pass_rates(runs: pd.DataFrame, outcome_filter: str | None = None) -> str | None:
    """The reason pass-rate charts would be empty or all one value, or None when they inform."""
    outcomes = set(runs["outcome"].astype(str)) if "outcome" in runs else set()
    has_passed, has_failed = PASSED in outcomes, FAILED in outcomes
    hint = " Set Outcome back to Any to compare pass rates." if outcome_filter else ""
    if not has_passed and not has_failed:
        return (
            "No run shown has a verdict (passed or failed), so there is no pass rate to chart "
            "by evaluator, channel or scope." + hint
        )
    if not has_passed:
        return (
            "Every run shown with a verdict failed, so each pass rate by evaluator, channel and "
            "scope would read 0%." + hint
        )
    if not has_failed:
        return (
            "Every run shown with a verdict passed, so each pass rate by evaluator, channel and "
            "scope would read 100%." + hint
        )
    return None
