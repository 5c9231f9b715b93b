"""VK Callback API: what a community's server is sent, parsed into appeals.

Every request is a JSON object with ``type``, ``group_id``, ``event_id``, ``v``, ``object``
and, when the community set one, ``secret``. ``confirmation`` asks for the confirmation
string (answered as text/plain); every other event is answered ``ok``, or VK re-sends it.
``message_new`` carries a private message (``object.message`` since API 5.103, the message
itself before); ``wall_reply_new`` a comment under a post (``object`` is the comment with
``post_id`` and ``post_owner_id``); ``photo_comment_new`` a comment under a photo (a wall
comment with ``photo_id`` and ``photo_owner_id``); ``board_post_new`` a post in a discussion
topic (a topic comment with ``topic_id`` and ``topic_owner_id``). The community's own
messages and comments (its answers going back) are not appeals.

Identities: ``<group>:m<message id>``, ``<group>:w<owner>_<post>_<comment>``,
``<group>:p<owner>_<photo>_<comment>`` and ``<group>:b<topic>_<comment>``.
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
            return _comment(self.payload, self.group_id, "w", "post_id", "post_owner_id")
        if self.type == "photo_comment_new":
            return _comment(self.payload, self.group_id, "p", "photo_id", "photo_owner_id")
        if self.type == "board_post_new":
            return _comment(self.payload, self.group_id, "b", "topic_id", "topic_owner_id")
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
    return _inbound(message, f"{group_id}:m{message_id}", peer_id, "object.message")


def _comment(
    payload: dict[str, Any], group_id: int, mark: str, parent: str, parent_owner: str
) -> Inbound | None:
    """A comment under a post (``w``) or a photo (``p``), or a post in a topic (``b``)."""
    comment = require(payload, "object", dict, "payload")
    assert isinstance(comment, dict)
    comment_id = require(comment, "id", int, "object")
    parent_id = require(comment, parent, int, "object")
    from_id = require(comment, "from_id", int, "object")
    owner = comment.get(parent_owner, comment.get("owner_id", -group_id))
    if not isinstance(owner, int) or isinstance(owner, bool):
        raise WebhookRefusal(400, "bad_payload", f"object.{parent_owner} is not an int")
    if from_id == -group_id:
        return None  # the community's own comment (an answer going back)
    where = f"{parent_id}" if mark == "b" else f"{owner}_{parent_id}"
    return _inbound(comment, f"{group_id}:{mark}{where}_{comment_id}", from_id, "object")


def _inbound(item: dict[str, Any], external_id: str, sender: object, where: str) -> Inbound:
    """A message or a comment as an appeal: time, text and attachments are read alike."""
    return Inbound(
        external_id=external_id,
        at=unix_time(item.get("date"), f"{where}.date"),
        text=_text(item),
        sender=str(sender),
        attachments=_attachments(item),
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


@dataclass(frozen=True, slots=True)
class Target:
    """Where an answer goes: ``kind`` m (message), w (wall), p (photo) or b (board)."""

    group: int
    kind: str
    owner: int = 0
    parent: int = 0
    comment: int = 0


def reply_target(external_id: str) -> Target:
    """The answer's target, read back from the appeal's external id."""
    group, _, rest = external_id.partition(":")
    kind = rest[:1]
    if kind in ("w", "p"):
        owner, parent, comment = (int(part) for part in rest[1:].rsplit("_", 2))
        return Target(int(group), kind, owner, parent, comment)
    if kind == "b":
        topic, comment = (int(part) for part in rest[1:].split("_", 1))
        return Target(int(group), kind, -int(group), topic, comment)
    return Target(int(group), "m")
