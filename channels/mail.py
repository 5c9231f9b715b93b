"""E-mail: one RFC 5322 message parsed into an appeal (webhook and ``import-mail``).

``Message-ID`` is the external id and ``Date`` the business time; the sender's name and
address are citizen data. Plain text is preferred; an HTML-only body is converted to text;
attachments are listed by name and size, not stored.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from channels.errors import WebhookRefusal
from channels.inbound import Attachment, Inbound

MEDIA_TYPE = "message/rfc822"


def parse(raw: bytes) -> Inbound:
    """The appeal of a raw message; a refusal names what is missing."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    if message.defects and not message.keys():
        raise WebhookRefusal(400, "bad_payload", "the body is not an RFC 5322 message")
    message_id = str(message.get("Message-ID") or "").strip()
    if not message_id:
        raise WebhookRefusal(400, "bad_payload", "the message has no Message-ID")
    sender = _sender(message)
    try:
        at = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        raise WebhookRefusal(400, "bad_payload", "the message has no valid Date") from None
    if at.tzinfo is None:
        raise WebhookRefusal(400, "bad_payload", "the message's Date has no time zone")
    subject = _utf8(str(message.get("Subject") or "")).strip()
    body = _body(message).strip()
    text = "\n\n".join(part for part in (subject, body) if part) or "(no text)"
    return Inbound(
        external_id=message_id,
        at=at,
        text=text,
        sender=_utf8(sender.addr_spec),
        sender_name=_utf8(sender.display_name) or None,
        attachments=tuple(_attachments(message)),
    )


def _sender(message: EmailMessage) -> Address:
    header = message.get("Reply-To") or message.get("From")
    addresses = getattr(header, "addresses", ())
    if not addresses or "@" not in addresses[0].addr_spec:
        raise WebhookRefusal(400, "bad_payload", "the message has no sender address")
    address: Address = addresses[0]
    return address


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    raw = part.get_payload(decode=True)
    if part.get_param("charset") is None and isinstance(raw, bytes):
        # No charset declared: 8-bit text is UTF-8 in practice (RFC 6532), not ASCII.
        content: object = raw.decode("utf-8", "replace")
    else:
        content = part.get_content()
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return _html_text(content)
    return content


def _utf8(text: str) -> str:
    """Raw 8-bit header bytes (RFC 6532) arrive as surrogate escapes: read them as UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else None
        found.append(Attachment(part.get_content_type(), part.get_filename() or "unnamed", size))
    return found


class _TextOf(HTMLParser):
    """The text of an HTML body: tags dropped, block ends as line breaks, scripts skipped."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
