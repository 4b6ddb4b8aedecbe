"""Settings shared by every part of the simulator (CLI, app, both API routers)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class SimSettings:
    """How the simulator behaves: which key it accepts, its data, and which faults it injects."""

    api_key: str = "demo-key"
    seed: int = 7
    scale: float = 1.0
    latency_ms: float = 0.0
    fault_rate: float = 0.0  # share of requests answered 500 / 503 / 429
    truncate_rate: float = 0.0  # share of 200s whose JSON body is cut short
    stall_rate: float = 0.0  # share of requests that stall for stall_s before answering
    stall_s: float = 5.0
    retry_after_s: float = 1.0  # Retry-After sent with injected 429s
    max_consecutive_faults: int = 2  # the same request never faults more often in a row
    feather_activity: bool = True  # serve /v1/eval-runs/activity (False = an older server)
    # Every Aymara eval gets exactly this many prompts (so each run this many responses);
    # None keeps each eval's own size. For benchmarks: the default dataset is unchanged.
    prompts_per_eval: int | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> SimSettings:
        """Settings from SIMULATOR_* environment variables, then explicit overrides."""
        env = os.environ
        values: dict[str, object] = {
            "api_key": env.get("SIMULATOR_API_KEY", cls.api_key),
            "seed": int(env.get("SIMULATOR_SEED", cls.seed)),
            "scale": float(env.get("SIMULATOR_SCALE", cls.scale)),
            "latency_ms": float(env.get("SIMULATOR_LATENCY_MS", cls.latency_ms)),
            "fault_rate": float(env.get("SIMULATOR_FAULT_RATE", cls.fault_rate)),
            "truncate_rate": float(env.get("SIMULATOR_TRUNCATE_RATE", cls.truncate_rate)),
            "stall_rate": float(env.get("SIMULATOR_STALL_RATE", cls.stall_rate)),
            "stall_s": float(env.get("SIMULATOR_STALL_S", cls.stall_s)),
            "retry_after_s": float(env.get("SIMULATOR_RETRY_AFTER_S", cls.retry_after_s)),
            "max_consecutive_faults": int(
                env.get("SIMULATOR_MAX_CONSECUTIVE_FAULTS", cls.max_consecutive_faults)
            ),
            "prompts_per_eval": (
                int(env["SIMULATOR_PROMPTS_PER_EVAL"])
                if env.get("SIMULATOR_PROMPTS_PER_EVAL")
                else cls.prompts_per_eval
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
