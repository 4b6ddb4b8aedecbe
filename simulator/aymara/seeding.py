"""Stable hashes and the fixed clock every Aymara demo value derives from."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the dataset's fixed "now"
HISTORY = timedelta(days=90)


def digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def as_uuid(raw: bytes) -> str:
    b = bytearray(raw[:16])
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    return str(uuid.UUID(bytes=bytes(b)))


def mask(head: bytes, tail: bytes) -> bytes:
    """XOR the tail with a hash of the head: file uuids carry indices without looking patterned."""
    pad = digest("file-mask", head.hex())
    return bytes(a ^ b for a, b in zip(tail, pad, strict=False))


def stable_uuid(*parts: object) -> str:
    """A UUID (v4 layout) derived from a stable hash of the parts."""
    return as_uuid(digest(*parts))


def stable_rng(*parts: object) -> random.Random:
    """A random generator seeded from a stable hash of the parts."""
    return random.Random(int.from_bytes(digest(*parts)[:8], "big"))


def iso(moment: datetime) -> str:
    """An ISO-8601 UTC timestamp the way the API writes them: `2026-11-20T12:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]
