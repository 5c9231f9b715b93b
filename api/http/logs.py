"""Logs never carry tokens or personal data: redact them from access-log lines."""

from __future__ import annotations

import logging
import re

# WebSocket clients may pass ?token=…; GET queries may carry variables with personal data;
# OK's webhook URL carries the source's ?secret=….
_SECRET_PARAMS = re.compile(r"((?:token|variables|query|secret)=)[^&\s\"]*", re.IGNORECASE)


class RedactFilter(logging.Filter):
    """Rewrites a record's arguments with secret query parameters replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_PARAMS.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def install() -> None:
    """Attach the filter to uvicorn's logs once per process.

    HTTP requests go to the access log; a WebSocket handshake ("WebSocket /graphql?token=…
    [accepted]") goes to ``uvicorn.error``.
    """
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
