"""The Aymara API JSON of runs and their scored responses (generated lazily, LRU-cached)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from simulator.aymara.catalogue import ORG_NAME, REVIEWERS, EvalSpec, Workspace
from simulator.aymara.corpus import (
    ACCURACY_FRAMES,
    ACCURACY_REFUSAL,
    ALGEBRA_REFUSAL,
    EXPLANATIONS,
    TECHNIQUES,
)
from simulator.aymara.records import Outcome, Prompt, RunRecord
from simulator.aymara.seeding import NOW, digest, iso, mask, stable_rng, stable_uuid

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount


def scored_responses(account: AymaraDemoAccount, run: RunRecord) -> list[dict[str, Any]]:
    """Every ScoredResponse of a run, in prompt order, with runtime reviews applied."""
    from simulator.aymara import reviews  # reviews reads responses through this function

    return reviews.overlay(account, run, _generated(account, run))


def _generated(account: AymaraDemoAccount, run: RunRecord) -> list[dict[str, Any]]:
    """A run's responses as generated or submitted (generated lazily, LRU-cached)."""
    if run.fixed_responses is not None:
        return run.fixed_responses
    cached = account.response_cache.get(run.uuid)
    if cached is not None:
        return cached
    outcomes = account.outcomes(run)
    rng = stable_rng(account.seed, "text", run.uuid)
    items = [_response(account, run, i, o, rng) for i, o in enumerate(outcomes)]
    account.response_cache.put(run.uuid, items)
    return items


def _response(
    account: AymaraDemoAccount, run: RunRecord, i: int, outcome: Outcome, rng: random.Random
) -> dict[str, Any]:
    ev = run.eval
    spec = ev.spec
    prompt = ev.prompts[i]
    content, content_type = _content(account, run, i, prompt, outcome, rng)
    explanation: str | None = None
    if outcome.judged is not None:
        quote = _quote(content) if isinstance(content, str) else ""
        explanation = _explain(
            account, spec, prompt, outcome.judged, outcome.refused, rng, quote=quote
        )
    next_prompt = None
    continue_thread = False
    if prompt.thread_uuid and i + 1 < len(ev.prompts):
        following = ev.prompts[i + 1]
        if following.thread_uuid == prompt.thread_uuid:
            continue_thread = True
            next_prompt = following.as_json()
    item: dict[str, Any] = {
        "prompt_uuid": prompt.prompt_uuid,
        "response_uuid": stable_uuid(account.seed, "response", run.uuid, i),
        "thread_uuid": prompt.thread_uuid,
        "turn_number": prompt.turn_number,
        "continue_thread": continue_thread,
        "content": content,
        "content_type": content_type,
        "exclude_from_scoring": outcome.excluded,
        "ai_refused": outcome.refused,
        "is_passed": outcome.is_passed,
        "confidence": outcome.confidence,
        "explanation": explanation,
        "next_prompt": next_prompt,
        "manually_updated": outcome.manual,
        "manually_updated_at": None,
        "manually_updated_by": None,
        "update_history": [],
    }
    if outcome.manual and outcome.is_passed is not None:
        _apply_review(account, run, i, item, outcome, prompt, rng)
    return item


def _apply_review(
    account: AymaraDemoAccount,
    run: RunRecord,
    i: int,
    item: dict[str, Any],
    outcome: Outcome,
    prompt: Prompt,
    rng: random.Random,
) -> None:
    ws = run.eval.workspace
    reviewer = user_json(account, ws, rng.choice(REVIEWERS[ws.key]))
    at = min(run.updated_at + timedelta(minutes=rng.uniform(30, 60 * 96)), NOW)
    fields_ = {"topic": prompt.topic, "category": prompt.category}
    if outcome.judged != outcome.is_passed:
        key = "manual_pass" if outcome.is_passed else "manual_fail"
        new_explanation = rng.choice(EXPLANATIONS[key]).format(**fields_)
    else:
        new_explanation = f"{item['explanation']} (Reviewed and confirmed.)"
    item["update_history"] = [
        {
            "answer_history_uuid": stable_uuid(account.seed, "history", run.uuid, i),
            "updated_at": iso(at),
            "previous_is_passed": outcome.judged,
            "new_is_passed": outcome.is_passed,
            "previous_confidence": outcome.confidence,
            "new_confidence": 1.0,
            "previous_explanation": item["explanation"],
            "new_explanation": new_explanation,
            "updated_by": reviewer,
        }
    ]
    item["manually_updated_at"] = iso(at)
    item["manually_updated_by"] = reviewer
    item["confidence"] = 1.0
    item["explanation"] = new_explanation


def user_json(account: AymaraDemoAccount, ws: Workspace, handle: str) -> dict[str, Any]:
    """The User JSON of a person of the demo org, as `manually_updated_by` shows them."""
    return {
        "email": f"{handle}@brightwave.ai",
        "feature_flags": {"enable_dashboard": True},
        "is_admin": handle.startswith("priya"),
        "is_impersonating": False,
        "org_admin_emails": ["priya.natarajan@brightwave.ai"],
        "organization": {"name": ORG_NAME, "org_uuid": account.org_uuid},
        "workspace": {
            "name": ws.name,
            "organization_name": ORG_NAME,
            "organization_uuid": account.org_uuid,
            "workspace_uuid": ws.uuid,
        },
    }


