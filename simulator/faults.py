"""Deterministic fault injection, runtime knobs, request statistics and error envelopes."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from simulator.settings import SimSettings

FaultKind = Literal["error", "truncate", "stall"]

# Injected error statuses and their share among injected errors.
_ERROR_STATUSES: tuple[tuple[int, float], ...] = ((500, 0.4), (503, 0.3), (429, 0.3))

_AYMARA_CODE_BY_STATUS: dict[int, str] = {
    400: "validation.invalid_format",
    401: "auth.invalid_key",
    403: "auth.insufficient_permissions",
    404: "resource.not_found",
    405: "validation.invalid_request",
    409: "resource.conflict",
    422: "validation.invalid_request",
    429: "quota.limit_exceeded",
}

_FEATHER_CODE_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "authentication_required",
    404: "not_found",
    409: "conflict",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def aymara_code_for_status(status: int) -> str:
    """The Aymara v2 error code that goes with an HTTP status."""
    return _AYMARA_CODE_BY_STATUS.get(status, "server.internal_error")


def aymara_error_body(
    code: str, message: str, request_id: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An Aymara v2 error envelope: `{"error": {code, message, details}, "request_id"}`."""
    return {
        "error": {"code": code, "message": message, "details": dict(details or {})},
        "request_id": request_id,
    }


def feather_error_body(
    status: int, message: str, *, retryable: bool, retry_after: int | None = None
) -> dict[str, Any]:
    """A Feather v1 `ErrorResponse`: `{error, message, retryable, retry_after}`."""
    return {
        "error": _FEATHER_CODE_BY_STATUS.get(status, "internal_error"),
        "message": message,
        "retryable": retryable,
        "retry_after": retry_after,
    }


@dataclass
class RuntimeConfig:
    """The knobs `POST /_sim/config` may change while the server runs."""

    latency_ms: float = 0.0
    fault_rate: float = 0.0
    truncate_rate: float = 0.0
    stall_rate: float = 0.0
    stall_s: float = 5.0
    retry_after_s: float = 1.0
    max_consecutive_faults: int = 2
    down: bool = False
    # Go down after this many more API requests (0: never): an outage at an exact point.
    down_after: int = 0

    @classmethod
    def from_settings(cls, settings: SimSettings) -> RuntimeConfig:
        """The starting knobs, taken from the settings."""
        return cls(
            latency_ms=settings.latency_ms,
            fault_rate=settings.fault_rate,
            truncate_rate=settings.truncate_rate,
            stall_rate=settings.stall_rate,
            stall_s=settings.stall_s,
            retry_after_s=settings.retry_after_s,
            max_consecutive_faults=settings.max_consecutive_faults,
        )

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply a partial update, validating every value first (all or nothing)."""
        known = {f.name: f.type for f in fields(self)}
        staged: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown setting {name!r}")
            if name == "down":
                if not isinstance(value, bool):
                    raise ValueError("down must be true or false")
                staged[name] = value
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number >= 0")
            if name.endswith("_rate") and value > 1:
                raise ValueError(f"{name} must be between 0 and 1")
            whole = name in ("max_consecutive_faults", "down_after")
            staged[name] = int(value) if whole else float(value)
        if (
            staged.get("fault_rate", self.fault_rate)
            + staged.get("truncate_rate", self.truncate_rate)
            + staged.get("stall_rate", self.stall_rate)
            > 1
        ):
            raise ValueError("fault_rate + truncate_rate + stall_rate must not exceed 1")
        for name, value in staged.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """The knobs as JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Fault:
    """What to do to one request."""

    kind: FaultKind
    status: int = 200  # for kind "error": 500, 503 or 429
    key: str = ""  # the request's identity, to report back whether the fault was applied


def canonical_request(method: str, path: str, query: str) -> str:
    """A request's identity: method, path and its query parameters in sorted order."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return f"{method.upper()} {path}?{urlencode(pairs)}"


def _unit(*parts: object) -> float:
    """A uniform number in [0, 1) from a stable hash of the parts."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultInjector:
    """Decides, deterministically per (seed, request, attempt), which requests to fault."""

    def __init__(self, seed: int, config: RuntimeConfig) -> None:
        self._seed = seed
        self._config = config
        self._seen: Counter[str] = Counter()
        self._consecutive: Counter[str] = Counter()
        self._lock = threading.Lock()

    def decide(self, method: str, path: str, query: str) -> Fault | None:
        """The fault for this request, or None to serve it normally."""
        cfg = self._config
        if cfg.fault_rate <= 0 and cfg.truncate_rate <= 0 and cfg.stall_rate <= 0:
            return None
        key = canonical_request(method, path, query)
        with self._lock:
            attempt = self._seen[key]
            self._seen[key] += 1
            # The cap is what makes the chaos survivable: a client retrying this many times wins.
            if self._consecutive[key] >= cfg.max_consecutive_faults:
                self._consecutive[key] = 0
                return None
            draw = _unit(self._seed, key, attempt)
            fault: Fault | None = None
            if draw < cfg.fault_rate:
                fault = Fault("error", self._pick_status(key, attempt), key)
            elif draw < cfg.fault_rate + cfg.truncate_rate:
                fault = Fault("truncate", 200, key)
            elif draw < cfg.fault_rate + cfg.truncate_rate + cfg.stall_rate:
                fault = Fault("stall", 200, key)
            if fault is None:
                self._consecutive[key] = 0
            else:
                self._consecutive[key] += 1
            return fault

    def not_applied(self, fault: Fault) -> None:
        """A decided fault could not be applied (nothing to truncate): the client got through."""
        with self._lock:
            self._consecutive[fault.key] = 0

    def reset(self) -> None:
        """Forget every request seen, so the same sequence of requests meets the same faults."""
        with self._lock:
            self._seen.clear()
            self._consecutive.clear()

    def _pick_status(self, key: str, attempt: int) -> int:
        draw = _unit(self._seed, key, attempt, "status")
        cumulative = 0.0
        for status, share in _ERROR_STATUSES:
            cumulative += share
            if draw < cumulative:
                return status
        return _ERROR_STATUSES[-1][0]


@dataclass
class RequestStats:
    """Counts of API requests that reached the server, by route template, and of faults."""

    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    faults: int = 0
    faults_by_kind: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_request(self, route: str) -> None:
        """One more request on this route template."""
        with self._lock:
            self.requests += 1
            self.by_route[route] += 1

    def count_fault(self, kind: str) -> None:
        """One more injected fault of this kind (error_500, truncate, stall, down, ...)."""
        with self._lock:
            self.faults += 1
            self.faults_by_kind[kind] += 1

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.requests = 0
            self.by_route.clear()
            self.faults = 0
            self.faults_by_kind.clear()

    def as_dict(self) -> dict[str, Any]:
        """The counts as JSON."""
        with self._lock:
            return {
                "requests": self.requests,
                "by_route": dict(sorted(self.by_route.items())),
                "faults": self.faults,
                "faults_by_kind": dict(sorted(self.faults_by_kind.items())),
            }
