"""How long the supervisor waits before it restarts a dead worker or duty process.

The pause used to be one for all workers, doubled at every death and never reset. On a busy
machine whose PostgreSQL was out of connections, the workers of a fresh ``serve --workers 3``
failed their start-up a few times between them, and the last one came back 8, then 16 s later:
not healthy within the test's 60 s. Now each worker has a pause of its own, and it starts
again from ``RESTART_PAUSE`` once its predecessor got ready.
"""

from __future__ import annotations

RESTART_PAUSE = 1.0
MAX_RESTART_PAUSE = 60.0


def restart_pause(served: bool, last: float | None) -> float:
    """The pause before a dead worker's successor starts.

    ``served``: the dead worker got ready (its start-up worked); ``last``: the pause before it
    started, if it was itself a restart. A worker that keeps dying before it is ready is
    restarted ever more slowly, up to ``MAX_RESTART_PAUSE``.
    """
    if served or last is None:
        return RESTART_PAUSE
    return min(last * 2, MAX_RESTART_PAUSE)
