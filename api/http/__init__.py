"""HTTP: the Starlette app, its middleware, rate limits, tokens, viewer, metrics and logs."""
