"""The audit package's own error."""

from __future__ import annotations


class AuditError(Exception):
    """The audit log cannot do this now; the message is one line for the operator."""
