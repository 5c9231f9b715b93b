"""Answers to VK: ``messages.send`` for a private message, ``wall.createComment``,
``photos.createComment`` or ``board.createComment`` for a comment (parameters as in VK's
``vk-api-schema``: ``photos.createComment`` takes ``owner_id``, ``photo_id``,
``reply_to_comment``, ``from_group`` and ``guid``; ``board.createComment`` takes
``group_id``, ``topic_id``, ``from_group`` and ``guid``, and no reply target).

All are idempotent: ``random_id`` (messages) and ``guid`` (comments) are derived from the
answer's identity, so a repeated call after a lost response posts nothing new.
"""

from __future__ import annotations

import httpx

from channels import vk
from channels.reply import DeliveryError, Reply, scrub

TRANSIENT = frozenset({1, 6, 9, 10})
"""VK error codes worth retrying: unknown, too many requests, flood control, internal."""


class VkPlatform:
    """Calls VK's API methods at ``base_url`` (``APPEALS_VK_API_URL``)."""

    idempotent = True

    def __init__(self, http: httpx.Client, base_url: str, version: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.version = version

    def send(self, reply: Reply) -> str:
        """Post the reply where the citizen wrote; returns the message or comment id."""
        token = reply.source.secrets.token
        if not token:
            raise DeliveryError("the source has no access token", retry=False)
        target = vk.reply_target(reply.external_id)
        params: dict[str, str | int] = {
            "message": reply.text,
            "access_token": token,
            "v": self.version,
        }
        guid = reply.identity.hex()[:32]
        if target.kind == "w":
            params |= {
                "owner_id": target.owner,
                "post_id": target.parent,
                "from_group": target.group,
                "reply_to_comment": target.comment,
                "guid": guid,
            }
            method = "wall.createComment"
        elif target.kind == "p":
            params |= {
                "owner_id": target.owner,
                "photo_id": target.parent,
                "from_group": 1,
                "reply_to_comment": target.comment,
                "guid": guid,
            }
            method = "photos.createComment"
        elif target.kind == "b":
            # A topic has no reply_to_comment: the answer is a new post in the same topic.
            params |= {"group_id": target.group, "topic_id": target.parent, "from_group": 1}
            params["guid"] = guid
            method = "board.createComment"
        else:
            if not reply.contact or not reply.contact.startswith("vk:"):
                raise DeliveryError(
                    "the citizen's data was erased: no one to write to", retry=False
                )
            random_id = int.from_bytes(reply.identity[:4], "big") & 0x7FFFFFFF
            params |= {"peer_id": reply.contact.removeprefix("vk:"), "random_id": random_id}
            method = "messages.send"
        body = self._call(method, params, token)
        result = body.get("response")
        if isinstance(result, dict):
            result = result.get("comment_id")
        if isinstance(result, bool) or not isinstance(result, int):
            raise DeliveryError(f"{method}: an answer without an id", retry=True)
        return str(result)

    def _call(self, method: str, params: dict[str, str | int], token: str) -> dict[str, object]:
        try:
            response = self.http.post(f"{self.base_url}/method/{method}", data=params)
        except httpx.HTTPError as failure:
            raise DeliveryError(f"{method}: {type(failure).__name__}", retry=True) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(f"{method}: HTTP {response.status_code}", retry=True)
        try:
            body = response.json()
        except ValueError:
            raise DeliveryError(
                f"{method}: HTTP {response.status_code}, not JSON", retry=True
            ) from None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code = error.get("error_code")
            text = scrub(str(error.get("error_msg", "")), token)
            raise DeliveryError(f"{method}: VK error {code}: {text}", retry=code in TRANSIENT)
        if not isinstance(body, dict):
            raise DeliveryError(f"{method}: an unexpected answer", retry=True)
        return body
