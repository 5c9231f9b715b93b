"""``appeals token issue``: mint a bearer token for a role and scope."""

from __future__ import annotations

import argparse

from api.bootstrap import jwt_secret
from api.commands.options import OptionError, Subparsers, add_group, ttl
from api.http.auth import Authenticator
from api.settings import Settings
from ledger.values import Role

# Roles a token can be issued for: public needs none, system is internal.
ROLES = [Role.OPERATOR.value, Role.SUPERVISOR.value, Role.AUDITOR.value, Role.ADMIN.value]
# Which roles each scoping option means something for; elsewhere it is refused, not ignored.
SCOPED = {
    "--body": {Role.OPERATOR, Role.SUPERVISOR},
    "--department": {Role.OPERATOR},
    "--pii": {Role.AUDITOR, Role.ADMIN},
}


def register(subs: Subparsers) -> None:
    """Add ``token issue`` to the command line."""
    actions = add_group(
        subs,
        "token",
        help="mint bearer tokens",
        description="Bearer tokens signed with APPEALS_JWT_SECRET.",
    )
    issue = actions.add_parser(
        "issue", help="print a new token", description="Print a signed JWT for a role and scope."
    )
    issue.add_argument("--role", required=True, choices=ROLES, help="who the token acts as")
    issue.add_argument("--subject", default=None, help="who it is for (default: the role)")
    issue.add_argument("--body", default=None, help="operator, supervisor: the body scope")
    issue.add_argument(
        "--department", default=None, help="operator (required): the department scope"
    )
    issue.add_argument("--pii", action="store_true", help="auditor, admin: may see personal data")
    issue.add_argument(
        "--ttl", type=ttl, default="8h", help="lifetime like 30m, 8h, 7d (default 8h)"
    )
    issue.set_defaults(handler=run_issue)


def run_issue(args: argparse.Namespace, settings: Settings) -> int:
    role = Role(args.role)
    given = {"--body": args.body, "--department": args.department, "--pii": args.pii}
    for option, roles in SCOPED.items():
        if given[option] and role not in roles:
            allowed = " or ".join(sorted(r.value for r in roles))
            raise OptionError(f"{option} applies to {allowed} tokens, not {role.value}")
    if role is Role.OPERATOR and not args.department:
        raise OptionError("an operator token needs --department")
    authenticator = Authenticator(jwt_secret(settings))
    print(
        authenticator.issue(
            subject=args.subject or role.value,
            role=role,
            ttl=args.ttl,
            body=args.body,
            department=args.department,
            pii=args.pii,
        )
    )
    return 0
