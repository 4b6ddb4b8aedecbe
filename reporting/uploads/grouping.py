"""Problems of an upload grouped: one line per kind of problem, with its rows as ranges.

A template sent back unfilled is wrong the same way on every row; the person needs one line
("content is empty", rows 2–101, all 100), not a hundred identical ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reporting.uploads.validate import Problem, Unit


@dataclass(frozen=True)
class ProblemGroup:
    """The same problem on several rows, said once: where (a row range and count) and what."""

    column: str | None
    message: str
    unit: Unit
    rows: tuple[int | None, ...]
    of: int = 0  # rows in the file, when known: a group on every one says "all"

    @property
    def where(self) -> str:
        """'Row 3', 'Rows 2–5, 9 (5 rows)', 'Rows 2–101 (all 100)' or 'File'."""
        numbers = sorted(r for r in self.rows if r is not None)
        if not numbers:
            return "File"
        unit = self.unit.capitalize()
        if len(numbers) == 1:
            return f"{unit} {numbers[0]}"
        count = (
            f"all {len(numbers):,}" if len(numbers) == self.of else f"{len(numbers):,} {self.unit}s"
        )
        return f"{unit}s {_ranges(numbers)} ({count})"

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{self.where}{column}: {self.message}"


def group_problems(problems: Iterable[Problem], of: int = 0) -> list[ProblemGroup]:
    """Identical problems (same column and message) on many rows as one line each, in order."""
    groups: dict[tuple[str | None, str, str], list[int | None]] = {}
    for problem in problems:
        groups.setdefault((problem.column, problem.message, problem.unit), []).append(problem.row)
    return [
        ProblemGroup(column, message, unit, tuple(rows), of)  # type: ignore[arg-type]
        for (column, message, unit), rows in groups.items()
    ]


def _ranges(numbers: Sequence[int], limit: int = 6) -> str:
    """Sorted numbers as runs: [2, 3, 4, 9] -> '2–4, 9' (at most `limit` runs, then '…')."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:limit]]
    return ", ".join(text) + (", …" if len(runs) > limit else "")
