"""C2SP ``tlog-tiles``: tile paths, which stored subtrees a tile holds, and entry bundles.

A tile at level ``L`` and index ``N`` holds up to 256 hashes; hash ``i`` is the Merkle tree
hash of leaves ``[(N*256+i) * 256**L, (N*256+i+1) * 256**L)``, that is the complete subtree
at Merkle level ``8*L`` and index ``N*256+i``. A full tile is 256 hashes (8,192 bytes); the
rightmost tiles of a tree of ``s`` leaves are partial, ``floor(s / 256**L) mod 256`` wide,
and spelled ``.p/<W>``. Indices are written in 3-digit groups, ``x`` before all but the last:
1234067 is ``x001/x234/067``. Entry bundles (``tile/entries/<N>``) hold each leaf's bytes
with a big-endian uint16 length before it; here a leaf is ``encode_leaf``'s bytes.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

WIDTH = 256
"""Hashes in a full tile."""
HEIGHT = 8
"""Merkle levels a tile spans: 256 == 2**8."""
_GROUP = re.compile(r"x\d{3}")
_LAST = re.compile(r"\d{3}")
_NUMBER = re.compile(r"0|[1-9]\d*")


class TilePathError(ValueError):
    """The path names no tile."""


@dataclass(frozen=True)
class Tile:
    """One tile: ``level`` is ``"entries"``'s -1 or 0..63; ``width`` 1..256 (256 is full)."""

    level: int
    index: int
    width: int = WIDTH

    @property
    def is_entries(self) -> bool:
        """Whether this is an entry bundle rather than a hash tile."""
        return self.level < 0

    @property
    def full(self) -> bool:
        """Whether the tile has all 256 hashes (and so never changes)."""
        return self.width == WIDTH

    def path(self) -> str:
        """The tile's path below the log's prefix, e.g. ``tile/0/x001/234.p/5``."""
        level = "entries" if self.is_entries else str(self.level)
        suffix = "" if self.full else f".p/{self.width}"
        return f"tile/{level}/{index_path(self.index)}{suffix}"

    def subtrees(self) -> list[tuple[int, int]]:
        """The (Merkle level, index) of each subtree hash the tile holds, left to right."""
        level = HEIGHT * max(self.level, 0)
        first = self.index * WIDTH
        return [(level, first + i) for i in range(self.width)]

    def leaf_range(self) -> tuple[int, int]:
        """The leaves ``[start, stop)`` the tile's hashes span."""
        span = WIDTH ** max(self.level, 0)
        first = self.index * WIDTH
        return first * span, (first + self.width) * span


def index_path(index: int) -> str:
    """``1234067`` → ``x001/x234/067``."""
    if index < 0:
        raise ValueError(f"bad tile index {index}")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def parse_tile_path(path: str) -> Tile:
    """Parse ``<L>/<N>[.p/<W>]`` or ``entries/<N>[.p/<W>]`` (without the ``tile/`` prefix)."""
    parts = path.split("/")
    width = WIDTH
    if len(parts) >= 3 and parts[-2].endswith(".p"):
        if not _NUMBER.fullmatch(parts[-1]) or not 1 <= int(parts[-1]) < WIDTH:
            raise TilePathError(path)
        width, parts = int(parts[-1]), [*parts[:-2], parts[-2][:-2]]
    if len(parts) < 2 or not _LAST.fullmatch(parts[-1]):
        raise TilePathError(path)
    if not all(_GROUP.fullmatch(group) for group in parts[1:-1]) or parts[1:2] == ["x000"]:
        raise TilePathError(path)
    index = int("".join(group.lstrip("x") for group in parts[1:]))
    if parts[0] == "entries":
        return Tile(-1, index, width)
    if not _NUMBER.fullmatch(parts[0]) or int(parts[0]) > 63:
        raise TilePathError(path)
    return Tile(int(parts[0]), index, width)


def tiles_for_size(size: int) -> list[Tile]:
    """Every tile of a tree of ``size`` leaves, full and partial, level by level."""
    tiles: list[Tile] = []
    level, span = 0, 1
    while size // span:
        count = size // span
        tiles.extend(Tile(level, index) for index in range(count // WIDTH))
        if count % WIDTH:
            tiles.append(Tile(level, count // WIDTH, count % WIDTH))
        level, span = level + 1, span * WIDTH
    return tiles


def encode_bundle_entries(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry with its big-endian uint16 length before it."""
    return b"".join(struct.pack(">H", len(entry)) + entry for entry in entries)


def decode_bundle_entries(data: bytes) -> list[bytes]:
    """The entries of an entry bundle; ValueError when the framing is broken."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError("truncated entry length")
        (length,) = struct.unpack_from(">H", data, at)
        if at + 2 + length > len(data):
            raise ValueError("truncated entry")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries
