"""Uploaded bytes -> rows: the bytes checked, then CSV, JSONL or a JSON array read as it streams.

Every limit is met while reading, never after: the bytes are checked (size, signature,
encoding) before any decoding, UTF-8 is validated a chunk at a time, CSV and JSONL are read a
line at a time and stop at the row past MAX_ROWS, and JSON is scanned for its nesting and size
before it is parsed. A 20 MB file of ten million rows costs what 10,001 rows cost.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Collection, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from reporting.uploads import depth
from reporting.uploads.validate import (
    MAX_BYTES,
    MAX_MB,
    MAX_ROWS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
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

# Cells in one CSV row: Excel can save 16,384 columns, most of them empty; a row of 20 MB of
# commas would otherwise be one list of twenty million cells.
MAX_CELLS = 20_000
_PEEK = 100  # records read past the row limit, so a file just over it is told its exact count
_CHUNK = 1 << 16  # bytes decoded at a time when validating UTF-8
_HEAD = 4096  # bytes looked at to recognise a file's kind
_BLANK = re.compile(rb"\s*")
_LEADING = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
_QUOTED = re.compile(r'"[^"]*(?:"|$)')  # a quoted span ("" inside is two spans: same count)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_FIELDS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)  # what the row checks read

# Files people pick by mistake, by their first bytes: what they are, said plainly.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)


class _TooWide(ValueError):
    """A CSV row with more than MAX_CELLS cells."""


def _file_problem(message: str) -> ParsedUpload:
    return ParsedUpload(None, problems=(Problem(None, None, message, "file"),))


def check_bytes(data: bytes, file_name: str = "") -> Problem | None:
    """Why the bytes cannot be a UTF-8 CSV or JSON file (size, kind, encoding), or None.

    Nothing is decoded or copied: a 60 MB file is refused on its length, a binary one on its
    first bytes, and UTF-8 is validated a chunk at a time.
    """
    if len(data) > MAX_BYTES:
        return Problem(
            None,
            None,
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_MB} MB. "
            "Split it into smaller files.",
            "file",
        )
    if _BLANK.fullmatch(data):
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
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return _not_text(file_name, kind)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _not_utf8("UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _not_utf8("UTF-16 (Excel calls it 'Unicode Text')")
    head = data[:_HEAD]
    if b"\x00" in head:
        if _looks_utf16(head):
            return _not_utf8("UTF-16 without a byte-order mark")
        return _not_text(file_name, "binary data (an image, an archive or a program)")
    bad = _first_invalid(data)
    if bad is None:
        return None
    if bad < len(head) - 3 and len(_CONTROL.findall(head)) * 100 > len(head):
        # Not UTF-8 and full of control bytes: no text editor or spreadsheet saves that.
        return _not_text(file_name, "binary data (an image, an archive or a program)")
    line = data.count(b"\n", 0, bad) + 1
    return Problem(
        line,
        None,
        f"The file is not UTF-8: byte 0x{data[bad]:02X} on line {line} is not valid UTF-8. It "
        "looks like Latin-1 / Windows-1252 (Excel's plain 'CSV' on Windows). Save it as "
        "'CSV UTF-8 (Comma delimited)', or re-encode it as UTF-8, and upload it again.",
        "line",
    )


def _looks_utf16(head: bytes) -> bool:
    """Text in UTF-16 has a NUL in every other byte (for Latin letters), on one side only."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) * 4 >= len(head) and min(even, odd) * 10 <= max(even, odd)


def _first_invalid(data: bytes) -> int | None:
    """Where the first byte that is not UTF-8 is, or None; a chunk at a time, nothing kept."""
    if data.isascii():
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        pending = len(decoder.getstate()[0])  # an unfinished character from the last chunk
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


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


