"""Feather pass-rate charts a filter empties are replaced by one sentence saying why."""

from __future__ import annotations

import pandas as pd

from reporting.feather.empty import why_no_pass_rates


def runs(*outcomes: str) -> pd.DataFrame:
    return pd.DataFrame({"outcome": list(outcomes)})


def test_runs_with_both_verdicts_need_no_sentence() -> None:
    assert why_no_pass_rates(runs("passed", "failed", "errored"), "failed") is None


def test_only_failed_runs_say_every_rate_would_be_zero_and_how_to_undo_the_filter() -> None:
    reason = why_no_pass_rates(runs("failed", "failed", "errored"), "failed")
    assert reason is not None and "would read 0%" in reason
    assert "Set Outcome back to Any" in reason


def test_only_passed_runs_say_every_rate_would_be_full() -> None:
    reason = why_no_pass_rates(runs("passed"))
    assert reason is not None and "100%" in reason and "Outcome" not in reason


def test_runs_without_any_verdict_say_there_is_no_pass_rate() -> None:
    reason = why_no_pass_rates(runs("errored", "no_verdict"), "errored")
    assert reason is not None and "no pass rate" in reason
    assert why_no_pass_rates(pd.DataFrame({"outcome": []})) is not None
