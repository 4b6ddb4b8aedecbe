"""The lake's one writer: a lock object with owner and expiry, taken by a conditional write.

On S3 the lock is an object changed only by conditional puts (If-None-Match to take it,
If-Match to renew or release), so two workers can never both hold it; on a local folder the
same protocol runs under `flock`. An expired lock may be taken over.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs.lake import LOCK_NAME, LakeLocation, LakeLocked

# --- the writer lock ------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """The lock as stored: its body and a tag that changes whenever it is written."""

    body: dict[str, Any]
    tag: str


class _LocalLockStore:
    """The lock as a file; each change is made under flock, so read-compare-write is atomic."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self.guard = folder / (LOCK_NAME + ".guard")

    def _locked(self, work: Callable[[], Any]) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.guard.open("a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                return work()
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)

    def _read(self) -> Held | None:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        return Held(json.loads(text or "{}"), text)

    def read(self) -> Held | None:
        return self._locked(self._read)

    def swap(self, body: dict[str, Any] | None, expected: str | None) -> bool:
        """Write (or with None delete) the lock if it is still as `expected` (None: absent)."""

        def work() -> bool:
            now = self._read()
            if (now.tag if now else None) != expected:
                return False
            if body is None:
                self.path.unlink(missing_ok=True)
            else:
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(body))
                os.replace(tmp, self.path)
            return True

        return bool(self._locked(work))


class _S3LockStore:
    """The lock as an S3 object; changes are conditional puts (If-None-Match / If-Match)."""

    def __init__(self, location: LakeLocation) -> None:
        import boto3

        bucket, _, prefix = location.url[len("s3://") :].partition("/")
        self.bucket = bucket
        self.key = f"{prefix.strip('/')}/{LOCK_NAME}".lstrip("/")
        options = location.storage_options
        self.s3 = boto3.client(
            "s3",
            endpoint_url=options.get("AWS_ENDPOINT_URL"),
            region_name=options.get("AWS_REGION"),
        )

    def read(self) -> Held | None:
        from botocore.exceptions import ClientError

        try:
            got = self.s3.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return Held(json.loads(got["Body"].read() or b"{}"), got["ETag"])

    def swap(self, body: dict[str, Any] | None, expected: str | None) -> bool:
        from botocore.exceptions import ClientError

        try:
            if body is None:
                self.s3.delete_object(Bucket=self.bucket, Key=self.key)
            elif expected is None:
                self.s3.put_object(
                    Bucket=self.bucket, Key=self.key, Body=json.dumps(body), IfNoneMatch="*"
                )
            else:
                self.s3.put_object(
                    Bucket=self.bucket, Key=self.key, Body=json.dumps(body), IfMatch=expected
                )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                return False  # another writer got there first
            raise
        return True


class WriterLock:
    """One sync worker per lake: a lock object holding its owner and an expiry.

    Taken only if absent or expired (a compare-and-swap: a create-if-absent, or a replace of
    exactly the expired lock that was read), renewed by its owner, released on exit. A worker
    that dies stops renewing, so after `ttl_s` another may take over.
    """

    def __init__(
        self,
        location: LakeLocation,
        *,
        ttl_s: float = 1800.0,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.location = location
        self.ttl_s = ttl_s
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.store: Any = (
            _S3LockStore(location) if location.is_s3 else _LocalLockStore(Path(location.url))
        )
        self._tag: str | None = None

    def _body(self) -> dict[str, Any]:
        now = self.clock()
        return {"owner": self.owner, "acquired_at": now, "expires_at": now + self.ttl_s}

    def acquire(self) -> WriterLock:
        """Take the lock, or raise LakeLocked naming who holds it and until when."""
        held = self.store.read()
        if held is not None and held.body.get("owner") != self.owner:
            expires = float(held.body.get("expires_at", 0))
            if expires > self.clock():
                until = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires))
                raise LakeLocked(
                    f"Another sync worker ({held.body.get('owner')}) writes this lake until "
                    f"{until} unless it renews; only one may write at a time."
                )
        if not self.store.swap(self._body(), held.tag if held else None):
            raise LakeLocked("Another sync worker took the lake's writer lock first.")
        self._tag = self.store.read().tag
        return self

    def renew(self) -> None:
        """Push the expiry on; LakeLocked if another worker took the lock meanwhile."""
        if self._tag is None or not self.store.swap(self._body(), self._tag):
            self._tag = None
            raise LakeLocked("The lake's writer lock was lost (expired and taken by another).")
        self._tag = self.store.read().tag

    def release(self) -> None:
        """Give the lock up (if still ours)."""
        if self._tag is not None:
            held = self.store.read()
            if held is not None and held.body.get("owner") == self.owner:
                self.store.swap(None, held.tag)
            self._tag = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
