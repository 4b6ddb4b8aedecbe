"""Uploaded bytes -> rows: decoding, format detection, and CSV, JSONL and JSON array parsing."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Collection
from typing import Any

from reporting.uploads import depth
from reporting.uploads.validate import (
    MAX_BYTES,
    MAX_MB,
    MAX_ROWS,
    Context,
    FileFormat,
    ParsedUpload,
    Problem,
    check_header,
    check_rows,
    json_kind,
    show_value,
    unknown_keys,
)


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
    ctx = Context(known, eval_name, "row")
    notes = check_header(header, ctx)
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
    return check_rows("csv", values, ctx, notes)


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
    ctx = Context(known, eval_name, "line")
    values: list[tuple[int, dict[str, Any]]] = []
    # Split on \n only: str.splitlines() would also cut at U+2028 inside a JSON string.
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not lines:
        return _file_problem("The file has no responses. Put one JSON object per line.")
    if len(lines) > MAX_ROWS:
        return _too_many("jsonl", len(lines))
    for line_no, line in lines:
        try:
            item = depth.loads(line)
        except depth.TooDeep as exc:
            ctx.add(line_no, None, f"This line cannot be read. {exc}")
            continue
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
                f"This line is a JSON {json_kind(item)}, not an object. Each line must be one "
                'object, e.g. {"prompt_uuid": "…", "content": "…"}.',
            )
            continue
        values.append((line_no, item))
    return check_rows("jsonl", values, ctx, unknown_keys(values))


def _parse_json_array(text: str, known: Collection[str], eval_name: str) -> ParsedUpload:
    ctx = Context(known, eval_name, "item")
    try:
        items = depth.loads(text)
    except depth.TooDeep as exc:
        return _file_problem(f"The JSON file cannot be read. {exc}")
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
            ctx.add(number, None, f"This item is a JSON {json_kind(item)}, not an object.")
    return check_rows("json", values, ctx, unknown_keys(values))
