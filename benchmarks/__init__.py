"""Benchmarks of what Connect spends: Hiboutik API calls, database queries, then wall time.

Run them with ``python -m benchmarks`` from the project folder (``--help`` for the options);
``docs/benchmarks.md`` explains each one and holds the recorded results.
"""
