"""Agencies (instansi) and their hierarchy of work units (unit kerja)."""
