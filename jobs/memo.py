"""Results computed from one immutable dataset, once, for every session that asks for them.

A loaded dataset never changes (a review or a Refresh makes a new one), so whatever a page
builds from it (aggregates, figures, filtered tables) depends only on the dataset and the
page's own parameters. Twenty people opening the same link then cost one computation, not
twenty: the first builds, the others wait for that build and share its result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from jobs.sizes import estimate_bytes

T = TypeVar("T")
MAX_ENTRIES = 96  # per dataset: every page's parts for a few dozen filter sets
MAX_BYTES = 96 * 1024 * 1024  # per dataset; the dataset cache sizes the dataset with its memo


def frozen(value: Any) -> Hashable:
    """A hashable stand-in for a page's parameters: lists and sets as tuples, dicts as items."""
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((frozen(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    return value


class Memo:
    """Least-recently-used results by key, bounded in count and bytes; one build per key."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how many results were computed (the rest were shared)
        self.hits = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The result under key, built by `build()` if nobody has built it yet."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key][0]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # sessions asking at once wait for the first one's build
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    self.hits += 1
                    return self._values[key][0]
            value = build()
            size = estimate_bytes(value)
            with self._lock:
                self.builds += 1
                self._values[key] = (value, size)
                self._building.pop(key, None)
                self._evict()
            return value

    def _evict(self) -> None:
        """Drop the least recently used beyond the bounds (the newest is always kept)."""
        total = sum(size for _, size in self._values.values())
        while len(self._values) > 1 and (
            len(self._values) > self.max_entries or total > self.max_bytes
        ):
            _, (_, size) = self._values.popitem(last=False)
            total -= size

    @property
    def nbytes(self) -> int:
        """The bytes its results hold, as sized when stored."""
        with self._lock:
            return sum(size for _, size in self._values.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


class Once:
    """A value built once, on first use, by whichever thread asks first (the others wait)."""

    def __init__(self) -> None:
        self.value: Any = None
        self._lock = threading.Lock()

    def get(self, build: Callable[[], T]) -> T:
        """The value, built now if nobody has built it yet."""
        if self.value is None:
            with self._lock:
                if self.value is None:
                    self.value = build()
        return self.value
