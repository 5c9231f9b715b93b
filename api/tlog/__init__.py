"""Transparency in the open formats: C2SP tiles, verifier keys, witnesses and the audit page.

``tiles`` reads ``tlog-tiles`` tiles and entry bundles from the audit log's stored nodes;
``publish`` writes them as static files; ``routes`` serves them, the verifier key and the
checkpoint with its cosignatures; ``witness`` is the client that asks witnesses to cosign,
and ``witness_server`` a minimal witness.
"""
