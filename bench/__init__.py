"""Benchmarks for Buyers Network: ``python -m bench --quick|--full`` (``make bench``).

These measure, they do not judge: every benchmark prints its figures next to the targets of the
benchmark issue and writes ``bench-results/<name>.json``; a missed target never fails the run.
"""
