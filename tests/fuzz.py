"""Hypothesis settings every fuzz test shares."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def fuzz(examples: int) -> settings:
    """`examples` inputs, the same on every run (a failure in CI replays here), with no
    deadline and no example database; function-scoped fixtures (the app) are shared by
    every example on purpose."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
