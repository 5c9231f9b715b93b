"""``appeals opendata publish``: write the open-data package (the files ``/opendata/`` serves)."""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path

from api.bootstrap import build, read_side
from api.commands.options import Subparsers, add_group
from api.runtime.publishing import publication
from api.settings import Settings
from opendata.disk import publish


def register(subs: Subparsers) -> None:
    """Add ``opendata publish`` to the command line."""
    actions = add_group(
        subs,
        "opendata",
        help="publish the open-data package",
        description="Open data: the public statistics as a Frictionless Data Package.",
    )
    publish_cmd = actions.add_parser(
        "publish",
        help="write datapackage.json and its CSV and JSON files to a directory",
        description="Write the package the API serves at /opendata/: datapackage.json (licence "
        "CC BY 4.0, a Table Schema per resource), every resource as CSV and JSON over all "
        "months, and the same per month under YYYY-MM/. The views are caught up with the log "
        "first; figures carry the public's suppression (APPEALS_SUPPRESS_BELOW).",
    )
    publish_cmd.add_argument(
        "--out", type=Path, default=Path("var/opendata"), help="directory (default var/opendata)"
    )
    publish_cmd.set_defaults(handler=run_publish)


def run_publish(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        side = read_side(container)
        side.runner.setup()
        side.runner.catch_up()  # what the log holds now, even with no API process running
        written = publish(publication(container, side).build().files, args.out)
    print(f"wrote {len(written)} files to {args.out}/ (datapackage.json first)")
    return 0
