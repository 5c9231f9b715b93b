"""Argument types of the ``appeals`` options, and the options several commands share.

Each type refuses a bad value before any work starts: a type that raises
``argparse.ArgumentTypeError`` makes argparse print one line naming the option and exit with
code 2 (see ``api.cli.OneLineParser``).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TypeAlias
from uuid import UUID

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

TTL = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def at_least(minimum: int) -> Callable[[str], int]:
    """An integer option that must be ``minimum`` or more."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{number} must be at least {minimum}")
        return number

    parse.__name__ = f"integer >= {minimum}"
    return parse


def port(value: str) -> int:
    """A TCP port to listen on, 1–65535."""
    number = at_least(1)(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port (1-65535)")
    return number


def appeal_id(value: str) -> UUID:
    """An appeal's UUID."""
    try:
        return UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an appeal's UUID") from None


def ttl(value: str) -> timedelta:
    """A token lifetime such as 30m, 8h or 7d."""
    match = TTL.match(value)
    if match is None or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a lifetime like 30m, 8h or 7d")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def add_group(
    subs: Subparsers,
    name: str,
    *,
    help: str,
    description: str | None = None,
    dest: str = "action",
) -> Subparsers:
    """A command made of ACTIONs (``appeals token issue``): add the actions to what it returns."""
    group = subs.add_parser(name, help=help, description=description)
    return group.add_subparsers(dest=dest, required=True, metavar="ACTION")


def add_listen(cmd: argparse.ArgumentParser, default_port: int) -> None:
    """``--host`` and ``--port``: where a server listens, on the loopback unless told."""
    cmd.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    cmd.add_argument(
        "--port", type=port, default=default_port, help=f"port (default {default_port})"
    )


class OptionError(Exception):
    """Options that cannot be used together; the message is one line, the exit code 2."""
