"""Read the next page in a thread while this one is hashed: the driver waits without the GIL."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from queue import Queue
from threading import Event, Thread
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """Yield ``items`` in order, producing up to ``depth`` ahead in a background thread."""
    queue: Queue[object] = Queue(maxsize=depth)
    stop = Event()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
                if stop.is_set():
                    return
        except BaseException as error:  # noqa: BLE001 - the consumer re-raises it
            queue.put(_Failed(error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # release what a generator holds, such as a connection
            queue.put(_DONE)

    thread = Thread(target=produce, name="audit-prefetch", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            while not queue.empty():
                queue.get_nowait()
            thread.join(timeout=0.05)
