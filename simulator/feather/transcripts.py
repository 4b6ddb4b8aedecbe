"""A demo session's turns, written from its script and plan."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from simulator.feather.contract import Json, iso
from simulator.feather.conversation import Plan
from simulator.feather.corpus import (
    CLOSING_LINES,
    CURT_LINE,
    ESCALATION_LINES,
    PII_LINE,
    Say,
    Script,
    Tool,
)

if TYPE_CHECKING:
    from simulator.feather.generator import DatasetBuilder


def transcript(
    builder: DatasetBuilder,
    script: Script,
    v: dict[str, Any],
    plan: Plan,
    channel: str,
    scope: str,
    ended_at: datetime,
) -> tuple[list[Json], dict[str, str]]:
    """The session's turns (timestamps counted back from `ended_at`) and quotable lines."""
    rng = builder.rng
    user_author = {"live": "end_user", "simulation": "simulated_user", "test": "tester"}[scope]
    quotes: dict[str, str] = {}
    messages: list[tuple[str, str | None, Json | None]] = []  # (role, text, tool payload)

    def say(line: Say, slot: str = "") -> None:
        text = line.text.format(**v)
        messages.append((line.role, text, None))
        if line.role == "assistant":
            quotes.setdefault("first_assistant", text)
            quotes["last_assistant"] = text
        else:
            quotes.setdefault("first_user", text)
        if slot and line.role == "assistant":
            quotes[slot] = text

    pii_done = False
    for step in script.steps:
        if isinstance(step, Say):
            say(step)
        elif isinstance(step, Tool):
            messages.append(
                (
                    "tool_call",
                    None,
                    {
                        "name": step.name,
                        "args": _fill(step.args, v),
                        "result": _fill(step.result, v),
                    },
                )
            )
            if plan.pii_leak and not pii_done:
                pii_done = True
                say(Say("assistant", PII_LINE[channel]), "pii")
        else:
            bad = {
                "resolution": plan.resolution_bad,
                "refund": plan.refund_bad,
                "verify": plan.verify_bad,
            }[step.slot]
            for line in step.bad if bad else step.good:
                say(line, step.slot)
    if plan.pii_leak and not pii_done:
        say(Say("assistant", PII_LINE[channel]), "pii")
    if plan.tone_bad:
        say(Say("assistant", CURT_LINE[channel]), "tone")
    if plan.escalation:
        ask, good, bad = ESCALATION_LINES[channel]
        say(Say("user", ask), "")
        quotes["escalation_ask"] = ask
        say(Say("assistant", bad if plan.escalation == "bad" else good), "escalation_reply")
    say(Say("user", CLOSING_LINES[channel][plan.sentiment]))
    quotes["closing"] = messages[-1][1] or ""

    # Gaps between messages, by channel: (reply after a customer, customer after a reply).
    reply_gap, customer_gap = {
        "chat": ((1, 4), (10, 90)),
        "voice": ((0.5, 2), (2, 10)),
        "sms": ((2, 6), (60, 1200)),
        "email": ((120, 1800), (3600, 28800)),
    }[channel]
    offsets: list[float] = [0.0]
    first_reply_seen = False
    for previous, current in itertools.pairwise(messages):
        if current[0] == "user":
            gap = rng.uniform(*customer_gap)
        elif previous[0] == "user" and not first_reply_seen:
            gap = plan.latency_ms / 1000  # the latency signal is measured on these turns
        else:
            # After a tool call, leave room for its result (written up to 1.2 s later).
            gap = rng.uniform(*reply_gap) if previous[0] == "user" else rng.uniform(1.3, 3.0)
        if current[0] != "user" and previous[0] == "user":
            first_reply_seen = True
        offsets.append(offsets[-1] + gap)
    start = ended_at - timedelta(seconds=offsets[-1] + rng.uniform(1, 5))

    turns: list[Json] = []

    def turn(role: str, content: str | None, author: str, at: float, **extra: Any) -> None:
        turns.append(
            {
                "id": builder.uuid(),
                "seq": len(turns) + 1,
                "role": role,
                "content": content,
                "tool_calls": extra.get("tool_calls"),
                "tool_call_id": extra.get("tool_call_id"),
                "authored_by": author,
                "created_at": iso(start + timedelta(seconds=at)),
            }
        )

    for (role, text, tool), at in zip(messages, offsets, strict=True):
        if tool is None:
            turn(role, text, user_author if role == "user" else "assistant", at)
            continue
        call_id = f"call_{builder.rng.getrandbits(64):016x}"
        call = {
            "id": call_id,
            "type": "function",
            "function": {"name": tool["name"], "arguments": json.dumps(tool["args"])},
        }
        turn("assistant", None, "assistant", at, tool_calls=[call])
        turn(
            "tool",
            json.dumps(tool["result"]),
            "tool",
            at + rng.uniform(0.2, 1.2),
            tool_call_id=call_id,
        )
    return turns, quotes


def _fill(template: Any, v: dict[str, Any]) -> Any:
    """Format the string leaves of a tool payload; "{amount}" becomes a number."""
    if isinstance(template, dict):
        return {k: _fill(item, v) for k, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, v) for item in template]
    if template == "{amount}":
        return v["amount_number"]
    if isinstance(template, str):
        return template.format(**v)
    return template
