"""How much memory a value holds, estimated in milliseconds, and handing freed memory back.

The dataset cache bounds itself in bytes with these, and so does each dataset's memo.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
import weakref
from collections import deque
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

# Deep sizing walks every Python object of a column (seconds at a million rows); this many rows,
# spread over the frame, estimate it within a few per cent in milliseconds.
SAMPLE_ROWS = 1_000
SAMPLE_ITEMS = 1_000  # likewise for long lists and dicts of Python objects
MAX_DEPTH = 8  # an unknown object's fields are walked this deep, no further


def release_freed_memory() -> None:
    """Hand memory the last load freed back to the system, once per load (never per hit).

    A reload replaces a dataset; without this the process kept the old one's pages: at
    scale 10, 335 MB stayed after the old dataset was dropped against 260 MB once Arrow's
    pool (mimalloc) and glibc's heap were trimmed.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    # Not glibc (macOS, musl): the pool's release is what there is.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_freed = threading.Event()  # set by a watched value's finalizer: a releaser thread trims
_releaser_started = threading.Lock()
_releaser: list[threading.Thread] = []


def release_when_freed(value: Any) -> bool:
    """Hand memory back once `value` is really freed; True if it can be watched.

    A dataset dropped by a Refresh or an eviction lives on while sessions still draw it, so
    the trim after the new load finds nothing of it to return: at scale 10 the server stayed
    at 620 MB after ten sessions pressed Refresh. This trims when the last session lets go,
    in a thread of its own, so no session's rerun pays for it.
    """
    try:
        weakref.finalize(value, _freed.set)
    except TypeError:  # not weakly referable: nothing to watch
        return False
    with _releaser_started:
        if not _releaser:
            _releaser.append(threading.Thread(target=_release_each_time, daemon=True,
                                              name="memory-release"))  # fmt: skip
            _releaser[0].start()
    return True


def _release_each_time() -> None:
    """Forever: wait for a watched value to be freed, then hand the memory back."""
    while True:
        _freed.wait()
        _freed.clear()  # values freed during the trim below ask for one more: never lost
        release_freed_memory()


def estimate_bytes(value: Any) -> int:
    """Estimated bytes a cached value holds: frames, Arrow tables, dataclasses, collections."""
    return _bytes(value, set(), 0)


def _bytes(value: Any, seen: set[int], depth: int) -> int:
    if id(value) in seen:  # shared parts (a view's frames, a common index) count once
        return 0
    seen.add(id(value))
    if isinstance(value, pd.DataFrame):
        return _frame_bytes(value)
    if isinstance(value, pd.Series):
        return _frame_bytes(value.to_frame())
    if isinstance(value, pd.Index):
        return _index_bytes(value)
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            return value.nbytes
        return _frame_bytes(pd.DataFrame({"v": value.ravel()}))  # a figure's customdata, say
    if isinstance(value, pa.Table | pa.RecordBatch | pa.Array | pa.ChunkedArray):
        return value.nbytes
    size = sys.getsizeof(value)
    # Leaves; a function's or a module's contents are the program's, not the entry's.
    leaves = str | bytes | bytearray | int | float | type | ModuleType
    if depth >= MAX_DEPTH or isinstance(value, leaves) or callable(value):
        return size
    if isinstance(value, Mapping):  # keys and values side by side, so a sample takes both
        parts: list[list[Any]] = [list(value.keys()), list(value.values())]
    elif isinstance(value, list | tuple | set | frozenset | deque):
        parts = [list(value)]
    else:  # an object: its fields (a dataclass, a pydantic model, anything with __dict__)
        fields = getattr(value, "__dict__", None)
        names = getattr(type(value), "__slots__", ())
        slots = [getattr(value, n) for n in names if n != "__dict__" and hasattr(value, n)]
        parts = [[*fields.values(), *slots] if isinstance(fields, dict) else slots]
    count = len(parts[0])
    if count <= SAMPLE_ITEMS:
        return size + sum(_bytes(x, seen, depth + 1) for part in parts for x in part)
    # A long collection: a spread-out sample of its items, scaled up.
    picks = range(0, count, -(-count // SAMPLE_ITEMS))
    sampled = sum(_bytes(part[i], seen, depth + 1) for part in parts for i in picks)
    return size + int(sampled * count / len(picks))


def _is_objects(dtype: Any) -> bool:
    """True for a dtype whose cells are Python objects (deep sizing must visit each)."""
    return pd.api.types.is_object_dtype(dtype) or getattr(dtype, "storage", None) == "python"


def _frame_bytes(frame: pd.DataFrame) -> int:
    """A frame's `memory_usage(deep=True)`, with object columns sized on a sample of rows."""
    rows = len(frame)
    objects = [i for i, dtype in enumerate(frame.dtypes) if _is_objects(dtype)]
    if rows <= SAMPLE_ROWS or not objects:
        return int(frame.memory_usage(index=False, deep=True).sum()) + _index_bytes(frame.index)
    others = [i for i in range(frame.shape[1]) if i not in set(objects)]
    total = int(frame.iloc[:, others].memory_usage(index=False, deep=True).sum())
    # Evenly spaced, not the first rows: a frame sorted by time or length stays fair.
    sample = frame.iloc[_spread(rows), objects]
    total += int(sample.memory_usage(index=False, deep=True).sum() * rows / SAMPLE_ROWS)
    return total + _index_bytes(frame.index)


def _index_bytes(index: pd.Index) -> int:
    if len(index) <= SAMPLE_ROWS or not _is_objects(index.dtype):
        return int(index.memory_usage(deep=True))
    return int(index[_spread(len(index))].memory_usage(deep=True) * len(index) / SAMPLE_ROWS)


def _spread(rows: int) -> np.ndarray:
    return np.linspace(0, rows - 1, SAMPLE_ROWS).astype(np.intp)
