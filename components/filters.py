"""Filter widgets bound to the URL's query parameters, so a copied link restores the view."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from reporting.aymara.response_rows import distinct_values
from reporting.vocabulary import words


def options_of(series: pd.Series) -> list[str]:
    """The distinct non-empty values of a column, sorted, as text."""
    return distinct_values(series)


def keep_chosen(frame: pd.DataFrame, chosen: dict[str, list[str]]) -> pd.DataFrame:
    """The rows whose value is among those chosen, for each column with a choice (none: all)."""
    for column, values in chosen.items():
        if values:
            frame = frame[frame[column].isin(values)]
    return frame


def multi(
    label: str, options: Iterable[str], key: str, container: Any = st, **kwargs: Any
) -> list[str]:
    """A multiselect bound to the query parameter `key`; API values read as words.

    Streamlit keeps the shown words in the URL ("type=Image+safety"); a link written with the
    API's own values ("type=image_safety") is read as those words, never silently dropped.
    """
    options = list(options)
    shown = kwargs.setdefault("format_func", words)
    _values_to_labels(key, options, shown)
    return container.multiselect(label, options, key=key, bind="query-params", **kwargs)


def _values_to_labels(key: str, options: list[str], shown: Callable[[str], str]) -> None:
    """Choose the options a link names by their API values, as if named by their labels."""
    if key in st.session_state or key not in st.query_params:
        return  # the widget already holds the choice: the URL follows it
    asked = st.query_params.get_all(key)
    by_label = {str(shown(o)): o for o in options}
    if all(a in by_label for a in asked):
        return  # Streamlit's own binding reads these
    by_value = {str(o): o for o in options}
    chosen = [by_label.get(a, by_value.get(a)) for a in asked]
    st.session_state[key] = [c for c in chosen if c is not None]


def fraction_range(label: str, key: str, container: Any = st) -> tuple[float, float]:
    """A 0..1 range slider (shown as percentages) bound to the URL."""
    low, high = container.slider(
        label, 0.0, 1.0, (0.0, 1.0), step=0.01, key=key, bind="query-params", format="percent"
    )
    return float(low), float(high)


def day_range(
    label: str, first: date, last: date, key: str, container: Any = st
) -> tuple[date, date]:
    """A date range bound to the URL; a half-chosen range counts as that single day."""
    picked = container.date_input(
        label,
        (first, last),
        min_value=first,
        max_value=last,
        key=key,
        bind="query-params",
    )
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return first, last
    return picked, picked


def search(label: str, key: str, container: Any = st) -> str:
    """A free-text search box bound to the URL."""
    value = container.text_input(
        label,
        key=key,
        bind="query-params",
        placeholder="Words in the prompt, response or explanation",
    )
    return (value or "").strip()


def choice(label: str, options: list[str], key: str, container: Any = st) -> str:
    """A one-of-few choice (e.g. any / yes / no) bound to the URL."""
    value = container.segmented_control(
        label, options, default=options[0], key=key, bind="query-params", required=True
    )
    return value or options[0]
