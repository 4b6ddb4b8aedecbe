"""The shared cache: bounded in bytes, Refresh replaces, unknown links cost no entry."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from client.settings import Settings
from components import cache as cache_module
from components.cache import MAX_EMPTY_ENTRIES, DatasetCache, estimate_bytes
from jobs.sizes import SAMPLE_ROWS

ACCOUNT = ("aymara", "https://api.test", "sha256-of-key")


@dataclass(frozen=True)
class Data:
    rows: int
    partial: bool = False
    fatal: object = None
    kept: tuple = field(default=())

    @property
    def empty(self) -> bool:
        return self.rows == 0


def key(cache: DatasetCache, workspace: str) -> tuple:
    return (*ACCOUNT, workspace, cache.generation(ACCOUNT))


def keep(_: object) -> float:
    return 600.0


def test_a_refresh_replaces_the_old_copy_instead_of_adding_one():
    cache = DatasetCache(max_entries=24)
    for _ in range(5):
        cache.get_or_load(key(cache, "ws"), lambda: Data(1000), keep)
        assert cache.refresh(ACCOUNT)
    cache.get_or_load(key(cache, "ws"), lambda: Data(1000), keep)
    assert cache.sizes() == (1, 0)


def test_links_naming_unknown_workspaces_never_evict_a_loaded_dataset():
    cache = DatasetCache(max_entries=3)
    loads = []
    cache.get_or_load(key(cache, "real"), lambda: loads.append(1) or Data(1000), keep)
    for n in range(25):  # the probe's 25 links naming random workspaces
        cache.get_or_load(key(cache, f"random-{n}"), lambda: Data(0), keep)
    cache.get_or_load(key(cache, "real"), lambda: loads.append(1) or Data(1000), keep)
    assert loads == [1], "the real dataset was evicted and loaded again"
    assert cache.sizes() == (1, MAX_EMPTY_ENTRIES)


def test_a_failed_load_takes_no_entry():
    cache = DatasetCache(max_entries=3)
    for n in range(10):
        cache.get_or_load(key(cache, f"gone-{n}"), lambda: Data(0, fatal="404"), lambda _: 0.0)
    assert cache.sizes() == (0, 0)


def test_many_presses_of_refresh_within_the_interval_reload_once():
    cache = DatasetCache()
    pressed = [cache.refresh(ACCOUNT, by="ana@example.com", min_interval_s=30) for _ in range(20)]
    assert pressed == [True] + [False] * 19
    assert cache.generation(ACCOUNT) == 1
    last = cache.last_reload(ACCOUNT)
    assert last is not None and last.by == "ana@example.com"


def test_a_partial_value_is_repaired_from_what_it_kept_not_loaded_afresh():
    cache = DatasetCache()
    k = key(cache, "ws")
    first = cache.get_or_load(k, lambda: Data(700, partial=True, kept=("a",)), keep)
    assert not cache.expire_partial(("no", "such", "key"))
    assert cache.expire_partial(k)
    seen = []

    def repair(previous: Data) -> Data:
        seen.append(previous)
        return Data(1000, kept=(*previous.kept, "b"))

    again = cache.get_or_load(k, lambda: Data(-1), keep, repair=repair)
    assert seen == [first] and again == Data(1000, kept=("a", "b"))
    assert not cache.expire_partial(k)  # whole now: Try again has nothing to do


def test_the_refresh_interval_and_the_cache_size_are_settings():
    config = Settings.from_mapping(
        {"EVAL_DASHBOARD_REFRESH_INTERVAL": "120", "EVAL_DASHBOARD_CACHE_ENTRIES": "6"}
    )
    assert (config.refresh_interval_s, config.cache_entries) == (120.0, 6)
    assert (Settings().refresh_interval_s, Settings().cache_entries) == (30.0, 256)


OWN_LAKE_SETTINGS = [(None, True), ("on", True), ("1", True), ("off", False), ("0", False),
                     ("FALSE", False)]  # fmt: skip


@pytest.mark.parametrize(("raw", "on"), OWN_LAKE_SETTINGS)
def test_the_own_lake_is_the_default_and_off_keeps_the_in_memory_path(raw, on):
    config = Settings.from_mapping({} if raw is None else {"EVAL_DASHBOARD_LOCAL_LAKE": raw})
    assert config.local_lake is on


def test_expiring_an_entry_makes_its_next_read_load_again():
    kept = cache_module.DatasetCache()
    loads = []
    kept.get_or_load("k", lambda: loads.append(1) or len(loads), lambda _: 600.0)
    kept.expire("k")
    kept.expire("absent")  # nothing to expire: no error, no entry made
    assert kept.get_or_load("k", lambda: loads.append(1) or len(loads), lambda _: 600.0) == 2
    assert "absent" not in kept._entries


# --------------------------------------------------------------------------- the byte budget

BLOB = 100_000  # bytes of one test dataset's payload


@dataclass(frozen=True)
class Blob:
    """A dataset of a known size: its payload's bytes, and views it may build of itself."""

    payload: np.ndarray = field(default_factory=lambda: np.zeros(BLOB, np.uint8))
    partial: bool = False
    views: dict = field(default_factory=dict)
    empty = False


