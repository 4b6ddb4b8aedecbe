"""Changes to the Aymara demo account at runtime: runs deleted, runs scored and added."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from simulator.aymara.judge import judge
from simulator.aymara.records import EvalRecord, RunRecord
from simulator.aymara.seeding import NOW, stable_uuid

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount


def delete_run(account: AymaraDemoAccount, run: RunRecord) -> None:
    """Remove a run from every listing and from the ground truth."""
    with account.lock:
        account.deleted.add(run.uuid)
        account.sorted_cache = None


def add_scored_run(
    account: AymaraDemoAccount,
    ev: EvalRecord,
    responses: list[dict[str, Any]],
    *,
    name: str | None,
    ai_description: str | None,
    is_sandbox: bool,
    eval_run_uuid: str | None,
) -> RunRecord:
    """Score submitted responses with the rule-based judge and store a finished run."""
    with account.lock:
        account.added_count += 1
        k = account.added_count
    # The dataset's clock, not the wall clock: added runs are the newest, reproducibly.
    created = NOW + timedelta(minutes=k)
    prompts = {p.prompt_uuid: p for p in ev.prompts}
    order = {p.prompt_uuid: i for i, p in enumerate(ev.prompts)}
    run_uuid = eval_run_uuid or stable_uuid(account.seed, "added-run", k)
    scored: list[dict[str, Any]] = []
    for j, submitted in enumerate(responses):
        prompt = prompts[submitted["prompt_uuid"]]
        verdict = judge(ev.spec, prompt, submitted)
        following = None
        i = order[prompt.prompt_uuid]
        if submitted.get("continue_thread") and i + 1 < len(ev.prompts):
            nxt = ev.prompts[i + 1]
            if nxt.thread_uuid and nxt.thread_uuid == prompt.thread_uuid:
                following = nxt.as_json()
        scored.append(
            {
                "prompt_uuid": prompt.prompt_uuid,
                "response_uuid": stable_uuid(account.seed, "added-response", run_uuid, j),
                "thread_uuid": submitted.get("thread_uuid") or prompt.thread_uuid,
                "turn_number": submitted.get("turn_number") or prompt.turn_number,
                "continue_thread": bool(submitted.get("continue_thread")),
                "content": submitted.get("content"),
                "content_type": submitted.get("content_type") or "text",
                "exclude_from_scoring": bool(submitted.get("exclude_from_scoring")),
                "ai_refused": bool(submitted.get("ai_refused")),
                "is_passed": verdict[0],
                "confidence": verdict[1],
                "explanation": verdict[2],
                "next_prompt": following,
                "manually_updated": False,
                "manually_updated_at": None,
                "manually_updated_by": None,
                "update_history": [],
            }
        )
    run = RunRecord(
        uuid=run_uuid,
        eval=ev,
        ordinal=-k,
        created_at=created,
        updated_at=created + timedelta(seconds=2 * len(scored) + 5),
        status="finished",
        is_sandbox=is_sandbox,
        name=name or f"{ev.spec.name} {created:%Y-%m-%d %H:%M}",
        fixed_responses=scored,
        ai_description=ai_description or ev.spec.ai_description,
        index=len(account.runs),
    )
    with account.lock:
        account.runs.append(run)
        account.run_by_uuid[run.uuid] = run
        account.sorted_cache = None
    return run
