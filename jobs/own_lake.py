"""The dashboard's own results lake: what it reads when no shared lake is configured.

Without `EVAL_DASHBOARD_LAKE_URL`, the dashboard is its own sync worker: on first visit it
syncs the account into `lake/<account>/` under the cache folder and reads it through DuckDB,
exactly as a replica reads a shared lake. Later reads sync only what moved (the listings, and
the runs whose version changed); a restart reads what is on disk. One writer per lake: when a
`python -m jobs sync --every` worker (or another dashboard process) holds the lock, this
process reads that worker's newest sync instead of writing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deltalake.exceptions import DeltaError

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.errors import APIError
from jobs import lake
from jobs.aymara_data import ProgressFn
from jobs.lake import LakeError, LakeLocation, LakeLocked
from jobs.lake_data import LakeUnavailable, snapshot_id
from jobs.lake_lock import WriterLock
from jobs.problems import LoadProblem, Missing
from jobs.store import account_id
from jobs.sync import sync_lake

# Longer than any first sync; a process that dies holding it frees the lake after this.
LOCK_TTL_S = 900.0
_attempts = itertools.count(1)


class OwnLakeUnavailable(LakeUnavailable):
    """The dashboard's own lake folder cannot be read or written."""

    hint = (
        "The dashboard keeps each account's data in a lake under its cache folder "
        "(EVAL_DASHBOARD_CACHE_DIR). Check that the disk has room and the folder is writable, "
        "or set EVAL_DASHBOARD_LOCAL_LAKE=off to hold the data in memory instead."
    )


@dataclass(frozen=True)
class OwnSync:
    """One attempt to bring the own lake up to date, and the finished sync readers now see."""

    location: LakeLocation
    sync_id: int | None  # the newest finished sync (None: nothing to show yet)
    problems: tuple[LoadProblem, ...] = ()  # parts this sync missed (tried again next time)
    missing: Missing = field(default_factory=Missing)
    error: APIError | None = None  # the sync failed as a whole: the previous one still shows
    reports: tuple[Any, ...] | None = field(default=None, repr=False)  # as this sync listed
    requests: int = 0
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    written_elsewhere: bool = False  # another process holds the writer lock and syncs
    attempt: int = field(default_factory=lambda: next(_attempts))  # tells two attempts apart

    @property
    def partial(self) -> bool:
        """True when something did not sync: the next read tries again (what it missed only)."""
        return bool(self.problems) or self.error is not None

    def shown_problems(self) -> tuple[LoadProblem, ...]:
        """What the pages say did not load: the sync's missed parts, or why it failed."""
        if self.error is None:
            return self.problems
        said = LoadProblem.from_error("The latest sync", self.error)
        return (*self.problems, said)


def own_location(client: AymaraClient, root: Path | None = None) -> LakeLocation:
    """The account's own lake: `lake/<account>/` under the cache folder (or under `root`)."""
    account = account_id(client.base_url, client.transport.key_fingerprint)
    if root is None:
        return lake.lake_location(None, account=account)
    return lake.lake_location(str(root / "lake" / account))


def sync_own_lake(
    client: AymaraClient,
    location: LakeLocation,
    permitted: tuple[str, ...] = (),
    progress: ProgressFn | None = None,
) -> OwnSync:
    """Sync the account (every workspace, or the allowlist's) into its own lake, if free."""
    try:
        lock = WriterLock(location, ttl_s=LOCK_TTL_S).acquire()
    except LakeLocked as exc:
        # Another writer keeps this lake current: read its newest sync, write nothing.
        return _newest(location, None, waiting=str(exc))
    except (LakeError, DeltaError, OSError) as exc:
        return OwnSync(location, None, error=_unavailable(location, exc))
    try:
        result = sync_lake(client, location, ALL_WORKSPACES, permitted=permitted, progress=progress)
    except APIError as exc:
        return _newest(location, exc)
    except (LakeError, DeltaError, OSError) as exc:
        return _newest(location, _unavailable(location, exc))
    finally:
        lock.release()
    return OwnSync(
        location,
        snapshot_id(location),
        problems=result.problems,
        missing=result.missing,
        reports=result.reports,
        requests=result.requests,
    )


def _newest(location: LakeLocation, error: APIError | None, waiting: str = "") -> OwnSync:
    """The lake's newest finished sync with why this attempt wrote nothing."""
    try:
        current = snapshot_id(location)
    except (LakeError, DeltaError, OSError) as exc:
        return OwnSync(location, None, error=error or _unavailable(location, exc))
    if current is None and waiting:
        error = OwnLakeUnavailable(f"{waiting} Its first sync has not finished: try again soon.")
    return OwnSync(location, current, error=error, written_elsewhere=bool(waiting))


def _unavailable(location: LakeLocation, exc: BaseException) -> OwnLakeUnavailable:
    return OwnLakeUnavailable(f"The dashboard's lake at {location.url}: {exc}"[:500])
