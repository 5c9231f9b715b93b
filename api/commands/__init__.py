"""Sub-commands of ``appeals``; each module adds its parsers with a ``register`` function."""

from __future__ import annotations

from collections.abc import Callable

from api.commands import (
    audit,
    backup,
    demo,
    exporting,
    history,
    importing,
    opendata,
    projections,
    run,
    serve,
    sources,
    token,
    witness,
)
from api.commands.options import Subparsers

Register = Callable[[Subparsers], None]

REGISTRY: list[Register] = [
    demo.register,
    importing.register,
    exporting.register,
    history.register,
    run.register,
    audit.register,
    serve.register,
    token.register,
    backup.register,
    projections.register,
    opendata.register,
    witness.register,
    sources.register,
]