class Loads:
    """Counts the loads per key, so a test sees which entries were evicted."""

    def __init__(self, cache: DatasetCache) -> None:
        self.cache = cache
        self.count: dict[str, int] = {}

    def get(self, name: str, make=Blob) -> Blob:
        def load() -> Blob:
            self.count[name] = self.count.get(name, 0) + 1
            return make()

        return self.cache.get_or_load(key(self.cache, name), load, keep)


def budget(datasets: float) -> int:
    """A byte budget that holds this many Blobs (their fields' few hundred bytes included)."""
    return int(datasets * BLOB + BLOB // 2)


def test_a_byte_budget_evicts_the_least_recently_used_dataset():
    loads = Loads(DatasetCache(max_bytes=budget(2)))
    for name in ("a", "b", "c"):
        loads.get(name)
    assert loads.cache.sizes() == (2, 0)
    loads.get("b")
    loads.get("c")
    loads.get("a")
    assert loads.count == {"a": 2, "b": 1, "c": 1}, "a, the oldest, was evicted and reloaded"


def test_a_hit_makes_a_dataset_recent_again():
    loads = Loads(DatasetCache(max_bytes=budget(2)))
    loads.get("a")
    loads.get("b")
    loads.get("a")  # a hit: now b is the least recently used
    loads.get("c")
    loads.get("a")
    assert loads.count == {"a": 1, "b": 1, "c": 1}
    loads.get("b")
    assert loads.count["b"] == 2, "b should have been the one evicted"


def test_a_dataset_larger_than_the_budget_is_kept_alone_with_a_warning(caplog):
    loads = Loads(DatasetCache(max_bytes=budget(2)))
    loads.get("small")
    big = lambda: Blob(np.zeros(5 * BLOB, np.uint8))  # noqa: E731
    with caplog.at_level(logging.WARNING, logger="components.cache"):
        loads.get("big", big)
    assert "larger than its cache's" in caplog.text and "kept alone" in caplog.text
    assert loads.cache.sizes() == (1, 0)
    loads.get("big", big)
    assert loads.count["big"] == 1, "the entry just stored was evicted"
    loads.get("small")
    assert loads.count == {"small": 2, "big": 1} and loads.cache.sizes() == (1, 0)


def test_an_entry_being_loaded_again_is_not_evicted_mid_load():
    loads = Loads(DatasetCache(max_bytes=budget(2)))
    loads.get("a", lambda: Blob(partial=True))
    assert loads.cache.expire_partial(key(loads.cache, "a"))
    started, release = threading.Event(), threading.Event()

    def slow() -> Blob:
        started.set()
        assert release.wait(10)
        return Blob()

    reloading = threading.Thread(target=loads.get, args=("a", slow))
    reloading.start()
    assert started.wait(10)
    loads.get("b")
    loads.get("c")  # over budget: a is the oldest, but its lock is held, so b goes
    release.set()
    reloading.join(10)
    loads.get("a")
    loads.get("c")
    assert loads.count == {"a": 2, "b": 1, "c": 1}
    loads.get("b")
    assert loads.count["b"] == 2


def test_views_a_dataset_builds_after_its_store_are_counted_at_the_next_store():
    loads = Loads(DatasetCache(max_bytes=budget(3)))
    first = loads.get("a")
    first.views["sandbox"] = np.zeros(2 * BLOB, np.uint8)  # a page built a view of it
    loads.get("a")  # read since
    loads.get("b")  # a store: a is sized again, three blobs now, and a + b do not fit
    assert loads.cache.stats().bytes < 2 * BLOB, "a's view was not counted"
    loads.get("b")
    loads.get("a")
    assert loads.count == {"a": 2, "b": 1}


def test_stats_report_entries_bytes_and_limits():
    cache = DatasetCache(max_entries=5, max_bytes=budget(4))
    loads = Loads(cache)
    loads.get("a")
    loads.get("b")
    cache.get_or_load(key(cache, "none"), lambda: Data(0), keep)
    stats = cache.stats()
    assert (stats.datasets, stats.empties, stats.max_entries) == (2, 1, 5)
    assert 2 * BLOB <= stats.bytes < 2 * BLOB + 2_000
    assert 0 < stats.empty_bytes < 1_000 and stats.max_bytes == budget(4)


def test_empty_answers_do_not_count_against_the_byte_budget():
    cache = DatasetCache(max_bytes=budget(1))
    loads = Loads(cache)
    loads.get("real")
    for n in range(MAX_EMPTY_ENTRIES + 5):
        cache.get_or_load(key(cache, f"random-{n}"), lambda: Data(0), keep)
    loads.get("real")
    assert loads.count == {"real": 1} and cache.sizes() == (1, MAX_EMPTY_ENTRIES)


def test_the_entry_count_is_still_a_cap_beside_the_bytes():
    loads = Loads(DatasetCache(max_entries=2, max_bytes=budget(10)))
    for name in ("a", "b", "c", "a"):
        loads.get(name)
    assert loads.count == {"a": 2, "b": 1, "c": 1}


# --------------------------------------------------------------------------- the size estimate


def realistic_frame(rows: int) -> pd.DataFrame:
    """Responses as the pages hold them: ids, texts of every length (sorted), codes, numbers."""
    rng = np.random.default_rng(17)
    lengths = np.sort(rng.integers(10, 3_000, rows))  # sorted: a frame's first rows mislead
    words = ["the", "assistant", "declined", "medical", "advice", "and", "pointed", "to", "a"]
    ids = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(rows)]
    texts = [" ".join(words[i % len(words)] for i in range(n // 6)) for n in lengths]
    return pd.DataFrame(
        {
            "response_uuid": pd.Series(ids, dtype=object),
            "response_text": pd.Series(texts, dtype=object),
            "explanation": pd.Series(texts[::-1], dtype="str"),
            "category": pd.Categorical(rng.choice(["privacy", "self-harm", "billing"], rows)),
            "confidence": rng.random(rows),
            "is_passed": rng.random(rows) > 0.3,
            "created_at": pd.date_range("2026-01-01", periods=rows, freq="min", tz="UTC"),
            "tags": pd.Series([["a", "b"][: i % 3] for i in range(rows)], dtype=object),
        }
    )


def test_the_size_estimate_of_a_large_frame_is_within_a_quarter_of_deep_memory_usage():
    frame = realistic_frame(20 * SAMPLE_ROWS)
    exact = frame.memory_usage(deep=True).sum()
    assert estimate_bytes(frame) == pytest.approx(exact, rel=0.25)
    # The object columns alone, where only a sample is visited.
    texts = frame[["response_text"]]
    assert estimate_bytes(texts) == pytest.approx(texts.memory_usage(deep=True).sum(), rel=0.25)


def test_a_small_frame_is_sized_exactly():
    frame = realistic_frame(SAMPLE_ROWS // 2)
    assert estimate_bytes(frame) == frame.memory_usage(deep=True).sum()


def test_a_dataset_is_sized_by_walking_its_fields_and_shared_frames_count_once():
    @dataclass(frozen=True)
    class Loaded:
        responses: pd.DataFrame
        runs: pd.DataFrame
        reports: tuple
        by_name: dict

    responses, runs = realistic_frame(5_000), realistic_frame(300)
    exact = responses.memory_usage(deep=True).sum() + runs.memory_usage(deep=True).sum()
    loaded = Loaded(responses, runs, ("report text " * 1_000,), {"view": responses})
    assert estimate_bytes(loaded) == pytest.approx(exact + 12_000, rel=0.25)


def test_an_unknown_object_is_sized_by_its_attributes():
    class Holder:
        def __init__(self) -> None:
            self.blob = b"x" * 50_000
            self.rows = [np.zeros(1_000) for _ in range(5_000)]  # a long list: sampled

    assert estimate_bytes(Holder()) == pytest.approx(50_000 + 5_000 * 8_000, rel=0.05)


# --------------------------------------------------------------------------- the settings


def test_the_cache_budget_in_mb_is_a_setting_split_between_datasets_and_pages(monkeypatch):
    assert Settings().cache_mb == 768
    assert Settings.from_mapping({"EVAL_DASHBOARD_CACHE_MB": "512"}).cache_mb == 512
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_MB", "80")
    datasets, pages = cache_module.budgets()
    assert (datasets, pages) == (70 * 2**20, 10 * 2**20)


@pytest.mark.parametrize("raw", ["lots", "-5", "0", "1.5", "512MB", " "])
def test_a_bad_cache_size_falls_back_to_the_default_with_a_warning(raw, caplog):
    with caplog.at_level(logging.WARNING, logger="client.settings"):
        config = Settings.from_mapping(
            {"EVAL_DASHBOARD_CACHE_MB": raw, "EVAL_DASHBOARD_CACHE_ENTRIES": raw}
        )
    assert (config.cache_mb, config.cache_entries) == (768, 256)
    assert raw.strip() == "" or "EVAL_DASHBOARD_CACHE_MB" in caplog.text


def test_a_big_load_is_followed_by_one_memory_trim_and_small_answers_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(cache_module, "release_freed_memory", lambda: trims.append(1))
    store = DatasetCache()
    big = pd.DataFrame({"x": np.zeros(cache_module.RELEASE_AFTER_BYTES // 8 + 1)})
    store.get_or_load("big", lambda: big, lambda _: 60.0)
    store.get_or_load("big", lambda: big, lambda _: 60.0)  # a hit: nothing released
    store.get_or_load("small", lambda: {"a": 1}, lambda _: 60.0)
    assert trims == [1]


def test_releasing_freed_memory_runs_on_this_platform() -> None:
    cache_module.release_freed_memory()  # glibc's malloc_trim here, a no-op elsewhere: no error


def test_a_refreshed_dataset_hands_its_memory_back_when_the_last_reader_lets_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jobs import sizes

    released = threading.Event()
    monkeypatch.setattr(sizes, "release_freed_memory", released.set)
    store = DatasetCache()
    scope = (*ACCOUNT,)
    made = [pd.DataFrame({"x": np.zeros(cache_module.RELEASE_AFTER_BYTES // 8 + 1)})]
    drawn = store.get_or_load(key(store, "ws"), made.pop, keep)  # the only reference: drawn
    assert store.refresh(scope)
    assert store.sizes() == (0, 0)
    # A session still draws the old dataset: nothing is handed back yet.
    assert not released.is_set()
    del drawn  # ...until the last one lets go
    assert released.wait(10)


def test_an_evicted_dataset_is_watched_and_a_small_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watched: list[object] = []
    monkeypatch.setattr(cache_module, "release_when_freed", watched.append)
    big = cache_module.RELEASE_AFTER_BYTES // 8 + 1
    store = DatasetCache(max_entries=1)
    one = pd.DataFrame({"x": np.zeros(big)})
    store.get_or_load("one", lambda: one, keep)
    store.get_or_load("two", lambda: pd.DataFrame({"x": np.ones(big)}), keep)  # evicts one
    store.get_or_load("three", lambda: pd.DataFrame({"x": [1]}), keep)  # evicts two
    store.get_or_load("four", lambda: {"a": 1}, keep)  # evicts a small one: not watched
    assert len(watched) == 2 and watched[0] is one
