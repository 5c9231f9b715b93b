"""Answers by e-mail: one message per answer, sent by SMTP to the citizen's address.

The message's ``Message-ID`` is derived from the answer's identity and it is sent
``In-Reply-To`` the citizen's own message, so mail clients thread it. SMTP has no
idempotency key: a call whose outcome is unknown is not repeated.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from channels.reply import DeliveryError, Reply, scrub


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send (``APPEALS_SMTP_*``)."""

    host: str
    port: int = 25
    sender: str = ""
    """The From address; default: the source's mailbox."""
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0


class SmtpPlatform:
    """Sends answers through one SMTP server."""

    idempotent = False

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    def send(self, reply: Reply) -> str:
        """Send the answer; returns the message's Message-ID."""
        if not self.server.host:
            raise DeliveryError("no SMTP server is configured (APPEALS_SMTP_HOST)", retry=False)
        if not reply.contact or "@" not in reply.contact:
            raise DeliveryError("the citizen's data was erased: no address", retry=False)
        message = EmailMessage()
        message_id = (
            f"<answer-{reply.identity.hex()[:32]}@{reply.source.platform_id.split('@')[1]}>"
        )
        message["From"] = self.server.sender or reply.source.platform_id
        message["To"] = reply.contact
        message["Subject"] = "Ответ на ваше обращение"
        message["Message-ID"] = message_id
        message["In-Reply-To"] = reply.external_id
        message["References"] = reply.external_id
        message.set_content(reply.text)
        try:
            smtp = smtplib.SMTP(self.server.host, self.server.port, timeout=self.server.timeout)
        except OSError as error:
            # Never connected: nothing was sent, so trying again is safe.
            raise DeliveryError(f"SMTP: {type(error).__name__}", retry=True) from None
        try:
            with smtp:
                if self.server.starttls:
                    smtp.starttls()
                if self.server.user:
                    smtp.login(self.server.user, self.server.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryError(f"SMTP refused the address ({codes})", retry=False) from None
        except smtplib.SMTPResponseException as error:
            # The server answered: 4xx asks to try later, 5xx refuses for good.
            text = scrub(str(error.smtp_error), self.server.password)
            raise DeliveryError(
                f"SMTP {error.smtp_code}: {text}", retry=400 <= error.smtp_code < 500
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            # Cut off mid-conversation: it may have been accepted, so it is not sent again.
            doubt = f"SMTP: {type(error).__name__}; in doubt, not sent again"
            raise DeliveryError(doubt, retry=False) from None
        return message_id
