"""Benchmarks: ``make bench`` (``python -m bench``) runs every module listed in
``bench.__main__.BENCHMARKS``; each reports its figures and writes them to ``bench-results/``."""
