"""The bench's one table: figure, result, target, and whether the target is met."""

from __future__ import annotations

from dataclasses import dataclass

from bench.stats import Sample


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    part: str
    measure: str
    result: str
    target: str = ""
    status: str = ""


def seconds(value: float) -> str:
    """A duration, in the unit that reads best."""
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1e3:.0f} ms"
    return f"{value:.2f} s"


def timed(s: Sample) -> str:
    """Median of a sample with N and its range."""
    if s.n == 1:
        return f"{seconds(s.median)} (N=1)"
    return f"{seconds(s.median)} (median of {s.n}; {seconds(s.low)}–{seconds(s.high)})"


def verdict(met: bool, detail: str = "") -> str:
    """'met' or 'MISSED', with a detail."""
    word = "met" if met else "**MISSED**"
    return f"{word} {detail}".strip()


def table(rows: list[Row]) -> str:
    """A Markdown table (readable as plain text too)."""
    header = ["Part", "Measure", "Result", "Target", "Status"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        cells = [row.part, row.measure, row.result, row.target, row.status]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def facts(machine: dict[str, str], command: str, extra: list[str]) -> str:
    """The machine and the command, as a bullet list."""
    lines = [
        f"- Machine: {machine['cores']} cores ({machine['cpu']}), {machine['ram']} RAM, "
        f"{machine['os']}; {machine['python']}",
        f"- Load average when the bench started: {machine['load']} (other jobs may share "
        "the machine, hence medians)",
        f"- Command: `{command}`",
    ]
    return "\n".join(lines + [f"- {line}" for line in extra])
