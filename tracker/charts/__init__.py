"""Charts drawn on the server as accessible SVG (issue 16 §4): pure builders, plain values in,
a ``Chart`` out (the SVG markup with its numbers as text, a caption and the same figures as a
table for screen readers). No Flask, no SQLAlchemy, no JavaScript, nothing from a CDN.

``svg`` holds the drawing primitives and the escaping; ``bars``, ``boxes`` and ``diverging``
the three kinds of chart the pages use; ``stats`` the five-number summary behind the boxes.
"""

from tracker.charts.svg import Chart

__all__ = ["Chart"]
