"""Dark mode: every series colour keeps WCAG's 3:1 contrast for graphics against the background."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from reporting.chart_style import for_theme
from reporting.palette import BLUE, DARK_BACKGROUND, SEVERITY_COLORS, for_dark, series_colors


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #RRGGBB colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return float(np.dot([0.2126, 0.7152, 0.0722], linear))


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_wcag_for_black_on_white() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", series_colors())
def test_every_series_colour_reads_on_the_dark_background(colour: str) -> None:
    assert contrast(for_dark(colour), DARK_BACKGROUND) >= 3.0, (colour, for_dark(colour))


def test_the_palette_had_colours_that_needed_a_dark_variant() -> None:
    failing = [c for c in series_colors() if contrast(c, DARK_BACKGROUND) < 3.0]
    assert failing, "nothing needed a variant: the test above would pass on any palette"
    assert all(for_dark(c) != c for c in failing)


def test_critical_and_high_stay_apart_in_the_dark() -> None:
    high, critical = for_dark(SEVERITY_COLORS["high"]), for_dark(SEVERITY_COLORS["critical"])
    assert high != critical


def test_a_figure_shown_in_the_dark_theme_draws_its_series_in_the_dark_variants() -> None:
    fig = go.Figure(go.Bar(x=[1], y=[1], marker={"color": BLUE}))
    dark = for_theme(fig, "dark")
    assert dark.data[0].marker.color == for_dark(BLUE) != BLUE
    assert fig.data[0].marker.color == BLUE  # the shared figure is not changed
    assert for_theme(fig, "light") is fig and for_theme(fig, None) is fig
