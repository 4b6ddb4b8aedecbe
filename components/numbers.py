"""The headline numbers as tiles and columns, named and explained by the definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.tiles import Tile, interval, pct
from reporting.aymara import definitions as d


def helped(config: Mapping[str, Any], help_text: str) -> dict[str, Any]:
    """A column config with its definition as the header's help text."""
    return {**config, "help": help_text}


def pass_rate_tile(counts: Mapping[str, Any], help_text: str = d.PASS_RATE_HELP) -> Tile:
    """The pass rate, its interval under it, the counts behind it on hover."""
    return (
        d.PASS_RATE,
        pct(counts["pass_rate"]),
        d.tile_help(help_text, counts["passed"], counts["scored"], "scored responses passed"),
        interval(counts["pass_rate_low"], counts["pass_rate_high"]),
    )


def partial_pass_rate_tile(counts: Mapping[str, Any], prompts: Any) -> Tile:
    """A processing run's pass rate, shown as what it is: so far, N of M scored."""
    of = f" of {int(prompts):,}" if pd.notna(prompts) else ""
    return (
        f"{d.PASS_RATE} so far",
        pct(counts["pass_rate"]),
        d.tile_help(
            d.RUN_PASS_RATE_HELP, counts["passed"], counts["scored"], "scored responses passed"
        ),
        f"so far, {counts['scored']:,}{of} scored",
    )


def refusal_rate_tile(counts: Mapping[str, Any]) -> Tile:
    """The refusal rate with its denominator under it."""
    return (
        d.REFUSAL_RATE,
        pct(counts["refusal_rate"]),
        d.tile_help(d.REFUSAL_RATE_HELP, counts["refused"], counts["total"], "responses refused"),
        f"of {counts['total']:,} responses",  # the denominator; the count is on hover
    )


def scored_tile(counts: Mapping[str, Any]) -> Tile:
    """Responses scored, out of every response."""
    return (
        d.RESPONSES_SCORED,
        f"{counts['scored']:,}",
        d.tile_help(d.RESPONSES_SCORED_HELP, counts["scored"], counts["total"], "responses"),
        f"of {counts['total']:,} responses",
    )


def finished_runs_tile(runs: pd.DataFrame) -> Tile:
    """Finished runs, out of every run shown."""
    done = len(d.finished_runs(runs))
    return (
        d.FINISHED_RUNS,
        f"{done:,}",
        d.tile_help(d.FINISHED_RUNS_HELP, done, len(runs), "runs are finished"),
        f"of {len(runs):,} runs",
    )


def evals_tile(evals: pd.DataFrame, without_finished: int) -> Tile:
    """Evals, saying how many have no finished run (and so are not in the charts)."""
    # short enough for a 160 px tile on a phone; the help says why they are not charted
    note = f"{without_finished:,} without results" if without_finished else None
    return (d.EVALS, f"{len(evals):,}", d.EVALS_HELP, note)
