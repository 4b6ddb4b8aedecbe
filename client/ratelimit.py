"""A thread-safe token bucket that spaces requests out before the server has to say 429."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Allow at most `rate` requests per second on average, with bursts up to `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate)))
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            # A negative balance is this caller's place in the queue: later callers wait longer.
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


def per_minute(requests_per_minute: float, burst: int | None = None) -> RateLimiter:
    """A limiter from a per-minute quota such as Feather's 6,000 requests a minute."""
    return RateLimiter(requests_per_minute / 60.0, burst)
