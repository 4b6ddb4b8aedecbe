"""Row checks: each row of an upload as a response to score, or the problems to fix in it.

Pure: no streamlit. Row numbers follow the spreadsheet convention for CSV (the header is row 1,
so the first response is row 2) and are line numbers for JSONL (the first line is line 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from client.aymara_models import FileReference, ResponseToScore

MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_ROWS = 10_000
MAX_EXAMPLES = 50
MAX_PROBLEMS = 500  # a file wrong on every row needs fixing in bulk, not a 10,000-line list

REQUIRED_COLUMNS: tuple[str, ...] = ("prompt_uuid", "content")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "content_type",
    "ai_refused",
    "exclude_from_scoring",
    "thread_uuid",
    "turn_number",
    "continue_thread",
)
IGNORED_COLUMNS: tuple[str, ...] = ("prompt",)  # for the person filling the template
TEMPLATE_COLUMNS: tuple[str, ...] = ("prompt_uuid", "prompt", "content", *OPTIONAL_COLUMNS)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS + IGNORED_COLUMNS)
CONTENT_TYPES: tuple[str, ...] = ("text", "image", "video")
EXAMPLE_TYPES: tuple[str, ...] = ("pass", "fail")
EXAMPLE_COLUMNS: tuple[str, ...] = ("type", "prompt", "response", "explanation")
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})

FileFormat = Literal["csv", "jsonl", "json"]
Unit = Literal["row", "line", "item", "example", "file"]


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (row or line, and column) and what to do about it."""

    row: int | None  # None: the file as a whole
    column: str | None
    message: str
    unit: Unit = "row"

    @property
    def where(self) -> str:
        """'Row 3', 'Line 7' or 'File'."""
        if self.row is None:
            return "File"
        return f"{self.unit.capitalize()} {self.row}"

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{self.where}{column}: {self.message}"


@dataclass(frozen=True)
class ParsedUpload:
    """What a file holds: responses ready to send (with their row numbers) or problems."""

    file_format: FileFormat | None
    responses: tuple[ResponseToScore, ...] = ()
    rows: tuple[int, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    more_problems: int = 0  # problems found beyond MAX_PROBLEMS
    checked: int = 0  # rows (or lines, items) checked, so a group can say "all 100 rows"

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is at least one response."""
        return not self.problems and bool(self.responses)


@dataclass
class Context:
    """What row checks need to know about the eval and the file."""

    prompt_uuids: Collection[str]
    eval_name: str
    unit: Unit
    problems: list[Problem] = field(default_factory=list)
    more: int = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        """Record a problem (counting, not keeping, those beyond the cap)."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.problems.append(
            Problem(row, column, message, self.unit if row is not None else "file")
        )


