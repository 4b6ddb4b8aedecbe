"""The shared cache: Refresh replaces, unknown links cost no entry, Refresh is debounced."""

from __future__ import annotations

from dataclasses import dataclass, field

from client.settings import Settings
from components.cache import MAX_EMPTY_ENTRIES, DatasetCache

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
    assert (Settings().refresh_interval_s, Settings().cache_entries) == (30.0, 24)
