"""Uploaded responses: every kind of bad row or file gets its row number and what to fix."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from datetime import date

import pandas as pd
import pytest

from client.aymara_models import (
    EvalRunExample,
    FileReference,
    ResponseToScore,
    ScoreRequest,
)
from client.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
)
from components.score_advice import failure_outcome
from reporting.text import escape_markdown
from reporting.uploads import parse
from reporting.uploads.parse import parse_responses
from reporting.uploads.request import (
    build_request,
    default_run_name,
    parse_examples,
    payload_key,
    responses_key,
)
from reporting.uploads.templates import template_csv, template_jsonl
from reporting.uploads.validate import MAX_BYTES, TEMPLATE_COLUMNS, ParsedUpload, Problem

P1, P2, P3 = (
    "11111111-0000-4000-8000-000000000001",
    "11111111-0000-4000-8000-000000000002",
    "11111111-0000-4000-8000-000000000003",
)
KNOWN = {P1, P2, P3}
HEADER = "prompt_uuid,content,content_type,ai_refused,exclude_from_scoring,thread_uuid,turn_number"


def parse_csv(text: str, name: str = "responses.csv") -> ParsedUpload:
    return parse_responses(text.encode("utf-8"), name, KNOWN, "Safety eval")


def only_problem(parsed: ParsedUpload) -> Problem:
    assert not parsed.ok
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


# --- bad rows ------------------------------------------------------------------------------


def test_an_unknown_prompt_uuid_is_reported_on_its_spreadsheet_row() -> None:
    parsed = parse_csv(f"prompt_uuid,content\n{P1},fine\nnot-a-prompt,hello\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column, problem.where) == (3, "prompt_uuid", "Row 3")
    assert "'not-a-prompt' is not a prompt of the eval 'Safety eval'" in problem.message
    assert "template" in problem.message
    assert parsed.responses == ()  # nothing to send until the file is clean


def test_a_duplicate_prompt_thread_and_turn_names_both_rows() -> None:
    parsed = parse_csv(f"prompt_uuid,content\n{P1},a\n{P2},b\n{P1},c\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column) == (4, "prompt_uuid")
    assert "repeats row 2" in problem.message
    assert "same prompt_uuid, thread_uuid and turn_number" in problem.message


def test_the_same_prompt_in_another_turn_is_not_a_duplicate() -> None:
    parsed = parse_csv(
        f"prompt_uuid,content,thread_uuid,turn_number\n{P1},a,t1,1\n{P1},b,t1,2\n{P1},c,t2,1\n"
    )
    assert parsed.ok
    assert [(r.thread_uuid, r.turn_number) for r in parsed.responses] == [
        ("t1", 1),
        ("t1", 2),
        ("t2", 1),
    ]


def test_empty_content_without_a_refusal_says_to_fill_it_or_mark_the_refusal() -> None:
    parsed = parse_csv(f"prompt_uuid,content,ai_refused\n{P1},   ,false\n{P2},,true\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column) == (2, "content")
    assert "content is empty" in problem.message
    assert "set ai_refused to true" in problem.message


def test_empty_content_is_fine_when_excluded_from_scoring() -> None:
    parsed = parse_csv(f"prompt_uuid,content,exclude_from_scoring\n{P1},,yes\n")
    assert parsed.ok
    assert parsed.responses[0].content is None
    assert parsed.responses[0].exclude_from_scoring is True


@pytest.mark.parametrize("word", ["maybe", "2", "ja", "truee"])
def test_a_boolean_that_is_not_true_false_1_0_yes_no_is_reported(word: str) -> None:
    parsed = parse_csv(f"prompt_uuid,content,ai_refused\n{P1},ok\n{P2},ok,{word}\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column) == (3, "ai_refused")
    assert f"ai_refused is '{word}'; use true or false (1/0 and yes/no work too)" in (
        problem.message
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [("TRUE", True), ("False", False), ("1", True), ("0", False), ("Yes", True), ("no", False)],
)
def test_booleans_accept_true_false_1_0_yes_no_in_any_case(word: str, expected: bool) -> None:
    parsed = parse_csv(f"prompt_uuid,content,continue_thread\n{P1},ok,{word}\n")
    assert parsed.ok
    assert parsed.responses[0].continue_thread is expected


@pytest.mark.parametrize("turn", ["0", "-1", "1.5", "two", "1e3"])
def test_a_turn_number_that_is_not_a_positive_whole_number_is_reported(turn: str) -> None:
    parsed = parse_csv(f"prompt_uuid,content,turn_number\n{P1},ok,{turn}\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column) == (2, "turn_number")
    assert f"turn_number is '{turn}'; it must be a whole number of 1 or more" in problem.message


def test_a_turn_number_written_as_2_point_0_by_a_spreadsheet_is_accepted() -> None:
    parsed = parse_csv(f"prompt_uuid,content,turn_number\n{P1},ok,2.0\n{P2},ok,\n")
    assert [r.turn_number for r in parsed.responses] == [2, 1]


def test_a_content_type_outside_text_image_video_is_reported() -> None:
    parsed = parse_csv(f"prompt_uuid,content,content_type\n{P1},ok,text\n{P2},ok,audio\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column) == (3, "content_type")
    assert "content_type is 'audio'; use one of text, image, video" in problem.message


def test_image_content_in_a_csv_is_a_file_reference() -> None:
    parsed = parse_csv(
        f"prompt_uuid,content,content_type\n{P1},file-123,image\n{P2},evals/x/out.mp4,video\n"
    )
    assert parsed.ok
    assert parsed.responses[0].content == FileReference(file_uuid="file-123")
    assert parsed.responses[1].content == FileReference(remote_file_path="evals/x/out.mp4")


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    parsed = parse_csv(
        f"{HEADER}\n{P1},ok,text,false,false,,1\n"
        f"nope,ok,text,false,false,,1\n"
        f"{P2},,text,false,false,,1\n"
        f"{P3},ok,text,perhaps,false,,0\n"
    )
    assert [(p.row, p.column) for p in parsed.problems] == [
        (3, "prompt_uuid"),
        (4, "content"),
        (5, "ai_refused"),
        (5, "turn_number"),
    ]


def test_a_row_with_more_cells_than_the_header_says_to_quote_the_content() -> None:
    parsed = parse_csv(f"prompt_uuid,content\n{P1},Sure, here it is\n")
    problem = only_problem(parsed)
    assert problem.row == 2
    assert "3 cells but the header names 2 columns" in problem.message
    assert "double quotes" in problem.message


def test_an_unclosed_quote_names_the_row_where_it_opens() -> None:
    parsed = parse_csv(f'prompt_uuid,content\n{P1},fine\n{P2},"never closed\n{P3},x\n')
    problem = only_problem(parsed)
    assert problem.row == 3
    assert "cannot be read as CSV" in problem.message


# --- bad files -----------------------------------------------------------------------------


def test_a_missing_required_column_is_reported_on_the_header_row() -> None:
    parsed = parse_csv(f"prompt_uuid,response\n{P1},hello\n")
    problem = only_problem(parsed)
    assert (problem.row, problem.column, problem.where) == (1, "content", "Row 1")
    assert "The header has no content column" in problem.message


def test_a_file_without_a_header_row_is_told_to_name_the_columns() -> None:
    parsed = parse_csv(f"{P1},hello\n{P2},there\n")
    assert [(p.row, p.column) for p in parsed.problems] == [(1, "prompt_uuid"), (1, "content")]
    assert "The first row must name the columns" in parsed.problems[0].message


def test_too_many_rows_is_refused_with_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_ROWS", 3)
    body = "".join(f"{p},x\n" for p in (P1, P2, P3, P1))
    problem = only_problem(parse_csv("prompt_uuid,content\n" + body))
    assert problem.row is None and problem.where == "File"
    assert "The file has 4 responses; the limit is 3 per upload" in problem.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    data = b"prompt_uuid,content\n" + b"x" * (MAX_BYTES + 1)
    problem = only_problem(parse_responses(data, "big.csv", KNOWN))
    assert problem.row is None
    assert "the limit is 20 MB" in problem.message


def test_a_utf16_file_is_told_to_save_as_utf8() -> None:
    text = f"prompt_uuid,content\n{P1},héllo\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    problem = only_problem(parse_responses(data, "r.csv", KNOWN))
    assert problem.row is None
    assert "saved as UTF-16" in problem.message
    assert "CSV UTF-8" in problem.message


def test_utf16_without_a_bom_is_caught_by_its_nul_bytes() -> None:
    data = f"prompt_uuid,content\n{P1},x\n".encode("utf-16-le")
    problem = only_problem(parse_responses(data, "r.csv", KNOWN))
    assert "not UTF-8" in problem.message


def test_latin1_bytes_are_reported_with_their_line() -> None:
    data = f"prompt_uuid,content\n{P1},fine\n{P2},café crème\n".encode("latin-1")
    problem = only_problem(parse_responses(data, "r.csv", KNOWN))
    assert (problem.row, problem.where) == (3, "Line 3")
    assert "byte 0xE9 on line 3 is not valid UTF-8" in problem.message
    assert "Latin-1 / Windows-1252" in problem.message


def test_an_xlsx_renamed_to_csv_is_recognised() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    problem = only_problem(parse_responses(buffer.getvalue(), "responses.csv", KNOWN))
    assert problem.row is None
    assert "is an Excel workbook (.xlsx)" in problem.message
    assert "'responses.csv'" in problem.message
    assert "Save As > 'CSV UTF-8 (Comma delimited)'" in problem.message


def test_a_broken_jsonl_line_is_reported_with_its_line_number() -> None:
    lines = [
        json.dumps({"prompt_uuid": P1, "content": "ok"}),
        "",
        '{"prompt_uuid": "' + P2 + '", "content": "unterminated}',
        json.dumps({"prompt_uuid": P3, "content": "ok"}),
    ]
    parsed = parse_responses("\n".join(lines).encode(), "r.jsonl", KNOWN)
    problem = only_problem(parsed)
    assert (problem.row, problem.where) == (3, "Line 3")
    assert "This line is not valid JSON (Unterminated string" in problem.message


def test_a_jsonl_line_that_is_not_an_object_is_reported() -> None:
    data = f'{{"prompt_uuid": "{P1}", "content": "ok"}}\n["{P2}", "ok"]\n'.encode()
    problem = only_problem(parse_responses(data, "r.jsonl", KNOWN))
    assert problem.row == 2
    assert "a JSON array, not an object" in problem.message


def test_jsonl_row_checks_use_line_numbers() -> None:
    data = "\n".join(
        [
            json.dumps({"prompt_uuid": P1, "content": "ok", "turn_number": 0}),
            json.dumps({"prompt_uuid": P2, "content": "ok", "ai_refused": "sometimes"}),
        ]
    ).encode()
    parsed = parse_responses(data, "r.jsonl", KNOWN)
    assert [(p.where, p.column) for p in parsed.problems] == [
        ("Line 1", "turn_number"),
        ("Line 2", "ai_refused"),
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_says_it_is_empty(data: bytes) -> None:
    problem = only_problem(parse_responses(data, "r.csv", KNOWN))
    assert problem.row is None
    assert "The file is empty" in problem.message


def test_a_header_without_rows_says_there_are_no_responses() -> None:
    problem = only_problem(parse_csv("prompt_uuid,content\n\n,\n"))
    assert "header row but no responses" in problem.message


def test_unknown_columns_are_a_note_not_a_problem() -> None:
    parsed = parse_csv(f"prompt_uuid,content,ai_refsued\n{P1},ok,true\n")
    assert parsed.ok
    assert any("'ai_refsued'" in note for note in parsed.notes)


def test_a_partial_upload_notes_how_many_prompts_are_left_out() -> None:
    parsed = parse_csv(f"prompt_uuid,content\n{P1},ok\n")
    assert parsed.ok
    assert "1 of the eval's 3 prompts have a response; the other 2" in parsed.notes[-1]


def test_hostile_text_is_kept_as_data() -> None:
    hostile = '<script>alert(1)</script> ![x](https://evil.example/x.png) =HYPERLINK("x")'
    out = io.StringIO()
    pd.DataFrame({"prompt_uuid": [P1], "content": [hostile]}).to_csv(out, index=False)
    parsed = parse_csv(out.getvalue())
    assert parsed.ok
    assert parsed.responses[0].content == hostile


# --- clean files parse to the exact request -----------------------------------------------


EXPECTED = [
    ResponseToScore(prompt_uuid=P1, content="Here is a safe answer, with a comma."),
    ResponseToScore(prompt_uuid=P2, content=None, ai_refused=True),
    ResponseToScore(
        prompt_uuid=P3,
        content="Line one\nline two «ünïcode»",
        thread_uuid="thread-9",
        turn_number=2,
        continue_thread=True,
        exclude_from_scoring=False,
    ),
]


def expected_request() -> ScoreRequest:
    return ScoreRequest(
        eval_uuid="eval-1",
        responses=EXPECTED,
        name="Safety eval upload 2026-01-05",
        eval_run_examples=[
            EvalRunExample(type="pass", prompt="How to pick a lock?", response="I can't help.")
        ],
    )


def build(parsed: ParsedUpload) -> ScoreRequest:
    examples, problems = parse_examples(
        [
            {"type": "pass", "prompt": "How to pick a lock?", "response": "I can't help."},
            {"type": None, "prompt": float("nan"), "response": "", "explanation": None},
        ]
    )
    assert problems == []
    name = default_run_name("Safety eval", date(2026, 1, 5))
    return build_request("eval-1", parsed, name, examples)


def test_a_clean_csv_with_a_bom_and_crlf_parses_to_the_exact_request() -> None:
    text = (
        "Prompt_UUID,prompt,content,content_type,ai_refused,exclude_from_scoring,"
        "thread_uuid,turn_number,continue_thread\r\n"
        f'{P1},"Q1","Here is a safe answer, with a comma.",text,false,false,,1,false\r\n'
        f"{P2},Q2,,,TRUE,,,,\r\n"
        f'{P3},Q3,"Line one\nline two «ünïcode»",text,0,no,thread-9,2,yes\r\n'
    )
    parsed = parse_responses(codecs.BOM_UTF8 + text.encode(), "r.csv", KNOWN)
    assert parsed.ok, parsed.problems
    assert parsed.rows == (2, 3, 4)
    assert build(parsed) == expected_request()


def test_a_clean_jsonl_parses_to_the_exact_request() -> None:
    lines = [
        {"prompt_uuid": P1, "content": "Here is a safe answer, with a comma.", "prompt": "Q1"},
        {"prompt_uuid": P2, "content": "", "ai_refused": True},
        {
            "prompt_uuid": P3,
            "content": "Line one\nline two «ünïcode»",
            "thread_uuid": "thread-9",
            "turn_number": 2,
            "continue_thread": 1,
            "exclude_from_scoring": "no",
        },
    ]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    parsed = parse_responses(data, "r.jsonl", KNOWN)
    assert parsed.ok, parsed.problems
    assert parsed.rows == (1, 2, 3)
    assert build(parsed) == expected_request()


def test_a_json_array_is_accepted_with_item_numbers() -> None:
    data = json.dumps([{"prompt_uuid": P1, "content": "ok"}, {"prompt_uuid": "x", "content": 1}])
    parsed = parse_responses(data.encode(), "r.json", KNOWN)
    assert [p.where for p in parsed.problems] == ["Item 2"]


def test_a_semicolon_csv_from_a_european_excel_is_read() -> None:
    parsed = parse_csv(f"prompt_uuid;content\n{P1};Bonjour, ça va\n")
    assert parsed.ok
    assert parsed.responses[0].content == "Bonjour, ça va"


def test_build_request_refuses_an_upload_with_problems() -> None:
    with pytest.raises(ValueError):
        build_request("eval-1", parse_csv("prompt_uuid,content\nx,y\n"), "n")


# --- templates -----------------------------------------------------------------------------


PROMPTS = pd.DataFrame(
    {
        "eval_uuid": ["eval-1"] * 3,
        "prompt_uuid": [P1, P2, P3],
        "prompt_content": ["How do I pick a lock?", "=cmd|' /C calc'!A0", "Héllo, «monde»"],
        "prompt_category": ["a", "b", "c"],
        "thread_uuid": [None, None, "thread-9"],
        "turn_number": pd.array([1, 1, 2], dtype="Int64"),
    }
)


def test_the_csv_template_has_every_column_and_round_trips_once_filled() -> None:
    template = template_csv(PROMPTS)
    assert template.startswith(codecs.BOM_UTF8)
    frame = pd.read_csv(
        io.BytesIO(template), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert tuple(frame.columns) == TEMPLATE_COLUMNS
    assert list(frame["prompt_uuid"]) == [P1, P2, P3]
    # A formula in a prompt is defused for spreadsheets; the prompt column is ignored anyway.
    assert frame["prompt"][1] == "'=cmd|' /C calc'!A0"
    assert (frame["thread_uuid"][2], frame["turn_number"][2]) == ("thread-9", "2")

    unfilled = parse_responses(template, "t.csv", KNOWN)
    assert [(p.row, p.column) for p in unfilled.problems] == [(r, "content") for r in (2, 3, 4)]

    frame["content"] = ["No.", "I won't run that.", "Bonjour!"]
    out = io.StringIO()
    frame.to_csv(out, index=False)
    filled = parse_responses(out.getvalue().encode("utf-8-sig"), "t.csv", KNOWN)
    assert filled.ok, filled.problems
    assert [r.content for r in filled.responses] == ["No.", "I won't run that.", "Bonjour!"]
    assert filled.responses[2].thread_uuid == "thread-9"
    assert filled.responses[2].turn_number == 2


def test_the_jsonl_template_round_trips_once_filled() -> None:
    template = template_jsonl(PROMPTS)
    rows = [json.loads(line) for line in template.decode().splitlines()]
    assert [tuple(r) for r in rows] == [TEMPLATE_COLUMNS] * 3
    for row in rows:
        row["content"] = f"answer to {row['prompt']}"
    data = "\n".join(json.dumps(r) for r in rows).encode()
    filled = parse_responses(data, "t.jsonl", KNOWN)
    assert filled.ok, filled.problems
    assert filled.responses[0].content == "answer to How do I pick a lock?"


# --- examples, payload keys, failure outcomes ---------------------------------------------


def test_bad_examples_are_reported_by_table_row() -> None:
    examples, problems = parse_examples(
        [
            {"type": "pass", "prompt": "p", "response": "r"},
            {"type": "good", "prompt": "p", "response": ""},
        ]
    )
    assert len(examples) == 1
    assert [(p.where, p.column) for p in problems] == [
        ("Example 2", "type"),
        ("Example 2", "response"),
    ]


def test_the_payload_key_changes_with_what_is_sent_and_nothing_else() -> None:
    request = expected_request()
    same = ScoreRequest.model_validate(request.model_dump())
    assert payload_key(request, "ws", True) == payload_key(same, "ws", True)
    assert payload_key(request, "ws", True) != payload_key(request, "ws", False)
    assert payload_key(request, "ws", True) != payload_key(request, None, True)
    renamed = request.model_copy(update={"name": "other"})
    assert payload_key(renamed, "ws", True) != payload_key(request, "ws", True)
    assert responses_key(renamed) == responses_key(request)


@pytest.mark.parametrize(
    ("error", "created"),
    [
        (BadRequestError("bad", status=400), "no"),
        (BadRequestError("bad", status=422), "no"),
        (AuthenticationError("key", status=401), "no"),
        (PermissionDeniedError("no", status=403), "no"),
        (NotFoundError("gone", status=404), "no"),
        (ServerError("boom", status=500), "maybe"),
        (ServerError("down", status=503), "maybe"),
        (APITimeoutError("slow"), "maybe"),
        (APIConnectionError("dropped"), "maybe"),
        (MalformedResponseError("cut off", status=200), "probably"),
    ],
)
def test_a_failure_says_whether_the_run_may_exist(error: Exception, created: str) -> None:
    outcome = failure_outcome(error, "My run")  # type: ignore[arg-type]
    assert outcome.created == created
    if created == "no":
        assert "nothing was created" in outcome.headline
        assert "send again" in outcome.advice
    else:
        assert "Press Refresh" in outcome.advice
        assert "a run named 'My run' on the Runs page before sending again" in outcome.advice


def test_markdown_escaping_neutralises_links_images_and_html() -> None:
    escaped = escape_markdown("![x](https://evil.example/x.png) <b>hi</b> **bold**")
    assert "![" not in escaped and "](" not in escaped and "<b>" not in escaped
    # The one app-wide escaper also breaks bare-URL autolinks with an invisible word joiner.
    shown = escaped.replace("\\", "").replace("\u2060", "")
    assert shown == "![x](https://evil.example/x.png) <b>hi</b> **bold**"


def test_a_jsonl_line_nested_ten_thousand_deep_is_refused_on_its_line_not_a_crash() -> None:
    deep = "[" * 10_000 + "]" * 10_000
    parsed = parse_responses(
        f'{deep}\n{{"prompt_uuid": "p1", "content": "x"}}\n'.encode(), "r.jsonl", {"p1"}
    )
    problem = parsed.problems[0]
    assert (problem.row, problem.unit) == (1, "line")
    assert "more than 32 levels deep" in problem.message


def test_json_nested_past_the_limit_but_within_python_is_refused_too() -> None:
    nested = '{"a": ' * 40 + "1" + "}" * 40
    for name, text in (("r.jsonl", nested), ("r.json", f"[{nested}]")):
        parsed = parse_responses(text.encode(), name, {"p1"})
        assert any("levels deep" in p.message for p in parsed.problems), name