def show_value(value: Any, limit: int = 40) -> str:
    """A cell's value quoted for a message: one line, cut to `limit` characters."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


def cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def check_header(header: list[str], ctx: Context) -> list[str]:
    """Missing, repeated and unknown columns; returns notes about ignored columns."""
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            ctx.add(
                1, name, f"The column {show_value(name)} appears twice in the header; keep one."
            )
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            ctx.add(
                1,
                name,
                f"The header has no {name} column. The first row must name the columns "
                f"(at least {', '.join(REQUIRED_COLUMNS)}); the template has them all.",
            )
    unknown = [h for h in header if h and h not in KNOWN_COLUMNS]
    if unknown:
        shown = ", ".join(show_value(u, 30) for u in unknown[:5])
        return [
            f"Ignored {'column' if len(unknown) == 1 else 'columns'} {shown}: not a field of a "
            "response. Check the spelling if you "
            f"meant one of {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."
        ]
    return []


def json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def unknown_keys(values: Iterable[tuple[int, dict[str, Any]]]) -> list[str]:
    unknown = sorted({k for _, item in values for k in item if k not in KNOWN_COLUMNS})
    if not unknown:
        return []
    shown = ", ".join(show_value(u, 30) for u in unknown[:5])
    return [
        f"Ignored {'key' if len(unknown) == 1 else 'keys'} {shown}: not a field of a response. "
        "Check the spelling if you meant "
        f"one of {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."
    ]


def check_rows(
    file_format: FileFormat,
    values: Sequence[tuple[int, Mapping[str, Any]]],
    ctx: Context,
    notes: list[str],
) -> ParsedUpload:
    """Check each row, then duplicates; responses are returned only when all rows are clean."""
    responses: list[ResponseToScore] = []
    rows: list[int] = []
    first_seen: dict[tuple[str, str | None, int], int] = {}
    for row, raw in values:
        response = _check_row(row, raw, ctx)
        if response is None:
            continue
        key = (response.prompt_uuid, response.thread_uuid, response.turn_number)
        if key in first_seen:
            ctx.add(
                row,
                "prompt_uuid",
                f"This repeats {ctx.unit} {first_seen[key]}: same prompt_uuid, thread_uuid and "
                "turn_number. Delete one of the two, or give a later turn of the same "
                "conversation its own turn_number.",
            )
            continue
        first_seen[key] = row
        responses.append(response)
        rows.append(row)
    if ctx.problems:
        return ParsedUpload(
            file_format,
            problems=tuple(ctx.problems),
            notes=tuple(notes),
            more_problems=ctx.more,
            checked=len(values),
        )
    covered = len({r.prompt_uuid for r in responses})
    total = len(ctx.prompt_uuids)
    if covered < total:
        notes = [
            *notes,
            f"{covered:,} of the eval's {total:,} prompts have a response; the other "
            f"{total - covered:,} will not be scored in this run.",
        ]
    return ParsedUpload(file_format, tuple(responses), tuple(rows), (), tuple(notes))


def _check_row(row: int, raw: Mapping[str, Any], ctx: Context) -> ResponseToScore | None:
    """One row as a response, or None after recording what is wrong with it."""
    before = len(ctx.problems) + ctx.more

    prompt_uuid = _text(raw.get("prompt_uuid"), "prompt_uuid", row, ctx)
    if prompt_uuid is not None and not prompt_uuid:
        ctx.add(
            row, "prompt_uuid", "prompt_uuid is empty. Copy the prompt's uuid from the template."
        )
    elif prompt_uuid and prompt_uuid not in ctx.prompt_uuids:
        ctx.add(
            row,
            "prompt_uuid",
            f"prompt_uuid {show_value(prompt_uuid)} is not a prompt of the eval "
            f"{show_value(ctx.eval_name, 60)}. Check that you chose the right eval, or copy "
            "the uuid from this eval's template.",
        )

    content_type = (_text(raw.get("content_type"), "content_type", row, ctx) or "text").lower()
    if content_type not in CONTENT_TYPES:
        ctx.add(
            row,
            "content_type",
            f"content_type is {show_value(content_type)}; use one of "
            f"{', '.join(CONTENT_TYPES)} (or leave it empty for text).",
        )
    refused = _boolean(raw.get("ai_refused"), "ai_refused", row, ctx)
    excluded = _boolean(raw.get("exclude_from_scoring"), "exclude_from_scoring", row, ctx)
    continue_thread = _boolean(raw.get("continue_thread"), "continue_thread", row, ctx)
    thread_uuid = _text(raw.get("thread_uuid"), "thread_uuid", row, ctx) or None
    turn_number = _turn_number(raw.get("turn_number"), row, ctx)
    content = _content(raw.get("content"), content_type, row, ctx)
    if content is None and not refused and not excluded:
        ctx.add(
            row,
            "content",
            "content is empty. Fill in the AI's response; if the AI refused to answer, set "
            "ai_refused to true (or exclude_from_scoring to true to leave the row out).",
        )

    if len(ctx.problems) + ctx.more > before or prompt_uuid is None:
        return None
    return ResponseToScore(
        prompt_uuid=prompt_uuid,
        content=content,
        content_type=content_type,
        ai_refused=refused,
        exclude_from_scoring=excluded,
        thread_uuid=thread_uuid,
        turn_number=turn_number,
        continue_thread=continue_thread,
    )


def _text(value: Any, column: str, row: int, ctx: Context) -> str | None:
    """A text cell, stripped ("" when empty); None (and a problem) when it is not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    ctx.add(row, column, f"{column} must be text, not a JSON {json_kind(value)}.")
    return None


def _boolean(value: Any, column: str, row: int, ctx: Context) -> bool:
    """true/false, 1/0 or yes/no in any case; empty means false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS or word == "":
        return False
    ctx.add(
        row,
        column,
        f"{column} is {show_value(value)}; use true or false (1/0 and yes/no work too), or leave "
        "it empty for false.",
    )
    return False


_WHOLE_NUMBER = re.compile(r"\+?\d+(?:\.0*)?")


def _turn_number(value: Any, row: int, ctx: Context) -> int:
    """A positive whole number; empty means 1."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(float(value.strip()))
    if number is None or number < 1:
        ctx.add(
            row,
            "turn_number",
            f"turn_number is {show_value(value)}; it must be a whole number of 1 or more (1 for "
            "the first turn of a conversation), or empty for 1.",
        )
        return 1
    return number


def _content(value: Any, content_type: str, row: int, ctx: Context) -> str | FileReference | None:
    """The response: text, or for image and video a file reference; None when empty."""
    if isinstance(value, dict):
        try:
            return FileReference.model_validate(value)
        except ValueError:
            ctx.add(
                row,
                "content",
                "content is an object without a file_uuid or remote_file_path. Give the "
                "response as text, or reference an uploaded file by its file_uuid.",
            )
            return None
    text = _text(value, "content", row, ctx)
    if not text:
        return None
    if content_type in ("image", "video") and "\n" not in text and len(text) <= 1024:
        # A spreadsheet cell cannot hold an image: it names a file already uploaded to Aymara.
        if "/" in text:
            return FileReference(remote_file_path=text)
        return FileReference(file_uuid=text)
    return value if isinstance(value, str) and value.strip() else text
