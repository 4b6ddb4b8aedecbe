"""Uploaded responses -> a checked ScoreRequest: parsing, row checks, templates, outcomes.

Pure: no streamlit. Row numbers follow the spreadsheet convention for CSV (the header is row 1,
so the first response is row 2) and are line numbers for JSONL (the first line is line 1).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from client.aymara_models import EvalRunExample, FileReference, ResponseToScore, ScoreRequest
from client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

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
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "prompt_uuid",
    "prompt",
    "content",
    "content_type",
    "ai_refused",
    "exclude_from_scoring",
    "thread_uuid",
    "turn_number",
    "continue_thread",
)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS + IGNORED_COLUMNS)
CONTENT_TYPES: tuple[str, ...] = ("text", "image", "video")
EXAMPLE_TYPES: tuple[str, ...] = ("pass", "fail")
EXAMPLE_COLUMNS: tuple[str, ...] = ("type", "prompt", "response", "explanation")
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})

ROW_CONVENTION = (
    "Row numbers count as a spreadsheet does: the header is row 1, so the first response is "
    "row 2. In a JSONL file they are line numbers."
)

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

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is at least one response."""
        return not self.problems and bool(self.responses)


@dataclass
class _Context:
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


# ---------------------------------------------------------------------------------------------
# Reading the bytes


def show_value(value: Any, limit: int = 40) -> str:
    """A cell's value quoted for a message: one line, cut to `limit` characters."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


def _file_problem(message: str) -> ParsedUpload:
    return ParsedUpload(None, problems=(Problem(None, None, message, "file"),))


def decode(data: bytes, file_name: str = "") -> str | Problem:
    """The text of an uploaded file (UTF-8, with or without a BOM), or why it cannot be read."""
    if len(data) > MAX_BYTES:
        return Problem(
            None,
            None,
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_MB} MB. "
            "Split it into smaller files.",
            "file",
        )
    if not data.strip():
        return Problem(
            None,
            None,
            "The file is empty. Download the template, fill in the content column and upload it.",
            "file",
        )
    if data.startswith(b"PK\x03\x04"):
        return Problem(
            None,
            None,
            f"{_named(file_name)} is an Excel workbook (.xlsx) or another zip file, not a CSV, "
            "whatever its name says. In Excel use File > Save As > 'CSV UTF-8 (Comma "
            "delimited)' and upload that file.",
            "file",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem(
            None,
            None,
            f"{_named(file_name)} is an old Excel workbook (.xls), not a CSV. In Excel use "
            "File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.",
            "file",
        )
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _not_utf8("UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _not_utf8("UTF-16 (Excel calls it 'Unicode Text')")
    if b"\x00" in data[:4096]:
        return _not_utf8("UTF-16 without a byte-order mark, or it is not a text file at all")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return Problem(
            line,
            None,
            f"The file is not UTF-8: byte 0x{byte:02X} on line {line} is not valid UTF-8. It "
            "looks like Latin-1 / Windows-1252 (Excel's plain 'CSV' on Windows). Save it as "
            "'CSV UTF-8 (Comma delimited)', or re-encode it as UTF-8, and upload it again.",
            "line",
        )


def _named(file_name: str) -> str:
    return f"The file {show_value(file_name, 60)}" if file_name else "The file"


def _not_utf8(encoding: str) -> Problem:
    return Problem(
        None,
        None,
        f"The file is saved as {encoding}, not UTF-8. Save it as 'CSV UTF-8 (Comma delimited)' "
        "(or re-encode it as UTF-8) and upload it again.",
        "file",
    )


def detect_format(file_name: str, text: str) -> FileFormat:
    """JSONL, a JSON array or CSV: from the extension, else from the first character."""
    name = file_name.lower()
    start = text.lstrip()[:1]
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json" if start == "[" else "jsonl"
    if start == "{":
        return "jsonl"
    if start == "[":
        return "json"
    return "csv"


# ---------------------------------------------------------------------------------------------
# Parsing and checking


def parse_responses(
    data: bytes,
    file_name: str,
    prompt_uuids: Collection[str],
    eval_name: str = "this eval",
) -> ParsedUpload:
    """Read a CSV or JSONL of responses and check every row against the eval's prompts."""
    text = decode(data, file_name)
    if isinstance(text, Problem):
        return ParsedUpload(None, problems=(text,))
    known = prompt_uuids if isinstance(prompt_uuids, (set, frozenset)) else set(prompt_uuids)
    file_format = detect_format(file_name, text)
    if file_format == "csv":
        return _parse_csv(text, known, eval_name)
    return _parse_json(text, file_format, known, eval_name)