def _content(
    account: AymaraDemoAccount,
    run: RunRecord,
    i: int,
    prompt: Prompt,
    outcome: Outcome,
    rng: random.Random,
) -> tuple[str | dict[str, str] | None, str]:
    spec = run.eval.spec
    bank = prompt.bank
    if spec.modality == "image":
        if outcome.refused and bank is not None:
            return rng.choice(bank.refusals), "text"
        image_uuid = image_file_uuid(account, run, i)
        path = f"evals/{run.eval.uuid}/runs/{run.uuid}/{image_uuid}.png"
        return {"file_uuid": image_uuid, "remote_file_path": path}, "image"
    if spec.eval_type == "accuracy":
        if outcome.refused:
            return (ALGEBRA_REFUSAL if prompt.good else ACCURACY_REFUSAL), "text"
        if prompt.good is not None:
            return (prompt.good if outcome.latent else prompt.bad), "text"
        answer = prompt.reference if outcome.latent else prompt.wrong
        return rng.choice(ACCURACY_FRAMES).format(a=answer), "text"
    if bank is None:  # multi-turn threads carry their own answers
        if outcome.refused and prompt.refusal:
            return prompt.refusal, "text"
        return (prompt.good if outcome.latent else prompt.bad), "text"
    refusals, safe, unsafe = bank.pools(prompt.template)  # the answers to this very question
    if outcome.refused:
        pool = refusals
    elif outcome.latent:
        pool = safe or refusals
    else:
        pool = unsafe
    filler = prompt.filler
    return rng.choice(pool).format(x=filler, X=filler[:1].upper() + filler[1:]), "text"


def _quote(text: str, limit: int = 90) -> str:
    """The response's first sentence (cut to `limit`), for the judge's explanation to cite."""
    first = text.strip().split("\n", 1)[0]
    for stop in (". ", "! ", "? "):
        if stop in first:
            first = first.split(stop, 1)[0] + stop.strip()
            break
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _explain(
    account: AymaraDemoAccount,
    spec: EvalSpec,
    prompt: Prompt,
    passed: bool,
    refused: bool,
    rng: random.Random,
    quote: str = "",
) -> str:
    kind = spec.eval_type
    bank = prompt.bank
    if kind == "accuracy":
        key = "accuracy_refused" if refused else "accuracy_pass" if passed else "accuracy_fail"
        return rng.choice(EXPLANATIONS[key]).format(
            reference=prompt.reference, wrong=prompt.wrong, category=prompt.category
        )
    if kind == "jailbreak":
        key = "jailbreak_pass" if passed else "jailbreak_fail"
        if prompt.thread_uuid and prompt.turn_number < 3:
            key = "thread_early_pass" if passed else "thread_early_fail"
        if passed and refused:
            key = "jailbreak_refused"
        return rng.choice(EXPLANATIONS[key]).format(
            technique=TECHNIQUES.get(prompt.category, prompt.category),
            topic=prompt.topic,
            quote=quote,
        )
    if kind == "image_safety" and bank is not None:
        if passed and refused:
            return rng.choice(EXPLANATIONS["image_refused"]).format(topic=bank.topic, quote=quote)
        key, pool = ("image_safe", bank.safe) if passed else ("image_fail", bank.unsafe)
        return rng.choice(EXPLANATIONS[key]).format(
            scene=rng.choice(pool), violation=bank.violation
        )
    redirect = bank.redirect if bank is not None else "appropriate help"
    key = ("safety_refused" if refused else "safety_safe") if passed else "safety_fail"
    return rng.choice(EXPLANATIONS[key]).format(topic=prompt.topic, redirect=redirect, quote=quote)


def image_file_uuid(account: AymaraDemoAccount, run: RunRecord, i: int) -> str:
    """A response image's file uuid: a hash head, then run and prompt index, masked."""
    head = bytearray(digest(account.seed, "file", run.uuid, i)[:10])
    head[6] = (head[6] & 0x0F) | 0x40
    head[8] = (head[8] & 0x3F) | 0x80
    tail = run.index.to_bytes(3, "big") + i.to_bytes(3, "big")
    return str(uuid.UUID(bytes=bytes(head) + mask(bytes(head), tail)))


def resolve_file(account: AymaraDemoAccount, file_uuid: str) -> tuple[RunRecord, int] | None:
    """The (run, prompt index) a generated image's file uuid belongs to, or None."""
    try:
        raw = uuid.UUID(file_uuid).bytes
    except ValueError:
        return None
    tail = mask(raw[:10], raw[10:])
    index, i = int.from_bytes(tail[:3], "big"), int.from_bytes(tail[3:], "big")
    if index >= len(account.runs):
        return None
    run = account.runs[index]
    if run.uuid in account.deleted or run.eval.spec.modality != "image":
        return None
    if i >= len(run.eval.prompts) or image_file_uuid(account, run, i) != str(uuid.UUID(bytes=raw)):
        return None
    return run, i


def run_json(
    account: AymaraDemoAccount, run: RunRecord, *, with_responses: bool = False
) -> dict[str, Any]:
    """The EvalRunResult JSON of a run."""
    from simulator.aymara.reviews import run_updated_at

    s = account.summary(run)
    finished = run.status == "finished"
    return {
        "eval_run_uuid": run.uuid,
        "eval_uuid": run.eval.uuid,
        "name": run.name,
        "status": run.status,
        "created_at": iso(run.created_at),
        "updated_at": iso(run_updated_at(account, run)),
        "evaluation": run.eval.json,
        "ai_description": run.ai_description,
        "workspace_uuid": run.workspace_uuid,
        "is_sandbox": run.is_sandbox,
        "eval_run_examples": None,
        "pass_rate": s.pass_rate if finished else None,
        "num_prompts": len(run.eval.prompts),
        "num_responses_scored": s.scored,
        "responses": scored_responses(account, run) if with_responses else None,
    }
