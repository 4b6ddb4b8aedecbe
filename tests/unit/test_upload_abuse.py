"""Hostile uploads are refused while they stream: a clear message, and memory bounded.

Each file is built in memory before tracemalloc starts, so the bound is what the parse itself
allocated beyond the file's own bytes. Timings are left to `python -m bench --uploads`.
"""

from __future__ import annotations

import codecs
import io
import json
import random
import tracemalloc
import zipfile
from collections.abc import Iterator

import pytest

from reporting.uploads import depth, parse
from reporting.uploads.parse import parse_responses
from reporting.uploads.validate import MAX_BYTES, MAX_ROWS, ParsedUpload, Problem

MiB = 1024 * 1024
HEADER = b"prompt_uuid,content\n"
KNOWN = frozenset(f"p{i}" for i in range(MAX_ROWS + 1))
DEEP = 10_000


def parsed_within(data: bytes, name: str, bound_mb: float) -> ParsedUpload:
    """parse_responses, asserting its peak allocation stayed under bound_mb."""
    tracemalloc.start()
    try:
        parsed = parse_responses(data, name, KNOWN, "Safety eval")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < bound_mb * MiB, f"the parse allocated {peak / MiB:.1f} MB"
    return parsed


def only_problem(parsed: ParsedUpload) -> Problem:
    assert not parsed.ok
    assert len(parsed.problems) == 1, parsed.problems[:3]
    return parsed.problems[0]


