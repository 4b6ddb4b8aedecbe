"""The one cache seam: loaded data, API clients and their stores, learned workspace names.

Every key is built by `cache_key`, for both APIs, under the account's generation that the
sidebar's Refresh moves; so one Refresh renews everything of that account, for everyone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from client.aymara import AymaraClient
from client.feather import FeatherClient
from client.settings import settings
from components.connection import Source
from jobs.sizes import estimate_bytes, release_freed_memory, release_when_freed
from jobs.store import RunStore

log = logging.getLogger(__name__)

RELEASE_AFTER_BYTES = 32 * 1024 * 1024  # a load this big is followed by a memory trim
PARTIAL_TTL_S = 60.0  # a load that missed something is retried sooner
MB = 2**20
MAX_ENTRIES = 256  # default of EVAL_DASHBOARD_CACHE_ENTRIES, a cap beside the byte budget
# Built pages (feather_loaders' own cache) get this share of EVAL_DASHBOARD_CACHE_MB, so the
# one setting bounds both: a page at 50,000 Feather runs holds ~60 MB (its named runs frame).
VIEWS_SHARE = 8
# Empty answers (a link naming a workspace or filter set with nothing in it) are kept apart,
# a few at a time: however many such links arrive, they never evict a loaded dataset.
MAX_EMPTY_ENTRIES = 16
FEATHER_QUOTA_PER_MINUTE = 6000.0
Account = tuple[str, str, str]


class _Entry:
    __slots__ = ("empty", "expires", "lock", "read", "size", "value")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: Any = None
        self.expires = 0.0
        self.empty = False
        self.size = 0  # estimated bytes, measured when the value is stored
        self.read = True  # read since it was sized: it may have built views of itself since


@dataclass(frozen=True)
class CacheStats:
    """What a cache holds now: entries and estimated bytes, and its limits."""

    datasets: int
    empties: int
    bytes: int  # the datasets' estimated bytes (the budget counts these)
    empty_bytes: int
    max_bytes: int | None
    max_entries: int


@dataclass(frozen=True)
class Reload:
    """The last Refresh of an account: when (monotonic and wall clock), and by whom."""

    at: float
    when: datetime
    by: str | None = None


class DatasetCache:
    """Process-wide cache of loaded datasets: no copy per hit, one load per key at a time.

    `st.cache_data` pickles its value on every hit, which for a million-row frame costs
    seconds per rerun; here every session shares one immutable dataset object instead.
    Bounded by the datasets' estimated bytes (`max_bytes`, None: unbounded) and their count.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._generations: dict[Hashable, int] = {}
        self._forced: dict[Hashable, int] = {}
        self._forcing: dict[Hashable, set[int]] = {}
        self._reloads: dict[Hashable, Reload] = {}
        # Names outlive entries: v2 names a workspace only in reviewers' profiles, so a name
        # learned once is kept for the selector even after its dataset is evicted.
        self._names: dict[Hashable, dict[str, str]] = {}
        self._lock = threading.Lock()

    def generation(self, scope: Hashable) -> int:
        """How many times this scope was refreshed."""
        with self._lock:
            return self._generations.get(scope, 0)

    def take_force(self, account: Hashable, scope: Hashable, generation: int) -> bool:
        """True once per key after a forcing Refresh: that load skips the local store."""
        with self._lock:
            if generation in self._forcing.get(account, set()) and generation > self._forced.get(
                scope, 0
            ):
                self._forced[scope] = generation
                return True
            return False

    def refresh(
        self, scope: tuple[Hashable, ...], *, force: bool = True, by: str | None = None,
        min_interval_s: float = 0.0,
    ) -> bool:  # fmt: skip
        """Make the next read of this scope load afresh, for every session; True if it did.

        The scope's entries are dropped (a Refresh replaces, never adds a copy). Within
        `min_interval_s` of the last one, another Refresh does nothing: however many people
        press it, the account is reloaded once.
        """
        with self._lock:
            last = self._reloads.get(scope)
            now = time.monotonic()
            if min_interval_s and last is not None and now - last.at < min_interval_s:
                return False
            generation = self._generations[scope] = self._generations.get(scope, 0) + 1
            if force:
                self._forcing.setdefault(scope, set()).add(generation)
            for key in [k for k in self._entries if _within(k, scope)]:
                _let_go(self._entries.pop(key))
            self._reloads[scope] = Reload(now, datetime.now(UTC), by)
            return True

    def last_reload(self, scope: Hashable) -> Reload | None:
        """When this scope was last refreshed, and by whom (None: never since start)."""
        with self._lock:
            return self._reloads.get(scope)

    def expire(self, key: Hashable) -> None:
        """Make the next read of key load again (repairing, if it has `repair`)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            entry.expires = 0.0

    def expire_partial(self, key: Hashable) -> bool:
        """Make a partial value's next read repair it (fetch what it missed); True if partial."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or not getattr(entry.value, "partial", False):
            return False
        entry.expires = 0.0
        return True

    def get_or_load(
        self,
        key: Hashable,
        load: Callable[[], Any],
        ttl: Callable[[Any], float],
        *,
        repair: Callable[[Any], Any] | None = None,
    ) -> Any:
        """The cached value for key, loading it once if missing or expired.

        With `repair`, an expired value is handed to it (to keep what it holds) rather than
        loaded from nothing. A value kept 0 s (a failed load) takes no entry at all.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            self._entries.move_to_end(key)
            entry.read = True
        stored, size = False, 0
        with entry.lock:  # other sessions asking for the same data wait for this one load
            if entry.value is None or time.monotonic() >= entry.expires:
                stored = True
                previous = entry.value
                value = load() if repair is None or previous is None else repair(previous)
                life = ttl(value)
                # Sized here, outside the cache's lock: hits on other keys never wait for it.
                size = estimate_bytes(value) if life > 0 else 0
                if previous is not None and previous is not value:  # expired and replaced
                    _let_go(entry)
                entry.value, entry.expires, entry.size = value, time.monotonic() + life, size
                entry.empty = life > 0 and bool(getattr(value, "empty", False))
                if life <= 0:
                    self._drop(key, entry)
                elif not entry.empty and self.max_bytes is not None and size > self.max_bytes:
                    log.warning(
                        "A value of %.0f MB is larger than its cache's %.0f MB budget "
                        "(EVAL_DASHBOARD_CACHE_MB): it is kept alone",
                        size / MB,
                        self.max_bytes / MB,
                    )
            value = entry.value
        if stored:
            self._resize_read(key)
        self._trim(key)
        if stored and size >= RELEASE_AFTER_BYTES:  # a dataset's load, not a small answer's
            release_freed_memory()
        return value

    def _resize_read(self, stored: Hashable) -> None:
        """Size again the values read since they were sized, before a store evicts anything.

        A dataset builds views of itself when first shown (the sandbox view, the regression
        board), which can double it; sizing only at its store would miss them. Done per store
        (a load costs seconds, this milliseconds), never per hit. The value just stored
        stays marked read: what its first page builds from it is counted at the next store.
        """
        with self._lock:
            read = [e for k, e in self._entries.items()
                    if e.read and e.value is not None and k != stored]  # fmt: skip
        for entry in read:
            if entry.lock.locked():  # loading: its value is about to be replaced and sized
                continue
            value = entry.value
            size = estimate_bytes(value)
            if entry.value is value:
                entry.size, entry.read = size, False

    def _drop(self, key: Hashable, entry: _Entry) -> None:
        with self._lock:
            if self._entries.get(key) is entry:
                del self._entries[key]

    def _trim(self, keep: Hashable) -> None:
        """Evict the least recently used beyond the limits, never `keep` nor an entry loading.

        Datasets count against max_bytes and max_entries; empty answers only against their
        own small count, so however many arrive they never evict a dataset.
        """
        with self._lock:
            for empty in (False, True):
                # Oldest first; an entry whose lock is held is loading (or being read): skipped.
                held = [(k, e) for k, e in self._entries.items()
                        if e.value is not None and e.empty is empty]  # fmt: skip
                count = len(held)
                total = sum(e.size for _, e in held)
                most = MAX_EMPTY_ENTRIES if empty else self.max_entries
                budget = None if empty else self.max_bytes
                for key, entry in held:
                    over_bytes = budget is not None and total > budget
                    if count <= most and not over_bytes:
                        break
                    if key == keep or entry.lock.locked():
                        continue
                    _let_go(self._entries.pop(key))
                    count, total = count - 1, total - entry.size

    def sizes(self) -> tuple[int, int]:
        """(datasets, empty answers) held: for tests and the bench."""
        stats = self.stats()
        return stats.datasets, stats.empties

    def loaded(self) -> list[Any]:
        """The values held now (datasets and empties), most recently used last."""
        with self._lock:
            return [e.value for e in self._entries.values() if e.value is not None]

    def stats(self) -> CacheStats:
        """Entries and estimated bytes held now, with the limits: for the bench and health."""
        with self._lock:
            values = [e for e in self._entries.values() if e.value is not None]
        full = [e for e in values if not e.empty]
        empties = [e for e in values if e.empty]
        return CacheStats(
            datasets=len(full),
            empties=len(empties),
            bytes=sum(e.size for e in full),
            empty_bytes=sum(e.size for e in empties),
            max_bytes=self.max_bytes,
            max_entries=self.max_entries,
        )

    def update_loaded(self, prefix: tuple[Hashable, ...], change: Callable[[Any], Any]) -> int:
        """Replace each loaded value under keys starting with `prefix` by `change(value)`.

        A reviewed response is patched into every cached dataset that holds it, for everyone,
        without reloading the workspace; `change` returns the value itself when it has nothing
        to change. Returns how many values changed.
        """
        with self._lock:
            entries = [e for k, e in self._entries.items() if tuple(k[: len(prefix)]) == prefix]
        changed = 0
        for entry in entries:
            with entry.lock:
                if entry.value is not None:
                    new = change(entry.value)
                    if new is not entry.value:
                        entry.value, entry.size = new, estimate_bytes(new)
                        changed += 1
        return changed

    def remember_names(self, account: Hashable, names: dict[str, str]) -> None:
        """Keep workspace names a load found; a name never gives way to "unnamed"."""
        with self._lock:
            known = self._names.setdefault(account, {})
            known.update({k: v for k, v in names.items() if v or k not in known})

    def names(self, account: Hashable) -> dict[str, str]:
        """Workspace names learned for an account."""
        with self._lock:
            return dict(self._names.get(account, {}))

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()
            self._names.clear()
            self._reloads.clear()


def _let_go(entry: _Entry) -> None:
    """A dataset leaves the cache: its memory goes back to the system once nobody draws it."""
    if entry.value is not None and entry.size >= RELEASE_AFTER_BYTES:
        release_when_freed(entry.value)


def _within(key: Hashable, scope: tuple[Hashable, ...]) -> bool:
    return isinstance(key, tuple) and key[: len(scope)] == scope


def budgets() -> tuple[int, int]:
    """(datasets, built pages) bytes: EVAL_DASHBOARD_CACHE_MB split, an eighth for pages."""
    total = settings().cache_mb * MB
    return total - total // VIEWS_SHARE, total // VIEWS_SHARE


@st.cache_resource
def dataset_cache() -> DatasetCache:
    """The process's dataset cache: bounded by bytes, and by EVAL_DASHBOARD_CACHE_ENTRIES."""
    return DatasetCache(settings().cache_entries, max_bytes=budgets()[0])


def cache_stats() -> CacheStats:
    """What the process's dataset cache holds now (for a health endpoint or the bench)."""
    return dataset_cache().stats()


def account(source: Source) -> Account:
    """What a Refresh renews: one account, named by its key's hash, never the key."""
    return (source.kind, source.base_url, source.key_fingerprint)


def cache_key(source: Source, workspace: str | None, *parts: Hashable) -> tuple[Hashable, ...]:
    """The key of every cached load of both APIs: account, workspace, generation, then parts."""
    scope = account(source)
    return (*scope, workspace or "*", dataset_cache().generation(scope), *parts)


def take_force(source: Source, key: tuple[Hashable, ...]) -> bool:
    """True once per key after a forcing Refresh (that load then skips the local store)."""
    generation = key[4]
    return dataset_cache().take_force(account(source), (*key[:4], *key[5:]), generation)


def refresh(source: Source, *, force: bool = True, by: str | None = None) -> bool:
    """Reload everything of this account on its next read, for everyone; True if it will.

    With force (the Refresh button) the next load also skips the local store, and presses
    within EVAL_DASHBOARD_REFRESH_INTERVAL of the last are ignored; without it (e.g. after
    scoring a new run) finished runs still come from disk, and it always happens.
    """
    interval = settings().refresh_interval_s if force else 0.0
    return dataset_cache().refresh(account(source), force=force, by=by, min_interval_s=interval)


