"""Benchmarks for the petition platform: `python -m bench` (see bench/README.md)."""
