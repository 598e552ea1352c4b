"""The certificates package's web layer: its blueprint (``views``) and forms (``forms``).

Other packages never import this; the certificate service is reached through the
``designated`` hook (``tracker.wiring``).
"""
