"""What an API process serves at ``/opendata/`` and ``/``: the stored package, never a build.

Each request reads the stored package's generation (one row); files already read at that
generation are answered from memory, others are read from the store once. Before the duty
has saved a first build there is nothing to serve: ``NotPublishedError``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

from opendata.publication import File
from opendata.stored import PackageStore


class NotPublishedError(Exception):
    """No package is stored yet: the duty process has not finished its first build."""


class ServedPackage:
    """The process's view of the stored package, with the files it has read cached."""

    def __init__(self, store: PackageStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._files: dict[str, File | None] = {}

    def current(self) -> Snapshot:
        """The package as stored now."""
        generation = self.store.generation()
        if generation is None:
            raise NotPublishedError()
        with self._lock:
            if generation != self._generation:
                self._generation = generation
                self._files = {}
        return Snapshot(self, generation)

    def file(self, generation: int, path: str) -> File | None:
        """``path`` at ``generation`` from memory, else from the store (then kept)."""
        with self._lock:
            if generation == self._generation and path in self._files:
                return self._files[path]
        found = self.store.file(path)
        with self._lock:
            if generation == self._generation:
                self._files[path] = found
        return found


class Snapshot(Mapping[str, File]):
    """The package's files at one generation, read as they are asked for."""

    def __init__(self, served: ServedPackage, generation: int) -> None:
        self.served = served
        self.generation = generation

    def __getitem__(self, path: str) -> File:
        found = self.served.file(self.generation, path)
        if found is None:
            raise KeyError(path)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.served.store.paths())

    def __len__(self) -> int:
        return len(self.served.store.paths())
