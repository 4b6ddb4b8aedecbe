"""Upload problems grouped: the same problem on many rows is one line with its row ranges."""

from __future__ import annotations

import uuid

import pandas as pd

from reporting.uploads import grouping, parse, templates
from reporting.uploads.validate import Problem


def unfilled_template(rows: int) -> tuple[bytes, set[str]]:
    """The CSV template of an eval with `rows` prompts, sent back without a single answer."""
    ids = [str(uuid.UUID(int=i + 1)) for i in range(rows)]
    prompts = pd.DataFrame({"prompt_uuid": ids, "prompt_content": [f"Q{i}" for i in range(rows)]})
    return templates.template_csv(prompts), set(ids)


def test_an_unfilled_template_gives_one_line_saying_content_is_empty_in_all_rows() -> None:
    data, ids = unfilled_template(100)
    parsed = parse.parse_responses(data, "template.csv", ids, "Safety eval")
    assert len(parsed.problems) == 100  # one per row, as the download keeps them
    assert parsed.checked == 100

    groups = grouping.group_problems(parsed.problems, parsed.checked)

    assert len(groups) == 1
    (group,) = groups
    assert group.column == "content"
    assert group.message.startswith("content is empty")
    assert group.where == "Rows 2–101 (all 100)"  # the header is row 1
    assert str(group).startswith("Rows 2–101 (all 100), column content: content is empty")


def test_different_problems_stay_apart_in_the_order_first_met() -> None:
    problems = [
        Problem(3, "content", "content is empty."),
        Problem(4, "ai_refused", "use true or false"),
        Problem(5, "content", "content is empty."),
        Problem(6, "content", "content is empty."),
        Problem(9, "content", "content is empty."),
    ]
    groups = grouping.group_problems(problems, of=20)
    assert [(g.column, g.where) for g in groups] == [
        ("content", "Rows 3, 5–6, 9 (4 rows)"),
        ("ai_refused", "Row 4"),
    ]


def test_a_problem_with_the_file_as_a_whole_reads_file_and_lines_keep_their_unit() -> None:
    file_wide = grouping.group_problems([Problem(None, None, "Not UTF-8", "file")])
    assert file_wide[0].where == "File"
    lines = [Problem(n, "content", "empty", "line") for n in (1, 2, 3)]
    assert grouping.group_problems(lines, of=3)[0].where == "Lines 1–3 (all 3)"


def test_many_separate_runs_of_rows_are_cut_short_with_an_ellipsis() -> None:
    problems = [Problem(n, "content", "empty") for n in range(2, 40, 2)]  # 19 separate rows
    where = grouping.group_problems(problems)[0].where
    assert where == "Rows 2, 4, 6, 8, 10, 12, … (19 rows)"


def test_the_grouped_lines_fit_the_problem_table_frame() -> None:
    problems = [Problem(n, "content", "empty") for n in (2, 3)] + [Problem(4, "turn_number", "x")]
    frame = templates.problems_frame(grouping.group_problems(problems, of=3))
    assert list(frame["where"]) == ["Rows 2–3 (2 rows)", "Row 4"]
    assert list(frame["column"]) == ["content", "turn_number"]
