"""Sub-commands of ``appeals``; each module adds its parsers with a ``register`` function."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from api.commands import (
    audit,
    demo,
    history,
    opendata,
    projections,
    run,
    serve,
    token,
    witness,
)

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRY: list[Register] = [
    demo.register,
    history.register,
    run.register,
    audit.register,
    serve.register,
    token.register,
    projections.register,
    opendata.register,
    witness.register,
]
