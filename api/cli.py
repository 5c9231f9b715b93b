"""The ``appeals`` command line: one entrypoint, one sub-command per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from api import commands
from api.commands.options import OptionError
from api.settings import Settings, SettingsError
from ledger.errors import LedgerError

Handler = Callable[[argparse.Namespace, Settings], int]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a wrong option is one line on stderr (and exit code 2), not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    """Every sub-command with its help text."""
    root: argparse.ArgumentParser = OneLineParser(
        prog="appeals",
        description="Appeals Ledger: a system of record for citizen appeals. The store is "
        "chosen by APPEALS_DATABASE_URL (default sqlite:///var/appeals.db).",
    )
    subs = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in commands.REGISTRY:
        register(subs)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; expected failures print one line and exit non-zero."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_environ()
        handler: Handler = args.handler
        return handler(args, settings)
    except (SettingsError, OptionError) as error:
        print(f"appeals: {error}", file=sys.stderr)
        return 2
    except LedgerError as error:
        print(f"appeals: {error.code}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
