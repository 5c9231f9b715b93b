"""Where a tiled log's files come from: an ``http(s)://`` prefix or a local directory."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from ledger.verify.encoding import VerificationError

MAX_BYTES = 16 * 1024 * 1024
"""No tile, bundle or checkpoint is near this: a bigger answer is refused, not read."""


class TileSource:
    """Reads ``<prefix>/<path>`` for a ``tlog-tiles`` prefix."""

    def __init__(self, prefix: str, timeout: float = 30.0) -> None:
        self.prefix = prefix.rstrip("/")
        self.timeout = timeout
        self.remote = self.prefix.startswith(("http://", "https://"))

    def get(self, path: str) -> bytes:
        """The file's bytes; ``VerificationError(tile-unavailable)`` when it cannot be had."""
        try:
            if self.remote:
                url = f"{self.prefix}/{path}"
                with urllib.request.urlopen(url, timeout=self.timeout) as answer:  # noqa: S310
                    data: bytes = answer.read(MAX_BYTES + 1)
            else:
                data = (Path(self.prefix) / path).read_bytes()
        except (OSError, urllib.error.URLError) as error:
            raise VerificationError(reason="tile-unavailable", detail=f"{path}: {error}") from None
        if len(data) > MAX_BYTES:
            raise VerificationError(reason="tile-unavailable", detail=f"{path}: too large")
        return data