def _delimiter(header_line: str) -> str:
    """Comma, unless the header clearly uses semicolons or tabs (some locales' Excel)."""
    if "," in header_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _parse_csv(text: str, known: Collection[str], eval_name: str) -> ParsedUpload:
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))  # long responses are data
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for cells in reader:
            records.append(cells)
    except csv.Error as exc:
        row = len(records) + 1
        return ParsedUpload(
            "csv",
            problems=(
                Problem(
                    row,
                    None,
                    f"This row cannot be read as CSV ({exc}). A cell that starts with a double "
                    'quote (") must end with one, and quotes inside a cell are doubled (""). '
                    "Saving from a spreadsheet as 'CSV UTF-8' gets this right.",
                ),
            ),
        )
    if not records:
        return _file_problem("The file is empty. Download the template and fill it in.")
    header = [h.strip().lower() for h in records[0]]
    ctx = _Context(known, eval_name, "row")
    notes = _check_header(header, ctx)
    if ctx.problems:
        return ParsedUpload("csv", problems=tuple(ctx.problems), notes=tuple(notes))
    data_rows = [
        (i, cells) for i, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)
    ]
    if not data_rows:
        return _file_problem(
            "The file has a header row but no responses. Add one row per response below it."
        )
    if len(data_rows) > MAX_ROWS:
        return _too_many("csv", len(data_rows))
    width = len(header)
    values: list[tuple[int, dict[str, Any]]] = []
    for row, cells in data_rows:
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            ctx.add(
                row,
                None,
                f"This row has {len(cells)} cells but the header names {width} columns. If the "
                "content holds commas or line breaks, put the whole cell in double quotes "
                "(spreadsheets do this when saving as CSV).",
            )
            continue
        padded = cells[:width] + [""] * (width - len(cells))
        values.append((row, dict(zip(header, padded, strict=True))))
    return _check_rows("csv", values, ctx, notes)


def _check_header(header: list[str], ctx: _Context) -> list[str]:
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
            f"Ignored column(s) {shown}: not a field of a response. Check the spelling if you "
            f"meant one of {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."
        ]
    return []


def _too_many(file_format: FileFormat, rows: int) -> ParsedUpload:
    return ParsedUpload(
        file_format,
        problems=(
            Problem(
                None,
                None,
                f"The file has {rows:,} responses; the limit is {MAX_ROWS:,} per upload. Split "
                "it into smaller files.",
                "file",
            ),
        ),
    )


def _parse_json(
    text: str, file_format: FileFormat, known: Collection[str], eval_name: str
) -> ParsedUpload:
    if file_format == "json":
        return _parse_json_array(text, known, eval_name)
    ctx = _Context(known, eval_name, "line")
    values: list[tuple[int, dict[str, Any]]] = []
    # Split on \n only: str.splitlines() would also cut at U+2028 inside a JSON string.
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not lines:
        return _file_problem("The file has no responses. Put one JSON object per line.")
    if len(lines) > MAX_ROWS:
        return _too_many("jsonl", len(lines))
    for line_no, line in lines:
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            ctx.add(
                line_no,
                None,
                f"This line is not valid JSON ({exc.msg} at character {exc.colno}). Each line "
                'must be one complete JSON object, e.g. {"prompt_uuid": "…", "content": "…"}.',
            )
            continue
        if not isinstance(item, dict):
            ctx.add(
                line_no,
                None,
                f"This line is a JSON {_json_kind(item)}, not an object. Each line must be one "
                'object, e.g. {"prompt_uuid": "…", "content": "…"}.',
            )
            continue
        values.append((line_no, item))
    return _check_rows("jsonl", values, ctx, _unknown_keys(values))


def _parse_json_array(text: str, known: Collection[str], eval_name: str) -> ParsedUpload:
    ctx = _Context(known, eval_name, "item")
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        ctx.unit = "line"
        ctx.add(
            exc.lineno,
            None,
            f"The file is not valid JSON ({exc.msg} at character {exc.colno}). Use JSONL (one "
            "object per line) or a JSON array of objects.",
        )
        return ParsedUpload("json", problems=tuple(ctx.problems))
    if not isinstance(items, list) or not items:
        return _file_problem("The JSON file holds no list of responses. Use one object per line.")
    if len(items) > MAX_ROWS:
        return _too_many("json", len(items))
    values: list[tuple[int, dict[str, Any]]] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            values.append((number, item))
        else:
            ctx.add(number, None, f"This item is a JSON {_json_kind(item)}, not an object.")
    return _check_rows("json", values, ctx, _unknown_keys(values))


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _unknown_keys(values: Iterable[tuple[int, dict[str, Any]]]) -> list[str]:
    unknown = sorted({k for _, item in values for k in item if k not in KNOWN_COLUMNS})
    if not unknown:
        return []
    shown = ", ".join(show_value(u, 30) for u in unknown[:5])
    return [
        f"Ignored key(s) {shown}: not a field of a response. Check the spelling if you meant "
        f"one of {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."
    ]


def _check_rows(
    file_format: FileFormat,
    values: Sequence[tuple[int, Mapping[str, Any]]],
    ctx: _Context,
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


def _check_row(row: int, raw: Mapping[str, Any], ctx: _Context) -> ResponseToScore | None:
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


def _text(value: Any, column: str, row: int, ctx: _Context) -> str | None:
    """A text cell, stripped ("" when empty); None (and a problem) when it is not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    ctx.add(row, column, f"{column} must be text, not a JSON {_json_kind(value)}.")
    return None


def _boolean(value: Any, column: str, row: int, ctx: _Context) -> bool:
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


def _turn_number(value: Any, row: int, ctx: _Context) -> int:
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


def _content(value: Any, content_type: str, row: int, ctx: _Context) -> str | FileReference | None:
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


# ---------------------------------------------------------------------------------------------
# Pass/fail examples


def parse_examples(rows: Iterable[Mapping[str, Any]]) -> tuple[list[EvalRunExample], list[Problem]]:
    """Pass/fail examples from an edited table; empty rows are skipped, numbered from 1."""
    examples: list[EvalRunExample] = []
    problems: list[Problem] = []
    for number, raw in enumerate(rows, start=1):
        cells = {c: _cell(raw.get(c)) for c in EXAMPLE_COLUMNS}
        if not any(cells.values()):
            continue
        kind = cells["type"].lower()
        bad = len(problems)
        if kind not in EXAMPLE_TYPES:
            problems.append(Problem(number, "type", "type must be pass or fail.", "example"))
        for column in ("prompt", "response"):
            if not cells[column]:
                problems.append(
                    Problem(
                        number,
                        column,
                        f"{column} is empty; fill it in or delete the row.",
                        "example",
                    )
                )
        if len(problems) == bad:
            examples.append(
                EvalRunExample(
                    type=kind,
                    prompt=cells["prompt"],
                    response=cells["response"],
                    explanation=cells["explanation"] or None,
                )
            )
    if len(examples) > MAX_EXAMPLES:
        problems.append(
            Problem(
                None,
                None,
                f"{len(examples)} examples; keep at most {MAX_EXAMPLES} (a few clear ones help "
                "the judge most).",
                "file",
            )
        )
    return examples, problems


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# The request, its fingerprint, and what a failure means


def default_run_name(eval_name: str, today: date) -> str:
    """'<eval name> upload <date>'."""
    return f"{eval_name} upload {today:%Y-%m-%d}"


def build_request(
    eval_uuid: str,
    upload: ParsedUpload,
    name: str,
    examples: Sequence[EvalRunExample] = (),
) -> ScoreRequest:
    """The score-responses body for a clean upload."""
    if not upload.ok:
        raise ValueError("the upload has problems; fix them before building a request")
    return ScoreRequest(
        eval_uuid=eval_uuid,
        responses=list(upload.responses),
        name=name.strip() or None,
        eval_run_examples=list(examples) or None,
    )


def payload_key(request: ScoreRequest, workspace_uuid: str | None, is_sandbox: bool) -> str:
    """A hash of exactly what would be sent: the same payload never goes out twice."""
    body = {
        "request": request.model_dump(mode="json", exclude_none=True),
        "workspace_uuid": workspace_uuid,
        "is_sandbox": is_sandbox,
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def responses_key(request: ScoreRequest) -> str:
    """A hash of the eval and responses alone, to warn before sending them under a new name."""
    body = {
        "eval_uuid": request.eval_uuid,
        "responses": [r.model_dump(mode="json", exclude_none=True) for r in request.responses],
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


Created = Literal["no", "maybe", "probably"]


@dataclass(frozen=True)
class FailureOutcome:
    """What a failed submission means for the run: created or not, and what to do next."""

    created: Created
    headline: str
    advice: str


_REFUSED_ADVICE: tuple[tuple[type[APIError], str], ...] = (
    (
        AuthenticationError,
        "Check the API key (current, for this base URL), restart the dashboard, and send again.",
    ),
    (
        PermissionDeniedError,
        "Use a key that may create runs in this workspace, or choose another workspace, then "
        "send again.",
    ),
    (
        NotFoundError,
        "The eval or workspace was not found (deleted, or in another workspace). Press Refresh, "
        "choose the eval again, and send again.",
    ),
    (
        ConflictError,
        "The eval is not ready to be scored (it may still be generating prompts). Wait until it "
        "is finished, then send again.",
    ),
    (RateLimitError, "The API is rate limiting this account. Wait a minute, then send again."),
    (
        BadRequestError,
        "Fix what the API's message names (for example a response field or prompt_uuid), "
        "upload the corrected file and send again.",
    ),
)


def failure_outcome(error: APIError, run_name: str) -> FailureOutcome:
    """Whether a failed submission may have created the run, and what the person should do."""
    look = (
        f"Press Refresh in the sidebar and look for a run named {show_value(run_name, 80)} on "
        "the Runs page before sending again: sending again could score the same responses twice."
    )
    for error_type, advice in _REFUSED_ADVICE:
        if isinstance(error, error_type):
            return FailureOutcome(
                "no", "The API refused the request before acting: nothing was created", advice
            )
    if error.status == 413:
        return FailureOutcome(
            "no",
            "The API refused the request as too large: nothing was created",
            "Split the file into smaller ones and send each.",
        )
    if isinstance(error, MalformedResponseError) and error.status and 200 <= error.status < 300:
        return FailureOutcome(
            "probably",
            "The API accepted the request but its answer could not be read: the run was "
            "probably created",
            look,
        )
    return FailureOutcome(
        "maybe",
        "No clear answer came back after the request was sent: the run MAY have been created",
        look,
    )


# ---------------------------------------------------------------------------------------------
# Templates and tables


def template_rows(prompts: pd.DataFrame, content_type: str = "text") -> list[dict[str, Any]]:
    """One template row per prompt (columns of prompts_frame), content left empty."""
    rows: list[dict[str, Any]] = []
    for record in prompts.to_dict("records"):
        thread = record.get("thread_uuid")
        turn = record.get("turn_number")
        rows.append(
            {
                "prompt_uuid": str(record["prompt_uuid"]),
                "prompt": _cell(record.get("prompt_content")),
                "content": "",
                "content_type": content_type if content_type in CONTENT_TYPES else "text",
                "ai_refused": False,
                "exclude_from_scoring": False,
                "thread_uuid": _cell(thread) or None,
                "turn_number": int(turn) if _cell(turn) else 1,
                "continue_thread": False,
            }
        )
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (the prompt column is ignored on upload)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def template_csv(prompts: pd.DataFrame, content_type: str = "text") -> bytes:
    """The CSV template, UTF-8 with a BOM so that Excel reads accents correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in template_rows(prompts, content_type):
        cells = dict(row, prompt=_spreadsheet_safe(row["prompt"]))
        writer.writerow(
            [
                "false" if cells[c] is False else "" if cells[c] is None else cells[c]
                for c in TEMPLATE_COLUMNS
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def template_jsonl(prompts: pd.DataFrame, content_type: str = "text") -> bytes:
    """The JSONL template: one object per prompt, content empty."""
    lines = [json.dumps(row, ensure_ascii=False) for row in template_rows(prompts, content_type)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def preview_frame(upload: ParsedUpload, prompt_texts: Mapping[str, str]) -> pd.DataFrame:
    """What will be sent, one row per response, with the prompt text alongside."""
    records = []
    for row, response in zip(upload.rows, upload.responses, strict=True):
        content = response.content
        if isinstance(content, FileReference):
            shown = f"file {content.file_uuid or content.remote_file_path}"
        else:
            shown = content or ""
        records.append(
            {
                "row": row,
                "prompt_uuid": response.prompt_uuid,
                "prompt": prompt_texts.get(response.prompt_uuid, ""),
                "content": shown,
                "content_type": response.content_type,
                "ai_refused": response.ai_refused,
                "exclude_from_scoring": response.exclude_from_scoring,
                "thread_uuid": response.thread_uuid or "",
                "turn_number": response.turn_number,
                "continue_thread": response.continue_thread,
            }
        )
    columns = ["row", "prompt_uuid", "prompt", *TEMPLATE_COLUMNS[2:]]
    return pd.DataFrame.from_records(records, columns=columns)


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Problems as a table: where, column, what to fix."""
    return pd.DataFrame(
        {
            "where": [p.where for p in problems],
            "column": [p.column or "" for p in problems],
            "problem": [p.message for p in problems],
        }
    )


def file_slug(name: str) -> str:
    """A safe file-name stem from an eval's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "eval"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~$:])")


def escape_markdown(text: str) -> str:
    """Text safe inside st.markdown: every markdown and HTML character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))
