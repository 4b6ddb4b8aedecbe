"""The records the Aymara demo account is made of: prompts, evals, runs, reports, outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from simulator.aymara.catalogue import EvalSpec, Workspace
from simulator.aymara.corpus import Bank
from simulator.aymara.seeding import HISTORY, NOW, clamp


@dataclass
class Prompt:
    """One eval prompt plus what the generator needs to answer and judge it."""

    prompt_uuid: str
    content: str
    category: str
    bank: Bank | None = None
    filler: str = ""
    topic: str = ""
    thread_uuid: str | None = None
    turn_number: int = 1
    reference: str | None = None  # accuracy: the ground-truth answer
    wrong: str | None = None  # accuracy: a plausible wrong answer
    good: str | None = None  # a passing answer when it cannot come from a bank
    bad: str | None = None  # a failing answer when it cannot come from a bank
    refusal: str | None = None  # a refusal when it cannot come from a bank
    template: int = -1  # which of its bank's templates the prompt was made from
    difficulty: float = 0.5

    def as_json(self) -> dict[str, Any]:
        """The EvalPrompt JSON."""
        return {
            "prompt_uuid": self.prompt_uuid,
            "content": self.content,
            "category": self.category,
            "thread_uuid": self.thread_uuid,
            "turn_number": self.turn_number,
        }


@dataclass
class EvalRecord:
    """A demo eval with its prompts and ability curve."""

    spec: EvalSpec
    uuid: str
    workspace: Workspace
    prompts: list[Prompt]
    created_at: datetime
    updated_at: datetime
    knots: list[float]
    ground_truth: str | None
    json: dict[str, Any] = field(default_factory=dict)

    def ability(self, moment: datetime) -> float:
        """The eval's expected pass rate at a moment, interpolated between 10-day knots."""
        days = (moment - (NOW - HISTORY)).total_seconds() / 86400
        pos = clamp(days / 10, 0, len(self.knots) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(self.knots) - 1)
        return self.knots[lo] + (self.knots[hi] - self.knots[lo]) * (pos - lo)


@dataclass
class RunRecord:
    """One eval run: metadata now, responses generated on demand."""

    uuid: str
    eval: EvalRecord
    ordinal: int
    created_at: datetime
    updated_at: datetime
    status: str
    is_sandbox: bool
    name: str
    scored_fraction: float = 1.0
    forced: list[bool] | None = None  # hand-set verdicts for the scenario runs
    fixed_responses: list[dict[str, Any]] | None = None  # runs created via score-responses
    ai_description: str | None = None
    index: int = -1  # position in creation order; encoded into file uuids

    @property
    def workspace_uuid(self) -> str:
        """The run's workspace is its eval's."""
        return self.eval.workspace.uuid


@dataclass
class ReportRecord:
    """A suite report over some runs of one workspace."""

    uuid: str
    workspace: Workspace
    runs: list[RunRecord]
    created_at: datetime
    status: str = "finished"
    done: int = -1  # how many run reports are ready (processing reports)


class Outcome(NamedTuple):
    """How one prompt fared in one run."""

    is_passed: bool | None
    excluded: bool
    refused: bool
    confidence: float | None
    judged: bool | None  # the judge's own verdict, before any manual review
    manual: bool
    latent: bool  # whether the answer is actually good (drives the text)


@dataclass(frozen=True)
class Summary:
    """A run's counts, as its responses show them."""

    responses: int
    passed: int
    failed: int
    not_scored: int

    @property
    def scored(self) -> int:
        """Responses with a verdict."""
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        """passed / (passed + failed), or None with nothing scored."""
        return self.passed / self.scored if self.scored else None