@pytest.fixture
def no_json_parse(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """json.loads fails the test: the refusal must come from the scan, before any parse."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("json.loads was called on a file the scan should refuse")

    monkeypatch.setattr(parse.json, "loads", refuse)
    monkeypatch.setattr(depth.json, "loads", refuse)
    yield


# --- row limit ----------------------------------------------------------------------------


def test_ten_million_short_csv_rows_stop_at_the_row_limit() -> None:
    data = HEADER + b"x\n" * 10_000_000  # 20 MB
    problem = only_problem(parsed_within(data, "r.csv", 16))
    assert problem.where == "File"
    assert "more than 10,000 responses; the limit is 10,000 per upload" in problem.message


def test_seven_million_jsonl_lines_stop_at_the_row_limit() -> None:
    data = b"{}\n" * (20 * MiB // 3)
    problem = only_problem(parsed_within(data, "r.jsonl", 16))
    assert "more than 10,000 responses" in problem.message


def test_a_json_array_of_seven_million_items_is_refused_from_its_scan(no_json_parse: None) -> None:
    data = b"[" + b"{}," * (20 * MiB // 3 - 1) + b"{}]"
    problem = only_problem(parsed_within(data, "r.json", 4))
    assert "more than 10,000 responses" in problem.message


def test_a_file_just_over_the_limit_is_told_its_exact_count() -> None:
    rows = b"".join(b"p%d,x\n" % i for i in range(MAX_ROWS + 1))
    problem = only_problem(parsed_within(HEADER + rows + b"\n,\n", "r.csv", 16))
    assert "The file has 10,001 responses; the limit is 10,000" in problem.message


def test_exactly_the_row_limit_is_still_accepted() -> None:
    rows = b"".join(b'p%d,"a response, with a comma"\r\n' % i for i in range(MAX_ROWS))
    parsed = parsed_within(codecs.BOM_UTF8 + HEADER + rows, "r.csv", 24)
    assert parsed.ok and len(parsed.responses) == MAX_ROWS
    lines = b"".join(b'{"prompt_uuid": "p%d", "content": "x"}\n' % i for i in range(MAX_ROWS))
    parsed = parsed_within(lines, "r.jsonl", 24)
    assert parsed.ok and len(parsed.responses) == MAX_ROWS


# --- size ---------------------------------------------------------------------------------


def test_a_sixty_mb_file_is_refused_on_its_size_alone() -> None:
    data = HEADER + b"x\n" * (30 * MiB)
    problem = only_problem(parsed_within(data, "r.csv", 1))
    assert "The file is 60.0 MB; the limit is 20 MB" in problem.message


def test_a_csv_row_of_twenty_million_cells_is_refused_before_it_is_split() -> None:
    data = HEADER + b"," * (MAX_BYTES - 64) + b"\n"
    problem = only_problem(parsed_within(data, "r.csv", 64))  # the line itself, decoded once
    assert problem.where == "Row 2"
    assert "more than 20,000 cells" in problem.message


def test_commas_inside_a_quoted_cell_are_content_not_cells() -> None:
    content = "1," * 30_000
    data = f'prompt_uuid,content\np1,"{content}\nsecond line, {content}"\n'.encode()
    parsed = parsed_within(data, "r.csv", 8)
    assert parsed.ok and parsed.responses[0].content == f"{content}\nsecond line, {content}"


# --- encodings and binary files -----------------------------------------------------------


def _utf16_body() -> str:
    rows = "".join(f"p{i},a response of a few words, é\n" for i in range(300_000))
    return "prompt_uuid,content\n" + rows


@pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
def test_utf16_is_refused_from_its_first_bytes(bom: bool) -> None:
    data = ("\ufeff" if bom else "").encode("utf-16-le") + _utf16_body().encode("utf-16-le")
    problem = only_problem(parsed_within(data[:MAX_BYTES], "r.csv", 1))
    assert "saved as UTF-16" in problem.message and "not UTF-8" in problem.message
    assert ("without a byte-order mark" in problem.message) is not bom


def _zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", random.Random(1).randbytes(size))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(19 * MiB), "is a PNG image"),
        (_zip(19 * MiB), "is an Excel workbook (.xlsx) or another zip file"),
        (b"%PDF-1.7\n" + random.Random(2).randbytes(MiB), "is a PDF document"),
        (random.Random(3).randbytes(19 * MiB), "is binary data"),
        (random.Random(4).randbytes(19 * MiB).replace(b"\x00", b"\x01"), "is binary data"),
    ],
    ids=["png", "xlsx", "pdf", "random", "random-without-nul"],
)
def test_a_binary_file_named_csv_is_refused_for_what_it_is(data: bytes, says: str) -> None:
    problem = only_problem(parsed_within(data, "responses.csv", 1))
    assert problem.where == "File"
    assert f"The file 'responses.csv' {says}" in problem.message
    assert "whatever its name says" in problem.message


def test_a_bad_byte_far_into_the_file_is_found_in_chunks_with_its_line() -> None:
    good = "p1,ça va\n".encode() * 50_000  # non-ASCII, so the chunked check runs
    data = HEADER + good + "p2,café\n".encode("latin-1")
    problem = only_problem(parsed_within(data, "r.csv", 2))
    assert problem.where == "Line 50002"
    assert "byte 0xE9 on line 50002 is not valid UTF-8" in problem.message


def test_a_character_split_across_chunks_is_valid_utf8() -> None:
    for shift in range(4):  # a 2-, 3- and 4-byte character straddling the 64 KiB boundary
        data = b"a" * (65_536 - 1 - shift % 3) + "é€😀".encode() + b"\n"
        assert parse._first_invalid(data) is None
    assert parse._first_invalid(b"a" * 65_535 + b"\xc3") == 65_535  # cut at the very end


# --- nesting ------------------------------------------------------------------------------


def test_a_jsonl_line_nested_ten_thousand_deep_is_refused_by_the_scan(no_json_parse: None) -> None:
    data = b"[" * DEEP + b"]" * DEEP + b"\n"
    problem = only_problem(parsed_within(data, "r.jsonl", 1))
    assert (problem.where, problem.unit) == ("Line 1", "line")
    assert "more than 32 levels deep" in problem.message


def test_twenty_mb_of_deep_jsonl_lines_each_refused_on_its_line(no_json_parse: None) -> None:
    line = b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"\n"
    parsed = parsed_within(line * (MAX_BYTES // len(line)), "r.jsonl", 4)
    assert parsed.problems[0].where == "Line 1"
    assert all("levels deep" in p.message for p in parsed.problems)


@pytest.mark.parametrize(
    "data",
    [b"[" + b"[" * DEEP + b"]" * DEEP + b"]", b"[" * (10 * MiB) + b"]" * (10 * MiB)],
    ids=["10k-deep", "10M-deep-20MB"],
)
def test_a_json_array_nested_deep_is_refused_by_the_scan(data: bytes, no_json_parse: None) -> None:
    problem = only_problem(parsed_within(data, "r.json", 1))
    assert "The JSON file cannot be read. It nests objects or lists more than 32" in (
        problem.message
    )


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    row = {"prompt_uuid": "p1", "content": "[[[{{{" * 100 + '\\" "[' * 50}
    for name, data in (("r.jsonl", json.dumps(row)), ("r.json", json.dumps([row]))):
        parsed = parsed_within(data.encode(), name, 1)
        assert parsed.ok, parsed.problems


def test_a_file_of_too_many_json_values_is_refused_before_it_is_parsed() -> None:
    values = b"[" + b"0," * depth.MAX_VALUES + b"0]"
    for name, data in (("r.jsonl", b'{"prompt_uuid": "p1", "x": ' + values + b"}"),
                       ("r.json", b'[{"prompt_uuid": "p1", "x": ' + values + b"}]")):  # fmt: skip
        problem = only_problem(parsed_within(data, name, 4))
        assert "more than 500,000 JSON values" in problem.message, name


class _Uploaded:
    """What st.file_uploader hands the page: a file's id, name, size and bytes."""

    def __init__(self, data: bytes, name: str) -> None:
        self.file_id, self.name, self.size, self._data = f"id-{len(data)}", name, len(data), data

    def getvalue(self) -> bytes:
        return self._data


@pytest.mark.parametrize("size, released", [(2 * MiB, 1), (1_000, 0)])
def test_a_big_upload_hands_its_freed_memory_back_once_parsed(
    monkeypatch: pytest.MonkeyPatch, size: int, released: int
) -> None:
    import pandas as pd

    from components import score_upload

    calls: list[None] = []
    monkeypatch.setattr(score_upload, "release_freed_memory", lambda: calls.append(None))
    data = HEADER + b"x," * (size // 2)
    prompts = pd.DataFrame({"prompt_uuid": ["p1"]})
    session: dict[str, object] = {}
    got = score_upload.checked_upload(_Uploaded(data, "r.csv"), None, "e1", prompts, "E", session)
    assert got is not None and got[1].problems  # refused, with its reason
    assert len(calls) == released
    # A rerun finds the parsed file in the session: nothing is parsed or released again.
    assert score_upload.checked_upload(None, _Uploaded(data, "r.csv"), "e1", prompts, "E", session)
    assert len(calls) == released
