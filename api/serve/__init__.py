"""Serving with several workers: the supervisor, its workers and their lifeline."""
