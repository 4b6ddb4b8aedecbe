"""Builds the Feather demo dataset from one random stream (the order of draws is the data)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from simulator.feather.catalogue import (
    ASSISTANTS,
    EVALUATORS,
    SPEC_BY_KEY,
    AssistantSpec,
    EvaluatorSpec,
    threshold_at,
)
from simulator.feather.contract import (
    BASE_SESSIONS,
    HISTORY_DAYS,
    NOW,
    OUTAGE_END,
    OUTAGE_START,
    PARSE_ERROR,
    RECORDING_ERROR,
    SCOPES,
    SIGNAL_ERROR,
    SIGNAL_RECORDING_ERROR,
    SURGE_START,
    TIMEOUT_ERROR,
    Json,
    iso,
    to_utc,
)
from simulator.feather.conversation import Plan, RunContext, clip_score
from simulator.feather.corpus import (
    COMPANIES,
    FIRST_NAMES,
    HOUR_WEIGHTS,
    ITEMS,
    LAST_NAMES,
    PERSONAS,
    PRICES,
    SCRIPTS,
    STREETS,
)
from simulator.feather.judge import verdicts
from simulator.feather.transcripts import transcript

if TYPE_CHECKING:
    from simulator.feather.dataset import FeatherDataset


def _ordinal(day: int) -> str:
    """1 -> 1st, 22 -> 22nd: how a voice transcript reads a date."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


