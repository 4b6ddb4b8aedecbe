"""Shared colours: one meaning, one colour, on every page and in both themes."""

from __future__ import annotations

from collections.abc import Iterable

# Mid-luminance hues from the Okabe-Ito and Paul Tol palettes: distinguishable under the common
# colour-vision deficiencies, and light enough on a dark background yet dark enough on a light one.
GREEN = "#1B9E77"
RED = "#D55E00"
AMBER = "#E69F00"
GREY = "#8C8C8C"
BLUE = "#4477AA"
SKY = "#56B4E9"
PURPLE = "#AA3377"
MUTED = "#9AA5B1"

VERDICT_COLORS: dict[str, str] = {
    "passed": GREEN,
    "failed": RED,
    "refused": AMBER,
    "not scored": GREY,
}

# Feather run outcomes share the verdict colours where the meaning is the same.
OUTCOME_COLORS: dict[str, str] = {
    "passed": GREEN,
    "failed": RED,
    "no_verdict": GREY,
    "errored": PURPLE,
    "pending": SKY,
}

# Ordered from calm to alarming; critical is darker than high so the two never blur.
SEVERITY_COLORS: dict[str, str] = {
    "info": "#7A8FA6",
    "low": "#C9A227",
    "medium": AMBER,
    "high": RED,
    "critical": "#A11D48",
}
SEVERITY_ORDER: tuple[str, ...] = tuple(SEVERITY_COLORS)

# Eval types: Paul Tol's "bright" scheme, reordered so the first types avoid the verdict hues.
EVAL_TYPE_COLORS: tuple[str, ...] = (
    BLUE,
    "#66CCEE",
    PURPLE,
    "#CCBB44",
    "#EE6677",
    "#228833",
    "#BBBBBB",
    "#332288",
)
EVAL_TYPE = EVAL_TYPE_COLORS

# Known types get a fixed colour so "safety" looks the same whatever else is on the page.
KNOWN_EVAL_TYPES: tuple[str, ...] = ("safety", "jailbreak", "accuracy", "image_safety")

# Two-run comparisons: the older run muted, the newer one strong.
COMPARE_COLORS: tuple[str, str] = (MUTED, BLUE)

TREND_COLOR = GREY

# Pass rate over time: the few evals in focus, one strong hue each (the rest are MUTED, faint).
HIGHLIGHT_COLORS: tuple[str, ...] = (RED, BLUE, AMBER, PURPLE, SKY, "#228833")

# Streamlit's dark background, and a lighter variant of each series colour that falls under
# WCAG's 3:1 for graphics against it (or that reads dim there, like the dark blue bars).
DARK_BACKGROUND = "#0E1117"
DARK_VARIANTS: dict[str, str] = {
    BLUE: "#6E9FD6",
    PURPLE: "#D95C9E",
    "#332288": "#8E7FE0",
    "#A11D48": "#E5487F",
}


def for_dark(colour: str) -> str:
    """The colour to draw a series in on the dark background (itself when it already reads)."""
    return DARK_VARIANTS.get(colour.upper(), DARK_VARIANTS.get(colour, colour))


def series_colors() -> tuple[str, ...]:
    """Every colour a figure draws a series in, in the light theme."""
    every = (
        *VERDICT_COLORS.values(), *OUTCOME_COLORS.values(), *SEVERITY_COLORS.values(),
        *EVAL_TYPE_COLORS, *COMPARE_COLORS, *HIGHLIGHT_COLORS, TREND_COLOR, MUTED, GREY,
    )  # fmt: skip
    return tuple(dict.fromkeys(every))


def eval_type_colors(eval_types: Iterable[str]) -> dict[str, str]:
    """A stable colour per eval type: known types fixed, others in sorted order after them."""
    seen = {str(t) for t in eval_types}
    colours: dict[str, str] = {}
    for i, known in enumerate(KNOWN_EVAL_TYPES):
        if known in seen:
            colours[known] = EVAL_TYPE_COLORS[i]
    others = sorted(seen - set(KNOWN_EVAL_TYPES))
    for j, name in enumerate(others):
        colours[name] = EVAL_TYPE_COLORS[(len(KNOWN_EVAL_TYPES) + j) % len(EVAL_TYPE_COLORS)]
    return colours
