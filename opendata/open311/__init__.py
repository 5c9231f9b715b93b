"""Open311 GeoReport v2, read-only: categories as services and public appeals as requests.

An appeal is a request here only once it was given an answer marked public. A request carries
no personal data, no location and no text of the citizen's: ``status_notes`` is the text of
its latest public answer (null once erased).
"""
