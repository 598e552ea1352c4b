"""PortalRB data exchange (issue 12): the ministry's PortalRB pulls the agency's proposals and LKE
answers from the tracker over three read-only JSON endpoints, with a bearer token per agency.

Layers as elsewhere: ``rules`` and ``soal`` are pure; ``models``, ``tokens`` and ``exchange``
are services; ``api`` (the endpoints), ``views``, ``forms`` and ``cli`` are the web layer.
"""
