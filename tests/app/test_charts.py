"""components.charts: a figure shared by sessions is turned into its chart spec once."""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterator
from typing import Any

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from components import charts
from reporting.chart_style import for_theme

SHARED = "_test_charts_shared"  # a module the app scripts read their figure from


class CountingFigure(go.Figure):
    """A figure that counts how often it is turned into its dict."""

    def to_dict(self) -> dict[str, Any]:
        """The figure's dict, counted."""
        self.__dict__["conversions"] = self.__dict__.get("conversions", 0) + 1
        return super().to_dict()


def figure(colour: str = "#4477AA", y: tuple[int, ...] = (3, 1, 2)) -> CountingFigure:
    return CountingFigure(go.Bar(x=["a", "b", "c"], y=list(y), marker={"color": colour}))


def conversions(fig: go.Figure) -> int:
    return fig.__dict__.get("conversions", 0)


@pytest.fixture
def shared() -> Iterator[types.ModuleType]:
    """Where the figure every session shows lives (as the memo holds a page's figures)."""
    module = types.ModuleType(SHARED)
    sys.modules[SHARED] = module
    yield module
    del sys.modules[SHARED]


def _shows_the_shared_figure() -> None:
    import sys

    import streamlit as st

    from components import charts

    shared = sys.modules["_test_charts_shared"]
    if getattr(shared, "plain", False):  # what st.plotly_chart itself makes of the figure
        st.plotly_chart(shared.fig, key="shared_chart", config=charts.CONFIG)
    else:
        charts.chart(shared.fig, key="shared_chart")


def chart_proto(script: Any) -> Any:
    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    (element,) = at.get("plotly_chart")
    return element.proto


def chart_proto_plain(shared: types.ModuleType) -> Any:
    """The chart st.plotly_chart itself makes of the shared figure."""
    shared.plain = True
    try:
        return chart_proto(_shows_the_shared_figure)
    finally:
        shared.plain = False


def test_two_sessions_showing_one_figure_convert_it_once(shared: types.ModuleType) -> None:
    shared.fig = figure()
    first = chart_proto(_shows_the_shared_figure)
    second = chart_proto(_shows_the_shared_figure)
    assert conversions(shared.fig) == 1
    assert second.spec == first.spec


def test_the_chart_is_the_element_st_plotly_chart_makes_of_the_figure(
    shared: types.ModuleType,
) -> None:
    shared.fig = figure()
    ours = chart_proto(_shows_the_shared_figure)
    theirs = chart_proto_plain(shared)
    assert ours.SerializeToString() == theirs.SerializeToString()  # spec, config, id, theme


def test_a_changed_figure_gets_a_spec_of_its_own(shared: types.ModuleType) -> None:
    shared.fig = figure(y=(3, 1, 2))
    before = chart_proto(_shows_the_shared_figure)
    shared.fig = figure(y=(1, 2, 9))  # a new dataset or filter builds a new figure
    after = chart_proto(_shows_the_shared_figure)
    assert conversions(shared.fig) == 1
    assert after.spec != before.spec
    assert after.spec == chart_proto_plain(shared).spec


def test_each_theme_has_its_own_spec_made_once() -> None:
    fig = figure("#4477AA")
    light, dark = charts.spec(fig, "light"), charts.spec(fig, "dark")
    assert charts.spec(fig, "dark") is dark and charts.spec(fig, None) is light
    assert light.to_dict() == fig.to_dict()
    assert dark.to_dict() == for_theme(fig, "dark").to_dict() != light.to_dict()


def test_a_figure_no_longer_shown_anywhere_is_forgotten() -> None:
    fig = figure()
    charts.spec(fig, None)
    key = (id(fig), None)
    assert key in charts._SPECS
    del fig
    gc.collect()
    assert key not in charts._SPECS
