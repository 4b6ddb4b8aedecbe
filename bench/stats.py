"""Small helpers shared by the bench parts: timing, medians, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    """Repeated measurements of one figure (seconds, bytes, ...)."""

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        """How many repetitions."""
        return len(self.values)

    @property
    def median(self) -> float:
        """The median (the figure reported)."""
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values)

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values)


def repeat(fn: Callable[[], Any], times: int) -> tuple[Sample, Any]:
    """Time fn `times` times; the sample of wall times and fn's last result."""
    values = []
    result = None
    for _ in range(max(1, times)):
        started = time.perf_counter()
        result = fn()
        values.append(time.perf_counter() - started)
    return Sample(tuple(values)), result


def sample(values: Sequence[float]) -> Sample:
    """A sample from values already measured."""
    return Sample(tuple(values))


def machine() -> dict[str, str]:
    """Cores, RAM, Python and CPU model of this machine, and its load when the bench started."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "unknown"
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                    break
    except OSError:
        pass
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpu": model,
        "os": f"{platform.system()} {platform.release()}",
        "load": load,
    }
