"""Backups that restore (issue 18 §5): ``flask backup create`` and ``flask backup restore``."""
