"""The prompts of each Aymara demo eval, drawn from the corpus or generated (algebra)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from math import lcm
from typing import TYPE_CHECKING

from simulator.aymara.catalogue import EvalSpec
from simulator.aymara.corpus import (
    IMAGE_JAILBREAK,
    IMAGE_SAFETY,
    K12_SAFETY,
    KNOWLEDGE_BASE,
    SUPPORT_JAILBREAK,
    SUPPORT_SAFETY,
    THREAD_NAMES,
    THREAD_REFUSALS,
    THREADS,
    TUTOR_JAILBREAK,
    TUTOR_SAFETY_ES,
    Bank,
)
from simulator.aymara.records import Prompt
from simulator.aymara.seeding import capitalize_first, clamp, stable_rng, stable_uuid

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount


def build_prompts(account: AymaraDemoAccount, spec: EvalSpec) -> list[Prompt]:
    rng = stable_rng(account.seed, "prompts", spec.key)
    key = spec.key
    if key == "support-accuracy":
        prompts = _kb_prompts(account, spec, rng)
    elif key == "tutor-algebra":
        prompts = _algebra_prompts(account, spec, rng)
    elif key == "support-multiturn":
        prompts = _thread_prompts(account, spec, rng)
    else:
        banks = {
            "support-safety": SUPPORT_SAFETY,
            "support-jailbreak": SUPPORT_JAILBREAK,
            "tutor-safety": K12_SAFETY,
            "tutor-persona": K12_SAFETY,
            "tutor-jailbreak": TUTOR_JAILBREAK,
            "tutor-es": TUTOR_SAFETY_ES,
            "image-safety": IMAGE_SAFETY,
            "image-jailbreak": IMAGE_JAILBREAK,
        }[key]
        prompts = _bank_prompts(account, spec, banks, rng)
    if account.prompts_per_eval is not None:
        prompts = _resize_prompts(account, spec, prompts, account.prompts_per_eval)
    offsets = {c: rng.uniform(-0.08, 0.08) for c in sorted({p.category for p in prompts})}
    for p in prompts:
        base = rng.random()
        if p.turn_number == 1 and p.thread_uuid:
            base *= 0.35  # openers are innocent: almost always answered well
        elif p.turn_number == 2:
            base *= 0.7
        p.difficulty = clamp(base + offsets[p.category], 0.001, 0.999)
    return prompts


def _resize_prompts(
    account: AymaraDemoAccount, spec: EvalSpec, prompts: list[Prompt], size: int
) -> list[Prompt]:
    """Cut or repeat an eval's prompts to `size` (the benchmarks' `prompts_per_eval`).

    Repeats are variants with their own uuids (and threads); the regression board's two
    scenario evals never shrink below their own size, which their hand-set verdicts need.
    """
    if spec.scenario:
        size = max(size, len(prompts))
    if size <= len(prompts) or not prompts:
        return prompts[: max(size, 0)]
    base = list(prompts)
    grown = list(prompts)
    copy = 0
    while len(grown) < size:
        copy += 1
        for i, p in enumerate(base[: size - len(grown)]):
            thread = p.thread_uuid and stable_uuid(
                account.seed, "thread", spec.key, p.thread_uuid, copy
            )
            grown.append(
                replace(
                    p,
                    prompt_uuid=stable_uuid(account.seed, "prompt", spec.key, "copy", copy, i),
                    content=f"{p.content} (variant {copy + 1})",
                    thread_uuid=thread,
                )
            )
    return grown


def _bank_prompts(
    account: AymaraDemoAccount, spec: EvalSpec, banks: Sequence[Bank], rng: random.Random
) -> list[Prompt]:
    per = [spec.num_prompts // len(banks)] * len(banks)
    for i in range(spec.num_prompts - sum(per)):
        per[i] += 1
    prompts: list[Prompt] = []
    for bank, count in zip(banks, per, strict=True):
        combos = [(t, f) for t in bank.templates for f in bank.fillers]
        rng.shuffle(combos)
        if count > len(combos):
            raise ValueError(f"bank {bank.category!r} of {spec.key} is too small")
        for template, filler in combos[:count]:
            content = template.format(x=filler, X=capitalize_first(filler))
            prompts.append(
                Prompt(
                    prompt_uuid="",
                    content=content,
                    category=bank.category,
                    bank=bank,
                    filler=filler,
                    topic=bank.topic.format(x=filler),
                    template=bank.templates.index(template),
                )
            )
    rng.shuffle(prompts)
    return _numbered(account, spec, prompts)


def _numbered(account: AymaraDemoAccount, spec: EvalSpec, prompts: list[Prompt]) -> list[Prompt]:
    """Give the prompts, in their final order, the uuids their positions derive."""
    for i, p in enumerate(prompts):
        p.prompt_uuid = stable_uuid(account.seed, "prompt", spec.key, i)
    return prompts


def _kb_prompts(account: AymaraDemoAccount, spec: EvalSpec, rng: random.Random) -> list[Prompt]:
    prompts: list[Prompt] = []
    for category, fillers, facts in KNOWLEDGE_BASE:
        for question, reference, wrong in facts:
            for filler in fillers:
                prompts.append(
                    Prompt(
                        prompt_uuid="",
                        content=question.format(x=filler, X=capitalize_first(filler)).strip(),
                        category=category,
                        topic=f"the {category} policy",
                        reference=reference,
                        wrong=wrong,
                    )
                )
    rng.shuffle(prompts)
    return _numbered(account, spec, prompts[: spec.num_prompts])


def _algebra_prompts(
    account: AymaraDemoAccount, spec: EvalSpec, rng: random.Random
) -> list[Prompt]:
    makers = (_linear, _fractions, _exponents, _word_problem)
    per = spec.num_prompts // len(makers)
    prompts: list[Prompt] = []
    for make in makers:
        seen: set[str] = set()
        while len(seen) < per:
            category, question, reference, good, bad, wrong = make(rng)
            if question in seen:
                continue
            seen.add(question)
            prompts.append(
                Prompt(
                    prompt_uuid="",
                    content=question,
                    category=category,
                    topic="the correct answer",
                    reference=reference,
                    wrong=wrong,
                    good=good,
                    bad=bad,
                )
            )
    rng.shuffle(prompts)
    return _numbered(account, spec, prompts)


def _thread_prompts(account: AymaraDemoAccount, spec: EvalSpec, rng: random.Random) -> list[Prompt]:
    prompts: list[Prompt] = []
    scripts = [(s, n) for n in THREAD_NAMES for s in THREADS]
    rng.shuffle(scripts)
    for t, ((category, topic, turns), name) in enumerate(scripts):
        thread = stable_uuid(account.seed, "thread", spec.key, t)
        refusals = THREAD_REFUSALS[THREADS.index((category, topic, turns))]
        for turn, ((text, good, bad), refusal) in enumerate(
            zip(turns, refusals, strict=True), start=1
        ):
            prompts.append(
                Prompt(
                    prompt_uuid=stable_uuid(account.seed, "prompt", spec.key, len(prompts)),
                    content=text.format(name=name),
                    category=category,
                    topic=topic,
                    thread_uuid=thread,
                    turn_number=turn,
                    good=good.format(name=name),
                    bad=bad.format(name=name),
                    refusal=refusal.format(name=name),
                )
            )
    return prompts[: spec.num_prompts]


_AlgebraItem = tuple[str, str, str, str, str, str]


def _linear(rng: random.Random) -> _AlgebraItem:
    a, x, b = rng.randint(2, 9), rng.randint(-6, 12), rng.randint(1, 20)
    c = a * x + b
    return (
        "linear equations",
        f"Solve for x: {a}x + {b} = {c}",
        f"x = {x}",
        f"Subtract {b} from both sides to get {a}x = {c - b}, then divide both sides by {a}. "
        f"So x = {x}.",
        f"Subtract {b} from both sides to get {a}x = {c - b + a}, then divide by {a}. "
        f"So x = {x + 1}.",
        f"x = {x + 1}",
    )


def _fractions(rng: random.Random) -> _AlgebraItem:
    q, s = rng.choice([(3, 4), (2, 5), (4, 6), (3, 5), (6, 8), (5, 7), (2, 9), (4, 10)])
    p, r = rng.randint(1, q - 1), rng.randint(1, s - 1)
    total = Fraction(p, q) + Fraction(r, s)
    common = lcm(q, s)
    left, right = p * common // q, r * common // s
    sum_text = f"{left + right}/{common}"
    good = f"Use the common denominator {common}: {left}/{common} + {right}/{common} = {sum_text}"
    good += "." if str(total) == sum_text else f", which simplifies to {total}."
    return (
        "fractions",
        f"What is {p}/{q} + {r}/{s}? Give the answer as a simplified fraction.",
        str(total),
        good,
        f"Add the tops and the bottoms: {p + r}/{q + s}.",
        f"{p + r}/{q + s}",
    )


def _exponents(rng: random.Random) -> _AlgebraItem:
    m, n = rng.randint(2, 7), rng.randint(2, 6)
    if rng.random() < 0.5:
        return (
            "exponents",
            f"Simplify x^{m} * x^{n}.",
            f"x^{m + n}",
            f"When you multiply powers with the same base, add the exponents: x^{m + n}.",
            f"Multiply the exponents: x^{m * n}.",
            f"x^{m * n}",
        )
    return (
        "exponents",
        f"Simplify (x^{m})^{n}.",
        f"x^{m * n}",
        f"A power of a power multiplies the exponents: x^{m * n}.",
        f"Add the exponents: x^{m + n}.",
        f"x^{m + n}",
    )


def _word_problem(rng: random.Random) -> _AlgebraItem:
    if rng.random() < 0.5:
        v, t = rng.randint(8, 30), rng.choice([1.5, 2, 2.5, 3, 4])
        d = v * t
        d_txt = f"{d:g}"
        return (
            "word problems",
            f"A cyclist rides {d_txt} km in {t:g} hours. What is her average speed?",
            f"{v} km/h",
            f"Average speed is distance divided by time: {d_txt} / {t:g} = {v} km/h.",
            f"Multiply distance by time: {d_txt} * {t:g} = {d * t:g} km/h.",
            f"{d * t:g} km/h",
        )
    price, off = rng.choice([40, 60, 80, 120, 150, 90]), rng.choice([10, 20, 25, 30])
    sale = price * (100 - off) / 100
    return (
        "word problems",
        f"A jacket costs ${price} and is on sale for {off}% off. What is the sale price?",
        f"${sale:g}",
        f"{off}% of ${price} is ${price * off / 100:g}, so the sale price is ${sale:g}.",
        f"Subtract {off} from {price}: the sale price is ${price - off}.",
        f"${price - off}",
    )
