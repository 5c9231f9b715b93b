"""The ``appeals`` command line: one entrypoint, one sub-command per job."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from api.settings import Settings

    Handler = Callable[[argparse.Namespace, Settings], int]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a wrong option is one line on stderr (and exit code 2), not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def application() -> ModuleType:
    """Every sub-command's module, and with them the whole application, imported with the
    garbage collector paused.

    The import makes several hundred thousand objects, nearly all of which live as long as
    the process; the collector's passes over them while importing freed next to nothing and
    took about a tenth of the import's CPU (0.98 s against 0.90 s, median of 7 runs). A
    restarted server spends most of its start importing, on a machine busy with other work.
    """
    gc.disable()
    try:
        import api.commands
    finally:
        gc.enable()
    return api.commands


def parser() -> argparse.ArgumentParser:
    """Every sub-command with its help text."""
    root: argparse.ArgumentParser = OneLineParser(
        prog="appeals",
        description="Appeals Ledger: a system of record for citizen appeals. The store is "
        "chosen by APPEALS_DATABASE_URL (default sqlite:///var/appeals.db).",
    )
    subs = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in application().REGISTRY:
        register(subs)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; expected failures print one line and exit non-zero."""
    args = parser().parse_args(argv)
    from api.commands.options import OptionError
    from api.settings import Settings, SettingsError
    from ledger.errors import LedgerError

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
