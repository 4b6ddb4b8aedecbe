"""Everything the Feather page draws for one filter set, built once from the loaded frames.

The page asks for this through the cache, so going back to the page or to a filter set seen
before redraws what was built rather than building the counts and figures again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from client.feather_models import ActivityBucket
from reporting.feather.aggregates import (
    daily_outcomes,
    daily_outcomes_from_activity,
    evaluator_changes,
    latest_critical_failure,
    numeric_values,
    outcome_summary,
    pass_rates,
    recent_failures,
    score_values,
    severity_outcomes,
    triage,
)
from reporting.feather.figures import (
    failures_bars,
    numeric_distribution,
    outcome_over_time,
    pass_rate_bars,
    score_distribution,
    severity_by_outcome,
)
from reporting.feather.tables import with_names


@dataclass(frozen=True)
class FeatherView:
    """The named runs and every count, table and figure the page shows for them."""

    runs: pd.DataFrame
    summary: dict[str, Any]
    latest_critical: pd.Series | None
    changes: pd.DataFrame
    daily_from_activity: bool
    triage: pd.DataFrame
    figures: dict[str, go.Figure]


def build_view(
    runs: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    evaluator_names: Mapping[str, str],
    assistant_names: Mapping[str, str],
    buckets: Sequence[ActivityBucket] | None,
    complete: bool,
    first_day: dt.date,
    last_day: dt.date,
) -> FeatherView:
    """The page's content for these runs; the day chart from the activity counts when given."""
    named = with_names(runs, dict(evaluator_names), dict(assistant_names))
    if buckets is not None:
        daily = daily_outcomes_from_activity(buckets, named if complete else None)
    else:
        daily = daily_outcomes(named, first_day, last_day)
    figures: dict[str, go.Figure] = {}
    if not named.empty:
        figures = {
            "recent_failures": failures_bars(recent_failures(named, last_day)),
            "daily": outcome_over_time(daily),
            "severity": severity_by_outcome(severity_outcomes(named)),
            "by_evaluator": pass_rate_bars(
                pass_rates(named, "evaluator_name"), "evaluator_name", "evaluator"
            ),
            "scores": score_distribution(score_values(scores, named)),
            "numeric": numeric_distribution(numeric_values(scores, named)),
            "by_channel": pass_rate_bars(pass_rates(named, "channel"), "channel", "channel"),
            "by_scope": pass_rate_bars(pass_rates(named, "scope"), "scope", "scope"),
        }
    empty = named.empty
    return FeatherView(
        runs=named,
        summary=outcome_summary(named) if not empty else {},
        latest_critical=latest_critical_failure(named) if not empty else None,
        changes=evaluator_changes(named, last_day) if not empty else pd.DataFrame(),
        daily_from_activity=buckets is not None,
        triage=triage(named) if not empty else named,
        figures=figures,
    )
