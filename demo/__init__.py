"""The demo generator: realistic synthetic appeals for a fresh store, kept out of the domain."""
