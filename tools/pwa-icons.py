#!/usr/bin/env python3
"""Writes the icons of the citizen payment pages' web app (web/pagos/icons/icon-192.png and icon-512.png).

Deterministic (same bytes on every run), standard library only: a navy square, a teal disc inside the maskable safe
zone and a white receipt with three lines. Run from the repository's root: python3 tools/pwa-icons.py
"""
import os
import struct
import zlib

NAVY, TEAL, WHITE = (0x1D, 0x35, 0x57), (0x2A, 0x9D, 0x8F), (0xFF, 0xFF, 0xFF)


def pixel(x, y, n):
    u, v = (x + 0.5) / n, (y + 0.5) / n
    if (u - 0.5) ** 2 + (v - 0.5) ** 2 > 0.36 ** 2:
        return NAVY
    # the receipt: a white sheet with three teal lines
    if 0.36 <= u <= 0.64 and 0.28 <= v <= 0.72:
        for top in (0.38, 0.48, 0.58):
            if top <= v <= top + 0.04 and 0.41 <= u <= 0.59:
                return TEAL
        return WHITE
    return TEAL


def png(n):
    rows = b"".join(b"\x00" + bytes(c for x in range(n) for c in pixel(x, y, n)) for y in range(n))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", n, n, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    folder = os.path.join("web", "pagos", "icons")
    os.makedirs(folder, exist_ok=True)
    for size in (192, 512):
        with open(os.path.join(folder, f"icon-{size}.png"), "wb") as f:
            f.write(png(size))
        print(f"{folder}/icon-{size}.png")
