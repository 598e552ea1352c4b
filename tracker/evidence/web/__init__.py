"""The evidence package's web layer: its blueprint (``views``) and forms (``forms``).

Other packages never import this; they store documents through ``tracker.evidence.uploads``.
"""
