"""The public dashboard at ``/``: charts drawn on the server as SVG from the open-data files.

It reads nothing but the published package (``opendata.publication``), so it shows exactly
what an anonymous caller may see, suppressed cells included (as suppressed).
"""
