"""The checkpoint as served: the log's signed note with the witnesses' cosignatures added."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from api.storage.sql import Sql
from api.tlog.cosignatures import CosignatureStore
from audit import StoredCheckpoint
from audit.service import AuditService

_STORES: WeakKeyDictionary[AuditService, CosignatureStore] = WeakKeyDictionary()


def cosignature_store(audit: AuditService) -> CosignatureStore:
    """The cosignature tables next to the audit log's, created once per service."""
    store = _STORES.get(audit)
    if store is None:
        store = CosignatureStore(Sql(audit.store.datastore))
        store.create()
        _STORES[audit] = store
    return store


def served_checkpoint(audit: AuditService, checkpoint: StoredCheckpoint) -> str:
    """The note with every stored cosignature line of this checkpoint after the log's own."""
    return checkpoint.note + "".join(cosignature_store(audit).lines(checkpoint.id))


def latest_served(audit: AuditService) -> str | None:
    """The newest checkpoint with its cosignatures, for ``/ledger/checkpoint``."""
    latest = audit.latest_checkpoint()
    return None if latest is None else served_checkpoint(audit, latest)
