"""``appeals token issue``: mint a bearer token for a role and scope."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from api.app import _jwt_secret
from api.auth import Authenticator
from api.settings import Settings
from ledger.errors import ValidationError
from ledger.values import Role, parse_enum

TTL = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``token issue`` to the command line."""
    token = subs.add_parser(
        "token",
        help="mint bearer tokens",
        description="Bearer tokens signed with APPEALS_JWT_SECRET.",
    )
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = actions.add_parser(
        "issue", help="print a new token", description="Print a signed JWT for a role and scope."
    )
    issue.add_argument("--role", required=True, help="operator | supervisor | auditor | admin")
    issue.add_argument("--subject", default=None, help="who it is for (default: the role)")
    issue.add_argument("--body", default=None, help="the body scope (supervisor, operator)")
    issue.add_argument("--department", default=None, help="the department (operator)")
    issue.add_argument("--pii", action="store_true", help="auditor: may see personal data")
    issue.add_argument("--ttl", default="8h", help="lifetime like 30m, 8h, 7d (default 8h)")
    issue.set_defaults(handler=run_issue)


def run_issue(args: argparse.Namespace, settings: Settings) -> int:
    role = parse_enum(Role, args.role, "role")
    if role in (Role.PUBLIC, Role.SYSTEM):
        raise ValidationError(field="role", reason="public needs no token; system is internal")
    if role is Role.OPERATOR and not args.department:
        raise ValidationError(field="department", reason="an operator token needs a department")
    match = TTL.match(args.ttl)
    if match is None:
        raise ValidationError(field="ttl", reason="must look like 30m, 8h or 7d")
    ttl = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    authenticator = Authenticator(_jwt_secret(settings))
    print(authenticator.issue(subject=args.subject or role.value, role=role, ttl=ttl,
                              body=args.body, department=args.department, pii=args.pii))  # fmt: skip
    return 0
