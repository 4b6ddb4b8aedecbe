"""Text made safe for where it goes: markdown on the page, cells of a spreadsheet.

Plotly labels need HTML escaping instead (reporting.figures' `_esc`): plotly reads a small
HTML subset (<b>, <br>, <a>) and no markdown, so the two escapers differ on purpose.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

# Every ASCII punctuation mark markdown, Streamlit's directives (:red[..], :material/..:) or
# LaTeX ($) could read; a backslash makes each one literal (CommonMark escapes).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$&=\"'^])")
_AUTOLINK = re.compile(r"(\\:|www|@)", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_missing(value: Any) -> bool:
    """None, NaN, NA, NaT or an empty string."""
    if value is None or (isinstance(value, str) and not value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: present
        return False


def escape_markdown(value: Any) -> str:
    """API text made inert for markdown (headers, captions, tables): shown exactly, never parsed.

    Without it a name like `![x](http://host/p.png)` would load a remote image from a header.
    Line breaks become spaces: one value is one line of the page.
    """
    if is_missing(value):
        return ""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    # Escapes do not stop GFM's bare-URL and email autolinks; an invisible word joiner does.
    return _AUTOLINK.sub("\\1\u2060", escaped)


def code_span(value: Any) -> str:
    """API text for inside a markdown code span, where escapes do not apply: no backticks."""
    return " ".join(str(value).replace("`", "'").split())


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading quote makes it a plain string."""
    return "'" + text if text.startswith(_FORMULA_START) else text


CELL_CHARS = 300  # a table cell shows this much of a text; the full text is in the card


def preview_series(values: pd.Series, limit: int = CELL_CHARS) -> pd.Series:
    """Texts cut to `limit` characters (with an ellipsis) for a table cell; others unchanged.

    One ~1 MB API text in a cell made every viewer's table a 21 MB websocket frame.
    """
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return values
    lengths = values.str.len()
    long = lengths > limit
    if not long.any():
        return values
    cut = values.astype(object).copy()
    cut[long] = values[long].str.slice(0, limit - 1) + "…"
    return cut


def plural(n: int, noun: str, many: str | None = None) -> str:
    """A count and its noun, singular or plural: "1 eval", "2 evals", "1,204 responses"."""
    word = noun if n == 1 else (many or noun + "s")
    return f"{n:,} {word}"


def p_number(p: Any) -> str:
    """A p-value as a table cell: "0.125", "< 0.001", or a dash when no test was possible."""
    if is_missing(p):
        return "—"
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def p_value(p: Any) -> str:
    """A p-value in a sentence, one way on every page: "p = 0.125", "p < 0.001"."""
    number = p_number(p)
    if number == "—":
        return "no test possible"
    return f"p {number}" if number.startswith("<") else f"p = {number}"


def short_id(value: Any, length: int = 8) -> str:
    """The start of an id, enough to tell ids apart on screen (the full one stays in the data)."""
    return "" if is_missing(value) else str(value)[:length]


_STAMP = re.compile(
    r"[\s·\-–]*\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2}|\s*UTC)?\s*$"
)


def run_label(name: Any, created_at: Any = None, eval_name: Any = None) -> str:
    """A run's name without what the screen already says: the eval's name, a timestamp.

    The API names a run "<eval name> <timestamp>" by default; beside the eval's name and the
    run's own date that reads every fact twice. With `created_at` the date is added once.
    """
    text = "" if is_missing(name) else " ".join(str(name).split())
    core = _STAMP.sub("", text)
    if not is_missing(eval_name):
        ev = " ".join(str(eval_name).split())
        for cut in (ev + " - ", " - " + ev):
            core = core.replace(cut, " ").strip()
        core = "" if core == ev else core
    stamp = ""
    if not is_missing(created_at):
        stamp = f"{pd.Timestamp(created_at):%Y-%m-%d %H:%M}"
    label = " · ".join(part for part in (core.strip(), stamp) if part)
    if label:
        return label
    found = _STAMP.search(text)  # a name that was only the eval's name and a timestamp
    return found.group(0).strip(" ·-–") if found else text or "—"
