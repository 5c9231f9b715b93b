"""Read side: views built from the ledger's event log, exactly once, on SQLite or PostgreSQL.

``projections.assembly.build_read_side`` assembles a ``Runner`` (writes the views),
``ReadModels`` (queries them) and ``Worker`` threads. Projections import only the domain's
events and value types; the composition root hands in the datastore and mapper.
"""
