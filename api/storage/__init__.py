"""The store: its URL, recorders, group commit, SQL helper, key store and pools."""
