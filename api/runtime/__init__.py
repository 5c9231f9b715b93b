"""Background work of an API process: leadership, duty, watchers, live feeds, thread base."""
