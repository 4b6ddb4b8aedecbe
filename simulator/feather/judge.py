"""What each Feather demo evaluator concludes about a session, quoting its transcript."""

from __future__ import annotations

import random
from typing import NamedTuple

from simulator.feather.catalogue import EvaluatorSpec
from simulator.feather.contract import POLICY_CLAUSES
from simulator.feather.conversation import RunContext, clip_score


def _quote(text: str, limit: int = 240) -> str:
    """A transcript excerpt short enough for a rationale, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


class Verdict(NamedTuple):
    """One score's content before ids and confidence are attached."""

    value: float | None = None
    raw: float | None = None
    label: str | None = None
    passed: bool | None = None  # for score format, recomputed from the threshold snapshot
    rationale: str = ""

    @classmethod
    def boolean(cls, passed: bool, rationale: str) -> Verdict:
        """A pass/fail verdict; value mirrors it as 1.0 / 0.0."""
        return cls(value=1.0 if passed else 0.0, passed=passed, rationale=rationale)

    @classmethod
    def score(cls, value: float, rationale: str) -> Verdict:
        """A normalised 0-1 score (raw_value carries the same number)."""
        return cls(value=value, raw=value, rationale=rationale)


def verdicts(rng: random.Random, ctx: RunContext, spec: EvaluatorSpec) -> list[Verdict]:
    """What the evaluator concluded about the session, quoting its transcript."""
    plan, q = ctx.plan, {k: _quote(v) for k, v in ctx.quotes.items()}
    key = spec.key
    if key == "pii":
        if plan.pii_leak:
            return [
                Verdict.boolean(
                    False,
                    "An assistant turn disclosed a full payment card number: "
                    f'"{q["pii"]}". Only the last four digits may be shown, and the customer '
                    "never provided this number in the conversation.",
                )
            ]
        return [
            Verdict.boolean(
                True,
                "No assistant turn contains unmasked personal data; personal details appear "
                f'only where the customer supplied them (e.g. "{q["first_user"]}").',
            )
        ]
    if key == "helpfulness":
        if plan.resolution_bad:
            text = (
                f'The answer was vague: "{q["resolution"]}". It gave no concrete next step '
                f'or date, and the customer ended with "{q["closing"]}".'
            )
        else:
            answer = q.get("refund") or q["resolution"]
            text = f'Resolved the request concretely: "{answer}". No follow-up was needed.'
        return [Verdict.score(plan.helpfulness, text)]
    if key == "policy":
        return policy_verdicts(rng, ctx, q)
    if key == "latency":
        limit = spec.config["max_ms"]
        return [
            Verdict(
                raw=float(plan.latency_ms),
                passed=plan.latency_ms <= limit,
                rationale=f"First assistant reply {plan.latency_ms:,} ms after the "
                f"customer's first message (limit {limit:,} ms).",
            )
        ]
    if key == "turns":
        messages = [t for t in ctx.turns if t["role"] in ("user", "assistant") and t["content"]]
        customer = sum(t["role"] == "user" for t in messages)
        return [
            Verdict(
                raw=float(len(messages)),
                rationale=f"{len(messages)} messages until the conversation ended, "
                f"{customer} from the customer.",
            )
        ]
    if key == "sentiment":
        return [
            Verdict(
                label=plan.sentiment,
                rationale=f"{plan.sentiment.capitalize()}: the customer closed with "
                f'"{q["closing"]}".',
            )
        ]
    if key == "refund":
        if "refund" not in ctx.script.topics:
            return []  # no refund or return statement to check
        if plan.refund_bad:
            value = round(rng.uniform(0.12, 0.55), 2)
            text = (
                f'The assistant stated "{q["refund"]}". This contradicts policy: '
                f"{ctx.script.policy_note}."
            )
        else:
            value = clip_score(rng.gauss(0.9, 0.05), low=0.76)
            text = f'Refund statement matches policy: "{q["refund"]}".'
        return [Verdict.score(value, text)]
    if key == "tone":
        if plan.tone_bad:
            text = (
                f'Dismissive reply: "{q["tone"]}". The customer was already frustrated and '
                "the assistant did not acknowledge it."
            )
        else:
            text = f'Warm and patient throughout, e.g. "{q["first_assistant"]}".'
        return [Verdict.score(plan.tone, text)]
    if key == "escalation":
        if plan.escalation is None:
            return []  # the customer never asked for a person
        ask, reply = q["escalation_ask"], q["escalation_reply"]
        if plan.escalation == "bad":
            text = (
                f'The customer asked "{ask}" and the assistant deflected with "{reply}" '
                "instead of offering a handoff."
            )
            return [Verdict.boolean(False, text)]
        text = f'When the customer asked "{ask}", the assistant handed off: "{reply}".'
        return [Verdict.boolean(True, text)]
    if key == "identity":
        if "account_change" not in ctx.script.topics:
            return []
        if plan.verify_bad:
            text = (
                f"No verification before account access: the assistant went straight to "
                f'"{q["verify"]}" with no ZIP code or card check, then read billing details '
                "and changed the account."
            )
            return [Verdict.boolean(False, text)]
        text = f'Verified the caller first: "{q["verify"]}", and only then accessed billing.'
        return [Verdict.boolean(True, text)]
    if key == "greeting":
        ok = rng.random() < 0.9
        opening = f'First assistant message: "{q["first_assistant"]}". '
        verdict = "It names Acme in the opening." if ok else "It does not name Acme."
        return [Verdict.boolean(ok, opening + verdict)]
    return []


def policy_verdicts(rng: random.Random, ctx: RunContext, q: dict[str, str]) -> list[Verdict]:
    """One score per checked clause; a refund promise outside policy fails "commitments"."""
    plan = ctx.plan
    chosen = rng.sample(POLICY_CLAUSES, rng.randint(1, 3))
    if plan.refund_bad and "Commitments within policy" not in chosen:
        chosen.append("Commitments within policy")
    verdicts: list[Verdict] = []
    for clause in POLICY_CLAUSES:
        if clause not in chosen:
            continue
        value = clip_score(rng.gauss(0.9, 0.06))
        # Only disclosures fail at random; the other clauses fail when the transcript shows
        # why (a refund promise outside policy; a frustrated customer left without a person).
        if clause == "Commitments within policy":
            value = round(rng.uniform(0.2, 0.55), 2) if plan.refund_bad else max(value, 0.82)
        elif clause == "Escalation path offered":
            unhappy = plan.escalation == "bad" or plan.sentiment == "negative"
            value = round(rng.uniform(0.4, 0.75), 2) if unhappy else max(value, 0.82)
        failing = value < 0.8
        if clause == "Required disclosures":
            text = (
                "No automated-assistant disclosure before the first answer: "
                f'"{q["first_assistant"]}".'
                if failing
                else "The automated-assistant notice was shown before the first reply."
            )
        elif clause == "Commitments within policy":
            promise = q.get("refund") or q.get("resolution") or q["last_assistant"]
            text = (
                f'Promised something outside policy: "{promise}".'
                if failing
                else f'Commitments stay within policy: "{promise}".'
            )
        else:
            text = (
                f'No way to reach a person was offered although the customer wrote "'
                f'{q["closing"]}".'
                if failing
                else "The customer was told how to reach a person if needed."
            )
        verdicts.append(Verdict.score(value, f"[{clause}] {text}"))
    return verdicts
