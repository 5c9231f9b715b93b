"""``appeals sources add|list|disable`` and ``appeals import-mail``."""

from __future__ import annotations

import argparse
import mailbox
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from prometheus_client import CollectorRegistry

from api.bootstrap import build
from api.commands.options import OptionError, Subparsers, add_group
from api.runtime import channelwiring
from api.settings import Settings
from channels import mail
from channels.errors import SourceNotFoundError, WebhookRefusal
from channels.form import source_from
from channels.intake import Intake
from channels.source import CHANNELS

_CHANNELS = "|".join(c.value for c in CHANNELS)


def register(subs: Subparsers) -> None:
    """Add ``sources`` and ``import-mail`` to the command line."""
    actions = add_group(
        subs,
        "sources",
        help="manage official pages, bots and mailboxes",
        description="Sources are the pages, bots and mailboxes appeals arrive through. "
        "Changes take effect at once in every running process. Secrets are sealed with "
        "APPEALS_SOURCES_KEY (or the key in APPEALS_KEYS_DIR/sources.key) and never shown.",
    )
    add = actions.add_parser(
        "add",
        help="add or replace a source",
        description="Add a source, or replace (and re-enable) the one with the same channel "
        "and id. Webhook URL: POST /channels/CHANNEL/SOURCE_ID.",
    )
    add.add_argument("channel", metavar="CHANNEL", help=f"one of {_CHANNELS}")
    add.add_argument(
        "platform_id",
        metavar="SOURCE_ID",
        help="VK community id, Telegram bot username, MAX bot id, OK group id, or mailbox address",
    )
    add.add_argument("--body", required=True, help="the body its appeals belong to")
    add.add_argument("--department", help="default department (kept with the source)")
    add.add_argument("--category", help="category given to its appeals")
    add.add_argument("--secret", help="webhook secret (required for vk, telegram, max and ok)")
    add.add_argument("--confirmation", metavar="CODE", help="VK confirmation string")
    add.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="file holding the access token answers are posted with",
    )
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="list sources (never their secrets)")
    listing.set_defaults(handler=run_list)
    disable = actions.add_parser(
        "disable",
        help="stop taking messages from a source",
        description="Its webhook answers 404 from now on; its appeals stay.",
    )
    disable.add_argument("source_id", metavar="SOURCE_ID", help="ID, or CHANNEL:ID if ambiguous")
    disable.set_defaults(handler=run_disable)
    rotate = actions.add_parser(
        "rotate-key",
        help="seal every source's secrets under a new sources key",
        description="Generate a new sources key, re-seal every secret under it in one "
        "transaction, and replace APPEALS_KEYS_DIR/sources.key. Running processes pick the "
        "new key up by themselves; senders' pseudonyms (and so appeal identities) do not "
        "change. Back up the new key file with the database. With APPEALS_SOURCES_KEY set, "
        "the key is rotated by hand instead (refused here).",
    )
    rotate.set_defaults(handler=run_rotate_key)
    imports = subs.add_parser(
        "import-mail",
        help="record appeals from an mbox file or a folder of .eml files",
        description="Each message becomes an appeal of the mailbox's source (Message-ID is "
        "its identity: importing again records nothing new).",
    )
    imports.add_argument("mailbox", metavar="MAILBOX", help="the e-mail source's address")
    imports.add_argument("path", type=Path, metavar="PATH", help="an mbox file or a folder")
    imports.set_defaults(handler=run_import_mail)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    token = None
    if args.token_file is not None:
        try:
            token = args.token_file.read_text().strip()
        except OSError as error:
            msg = f"--token-file: cannot read {args.token_file}: {error.strerror}"
            raise OptionError(msg) from None
    source = source_from(args, token)
    with closing(build(settings)) as container:
        channelwiring.directory(container).add(source)
    print(f"added {source.key}: POST /channels/{source.channel.value}/{source.platform_id}")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        sources = channelwiring.directory(container).list()
    for s in sources:
        has = [name for name in ("secret", "confirmation", "token") if getattr(s.secrets, name)]
        print(
            f"{s.key}\t{'enabled' if s.enabled else 'disabled'}\tbody={s.body}"
            f"\tdepartment={s.department or '-'}\tcategory={s.category or '-'}"
            f"\tsecrets={','.join(has) or '-'}"
        )
    return 0


def run_disable(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        source = channelwiring.directory(container).disable(args.source_id)
    print(f"disabled {source.key}")
    return 0


def run_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        count, interrupted = channelwiring.rotate_key(settings, channelwiring.directory(container))
    if interrupted:
        print("finished an interrupted rotation: run rotate-key again for a fresh key")
    print(f"sealed the secrets of {count} sources under the new key in {settings.keys_dir}")
    return 0


def run_import_mail(args: argparse.Namespace, settings: Settings) -> int:
    if not args.path.exists():
        raise OptionError(f"PATH: {args.path} does not exist")
    with closing(build(settings)) as container:
        intake = Intake(container.ledger, channelwiring.directory(container), CollectorRegistry())
        source = intake.directory.get("email", args.mailbox)
        if source is None:
            raise SourceNotFoundError(source=f"email:{args.mailbox}")
        counts = {"recorded": 0, "repeated": 0, "refused": 0}
        for name, raw in _messages(args.path):
            try:
                recorded = intake.record(source, mail.parse(raw))
            except WebhookRefusal as refusal:
                counts["refused"] += 1
                print(f"skipped {name}: {refusal.detail}")
                continue
            counts["recorded" if recorded.created else "repeated"] += 1
    print(", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _messages(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.glob("*.eml")):
            yield file.name, file.read_bytes()
        return
    box = mailbox.mbox(path, create=False)
    try:
        for index, message in enumerate(box):
            yield f"message {index + 1}", message.as_bytes()
    finally:
        box.close()