def _not_text(file_name: str, kind: str) -> Problem:
    return Problem(
        None,
        None,
        f"{_named(file_name)} is {kind}, not a CSV or JSONL of responses, whatever its name "
        "says. Download the template, fill in the content column and upload that file.",
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
    problem = check_bytes(data, file_name)
    if problem is not None:
        return ParsedUpload(None, problems=(problem,))
    known = prompt_uuids if isinstance(prompt_uuids, (set, frozenset)) else set(prompt_uuids)
    start = _LEADING.match(data).end()  # type: ignore[union-attr]  # matches the empty string
    file_format = detect_format(file_name, data[start : start + 1].decode("ascii", "replace"))
    if file_format == "csv":
        return _parse_csv(data, known, eval_name)
    if file_format == "json":
        return _parse_json_array(data, known, eval_name)
    return _parse_jsonl(data, known, eval_name)


def _delimiter(header_line: str) -> str:
    """Comma, unless the header clearly uses semicolons or tabs (some locales' Excel)."""
    if "," in header_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _text_lines(data: bytes, newline: str) -> Iterator[str]:
    """The file's lines as text, decoded a chunk at a time (the bytes are UTF-8, checked)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=newline)


def _bounded_width(lines: Iterable[str], delimiter: str) -> Iterator[str]:
    """The lines, refusing (_TooWide) one with more than MAX_CELLS cells before csv splits it."""
    quoted = False  # whether the line starts inside a quoted cell begun on an earlier line
    for line in lines:
        if line.count(delimiter) > MAX_CELLS:  # rare: only then are quotes looked at
            if not quoted and '"' not in line:
                raise _TooWide()
            outside = _QUOTED.sub("", '"' + line if quoted else line)
            if outside.count(delimiter) > MAX_CELLS:
                raise _TooWide()
        if line.count('"') % 2:
            quoted = not quoted
        yield line


def _parse_csv(data: bytes, known: Collection[str], eval_name: str) -> ParsedUpload:
    lines = _text_lines(data, newline="")
    first_line = next(lines, "")
    delimiter = _delimiter(first_line)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))  # long responses are data
    lines = chain([first_line] if first_line else [], lines)
    reader = csv.reader(_bounded_width(lines, delimiter), delimiter=delimiter, strict=True)
    ctx = Context(known, eval_name, "row")
    header: list[str] | None = None
    notes: list[str] = []
    values: list[tuple[int, dict[str, Any]]] = []
    responses = record = 0
    try:
        for record, cells in enumerate(reader, start=1):
            if header is None:
                header = [h.strip().lower() for h in cells]
                notes = check_header(header, ctx)
                if ctx.problems:
                    return ParsedUpload("csv", problems=tuple(ctx.problems), notes=tuple(notes))
                fields = [(name, i) for i, name in enumerate(header) if name in _FIELDS]
                continue
            if not any(c.strip() for c in cells):
                continue
            responses += 1
            if responses > MAX_ROWS:
                return _too_many("csv", _count_rest(reader, responses))
            width = len(header)
            if any(c.strip() for c in cells[width:]):
                ctx.add(
                    record,
                    None,
                    f"This row has {len(cells)} cells but the header names {width} columns. If "
                    "the content holds commas or line breaks, put the whole cell in double "
                    "quotes (spreadsheets do this when saving as CSV).",
                )
                continue
            # Only the columns the checks read are kept: not the prompt, not unknown ones.
            values.append(
                (record, {name: cells[i] if i < len(cells) else "" for name, i in fields})
            )
    except _TooWide:
        return _csv_problem(
            record + 1,
            f"This row has more than {MAX_CELLS:,} cells, far more than the template's "
            "columns. If the content holds commas, put the whole cell in double quotes "
            "(spreadsheets do this when saving as CSV).",
        )
    except csv.Error as exc:
        return _csv_problem(
            record + 1,
            f"This row cannot be read as CSV ({exc}). A cell that starts with a double "
            'quote (") must end with one, and quotes inside a cell are doubled (""). '
            "Saving from a spreadsheet as 'CSV UTF-8' gets this right.",
        )
    if header is None:
        return _file_problem("The file is empty. Download the template and fill it in.")
    if not responses:
        return _file_problem(
            "The file has a header row but no responses. Add one row per response below it."
        )
    return check_rows("csv", values, ctx, notes)


def _csv_problem(row: int, message: str) -> ParsedUpload:
    return ParsedUpload("csv", problems=(Problem(row, None, message),))


def _count_rest(reader: Iterator[list[str]], counted: int) -> int | None:
    """The exact number of responses when the file ends within _PEEK more records, else None."""
    try:
        rest = list(islice(reader, _PEEK))
    except (csv.Error, _TooWide):
        return None
    if len(rest) == _PEEK:
        return None
    return counted + sum(1 for cells in rest if any(c.strip() for c in cells))


def _too_many(file_format: FileFormat, rows: int | None) -> ParsedUpload:
    """The row-limit refusal; `rows` None when reading stopped at the limit (more than that)."""
    has = f"{rows:,}" if rows is not None else f"more than {MAX_ROWS:,}"
    return ParsedUpload(
        file_format,
        problems=(
            Problem(
                None,
                None,
                f"The file has {has} responses; the limit is {MAX_ROWS:,} per upload. Split "
                "it into smaller files.",
                "file",
            ),
        ),
    )


def _parse_jsonl(data: bytes, known: Collection[str], eval_name: str) -> ParsedUpload:
    ctx = Context(known, eval_name, "line")
    values: list[tuple[int, dict[str, Any]]] = []
    values_left = depth.MAX_VALUES
    lines = 0
    # Split on \n only: universal newlines would also cut at a lone \r, and str.splitlines()
    # at U+2028 inside a JSON string.
    numbered = enumerate(_text_lines(data, newline="\n"), start=1)
    for line_no, line in numbered:
        if not line.strip():
            continue
        lines += 1
        if lines > MAX_ROWS:
            rest = list(islice(numbered, _PEEK))
            exact = len(rest) < _PEEK
            return _too_many(
                "jsonl", lines + sum(1 for _, t in rest if t.strip()) if exact else None
            )
        try:
            item, used = depth.loads(line.removesuffix("\n"), values_left)
        except depth.TooMany as exc:
            return _file_problem(str(exc))
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
        values_left -= used
        if not isinstance(item, dict):
            ctx.add(
                line_no,
                None,
                f"This line is a JSON {json_kind(item)}, not an object. Each line must be one "
                'object, e.g. {"prompt_uuid": "…", "content": "…"}.',
            )
            continue
        values.append((line_no, item))
    if not lines:
        return _file_problem("The file has no responses. Put one JSON object per line.")
    return check_rows("jsonl", values, ctx, unknown_keys(values))


def _parse_json_array(data: bytes, known: Collection[str], eval_name: str) -> ParsedUpload:
    ctx = Context(known, eval_name, "item")
    found = depth.shape(data, depth.MAX_VALUES, MAX_ROWS)
    if found.deepest > depth.MAX_DEPTH:
        return _file_problem(f"The JSON file cannot be read. {depth.TooDeep()}")
    if found.top_items >= MAX_ROWS:  # n commas: n + 1 items, and the scan stopped there
        return _too_many("json", None)
    if found.values > depth.MAX_VALUES:
        return _file_problem(str(depth.TooMany()))
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except RecursionError:  # not expected after the scan; kept so a miscount cannot crash
        return _file_problem(f"The JSON file cannot be read. {depth.TooDeep()}")
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