def last_reload(source: Source) -> Reload | None:
    """When this account was last refreshed, and by whom."""
    return dataset_cache().last_reload(account(source))


def ttl_for(normal: float) -> Callable[[Any], float]:
    """Keep a full load `normal` seconds, a partial one briefly, a failed one not at all."""

    def ttl(value: Any) -> float:
        if getattr(value, "fatal", None) is not None or getattr(value, "error", None) is not None:
            return 0.0
        return min(normal, PARTIAL_TTL_S) if getattr(value, "problems", ()) else normal

    return ttl


def cache_ttl_s() -> float:
    """How long a full load is kept (EVAL_DASHBOARD_CACHE_TTL)."""
    return settings().cache_ttl_s


@st.cache_resource
def _client(kind: str, base_url: str, key_fingerprint: str, _source: Source) -> Any:
    """One client (and connection pool) per account; keyed by the key's hash, never the key."""
    config = settings()
    if kind == "feather":
        per_minute = (config.requests_per_second or 100.0) * 60  # Feather allows 6,000 a minute
        return FeatherClient(
            _source.api_key,
            base_url,
            concurrency=config.concurrency,
            requests_per_minute=min(per_minute, FEATHER_QUOTA_PER_MINUTE),
        )
    return AymaraClient(
        _source.api_key,
        base_url,
        concurrency=config.concurrency,
        requests_per_second=config.requests_per_second,
    )


def aymara_client(source: Source) -> AymaraClient:
    """The shared client for an Aymara account."""
    return _client("aymara", source.base_url, source.key_fingerprint, source)


def feather_client(source: Source) -> FeatherClient:
    """The shared client for a Feather account."""
    return _client("feather", source.base_url, source.key_fingerprint, source)


@st.cache_resource
def _run_store(base_url: str, key_fingerprint: str) -> RunStore | None:
    """The local store of one account's finished runs (None when turned off)."""
    return RunStore(base_url, key_fingerprint) if settings().store_enabled else None


def run_store(source: Source) -> RunStore | None:
    """The local store for an account."""
    return _run_store(source.base_url, source.key_fingerprint)
