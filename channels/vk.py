"""VK Callback API: what a community's server is sent, parsed into appeals.

Every request is a JSON object with ``type``, ``group_id``, ``event_id``, ``v``, ``object``
and, when the community set one, ``secret``. ``confirmation`` asks for the confirmation
string (answered as text/plain); every other event is answered ``ok``, or VK re-sends it.
``message_new`` carries a private message (``object.message`` since API 5.103, the message
itself before); ``wall_reply_new`` a comment under a post (``object`` is the comment with
``post_id`` and ``post_owner_id``). The community's own messages and comments (its answers
going back) are not appeals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels.errors import WebhookRefusal
from channels.inbound import Attachment, Inbound, require, unix_time

CHAT_PEERS = 2_000_000_000
"""VK peer ids from this one up are group chats, not a person writing to the community."""


@dataclass(frozen=True, slots=True)
class VkEvent:
    """A callback's envelope: its type, community and secret (checked before the object)."""

    type: str
    group_id: int
    secret: str | None
    payload: dict[str, Any]

    def message(self) -> Inbound | None:
        """The appeal of ``message_new`` and ``wall_reply_new``; None for other events."""
        if self.type == "message_new":
            return _private_message(self.payload, self.group_id)
        if self.type == "wall_reply_new":
            return _wall_comment(self.payload, self.group_id)
        return None


def parse(payload: Any) -> VkEvent:
    """The callback's envelope; its object is read by ``VkEvent.message``."""
    kind = require(payload, "type", str, "payload")
    group_id = require(payload, "group_id", int, "payload")
    assert isinstance(kind, str) and isinstance(group_id, int)
    secret = payload.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise WebhookRefusal(400, "bad_payload", "payload.secret is not a string")
    return VkEvent(kind, group_id, secret, payload)


def _private_message(payload: dict[str, Any], group_id: int) -> Inbound | None:
    obj = require(payload, "object", dict, "payload")
    assert isinstance(obj, dict)
    message = obj["message"] if isinstance(obj.get("message"), dict) else obj
    message_id = require(message, "id", int, "object.message")
    from_id = require(message, "from_id", int, "object.message")
    peer_id = message.get("peer_id", from_id)
    if message.get("out") == 1 or not isinstance(peer_id, int) or peer_id >= CHAT_PEERS:
        return None  # the community's own message, or a group chat: not an appeal
    return Inbound(
        external_id=f"{group_id}:m{message_id}",
        at=unix_time(message.get("date"), "object.message.date"),
        text=_text(message),
        sender=str(peer_id),
        attachments=_attachments(message),
    )


def _wall_comment(payload: dict[str, Any], group_id: int) -> Inbound | None:
    comment = require(payload, "object", dict, "payload")
    assert isinstance(comment, dict)
    comment_id = require(comment, "id", int, "object")
    post_id = require(comment, "post_id", int, "object")
    from_id = require(comment, "from_id", int, "object")
    owner = comment.get("post_owner_id", comment.get("owner_id", -group_id))
    if not isinstance(owner, int):
        raise WebhookRefusal(400, "bad_payload", "object.post_owner_id is not an int")
    if from_id == -group_id:
        return None  # the community's own comment (an answer going back)
    return Inbound(
        external_id=f"{group_id}:w{owner}_{post_id}_{comment_id}",
        at=unix_time(comment.get("date"), "object.date"),
        text=_text(comment),
        sender=str(from_id),
        attachments=_attachments(comment),
    )


def _text(message: dict[str, Any]) -> str:
    text = message.get("text")
    if not isinstance(text, str):
        raise WebhookRefusal(400, "bad_payload", "the message has no text field")
    return text if text.strip() else "(no text)"


def _attachments(message: dict[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for item in message.get("attachments") or []:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        kind = item["type"]
        nested = item.get(kind)
        body: dict[str, Any] = nested if isinstance(nested, dict) else {}
        ref = f"{kind}{body.get('owner_id', '')}_{body.get('id', '')}"
        size = body.get("size") if isinstance(body.get("size"), int) else None
        url = body.get("url") if isinstance(body.get("url"), str) else None
        found.append(Attachment(kind, ref, size, url))
    return tuple(found)


def reply_target(external_id: str) -> tuple[int, tuple[int, int, int] | None]:
    """(group id, (owner, post, comment) for a wall comment or None for a message)."""
    group, _, rest = external_id.partition(":")
    if rest.startswith("w"):
        owner, post, comment = (int(part) for part in rest[1:].rsplit("_", 2))
        return int(group), (owner, post, comment)
    return int(group), None
