"""What happened in one demo conversation: the plan behind it and what its runs need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simulator.feather.catalogue import AssistantSpec
from simulator.feather.contract import Json
from simulator.feather.corpus import Script


@dataclass
class Plan:
    """What happened in one conversation; drives both the transcript and the verdicts."""

    pii_leak: bool
    refund_bad: bool
    verify_bad: bool
    helpfulness: float
    tone: float
    escalation: str | None  # None: never asked for a person; "good" / "bad" handoff
    latency_ms: int
    sentiment: str
    resolution_bad: bool = False
    tone_bad: bool = False


@dataclass
class RunContext:
    """Everything about a session that its runs need."""

    session_id: str
    assistant: AssistantSpec
    channel: str
    scope: str
    script: Script
    plan: Plan
    quotes: dict[str, str]
    when: datetime
    processing: bool
    turns: list[Json]


def clip_score(value: float, low: float = 0.05, high: float = 0.99) -> float:
    """A judge score rounded to two decimals and kept inside [low, high]."""
    return round(min(high, max(low, value)), 2)
