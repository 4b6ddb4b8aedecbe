"""Small deterministic PNG images for the image-modality demo responses (zlib + struct, no PIL)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

IMAGE_SIZE = 96


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """Encode 8-bit RGB rows (each `width * 3` bytes) as a PNG file."""
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


@lru_cache(maxsize=256)
def demo_png(token: str, size: int = IMAGE_SIZE) -> bytes:
    """A small abstract picture (sky gradient, sun, hills) whose colours derive from `token`."""
    h = hashlib.sha256(token.encode()).digest()
    top, bottom, sun, hill = h[0:3], h[3:6], h[6:9], h[9:12]
    sun_x, sun_y, sun_r = size * (0.2 + h[12] / 425), size * (0.15 + h[13] / 850), 8 + h[14] % 10
    wave, phase = 6 + h[15] % 10, h[16] / 40
    rows: list[bytes] = []
    for y in range(size):
        t = y / (size - 1)
        sky = bytes(int(top[c] * (1 - t) + bottom[c] * t) for c in range(3))
        row = bytearray(sky * size)
        horizon = size * 0.62
        for x in range(size):
            ridge = horizon + wave * _tri((x / size) * 3 + phase)
            if y > ridge:
                shade = 0.6 + 0.4 * (1 - (y - ridge) / size)
                row[3 * x : 3 * x + 3] = bytes(int(hill[c] * shade) for c in range(3))
            elif (x - sun_x) ** 2 + (y - sun_y) ** 2 <= sun_r**2:
                row[3 * x : 3 * x + 3] = sun
        rows.append(bytes(row))
    return encode_png(size, size, rows)


def _tri(x: float) -> float:
    """A triangle wave with period 1 and values in [-1, 1]: the hills' outline."""
    frac = x - int(x)
    return 4 * abs(frac - 0.5) - 1
