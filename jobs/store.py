"""A local store of finished runs' responses: Parquet files keyed by account, run and update time.

A finished run's responses change only through a manual review, which moves the run's
`updated_at`, so a file named by (run, updated_at) never goes stale. Files are written to a
temporary name and renamed, so a crash mid-write never leaves a file that loads wrong, and a
file that does not read back is deleted and fetched again. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from client.settings import settings

log = logging.getLogger(__name__)

FORMAT_VERSION = "v2"  # bump when the stored columns change: old files are then simply not found
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-store")


def default_root() -> Path:
    """The configured cache folder, else the user's cache directory."""
    configured = settings().cache_dir
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("eval-dashboard", appauthor=False))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def account_id(base_url: str, key_fingerprint: str) -> str:
    """One account (base URL + key hash) as a short hash: names its files, marks its lake."""
    return _digest(base_url.rstrip("/"), key_fingerprint)


def _stamp(updated_at: datetime | pd.Timestamp | str) -> str:
    """A file-name-safe, exact form of a timestamp."""
    return (
        str(pd.Timestamp(updated_at).value)
        if not isinstance(updated_at, str)
        else _digest(updated_at)
    )


class RunStore:
    """The stored frames of one account (base URL + key hash); another account never sees them."""

    def __init__(self, base_url: str, key_fingerprint: str, root: Path | None = None) -> None:
        self.root = root if root is not None else default_root()
        # Only hashes on disk: neither the key, nor a URL or id that could steer the path.
        self.folder = self.root / FORMAT_VERSION / account_id(base_url, key_fingerprint)
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self._pending: list[Future[Any]] = []

    def _path(self, kind: str, item_id: str, updated_at: datetime | pd.Timestamp | str) -> Path:
        return self.folder / kind / _digest(item_id) / f"{_stamp(updated_at)}.parquet"

    def has(self, kind: str, item_id: str, updated_at: datetime | pd.Timestamp | str) -> bool:
        """True when a file for this version of an item is there (it may still not read)."""
        return self._path(kind, item_id, updated_at).exists()

    def get(
        self, kind: str, item_id: str, updated_at: datetime | pd.Timestamp | str
    ) -> pa.Table | None:
        """The stored table for this version of an item, or None (missing or unreadable)."""
        path = self._path(kind, item_id, updated_at)
        if not path.exists():
            self.misses += 1
            return None
        try:
            # ParquetFile.read skips read_table's dataset machinery (0.2 ms a file, not 0.5);
            # one thread per file, since the loader already reads many files side by side.
            with pq.ParquetFile(path) as parquet:
                table = parquet.read(use_threads=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is discarded and refetched
            log.warning("Discarding an unreadable stored file (%s)", type(exc).__name__)
            self.discarded += 1
            self.misses += 1
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        return table

    def put(
        self,
        kind: str,
        item_id: str,
        updated_at: datetime | pd.Timestamp | str,
        table: pa.Table,
    ) -> None:
        """Store a table atomically, replacing older versions of the same item."""
        path = self._path(kind, item_id, updated_at)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            os.close(handle)
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            for older in path.parent.glob("*.parquet"):
                if older != path:
                    older.unlink(missing_ok=True)
        except OSError as exc:
            # A full or read-only disk must not break the dashboard: the data is in memory.
            log.warning("Could not store a run locally (%s)", type(exc).__name__)

    def put_later(self, items: list[tuple[str, str, datetime | pd.Timestamp, pa.Table]]) -> None:
        """Store tables in the background, so a cold load does not wait for the disk."""
        if items:
            self._pending.append(_WRITER.submit(lambda: [self.put(*item) for item in items]))

    def wait(self) -> None:
        """Wait for background writes (tests, benchmarks, shutdown)."""
        while self._pending:
            self._pending.pop().result()

    def stored_ids(self, kind: str) -> int:
        """How many items of a kind are stored (for tests and the sidebar)."""
        folder = self.folder / kind
        return sum(1 for _ in folder.glob("*/*.parquet")) if folder.exists() else 0
