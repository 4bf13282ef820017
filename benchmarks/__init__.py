"""Benchmarks that are too slow for the test suite; run by hand (see each package's run.py)."""
