"""The words a person reads for each value the APIs send: one place, used on every screen.

Legends, filters, table cells, CSV headers and captions all ask `words(value)`, so an eval
type reads "Image safety" everywhere and never `image_safety`. A value no list here knows (a
new enum member) still shows, prettified, and never crashes. The values are those listed in
the API notes (api-notes/aymara-v2.md, api-notes/feather-v1.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from reporting.text import is_missing

MISSING = "—"  # how a missing value reads, everywhere (tables use the same dash)

# Aymara: an eval's type (free string in the API; these are the documented ones).
EVAL_TYPES = {
    "safety": "Safety",
    "accuracy": "Accuracy",
    "jailbreak": "Jailbreak",
    "image_safety": "Image safety",
}
# Aymara `Status` (evals, runs, reports) and file processing; Feather run and evaluator status.
STATUSES = {
    "created": "Created",
    "processing": "Processing",
    "finished": "Finished",
    "failed": "Failed",
    "pending": "Pending",
    "completed": "Completed",
    "running": "Running",
    "errored": "Errored",
    "queued": "Queued",
    "active": "Active",
    "inactive": "Inactive",
    "archived": "Archived",
}
# A response's verdict (Aymara) and a Feather run's outcome (`outcome` filter values).
VERDICTS = {
    "passed": "Passed",
    "failed": "Failed",
    "refused": "Refused",
    "not scored": "Not scored",  # the dashboard's own name for a verdict-less response
    "not_scored": "Not scored",
    "excluded": "Excluded",
    "no_verdict": "No verdict",
    "errored": "Errored",
}
SEVERITIES = {
    "info": "Info",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "critical": "Critical",
}
# Feather evaluator `format`: what a score carries.
FORMATS = {
    "boolean": "Pass / fail",
    "enum": "Label",
    "numeric": "Number",
    "score": "Score 0–1",
}
# Feather evaluator `kind`.
KINDS = {"model_judge": "Model judge", "deterministic": "Deterministic"}
# Feather conversation `channel`, `session_type` (the `scope` filter) and binding `scope`.
CHANNELS = {"chat": "Chat", "sms": "SMS", "voice": "Voice", "email": "Email", "text": "Text"}
SCOPES = {
    "live": "Live",
    "simulation": "Simulation",
    "test": "Test",
    "agent": "Assistant",
    "scenario": "Scenario",
}
# Aymara `ContentType`.
CONTENT_TYPES = {"text": "Text", "image": "Image", "video": "Video"}
# Feather `eval_summary.eval_status`.
EVAL_STATUSES = {
    "success": "Success",
    "partial": "Partial",
    "failure": "Failure",
    "none": "No decisive checks",
}

# Feather's two meanings of "critical" get two names on screen.
DECISIVE = "Decisive check"  # a binding marked is_critical: it decides the headline verdict
DECISIVE_HELP = (
    "A check whose binding is marked critical in Feather: it decides a conversation's "
    "headline verdict. Not the same as critical severity."
)
CRITICAL_SEVERITY = "Critical severity"  # a score or evaluator whose severity is "critical"

VOCABULARIES: tuple[Mapping[str, str], ...] = (
    EVAL_TYPES,
    VERDICTS,
    STATUSES,
    SEVERITIES,
    FORMATS,
    KINDS,
    CHANNELS,
    SCOPES,
    CONTENT_TYPES,
)
_ALL: dict[str, str] = {}
for _vocabulary in VOCABULARIES:
    for _raw, _word in _vocabulary.items():
        _ALL.setdefault(_raw, _word)
# Every value as the API spells it: no screen shows one of these as a whole label.
RAW_VALUES = frozenset(_ALL) | frozenset(EVAL_STATUSES) - {"none"}

_SEPARATORS = re.compile(r"[_\-\s]+")


# API values: lowercase words joined by "_", "-" or spaces ("needs_review", "within noise").
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:[_\- ][a-z0-9]+)*")


def prettify(value: str) -> str:
    """An unknown API value made readable: `needs_review` -> "Needs review".

    Only values spelled like an API's (lowercase words) are reworded: any other text (a name,
    or hostile text an API returned) is shown exactly as it came.
    """
    if not _IDENTIFIER.fullmatch(value):
        return value
    spaced = _SEPARATORS.sub(" ", value).strip()
    return spaced[:1].upper() + spaced[1:] if spaced else value


def words(value: Any, vocabulary: Mapping[str, str] | None = None) -> str:
    """The words for an API value: from `vocabulary` (default: every list), else prettified."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    raw = str(value)
    table = _ALL if vocabulary is None else vocabulary
    return table.get(raw) or table.get(raw.lower()) or prettify(raw)


def word_map(values: Iterable[Any], vocabulary: Mapping[str, str] | None = None) -> dict[Any, str]:
    """Each distinct value and its words (for a column's `.map`)."""
    return {v: words(v, vocabulary) for v in dict.fromkeys(values)}


def in_words(series: Any, vocabulary: Mapping[str, str] | None = None) -> Any:
    """A pandas Series of API values as words (missing stays missing, for the table's dash)."""
    names = word_map(series.dropna().unique(), vocabulary)  # once per distinct value
    return series.astype(object).map(
        lambda v: None if is_missing(v) else names[v] if v in names else words(v, vocabulary)
    )


def words_joined(text: Any, vocabulary: Mapping[str, str] | None = None, sep: str = ", ") -> Any:
    """A joined list of API values ("image_safety, safety") in words; missing stays missing."""
    if is_missing(text):
        return text
    return sep.join(words(part.strip(), vocabulary) for part in str(text).split(sep))
