"""Fault tests of issue 7: `python -m bench.faults` breaks a real part under load and checks
that visitors see a translated page, the app recovers by itself, and nothing is lost."""
