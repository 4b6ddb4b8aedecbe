"""What a cache hit costs: st.cache_data's pickle copy against the in-process DatasetCache.

`st.cache_data` stores a pickled value (pickle.dumps once, when the value is computed) and
returns `pickle.loads` of it on every hit, i.e. on every rerun of every session. The dashboard's
`DatasetCache` hands every session the same immutable object: a hit is a dict lookup under a lock.
"""

from __future__ import annotations

import gc
import pickle
import time
from typing import Any

from bench.stats import Sample, sample


def frames_of(data: Any) -> dict[str, Any]:
    """The frames an AymaraData holds (what st.cache_data would have to copy)."""
    return {
        "evals": data.evals,
        "runs": data.runs,
        "prompts": data.prompts,
        "responses": data.responses,
    }


def pickle_cost(value: Any, times: int) -> tuple[Sample, Sample, int]:
    """(dumps seconds, loads seconds, pickled bytes) over `times` repetitions."""
    dumps, loads, size = [], [], 0
    for _ in range(max(1, times)):
        started = time.perf_counter()
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        dumps.append(time.perf_counter() - started)
        size = len(blob)
        started = time.perf_counter()
        copy = pickle.loads(blob)
        loads.append(time.perf_counter() - started)
        del blob, copy
        gc.collect()
    return sample(dumps), sample(loads), size


def in_process_hit_cost(value: Any, hits: int = 20_000) -> float:
    """Seconds per hit of the dashboard's DatasetCache holding `value` (loaded once)."""
    from components.cache import DatasetCache

    cache = DatasetCache()
    key = ("aymara", "http://bench", "fingerprint", "*", (), 0)
    cache.get_or_load(key, lambda: value, lambda _: 3600.0)
    started = time.perf_counter()
    for _ in range(hits):
        got = cache.get_or_load(key, lambda: value, lambda _: 3600.0)
    took = (time.perf_counter() - started) / hits
    assert got is value  # the same object every time: no copy
    return took
