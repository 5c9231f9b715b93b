"""Open data: the public statistics as a Frictionless Data Package, the same files live and on disk.

It reads only what the public may see (``projections.public_statistics``, whose suppression
pattern covers every published table), and imports nothing of the API.
"""
