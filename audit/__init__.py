"""The tamper-evident audit log: a projection of every stored event into a Merkle log.

``AuditLog`` appends leaves and nodes with its tracking position in one transaction;
``Verifier`` re-derives it all from the raw events table. Both run on SQLite and PostgreSQL
through an ``AuditStore`` (``audit_store_for`` picks one for the ledger's datastore).
"""

from audit.divergence import Divergence, VerifyReport
from audit.leaves import Leaf, make_leaf
from audit.log import AuditLog, Head, audit_store_for
from audit.store import AuditStore, ConcurrentAppendError, StoredCheckpoint
from audit.verifier import Verifier

__all__ = [
    "AuditLog",
    "AuditStore",
    "ConcurrentAppendError",
    "Divergence",
    "Head",
    "Leaf",
    "StoredCheckpoint",
    "Verifier",
    "VerifyReport",
    "audit_store_for",
    "make_leaf",
]
