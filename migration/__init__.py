"""Migration: appeal histories in (JSON Lines, centres' CSV) and out (JSON Lines).

Imported histories go through the application's own command methods on a staging copy of
each appeal held in memory (``staging``), so every rule a live command obeys is obeyed, and
whole batches of appeals are then saved in one transaction. This package imports the ledger
only; the CLI and HTTP entrypoints in ``api`` wire it to a store.
"""
