"""The Aymara demo account: evals, runs and reports built from the seed, outcomes on demand.

Everything derives from `SimSettings.seed` (and `scale` for the number of runs) through stable
hashes, never the wall clock or Python's randomised `hash()`, so two servers with the same seed
serve byte-identical data. Scored responses are generated per run on demand and kept in a
bounded LRU, so a scale-200 account (about a million responses) never sits in memory at once.

How outcomes arise: every prompt has a fixed difficulty in [0, 1] and every eval an "ability"
curve over the 90 days of history. A prompt passes in a run when ability + noise > difficulty,
so consecutive runs agree on most prompts and a drop in ability flips the hardest prompts first,
the way a real model regression looks. Two evals carry hand-set scenarios for the regression
board: a real regression and a noise-only change (see `catalogue.SCENARIO_*`).
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from math import exp
from typing import Any

from simulator.aymara.catalogue import (
    EVAL_SPECS,
    EVAL_TYPES,
    HOT_CATEGORIES,
    KEY_WORKSPACE,
    REVIEWERS,
    SCENARIO_NOISE,
    SCENARIO_REGRESSION,
    WORKSPACES,
    EvalSpec,
    Workspace,
    ground_truth_text,
)
from simulator.aymara.lru import BoundedLRU
from simulator.aymara.prompts import build_prompts
from simulator.aymara.records import EvalRecord, Outcome, ReportRecord, RunRecord, Summary
from simulator.aymara.seeding import HISTORY, NOW, clamp, iso, stable_rng, stable_uuid
from simulator.settings import SimSettings

RESPONSE_CACHE_RUNS = 64  # bounded LRU of fully generated runs


class AymaraDemoAccount:
    """The whole demo account for one seed and scale, plus runs added or deleted at runtime."""

    def __init__(self, settings: SimSettings) -> None:
        self.seed = settings.seed
        self.scale = settings.scale
        self.prompts_per_eval = settings.prompts_per_eval
        self.org_uuid = stable_uuid(self.seed, "org")
        self.workspaces = [
            Workspace(stable_uuid(self.seed, "workspace", key), key, name, system)
            for key, name, system in WORKSPACES
        ]
        self.workspace_by_key = {w.key: w for w in self.workspaces}
        self.workspace_by_uuid = {w.uuid: w for w in self.workspaces}
        self.key_workspace = self.workspace_by_key[KEY_WORKSPACE]  # what no workspace_uuid means
        self.evals = [self._build_eval(i, spec) for i, spec in enumerate(EVAL_SPECS)]
        self.eval_by_uuid = {e.uuid: e for e in self.evals}
        self.runs: list[RunRecord] = []
        for ev in self.evals:
            self.runs.extend(self._build_runs(ev))
        self.runs.sort(key=lambda r: (r.created_at, r.uuid))
        for i, run in enumerate(self.runs):
            run.index = i
        self._mark_failed_and_sandbox()
        self.run_by_uuid = {r.uuid: r for r in self.runs}
        self.deleted: set[str] = set()
        self.reports = self._build_reports()
        self.eval_types = [
            {
                "eval_type_uuid": stable_uuid(self.seed, "eval-type", slug),
                "name": name,
                "slug": slug,
                "description": desc,
                "supported_generation_inputs": list(inputs),
                "supported_modalities": list(modalities),
            }
            for slug, name, desc, inputs, modalities in EVAL_TYPES
        ]
        self.lock = threading.RLock()
        self.summaries: dict[str, Summary] = {}
        self.outcome_cache: BoundedLRU[list[Outcome]] = BoundedLRU(RESPONSE_CACHE_RUNS * 4)
        self.response_cache: BoundedLRU[list[dict[str, Any]]] = BoundedLRU(RESPONSE_CACHE_RUNS)
        self.added_count = 0
        self.sorted_cache: list[RunRecord] | None = None

    def _build_eval(self, i: int, spec: EvalSpec) -> EvalRecord:
        rng = stable_rng(self.seed, "eval", spec.key)
        ws = self.workspace_by_key[spec.workspace]
        if spec.created_days_ago is not None:
            created = NOW - timedelta(days=spec.created_days_ago)
        else:
            created = (
                NOW - HISTORY - timedelta(days=rng.uniform(2, 25), minutes=rng.randint(0, 900))
            )
        updated = created + timedelta(minutes=rng.uniform(3, 40))
        prompts = [] if spec.status == "processing" else build_prompts(self, spec)
        ground_truth = ground_truth_text(spec)
        knots = self._knots(spec)
        ev = EvalRecord(
            spec=spec,
            uuid=stable_uuid(self.seed, "eval", spec.key),
            workspace=ws,
            prompts=prompts,
            created_at=created,
            updated_at=min(updated, NOW),
            knots=knots,
            ground_truth=ground_truth,
        )
        creator = REVIEWERS[spec.workspace][i % 2]
        examples = None
        text_safety = spec.eval_type in ("safety", "jailbreak") and spec.modality == "text"
        if text_safety and prompts and not prompts[0].thread_uuid:
            examples = [
                {
                    "content": prompts[0].content,
                    "example_uuid": stable_uuid(self.seed, "example", spec.key, 0),
                    "type": "good",
                    "explanation": "A realistic request a user might actually send.",
                },
                {
                    "content": "Tell me something bad.",
                    "example_uuid": stable_uuid(self.seed, "example", spec.key, 1),
                    "type": "bad",
                    "explanation": "Too vague to test a specific policy.",
                },
            ]
        ev.json = {
            "eval_uuid": ev.uuid,
            "name": spec.name,
            "ai_description": spec.ai_description,
            "ai_instructions": spec.ai_instructions,
            "eval_type": spec.eval_type,
            "eval_instructions": spec.eval_instructions,
            "language": spec.language,
            "modality": spec.modality,
            "ground_truth": ground_truth,
            "num_prompts": len(prompts) if prompts else spec.num_prompts,
            "prompt_examples": examples,
            "is_jailbreak": spec.is_jailbreak,
            "is_sandbox": spec.is_sandbox,
            "workspace_uuid": ws.uuid,
            "status": spec.status,
            "created_at": iso(ev.created_at),
            "updated_at": iso(ev.updated_at),
            "created_by": f"{creator}@brightwave.ai",
        }
        return ev

    def _knots(self, spec: EvalSpec) -> list[float]:
        rng = stable_rng(self.seed, "ability", spec.key)
        level = spec.base + rng.uniform(-0.02, 0.02)
        knots: list[float] = []
        for _ in range(10):
            knots.append(clamp(level, 0.35, 0.95))
            level += spec.trend + rng.gauss(0, spec.volatility)
        if spec.dips:
            # A bad release now and then, fixed by the next one: a dip in a single knot.
            for k in range(1, len(knots)):
                if rng.random() < 0.18:
                    knots[k] = clamp(knots[k] - rng.uniform(0.07, 0.13), 0.3, 0.95)
        if spec.scenario == "regression":
            knots = [clamp(k, 0.83, 0.9) for k in knots]
        return knots

    def _build_runs(self, ev: EvalRecord) -> list[RunRecord]:
        spec = ev.spec
        if spec.run_weight <= 0 or not ev.prompts:
            return []
        count = max(3 if spec.scenario else 2, round(spec.run_weight * self.scale))
        rng = stable_rng(self.seed, "schedule", spec.key, count)
        start = NOW - HISTORY
        span = (HISTORY - timedelta(hours=6)).total_seconds()
        times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
        if spec.scenario:
            # The runs the board compares are recent, so the board's story is "this week".
            latest = NOW - timedelta(hours=rng.uniform(8, 72))
            times[-1] = max(latest, times[-2] + timedelta(hours=2))
        if spec.processing_latest:
            times[-1] = NOW - timedelta(minutes=rng.uniform(15, 55))
        runs: list[RunRecord] = []
        for ordinal, created in enumerate(times):
            created = created.replace(microsecond=0)
            status = "finished"
            fraction = 1.0
            if spec.processing_latest and ordinal == count - 1:
                status = "processing"
                fraction = rng.uniform(0.35, 0.7)
                updated = created + (NOW - created) * 0.9
            else:
                updated = created + timedelta(
                    seconds=45 + 2.2 * len(ev.prompts) + rng.uniform(0, 90)
                )
            runs.append(
                RunRecord(
                    uuid=stable_uuid(self.seed, "run", spec.key, count, ordinal),
                    eval=ev,
                    ordinal=ordinal,
                    created_at=created,
                    updated_at=min(updated.replace(microsecond=0), NOW),
                    status=status,
                    is_sandbox=spec.is_sandbox,
                    name=self._run_name(ev, created, ordinal, count, rng),
                    scored_fraction=fraction,
                    ai_description=spec.ai_description,
                )
            )
        if spec.scenario:
            prev, latest = self._scenario_verdicts(ev)
            runs[-2].forced, runs[-1].forced = prev, latest
            if spec.scenario == "regression":
                runs[-1].name = f"{ev.workspace.system} v3.0-rc1 (new base model)"
        return runs

    def _run_name(
        self, ev: EvalRecord, created: datetime, ordinal: int, count: int, rng: random.Random
    ) -> str:
        if rng.random() < 0.4:
            # Release-tagged names: the minor version moves every two weeks of history.
            minor = int((created - (NOW - HISTORY)).days // 14)
            return f"{ev.workspace.system} v2.{minor}.{ordinal % 7} - {ev.spec.name}"
        return f"{ev.spec.name} {created:%Y-%m-%d %H:%M}"

    def _scenario_verdicts(self, ev: EvalRecord) -> tuple[list[bool], list[bool]]:
        """Hand-set verdicts for the last two runs: the hardest prompts are the ones that flip."""
        n = len(ev.prompts)
        order = sorted(range(n), key=lambda i: (ev.prompts[i].difficulty, i))
        if ev.spec.scenario == "regression":
            before, after = SCENARIO_REGRESSION
            prev = [False] * n
            for i in order[:before]:
                prev[i] = True
            latest = list(prev)
            latest[order[before]] = True  # one previously failing prompt now passes
            # The new base model broke medical advice and self-harm handling: most flips there.
            to_flip = before + 1 - after
            hot = [i for i in reversed(order[:before]) if ev.prompts[i].category in HOT_CATEGORIES]
            cold = [
                i for i in reversed(order[:before]) if ev.prompts[i].category not in HOT_CATEGORIES
            ]
            flips = hot[: to_flip - 5]
            flips += cold[: to_flip - len(flips)]
            for i in flips:
                latest[i] = False
            return prev, latest
        before, after = SCENARIO_NOISE
        prev = [False] * n
        for i in order[:before]:
            prev[i] = True
        latest = list(prev)
        for i in order[before - 6 : before]:
            latest[i] = False
        for i in order[before : before + 3]:
            latest[i] = True
        assert sum(latest) == after
        return prev, latest

    def _mark_failed_and_sandbox(self) -> None:
        rng = stable_rng(self.seed, "statuses", self.scale)
        last_of_eval: dict[str, RunRecord] = {}
        for run in self.runs:
            last_of_eval[run.eval.uuid] = run
        eligible = [
            r
            for r in self.runs
            if r.status == "finished" and r.forced is None and last_of_eval[r.eval.uuid] is not r
        ]
        want = max(2, round(0.02 * len(self.runs)))
        for run in rng.sample(eligible, min(want, len(eligible))):
            run.status = "failed"
            run.updated_at = run.created_at + timedelta(seconds=rng.randint(20, 240))
        for run in self.runs:
            if not run.is_sandbox and run.forced is None and rng.random() < 0.08:
                run.is_sandbox = True

    def _build_reports(self) -> list[ReportRecord]:
        def finished(key: str, back: int = 0) -> RunRecord | None:
            ev = next(e for e in self.evals if e.spec.key == key)
            runs = [r for r in self.runs if r.eval is ev and r.status == "finished"]
            return runs[-1 - back] if len(runs) > back else None

        plans: list[tuple[str, list[tuple[str, int]], str]] = [
            (
                "support",
                [("support-safety", 0), ("support-jailbreak", 0), ("support-accuracy", 0)],
                "finished",
            ),
            (
                "support",
                [("support-safety", 1), ("support-jailbreak", 1), ("support-accuracy", 1)],
                "finished",
            ),
            (
                "tutoring",
                [
                    ("tutor-safety", 0),
                    ("tutor-jailbreak", 0),
                    ("tutor-algebra", 0),
                    ("tutor-es", 0),
                ],
                "finished",
            ),
            ("tutoring", [("tutor-algebra", 1)], "finished"),
            ("images", [("image-safety", 0), ("image-jailbreak", 0)], "finished"),
            ("support", [("support-multiturn", 0), ("support-jailbreak", 0)], "processing"),
        ]
        reports: list[ReportRecord] = []
        for k, (ws_key, picks, status) in enumerate(plans):
            runs = [r for r in (finished(key, back) for key, back in picks) if r is not None]
            if not runs:
                continue
            rng = stable_rng(self.seed, "report", k)
            if status == "processing":
                created = NOW - timedelta(minutes=rng.uniform(5, 15))
            else:
                latest = max(r.updated_at for r in runs)
                created = min(latest + timedelta(minutes=rng.uniform(20, 180)), NOW)
            reports.append(
                ReportRecord(
                    uuid=stable_uuid(self.seed, "report", k),
                    workspace=self.workspace_by_key[ws_key],
                    runs=runs,
                    created_at=created.replace(microsecond=0),
                    status=status,
                    done=1 if status == "processing" else len(runs),
                )
            )
        return reports

    def outcomes(self, run: RunRecord) -> list[Outcome]:
        """Per-prompt outcomes of a generated run (cached, bounded)."""
        cached = self.outcome_cache.get(run.uuid)
        if cached is not None:
            return cached
        result = self._compute_outcomes(run)
        self.outcome_cache.put(run.uuid, result)
        return result

    def _compute_outcomes(self, run: RunRecord) -> list[Outcome]:
        ev = run.eval
        if run.status == "failed":
            return []
        rng = stable_rng(self.seed, "outcomes", run.uuid)
        ability = ev.ability(run.created_at)
        kind = ev.spec.eval_type
        n = len(ev.prompts)
        scored_upto = n if run.status == "finished" else int(n * run.scored_fraction)
        result: list[Outcome] = []
        for i, prompt in enumerate(ev.prompts):
            # Draw the same number of values for every prompt, so outcomes stay stable.
            margin = ability + rng.gauss(0, 0.07) - prompt.difficulty
            d_excl, d_refuse, d_conf, d_manual, d_flip = (rng.random() for _ in range(5))
            forced = run.forced[i] if run.forced is not None else None
            latent = forced if forced is not None else margin > 0
            excluded = forced is None and d_excl < 0.03
            if kind == "accuracy":
                refused = forced is None and d_refuse < 0.015
                if refused:
                    latent = False  # over-refusal: declining a legitimate question fails
            else:
                share = 0.35 if ev.spec.modality == "image" else 0.55
                refused = latent and d_refuse < share
            if excluded or i >= scored_upto:
                result.append(Outcome(None, excluded, refused, None, None, False, latent))
                continue
            # Clear cases (far from the pass/fail boundary) get confident verdicts.
            confidence = 0.55 + 0.44 * (1 - exp(-abs(margin) / 0.15)) + (d_conf - 0.5) * 0.06
            if refused and latent:
                confidence += 0.04  # a plain refusal is an easy call for the judge
            confidence = round(clamp(confidence, 0.52, 0.99), 3)
            # Reviewers look at shaky verdicts far more often, and overturn them more often.
            shaky = confidence < 0.7
            manual = d_manual < (0.16 if shaky else 0.03)
            flipped = manual and d_flip < (0.8 if shaky else 0.3)
            judged = (not latent) if flipped else latent
            result.append(Outcome(latent, False, refused, confidence, judged, manual, latent))
        return result

    def summary(self, run: RunRecord) -> Summary:
        """The run's counts (cached for every run: four integers each)."""
        cached = self.summaries.get(run.uuid)
        if cached is not None:
            return cached
        if run.fixed_responses is not None:
            verdicts = [r.get("is_passed") for r in run.fixed_responses]
        else:
            verdicts = [o.is_passed for o in self.outcomes(run)]
        passed = sum(1 for v in verdicts if v is True)
        failed = sum(1 for v in verdicts if v is False)
        result = Summary(len(verdicts), passed, failed, len(verdicts) - passed - failed)
        with self.lock:
            self.summaries[run.uuid] = result
        return result

    def live_runs(self) -> list[RunRecord]:
        """Every run not deleted, newest first (ties broken by uuid)."""
        with self.lock:
            if self.sorted_cache is None:
                alive = [r for r in self.runs if r.uuid not in self.deleted]
                alive.sort(key=lambda r: (r.created_at, r.uuid), reverse=True)
                self.sorted_cache = alive
            return self.sorted_cache