class DatasetBuilder:
    """Fills a FeatherDataset from one random stream (the order of draws is the data)."""

    def __init__(self, dataset: FeatherDataset, rng: random.Random) -> None:
        self.ds = dataset
        self.rng = rng
        self.eval_ids: dict[str, str] = {}
        self.assistant_ids: dict[str, str] = {}
        self.revision_ids: dict[tuple[str, int], str] = {}
        self.user_ids = [self.uuid() for _ in range(4)]

    def uuid(self) -> str:
        """A deterministic random (version 4) uuid."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def build(self) -> None:
        """Catalog first, then sessions oldest to newest, then the sorted run index."""
        ds = self.ds
        ds.organization_id = self.uuid()
        for spec in EVALUATORS:
            self.add_evaluator(spec)
        for assistant in ASSISTANTS:
            self.add_assistant(assistant)
        count = max(1, round(BASE_SESSIONS * ds.scale))
        for when in self.session_times(count):
            self.add_session(when)
        ds.rows.sort(key=lambda row: row.key)
        ds.keys = [row.key for row in ds.rows]

    def add_evaluator(self, spec: EvaluatorSpec) -> None:
        """An `EvaluatorResponse` from its spec."""
        evaluator_id = self.uuid()
        self.eval_ids[spec.key] = evaluator_id
        self.ds.evaluator_names[evaluator_id] = spec.name
        self.ds.evaluators.append(
            {
                "id": evaluator_id,
                "organization_id": self.ds.organization_id,
                "name": spec.name,
                "kind": spec.kind,
                "format": spec.format,
                "description": spec.description,
                "owner": "quality-team@acme.example",
                "status": spec.status,
                "prompt": spec.prompt,
                "threshold": spec.threshold,
                "severity": spec.severity,
                "judge_model_override": spec.judge_model_override,
                "config": spec.config,
                "tags": list(spec.tags),
                "created_by": self.rng.choice(self.user_ids),
                "created_at": iso(spec.created),
                "updated_at": iso(spec.updated),
            }
        )

    def add_assistant(self, spec: AssistantSpec) -> None:
        """An assistant as `/v1/assistants` lists it, plus ids for its revisions."""
        assistant_id = self.uuid()
        self.assistant_ids[spec.key] = assistant_id
        self.ds.assistant_names[assistant_id] = spec.name
        for version, _name, _when in spec.revisions:
            self.revision_ids[(spec.key, version)] = self.uuid()
        latest = spec.revisions[-1]
        self.ds.assistants.append(
            {
                "id": assistant_id,
                "organization_id": self.ds.organization_id,
                "name": spec.name,
                "description": spec.description,
                "status": "active",
                "channels": [spec.channel],
                "active_revision_id": self.revision_ids[(spec.key, latest[0])],
                "active_revision_version": latest[0],
                "evaluate_live": True,
                "created_at": iso(spec.revisions[0][2] - timedelta(days=12)),
                "updated_at": iso(latest[2]),
            }
        )

    def session_times(self, count: int) -> list[datetime]:
        """When each session's evals were created: recent-weighted, business hours, few weekends."""
        rng = self.rng
        times: list[datetime] = []
        latest_allowed = NOW - timedelta(minutes=15)
        while len(times) < count - min(3, count - 1):
            day = NOW.date() - timedelta(days=int(HISTORY_DAYS * rng.random() ** 1.3))
            if day.weekday() >= 5 and rng.random() < 0.35:
                continue
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            when = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            when += timedelta(seconds=rng.uniform(0, 3600))
            if when <= latest_allowed:
                times.append(when)
        # The newest few sessions just ended, so their judge runs are still pending/running.
        while len(times) < count:
            times.append(NOW - timedelta(minutes=rng.uniform(1, 9)))
        return sorted(times)

    def pick_assistant(self, when: datetime) -> AssistantSpec:
        """Which assistant a session at `when` belongs to."""
        # Holiday returns: the Returns SMS Bot gets three times its usual traffic lately.
        recent = when >= NOW - timedelta(days=10)
        weights = [a.weight * (3 if recent and a.key == "returns" else 1) for a in ASSISTANTS]
        return self.rng.choices(ASSISTANTS, weights=weights)[0]

    def variables(self, when: datetime) -> dict[str, Any]:
        """Names, order numbers, amounts and dates that fill a script's templates."""
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        amount = rng.choice(PRICES)
        days_ago = rng.randint(3, 24)
        delivered = when - timedelta(days=days_ago)
        old_days = rng.randint(55, 110)
        old = when - timedelta(days=old_days)
        eta = when + timedelta(days=rng.randint(2, 6))
        charge = when - timedelta(days=rng.randint(1, 9))
        phone = f"+1{rng.choice((503, 206, 415, 312, 617))}555{rng.randint(100, 199):04d}"
        return {
            "name": first,
            "email": f"{first}.{last}@example.com".lower(),
            "company": rng.choice(COMPANIES),
            "order": f"A-{rng.randint(10000, 99999)}",
            "amount": f"{amount:.2f}",
            "amount_number": amount,
            "item": rng.choice(ITEMS),
            "last4": f"{rng.randint(0, 9999):04d}",
            "zip": f"{rng.randint(10000, 99999)}",
            "ref": f"FTH-{rng.randint(10000, 99999)}",
            "acct": f"ACC-{rng.randint(100000, 999999)}",
            "phone": phone,
            "phone4": phone[-4:],
            "street": rng.choice(STREETS),
            "day": rng.choice(("yesterday", "on Monday", "last week")),
            "days_ago": days_ago,
            "delivered": f"{delivered:%b} {delivered.day}",
            "delivered_iso": f"{delivered:%Y-%m-%d}",
            "old_days": old_days,
            "old_month": f"{old:%B}",
            "old_iso": f"{old:%Y-%m-%d}",
            "eta": f"{eta:%b} {eta.day}",
            "eta_iso": f"{eta:%Y-%m-%d}",
            "eta_spoken": f"{eta:%B} {_ordinal(eta.day)}",
            "charge_iso": f"{charge:%Y-%m-%d}",
            "charge_spoken": f"{charge:%B} {_ordinal(charge.day)}",
        }

    def add_session(self, when: datetime) -> None:
        """One conversation, its transcript, and one eval run per bound evaluator."""
        rng, ds = self.rng, self.ds
        assistant = self.pick_assistant(when)
        channel = assistant.channel
        scope = rng.choices(SCOPES, weights=(80, 12, 8))[0]
        script = rng.choice(SCRIPTS[assistant.key])
        v = self.variables(when)
        bound = dict(assistant.bindings)
        revision = max(
            (r for r in assistant.revisions if r[2] <= when),
            key=lambda r: r[2],
            default=assistant.revisions[0],
        )

        # Decide what happened in the conversation first; the transcript and verdicts follow.
        surge = assistant.key == "returns" and revision[2] >= SURGE_START
        plan = Plan(
            pii_leak=rng.random() < (0.05 if scope == "simulation" else 0.015),
            refund_bad="refund" in script.topics and rng.random() < (0.8 if surge else 0.06),
            verify_bad=rng.random() < (0.1 if scope == "simulation" else 0.04),
            helpfulness=clip_score(rng.gauss(0.82, 0.11)),
            tone=clip_score(rng.gauss(0.79, 0.12)) if "tone" in bound else 0.9,
            escalation=None,
            latency_ms=self.latency(channel),
            sentiment="neutral",
        )
        threshold = threshold_at(SPEC_BY_KEY["helpfulness"], when) or 0.7
        plan.resolution_bad = plan.helpfulness < threshold
        plan.tone_bad = plan.tone < (SPEC_BY_KEY["tone"].threshold or 0.6)
        if rng.random() < (0.6 if scope == "simulation" else 0.28):
            plan.escalation = "bad" if rng.random() < 0.12 else "good"
        unhappy = plan.resolution_bad or plan.tone_bad or plan.escalation == "bad"
        plan.sentiment = rng.choices(
            ("positive", "neutral", "negative"), weights=(15, 25, 60) if unhappy else (55, 35, 10)
        )[0]
        processing = channel == "voice" and rng.random() < 0.04

        session_id = self.uuid()
        ended_at = when - timedelta(seconds=rng.uniform(3, 40))
        turns, quotes = transcript(self, script, v, plan, channel, scope, ended_at)
        started_at = to_utc(turns[0]["created_at"]) if turns else ended_at
        if processing:
            turns = []  # the recording is still being transcribed
        ds.turns[session_id] = turns
        has_recording = channel == "voice" and (processing or rng.random() < 0.9)
        if has_recording:
            ds.recordings[session_id] = {
                "id": self.uuid(),
                "kind": "call_audio",
                "status": "processing" if processing else "finalized",
                "duration_ms": None
                if processing
                else int((ended_at - started_at).total_seconds() * 1000),
                "manifest_key": f"recordings/{ds.organization_id}/{session_id}/manifest.json",
                "started_at": iso(started_at),
                "finalized_at": None if processing else iso(ended_at + timedelta(seconds=20)),
            }
        subject = script.subject
        if scope == "simulation":
            subject = f"Simulation: {rng.choice(PERSONAS)} × {script.key.replace('_', ' ')}"
        elif scope == "test":
            subject = "Dashboard test conversation"
        ds.sessions[session_id] = {
            "id": session_id,
            "organization_id": ds.organization_id,
            "channel": channel,
            "surface": {"live": assistant.surface, "simulation": "simulation", "test": "dashboard"}[
                scope
            ],
            "status": "expired" if channel == "sms" and rng.random() < 0.15 else "closed",
            "session_type": scope,
            "priority": "normal",
            "assistant": {"id": self.assistant_ids[assistant.key], "name": assistant.name},
            "assigned_agent_id": None,
            "revision_id": self.revision_ids[(assistant.key, revision[0])],
            "revision_name": revision[1],
            "revision_version": revision[0],
            "subject": subject,
            "summary_preview": script.summary.format(**v),
            "started_at": iso(started_at),
            "ended_at": iso(ended_at),
            "duration_ms": int((ended_at - started_at).total_seconds() * 1000),
            "message_count": len(turns),
            "has_recording": has_recording,
            "from_number": v["phone"] if channel in ("voice", "sms") else None,
            "to_number": assistant.line_number,
            "email": v["email"] if channel == "email" else None,
            "created_at": iso(started_at),
            "last_activity_at": iso(ended_at),
        }
        ds.session_runs[session_id] = []

        context = RunContext(
            session_id=session_id,
            assistant=assistant,
            channel=channel,
            scope=scope,
            script=script,
            plan=plan,
            quotes=quotes,
            when=when,
            processing=processing,
            turns=turns,
        )
        for key, is_critical in assistant.bindings:
            self.add_run(context, SPEC_BY_KEY[key], is_critical, self.assistant_ids[assistant.key])
        # The archived legacy check ran on the oldest chat sessions, before agent ids existed.
        if assistant.key == "acme" and when < SPEC_BY_KEY["greeting"].updated - timedelta(days=3):
            self.add_run(context, SPEC_BY_KEY["greeting"], False, None)

    def latency(self, channel: str) -> int:
        """Milliseconds to the assistant's first reply: log-normal around a per-channel median."""
        median = {"chat": 1300, "voice": 950, "sms": 2100, "email": 95_000}[channel]
        return int(median * self.rng.lognormvariate(0, 0.45))

    def add_run(
        self, ctx: RunContext, spec: EvaluatorSpec, is_critical: bool, agent_id: str | None
    ) -> None:
        """One eval run of `spec` on the session: status, timings, snapshots and scores."""
        rng, ds = self.rng, self.ds
        run_id = self.uuid()
        judge = spec.kind == "model_judge"
        status, error = "completed", None
        if ctx.processing:
            status, error = "failed", RECORDING_ERROR if judge else SIGNAL_RECORDING_ERROR
        elif ctx.when > NOW - timedelta(minutes=10) and judge:
            status = rng.choices(("pending", "running", "completed"), weights=(4, 3, 3))[0]
        elif judge and OUTAGE_START <= ctx.when < OUTAGE_END and rng.random() < 0.7:
            status, error = "errored", TIMEOUT_ERROR
        else:
            draw = rng.random()
            if judge and draw < 0.008:
                status, error = "errored", TIMEOUT_ERROR
            elif judge and draw < 0.012:
                status, error = "errored", PARSE_ERROR
            elif not judge and draw < 0.005:
                status, error = "errored", SIGNAL_ERROR

        started = finished = None
        if status != "pending":
            started = ctx.when + timedelta(seconds=rng.uniform(0.5, 8))
        if status not in ("pending", "running"):
            assert started is not None
            took = rng.uniform(2, 25) if judge else rng.uniform(0.05, 0.8)
            finished = started + timedelta(seconds=30 if error == TIMEOUT_ERROR else took)
        scores = (
            self.scores(ctx, spec, run_id, finished) if status == "completed" and finished else []
        )
        run: Json = {
            "id": run_id,
            "organization_id": ds.organization_id,
            "session_id": ctx.session_id,
            "evaluator_id": self.eval_ids[spec.key],
            "status": status,
            "created_at": iso(ctx.when),  # one insert per session: runs share created_at
            "started_at": iso(started) if started else None,
            "finished_at": iso(finished) if finished else None,
            "error_text": error,
            "prompt_snapshot": spec.prompt,
            "threshold_snapshot": threshold_at(spec, ctx.when),
            "severity_snapshot": spec.severity,
            "format_snapshot": spec.format,
            "agent_id": agent_id,
            "channel": ctx.channel,
            "session_type": ctx.scope,
            "config_snapshot": spec.config,
            "is_critical_snapshot": is_critical,
            "scores": scores,
        }
        ds.runs_by_id[run_id] = run
        ds.session_runs[ctx.session_id].append(run)
        for score in scores:
            ds.scores_by_id[score["id"]] = score
        ds.rows.append(ds.row_for(run))

    def scores(self, ctx: RunContext, spec: EvaluatorSpec, run_id: str, at: datetime) -> list[Json]:
        """The run's scores with judge-style rationales; [] when the check does not apply."""
        rng = self.rng
        judge = spec.kind == "model_judge"
        scores: list[Json] = []
        for verdict in verdicts(self.rng, ctx, spec):
            passed = verdict.passed
            if spec.format == "score" and verdict.value is not None:
                passed = verdict.value >= (threshold_at(spec, ctx.when) or 0.0)
            # A judge is surest about the blatant failures that blocking checks look for.
            sure = passed is False and spec.blocking
            confidence = round(rng.uniform(0.88, 0.99) if sure else rng.uniform(0.5, 0.99), 2)
            evidence = [f"obs_{rng.getrandbits(48):012x}" for _ in range(rng.randint(1, 3))]
            scores.append(
                {
                    "id": self.uuid(),
                    "organization_id": self.ds.organization_id,
                    "eval_run_id": run_id,
                    "value": verdict.value,
                    "raw_value": verdict.raw,
                    "label": verdict.label,
                    "passed": passed,
                    "confidence": confidence if judge else None,
                    "rationale": verdict.rationale,
                    "severity": spec.severity if passed is False else None,
                    "blocking": spec.blocking and passed is False,
                    "created_at": iso(at),
                    "evidence_observation_ids": evidence if judge else [],
                }
            )
        return scores
